#include "event_writer.hpp"

namespace tactus::lv2 {
namespace {

// Bytes an event takes in a sequence: time stamp, atom header, padded body.
constexpr std::uint32_t event_bytes(std::uint32_t body) {
    return std::uint32_t(sizeof(LV2_Atom_Event)) + ((body + 7u) & ~7u);
}
constexpr std::uint32_t kMidiBytes = event_bytes(3);
// The beat object: its body header and nine properties of at most 8 bytes.
constexpr std::uint32_t kBeatBytes =
    event_bytes(std::uint32_t(sizeof(LV2_Atom_Object_Body) + 9 * (sizeof(LV2_Atom_Property_Body) + 8)));

}  // namespace

EventWriter::EventWriter(LV2_URID_Map* map, const Urids& urids) : urids_(urids) { lv2_atom_forge_init(&forge_, map); }

void EventWriter::begin_rt(LV2_Atom_Sequence* port) noexcept {
    count_ = 0;
    open_ = false;
    if (!port) return;
    // the host says how much room there is in the port's atom size
    const std::uint32_t capacity = port->atom.size;
    lv2_atom_forge_set_buffer(&forge_, reinterpret_cast<std::uint8_t*>(port), capacity);
    if (capacity < sizeof(LV2_Atom_Sequence) || !lv2_atom_forge_sequence_head(&forge_, &seq_, 0)) {
        if (capacity >= sizeof(LV2_Atom)) {  // too small for a sequence: an empty one, as far as it goes
            port->atom.type = urids_.atom_Sequence;
            port->atom.size = 0;
        }
        return;
    }
    open_ = true;
}

void EventWriter::add_midi_rt(std::uint32_t offset, const std::uint8_t* bytes, std::uint8_t size) noexcept {
    if (count_ == kMaxPending || size == 0 || size > 3) {
        ++dropped_;
        return;
    }
    Pending& p = pending_[count_++];
    p.offset = offset;
    p.is_beat = false;
    p.size = size;
    for (std::uint8_t i = 0; i < 3; ++i) p.midi[i] = i < size ? bytes[i] : 0;
}

void EventWriter::add_beat_rt(std::uint32_t offset, const BeatEvent& beat) noexcept {
    if (count_ == kMaxPending) {
        ++dropped_;
        return;
    }
    Pending& p = pending_[count_++];
    p.offset = offset;
    p.is_beat = true;
    p.size = 0;
    p.beat = beat;
}

void EventWriter::flush_rt(std::uint32_t base) noexcept {
    if (!open_) {  // no output buffer this block: nothing to write them into
        count_ = 0;
        return;
    }
    // insertion sort: few events, stable, no allocation
    for (std::size_t i = 1; i < count_; ++i)
        for (std::size_t j = i; j > 0 && pending_[j - 1].offset > pending_[j].offset; --j) {
            const Pending t = pending_[j];
            pending_[j] = pending_[j - 1];
            pending_[j - 1] = t;
        }
    for (std::size_t i = 0; i < count_; ++i) {
        const Pending& p = pending_[i];
        const std::int64_t time = std::int64_t(base) + p.offset;
        if (p.is_beat) write_beat_rt(time, p.beat);
        else write_midi_rt(time, p);
    }
    count_ = 0;
}

void EventWriter::end_rt() noexcept {
    if (open_) lv2_atom_forge_pop(&forge_, &seq_);
    open_ = false;
}

bool EventWriter::room_rt(std::uint32_t bytes) const noexcept { return forge_.offset + bytes <= forge_.size; }

void EventWriter::write_midi_rt(std::int64_t time, const Pending& p) noexcept {
    if (!room_rt(kMidiBytes)) {
        ++dropped_;
        return;
    }
    lv2_atom_forge_frame_time(&forge_, time);
    lv2_atom_forge_atom(&forge_, p.size, urids_.midi_MidiEvent);
    lv2_atom_forge_write(&forge_, p.midi, p.size);
}

void EventWriter::write_beat_rt(std::int64_t time, const BeatEvent& b) noexcept {
    if (!room_rt(kBeatBytes)) {
        ++dropped_;
        return;
    }
    LV2_Atom_Forge_Frame obj;
    lv2_atom_forge_frame_time(&forge_, time);
    lv2_atom_forge_object(&forge_, &obj, 0, urids_.beat);
    lv2_atom_forge_key(&forge_, urids_.beat_in_bar);
    lv2_atom_forge_int(&forge_, b.beat_in_bar);
    lv2_atom_forge_key(&forge_, urids_.beats_per_bar);
    lv2_atom_forge_int(&forge_, b.beats_per_bar);
    lv2_atom_forge_key(&forge_, urids_.bar);
    lv2_atom_forge_long(&forge_, b.bar);
    lv2_atom_forge_key(&forge_, urids_.beat_index);
    lv2_atom_forge_long(&forge_, b.beat_index);
    lv2_atom_forge_key(&forge_, urids_.bpm);
    lv2_atom_forge_float(&forge_, b.bpm);
    lv2_atom_forge_key(&forge_, urids_.confidence);
    lv2_atom_forge_float(&forge_, b.confidence);
    lv2_atom_forge_key(&forge_, urids_.intensity);
    lv2_atom_forge_float(&forge_, b.intensity);
    lv2_atom_forge_key(&forge_, urids_.predicted);
    lv2_atom_forge_bool(&forge_, b.predicted);
    lv2_atom_forge_key(&forge_, urids_.frame);
    lv2_atom_forge_long(&forge_, b.frame);
    lv2_atom_forge_pop(&forge_, &obj);
}

}  // namespace tactus::lv2
