#pragma once
// Writes the plugin's atom output: MIDI messages and beat objects, in time
// order. Events for a stretch of the block are added in any order, then
// flushed: sorted (stably: a Start stays before the clock tick at the same
// sample) and forged into the sequence. A full buffer drops events and
// counts them; it never writes a truncated object.
#include <lv2/atom/forge.h>

#include <cstddef>
#include <cstdint>

#include "tactus/events.hpp"
#include "tactus/rt.hpp"
#include "urids.hpp"

namespace tactus::lv2 {

class EventWriter {
public:
    static constexpr std::size_t kMaxPending = 128;

    EventWriter(LV2_URID_Map* map, const Urids& urids);

    // Starts the block's sequence in `port` (nullptr: not connected, nothing is written).
    TACTUS_RT void begin_rt(LV2_Atom_Sequence* port) noexcept;
    TACTUS_RT void add_midi_rt(std::uint32_t offset, const std::uint8_t* bytes, std::uint8_t size) noexcept;
    TACTUS_RT void add_beat_rt(std::uint32_t offset, const BeatEvent& beat) noexcept;
    // Writes what was added, `base` frames into the block.
    TACTUS_RT void flush_rt(std::uint32_t base) noexcept;
    TACTUS_RT void end_rt() noexcept;
    std::uint64_t dropped() const { return dropped_; }

private:
    struct Pending {
        std::uint32_t offset;
        bool is_beat;
        std::uint8_t size;
        std::uint8_t midi[3];
        BeatEvent beat;
    };
    TACTUS_RT bool room_rt(std::uint32_t bytes) const noexcept;
    TACTUS_RT void write_midi_rt(std::int64_t time, const Pending& p) noexcept;
    TACTUS_RT void write_beat_rt(std::int64_t time, const BeatEvent& b) noexcept;

    const Urids& urids_;
    LV2_Atom_Forge forge_{};
    LV2_Atom_Forge_Frame seq_{};
    bool open_ = false;
    Pending pending_[kMaxPending];
    std::size_t count_ = 0;
    std::uint64_t dropped_ = 0;
};

}  // namespace tactus::lv2
