#include "plugin.hpp"

#include <lv2/atom/util.h>
#include <lv2/buf-size/buf-size.h>
#include <lv2/core/lv2_util.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <thread>

#include "tactus/error.hpp"
#include "tactus/model.hpp"
#include "tactus/resampler.hpp"

namespace tactus::lv2 {
namespace {

// Outputs are generated in stretches of at most this many frames, so the
// fixed per-stretch buffers hold every clock tick whatever the block size.
constexpr std::uint32_t kChunk = 1024;
constexpr std::size_t kMaxClock = 64;  // ticks in kChunk frames: 300 BPM at 8 kHz needs 16


LV2_URID_Map* required_map(const LV2_Feature* const* features) {
    LV2_URID_Map* map = nullptr;
    if (features) lv2_features_query(features, LV2_URID__map, &map, true, nullptr);
    if (!map) throw Error("the host does not provide urid:map, which tactus.lv2 requires");
    return map;
}

EngineConfig engine_config(double rate, const std::filesystem::path& bundle) {
    if (!(rate >= kMinSampleRate && rate <= kMaxSampleRate))
        throw Error("unsupported sample rate " + std::to_string(rate) + " Hz (tactus runs at 8 to 192 kHz)");
    EngineConfig c;
    c.sample_rate = rate;
    // the bundle's own models, also when the `model` parameter changes later
    c.model_dir = bundle / "models";
    for (int id : c.params.model_ids()) {
        const auto path = c.model_dir / model_file_name(id);
        std::error_code ec;
        if (!std::filesystem::is_regular_file(path, ec))
            throw Error("model file " + path.string() + " is missing (reinstall the bundle with its models/)");
    }
    c.fifo_seconds = 4.0;  // the worker may fall this far behind before audio is dropped
    return c;
}

}  // namespace

Plugin::Plugin(double sample_rate, const std::filesystem::path& bundle, const LV2_Feature* const* features)
    : rate_(sample_rate),
      map_(required_map(features)),
      urids_(map_),
      layout_(port_layout()),
      clock_(sample_rate),
      writer_(map_, urids_) {
    const LV2_Options_Option* options = nullptr;
    lv2_features_query(features, LV2_WORKER__schedule, &schedule_, false, LV2_OPTIONS__options, &options, false, nullptr);
    engine_ = std::make_unique<Engine>(engine_config(sample_rate, bundle));  // loads the models
    set_options(options);
    const ParamSet defaults;
    for (std::size_t i = 0; i < kParamCount; ++i) {
        values_[i].store(defaults.values()[i], std::memory_order_relaxed);
        port_seen_[i] = std::numeric_limits<float>::quiet_NaN();
        apply_local_rt(ParamId(i));
    }
}

void Plugin::set_options(const LV2_Options_Option* options) {
    if (!options) return;
    const LV2_URID nominal = map_->map(map_->handle, LV2_BUF_SIZE__nominalBlockLength);
    const LV2_URID max = map_->map(map_->handle, LV2_BUF_SIZE__maxBlockLength);
    const LV2_URID int_type = map_->map(map_->handle, LV2_ATOM__Int);
    std::int32_t nominal_len = 0, max_len = 0;
    for (const LV2_Options_Option* o = options; o->key; ++o) {
        if (o->context != LV2_OPTIONS_INSTANCE || o->type != int_type || o->size != sizeof(std::int32_t) || !o->value)
            continue;
        const std::int32_t v = *static_cast<const std::int32_t*>(o->value);
        if (o->key == nominal) nominal_len = v;
        else if (o->key == max) max_len = v;
    }
    const std::int32_t period = nominal_len > 0 ? nominal_len : max_len;
    if (period > 0) engine_->set_host_period(std::uint32_t(period));
}

void Plugin::connect_rt(std::uint32_t port, void* data) noexcept {
    if (port == kPortInLeft || port == kPortInRight) in_[port] = static_cast<const float*>(data);
    else if (port == kPortControl) control_ = static_cast<const LV2_Atom_Sequence*>(data);
    else if (port == kPortEvents) events_ = static_cast<LV2_Atom_Sequence*>(data);
    else if (port >= kFirstParamPort && port < kFirstParamPort + layout_.param_count)
        param_ports_[std::size_t(layout_.params[port - kFirstParamPort])] = static_cast<const float*>(data);
    else if (port >= layout_.first_output && port < layout_.first_output + kOutputCount)
        outputs_[port - layout_.first_output] = static_cast<float*>(data);
    else if (port == layout_.freewheel) freewheel_ = static_cast<const float*>(data);
}

void Plugin::activate() {
    // The audio before and after a deactivation is not one stream: start over.
    engine_->reset();
    scheduler_.clear_rt();
    stop_pending_ = stop_pending_ || clock_.running();
    clock_.reset_rt();
    transport_known_ = relocated_ = false;
    immediate_count_ = 0;
    last_beat_in_bar_ = 0;
    // Values set before activation, and changes held back since the last
    // one, reach the engine here (this thread may rebuild).
    for (std::uint32_t i = 0; i < layout_.param_count; ++i) {
        const ParamId id = layout_.params[i];
        if (const float* p = param_ports_[std::size_t(id)]; p && *p != port_seen_[std::size_t(id)]) {
            port_seen_[std::size_t(id)] = *p;
            if (adopt_port_[std::size_t(id)]) continue;
            values_[std::size_t(id)].store(clamp_param(param_spec(id), *p).value, std::memory_order_relaxed);
            deferred_[std::size_t(id)] = true;
            any_deferred_ = true;
        }
    }
    for (std::size_t i = 0; i < kParamCount; ++i) {
        if (deferred_[i]) engine_->set_param(ParamId(i), values_[i].load(std::memory_order_relaxed));
        deferred_[i] = false;
        apply_local_rt(ParamId(i));
    }
    any_deferred_ = false;
    // The restart and any rebuild happen here, where allocating and reading
    // model files is allowed, not in the first run().
    process_guarded(true);
}

// ---- run --------------------------------------------------------------------

void Plugin::run_rt(std::uint32_t frames) noexcept {
    const bool freewheel = freewheel_ && *freewheel_ > 0.5f;
    const bool in_run = freewheel || !schedule_;
    const bool defer_restart = in_run && !freewheel;  // no worker: no rebuilds in run()
    read_params_rt(defer_restart);
    writer_.begin_rt(events_);
    const std::int64_t start = engine_->stream_position_rt();
    read_control_rt(start, defer_restart);
    push_audio_rt(frames);
    if (in_run) analyse_in_run_rt(freewheel);
    else if (frames > 0 || reset_wanted_) request_work_rt(start + frames);
    TempoSnapshot snap;
    if (engine_->snapshot_rt(&snap)) last_snapshot_ = snap;
    else snap = last_snapshot_;
    // A 0-frame block can carry no events: they wait in the ring.
    if (frames > 0) {
        collect_events_rt();
        emit_rt(start, frames, snap);
    }
    writer_.end_rt();
    write_outputs_rt(start + frames, snap);
    host_frame_ += host_speed_ * frames;
}

void Plugin::read_params_rt(bool defer_restart) noexcept {
    for (std::uint32_t i = 0; i < layout_.param_count; ++i) {
        const ParamId id = layout_.params[i];
        const float* p = param_ports_[std::size_t(id)];
        if (!p) continue;
        const float v = *p;
        if (v == port_seen_[std::size_t(id)] || (std::isnan(v) && std::isnan(port_seen_[std::size_t(id)]))) continue;
        port_seen_[std::size_t(id)] = v;
        if (adopt_port_[std::size_t(id)]) continue;  // set by the host with the restore: the state's value stands
        apply_param_rt(id, v, defer_restart);
    }
    adopt_port_.fill(false);
    if (any_deferred_ && !defer_restart) {  // freewheeling now: held-back changes go through
        for (std::size_t i = 0; i < kParamCount; ++i)
            if (deferred_[i]) {
                deferred_[i] = false;
                engine_->set_param_rt(ParamId(i), values_[i].load(std::memory_order_relaxed));
            }
        any_deferred_ = false;
    }
}

void Plugin::apply_param_rt(ParamId id, float value, bool defer_restart) noexcept {
    const ParamSpec& spec = param_spec(id);
    const float v = clamp_param(spec, value).value;
    auto& slot = values_[std::size_t(id)];
    if (v == slot.load(std::memory_order_relaxed) && !deferred_[std::size_t(id)]) return;
    slot.store(v, std::memory_order_relaxed);
    if (defer_restart && spec.restart) {
        deferred_[std::size_t(id)] = any_deferred_ = true;
        return;
    }
    deferred_[std::size_t(id)] = false;
    engine_->set_param_rt(id, v);
    apply_local_rt(id);
}

// Parameters the plugin itself acts on (the engine ignores them).
void Plugin::apply_local_rt(ParamId id) noexcept {
    const float v = values_[std::size_t(id)].load(std::memory_order_relaxed);
    switch (id) {
        case ParamId::midi_clock: clock_.set_enabled_rt(v >= 0.5f); break;
        case ParamId::stop_clock_when_lost: clock_.set_stop_when_lost_rt(v >= 0.5f); break;
        case ParamId::clock_offset_ms: clock_.set_offset_rt(double(v) / 1000.0); break;
        default: break;
    }
}

void Plugin::read_control_rt(std::int64_t start, bool defer_restart) noexcept {
    if (!control_ || control_->atom.type != urids_.atom_Sequence) return;
    LV2_ATOM_SEQUENCE_FOREACH (control_, ev) {
        if (ev->body.type != urids_.atom_Object && ev->body.type != urids_.atom_Blank) continue;
        const auto* obj = reinterpret_cast<const LV2_Atom_Object*>(&ev->body);
        const std::int64_t offset = std::max<std::int64_t>(ev->time.frames, 0);
        if (obj->body.otype == urids_.patch_Set) on_patch_set_rt(obj, start + offset, defer_restart);
        else if (obj->body.otype == urids_.time_Position) on_position_rt(obj, offset);
    }
}

void Plugin::on_patch_set_rt(const LV2_Atom_Object* obj, std::int64_t at, bool defer_restart) noexcept {
    const LV2_Atom* property = nullptr;
    const LV2_Atom* value = nullptr;
    lv2_atom_object_get(obj, urids_.patch_property, &property, urids_.patch_value, &value, 0);
    if (!property || property->type != urids_.atom_URID) return;
    const LV2_URID key = reinterpret_cast<const LV2_Atom_URID*>(property)->body;
    if (key == urids_.tap) {
        engine_->tap_at_rt(at);
        return;
    }
    const ParamSpec* spec = urids_.param_of(key);
    float v = 0;
    if (!spec || !(spec->faces & kFaceLv2) || !atom_number(value, urids_, &v)) return;
    apply_param_rt(spec->id, v, defer_restart);
}

// A host that relocates cuts the audio it plays: the tracker starts over
// rather than carry a beat grid across the cut. A relocation of a stopped
// transport cuts when it rolls again: Ardour locates a rolling transport
// through one stopped cycle at the new place, and a playhead moved between
// takes plays from there. (Live input with the transport stopped, and
// staying so, is never affected.)
void Plugin::on_position_rt(const LV2_Atom_Object* obj, std::int64_t offset) noexcept {
    const LV2_Atom* frame = nullptr;
    const LV2_Atom* speed = nullptr;
    lv2_atom_object_get(obj, urids_.time_frame, &frame, urids_.time_speed, &speed, 0);
    float s = 0;
    const bool has_frame = frame && frame->type == urids_.atom_Long && frame->size >= sizeof(std::int64_t);
    if (!has_frame || !atom_number(speed, urids_, &s)) return;
    const double at = double(reinterpret_cast<const LV2_Atom_Long*>(frame)->body);
    const double expected = host_frame_ + host_speed_ * double(offset);
    if (transport_known_ && std::abs(at - expected) > 0.05 * rate_) relocated_ = true;
    if (relocated_ && s != 0.f) {
        request_reset_rt();
        relocated_ = false;
    }
    transport_known_ = true;
    host_speed_ = s;
    host_frame_ = at - s * double(offset);  // the host position at the block start
}

void Plugin::push_audio_rt(std::uint32_t frames) noexcept {
    // Unconnected inputs are silence; a mono host connects one (or both to
    // the same buffer): mix only what is there, at unity gain.
    const float* chans[2] = {nullptr, nullptr};
    int n = 0;
    if (in_[0]) chans[n++] = in_[0];
    if (in_[1] && in_[1] != in_[0]) chans[n++] = in_[1];
    engine_->push_rt(chans, std::max(n, 1), frames);
}

// ---- analysis ---------------------------------------------------------------

void Plugin::process_guarded(bool wait) {
    bool expected = false;
    while (!busy_.compare_exchange_weak(expected, true, std::memory_order_acquire)) {
        if (!wait) return;  // someone else is analysing: the FIFO keeps the audio
        expected = false;
        std::this_thread::yield();
    }
    try {
        engine_->process();
    } catch (const std::exception&) {
        // out of memory in a rebuild: the running analysis goes on
    }
    busy_.store(false, std::memory_order_release);
}

void Plugin::analyse_in_run_rt(bool freewheel) noexcept {
    if (reset_wanted_) {
        reset_wanted_ = false;
        engine_->reset();  // one atomic increment
    }
    // Freewheeling, wait for a work() still running from before: the
    // export must see every block's events on time.
    process_guarded(freewheel);
}

void Plugin::request_work_rt(std::int64_t now) noexcept {
    if (reset_wanted_) {
        const WorkMessage m{WorkKind::reset};
        if (schedule_->schedule_work(schedule_->handle, sizeof m, &m) == LV2_WORKER_SUCCESS) {
            reset_wanted_ = false;
            work_pending_.store(true, std::memory_order_relaxed);
            work_requested_at_ = now;
        }
        return;
    }
    // One request at a time; one lost by the host is asked again after 1 s.
    if (work_pending_.load(std::memory_order_acquire) && now - work_requested_at_ < std::int64_t(rate_)) return;
    const WorkMessage m{WorkKind::process};
    work_pending_.store(true, std::memory_order_relaxed);
    work_requested_at_ = now;
    if (schedule_->schedule_work(schedule_->handle, sizeof m, &m) != LV2_WORKER_SUCCESS)
        work_pending_.store(false, std::memory_order_relaxed);
}

void Plugin::request_reset_rt() noexcept {
    reset_wanted_ = true;
    scheduler_.clear_rt();  // the predictions belong to the audio before the cut
}

LV2_Worker_Status Plugin::work(std::uint32_t size, const void* data) {
    if (size != sizeof(WorkMessage)) return LV2_WORKER_ERR_UNKNOWN;
    WorkMessage m;
    std::memcpy(&m, data, sizeof m);
    if (m.kind == WorkKind::reset) engine_->reset();
    // cleared first: audio pushed while this runs asks for the next round
    work_pending_.store(false, std::memory_order_release);
    process_guarded(false);
    return LV2_WORKER_SUCCESS;
}

// ---- outputs ----------------------------------------------------------------

void Plugin::collect_events_rt() noexcept {
    // the mode the engine was given, not the port's: a change held back for
    // a rebuild has not reached the analysis yet
    const bool beatnet = engine_->param(ParamId::inference) >= 0.5f;
    const double offset_s = double(values_[std::size_t(ParamId::clock_offset_ms)].load(std::memory_order_relaxed)) / 1000.0;
    BeatEvent events[32];
    std::size_t n;
    while ((n = engine_->pop_events_rt(events, 32)) > 0)
        for (std::size_t i = 0; i < n; ++i) {
            BeatEvent e = events[i];
            if (e.predicted) {
                // predictions come ahead of their beat: played on time, shifted by the output offset
                e.frame += std::llround(offset_s * rate_);
                e.time += offset_s;
                scheduler_.add_rt(e);
            } else if (beatnet && immediate_count_ < kMaxImmediate) {
                // BeatNet's filter only detects, after the fact: sent as they come
                immediate_[immediate_count_++] = e;
            }
            // (the tactus tracker's detections repeat beats its predictions already sent)
        }
}

void Plugin::add_note_rt(std::int64_t chunk_start, const NoteMessage& m) noexcept {
    writer_.add_midi_rt(std::uint32_t(std::max<std::int64_t>(m.frame - chunk_start, 0)), m.bytes, 3);
}

void Plugin::emit_beat_rt(std::int64_t chunk_start, std::uint32_t offset, const BeatEvent& e) noexcept {
    writer_.add_beat_rt(offset, e);
    last_beat_in_bar_ = e.beat_in_bar;
    last_bar_ = e.bar;
    if (values_[std::size_t(ParamId::midi_notes)].load(std::memory_order_relaxed) < 0.5f) return;
    NoteMessage on, off;
    if (voice_.start_rt(e, chunk_start + offset, rate_, &on, &off)) add_note_rt(chunk_start, off);
    add_note_rt(chunk_start, on);
}

void Plugin::emit_rt(std::int64_t start, std::uint32_t frames, const TempoSnapshot& snap) noexcept {
    // A prediction is committed `prediction_lead_ms` ahead of the analysis,
    // which reaches run() a block later: after a block longer than the lead
    // (or a slow worker) it comes late. It still plays, at the start of the
    // block, if it is late by less than that block and 100 ms; older ones
    // are stale and dropped.
    const std::int64_t late = std::int64_t(std::max(frames, previous_frames_)) + std::llround(0.1 * rate_);
    previous_frames_ = frames;
    const bool notes = values_[std::size_t(ParamId::midi_notes)].load(std::memory_order_relaxed) >= 0.5f;
    ScheduledBeat due[16];
    MidiMessage clock[kMaxClock];
    for (std::uint32_t at = 0; at < frames; at += kChunk) {
        const std::uint32_t m = std::min(kChunk, frames - at);
        const std::int64_t c0 = start + at;
        NoteMessage off;
        if (!notes && voice_.stop_rt(c0, &off)) add_note_rt(c0, off);
        if (at == 0) {
            if (stop_pending_) {
                const std::uint8_t stop = kMidiStop;
                writer_.add_midi_rt(0, &stop, 1);
                stop_pending_ = false;
            }
            for (std::size_t i = 0; i < immediate_count_; ++i) emit_beat_rt(c0, 0, immediate_[i]);
            immediate_count_ = 0;
        }
        const std::size_t nd = scheduler_.due_rt(c0, m, late, due, 16);
        for (std::size_t i = 0; i < nd; ++i) emit_beat_rt(c0, due[i].offset, due[i].event);
        if (voice_.end_before_rt(c0 + m, &off)) add_note_rt(c0, off);
        const std::size_t nc = clock_.process_rt(c0, m, snap, clock, kMaxClock);
        for (std::size_t i = 0; i < nc; ++i) writer_.add_midi_rt(clock[i].offset, clock[i].bytes, clock[i].size);
        writer_.flush_rt(at);
    }
}

void Plugin::write_outputs_rt(std::int64_t end, const TempoSnapshot& snap) noexcept {
    auto put = [this](OutputPort port, float v) {
        if (float* p = outputs_[std::size_t(port)]) *p = v;
    };
    double phase = 0;
    if (has_beat_grid(snap)) {
        const double period = rate_ * 60.0 / snap.bpm;
        const double x = double(end - snap.next_beat_frame) / period;
        phase = x - std::floor(x);
    }
    put(OutputPort::bpm, float(snap.bpm));
    put(OutputPort::confidence, snap.confidence);
    put(OutputPort::phase, float(phase));
    // Not tracking forgets the last beat: an analysis that starts over (a
    // rebuild, a reset) shows none until it sends its own first beat.
    if (!tracking(snap)) last_beat_in_bar_ = 0;
    put(OutputPort::beat_in_bar, float(last_beat_in_bar_));
    put(OutputPort::bar, float(last_bar_));
    put(OutputPort::state, float(snap.state));
}

}  // namespace tactus::lv2
