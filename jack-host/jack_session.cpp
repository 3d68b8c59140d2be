#include "jack_session.hpp"

#include <jack/midiport.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "link_sync.hpp"
#include "tactus/error.hpp"

namespace tactus::jack {
namespace {

constexpr std::size_t kMaxMidi = 128;

}  // namespace

JackSession::JackSession(const ClientOptions& options) : opt_(options) {
    jack_status_t status{};
    client_ = jack_client_open(opt_.name.c_str(), JackNoStartServer, &status);
    if (!client_) throw Error("cannot connect to a JACK server (status 0x" + std::to_string(int(status)) + ")");
    rate_.store(jack_get_sample_rate(client_), std::memory_order_relaxed);
    clock_.set_sample_rate(rate_.load());
    const char* names[2] = {"in_1", "in_2"};
    for (int c = 0; c < opt_.channels; ++c) {
        in_[c] = jack_port_register(client_, opt_.channels == 1 ? "in" : names[c], JACK_DEFAULT_AUDIO_TYPE,
                                    JackPortIsInput, 0);
        if (!in_[c]) throw Error("cannot register the audio input ports");
    }
    midi_out_ = jack_port_register(client_, "midi_out", JACK_DEFAULT_MIDI_TYPE, JackPortIsOutput, 0);
    if (!midi_out_) throw Error("cannot register the MIDI output port");
}

JackSession::~JackSession() {
    if (client_) {
        if (alive()) jack_deactivate(client_);
        jack_client_close(client_);
    }
}

std::string JackSession::client_name() const { return client_ ? jack_get_client_name(client_) : opt_.name; }

void JackSession::activate(Engine& engine, ableton::Link* link) {
    engine_ = &engine;
    link_ = link;
    jack_set_process_callback(client_, process_cb, this);
    jack_set_xrun_callback(client_, xrun_cb, this);
    jack_set_sample_rate_callback(client_, rate_cb, this);
    jack_set_buffer_size_callback(client_, bufsize_cb, this);
    jack_on_info_shutdown(client_, shutdown_cb, this);
    if (opt_.transport_master && jack_set_timebase_callback(client_, 0, timebase_cb, this) != 0)
        std::fprintf(stderr, "tactus-jack: another client is the transport master; not taking over\n");
    update_clock_offset();
    engine.set_host_period(jack_get_buffer_size(client_));
    if (jack_activate(client_) != 0) throw Error("cannot activate the JACK client");
    connect_inputs();
}

void JackSession::connect_inputs() {
    if (opt_.no_connect) return;
    std::vector<std::string> sources;
    auto add_matches = [&](const char* pattern, unsigned long flags) {
        const char** ports = jack_get_ports(client_, pattern, JACK_DEFAULT_AUDIO_TYPE, flags);
        if (!ports) return;
        for (int i = 0; ports[i]; ++i)
            if (std::find(sources.begin(), sources.end(), ports[i]) == sources.end()) sources.emplace_back(ports[i]);
        jack_free(ports);
    };
    if (opt_.connect.empty()) add_matches(nullptr, JackPortIsPhysical | JackPortIsOutput);
    for (const auto& pattern : opt_.connect) add_matches(pattern.c_str(), JackPortIsOutput);
    if (sources.empty()) {
        std::fprintf(stderr, "tactus-jack: no capture port to connect%s\n",
                     opt_.connect.empty() ? " (no physical capture ports)" : " matches --connect");
        return;
    }
    for (int c = 0; c < opt_.channels && c < int(sources.size()); ++c) {
        const int r = jack_connect(client_, sources[std::size_t(c)].c_str(), jack_port_name(in_[c]));
        if (r != 0 && r != EEXIST)
            std::fprintf(stderr, "tactus-jack: cannot connect %s\n", sources[std::size_t(c)].c_str());
    }
}

SessionStats JackSession::stats() {
    SessionStats s;
    s.xruns = xruns_.load(std::memory_order_relaxed);
    s.period = period_.load(std::memory_order_relaxed);
    s.rate = rate_.load(std::memory_order_relaxed);
    s.dsp_load = client_ && alive() ? double(jack_cpu_load(client_)) : 0.0;
    s.callback_us = callback_us_.load(std::memory_order_relaxed);
    s.callback_max_us = callback_max_us_.exchange(0, std::memory_order_relaxed);
    s.clock_running = clock_running_.load(std::memory_order_relaxed);
    s.clock_bpm = clock_bpm_.load(std::memory_order_relaxed);
    s.input_peak = peak_.exchange(0, std::memory_order_relaxed);
    return s;
}

void JackSession::update_clock_offset() {
    if (!client_ || !alive()) return;
    timespec a{}, b{};
    clock_gettime(CLOCK_MONOTONIC, &a);
    const jack_time_t j = jack_get_time();
    clock_gettime(CLOCK_MONOTONIC, &b);
    const std::int64_t mono = (std::int64_t(a.tv_sec) + std::int64_t(b.tv_sec)) * 500'000'000 + (a.tv_nsec + b.tv_nsec) / 2;
    jack_to_monotonic_ns_.store(mono - std::int64_t(j) * 1000, std::memory_order_relaxed);
}

void JackSession::update_transport(bool locked) {
    if (!opt_.transport_master || !alive()) return;
    if (locked && !rolling_) jack_transport_start(client_);
    if (!locked && rolling_) jack_transport_stop(client_);
    rolling_ = locked;
}

// ---- callbacks --------------------------------------------------------------

int JackSession::process_cb(jack_nframes_t n, void* self) { return static_cast<JackSession*>(self)->process_rt(n); }

int JackSession::xrun_cb(void* self) {
    static_cast<JackSession*>(self)->xruns_.fetch_add(1, std::memory_order_relaxed);
    return 0;
}

int JackSession::rate_cb(jack_nframes_t rate, void* self) {
    auto* s = static_cast<JackSession*>(self);
    if (double(rate) != s->rate_.load()) {
        s->rate_.store(rate, std::memory_order_relaxed);
        try {
            s->engine_->set_sample_rate(rate);
        } catch (const Error& e) {
            std::fprintf(stderr, "tactus-jack: %s\n", e.what());
        }
    }
    return 0;
}

int JackSession::bufsize_cb(jack_nframes_t n, void* self) {
    auto* s = static_cast<JackSession*>(self);
    s->period_.store(n, std::memory_order_relaxed);
    if (s->engine_) s->engine_->set_host_period(n);  // the predictions' lead covers two periods
    return 0;  // blocks of any size are fine
}

void JackSession::shutdown_cb(jack_status_t, const char*, void* self) {
    // The server is gone: main() notices, closes this client and retries.
    static_cast<JackSession*>(self)->alive_.store(false, std::memory_order_release);
}

int JackSession::process_rt(jack_nframes_t n) noexcept {
    const jack_time_t t0 = jack_get_time();
    jack_nframes_t cycle_frames = 0;
    jack_time_t cycle_us = 0, next_us = 0;
    float period_us = 0;
    const bool timed = jack_get_cycle_times(client_, &cycle_frames, &cycle_us, &next_us, &period_us) == 0;

    // audio in: only connected inputs (a mono source into a stereo client
    // must not lose 6 dB to a silent second input)
    const float* ins[2];
    int channels = 0;
    float peak = peak_.load(std::memory_order_relaxed);
    for (int c = 0; c < opt_.channels; ++c) {
        if (opt_.channels > 1 && !jack_port_connected(in_[c])) continue;
        ins[channels] = static_cast<const float*>(jack_port_get_buffer(in_[c], n));
        for (jack_nframes_t i = 0; i < n; ++i) peak = std::max(peak, std::fabs(ins[channels][i]));
        ++channels;
    }
    peak_.store(peak, std::memory_order_relaxed);
    const std::int64_t block_start = engine_->stream_position_rt();
    // nothing connected: silence, time still passes
    engine_->push_rt(ins, channels, n,
                     timed ? std::int64_t(cycle_us) * 1000 + jack_to_monotonic_ns_.load(std::memory_order_relaxed) : 0);

    BeatEvent ev[32];
    std::size_t got;
    while ((got = engine_->pop_events_rt(ev, 32)) > 0)
        for (std::size_t i = 0; i < got; ++i) scheduler_.add_rt(ev[i]);
    TempoSnapshot s;
    if (engine_->snapshot_rt(&s)) snapshot_ = s;

    write_midi_rt(jack_port_get_buffer(midi_out_, n), n, block_start);
    if (link_) update_link_rt(n);

    const float us = float(jack_get_time() - t0);
    callback_us_.store(us, std::memory_order_relaxed);
    if (us > callback_max_us_.load(std::memory_order_relaxed)) callback_max_us_.store(us, std::memory_order_relaxed);
    return 0;
}

void JackSession::write_midi_rt(void* buffer, jack_nframes_t n, std::int64_t block_start) noexcept {
    jack_midi_clear_buffer(buffer);
    const double rate = rate_.load(std::memory_order_relaxed);
    const double offset_s = double(engine_->param(ParamId::clock_offset_ms)) / 1000.0;
    clock_.set_enabled_rt(engine_->param(ParamId::midi_clock) >= 0.5f);
    clock_.set_stop_when_lost_rt(engine_->param(ParamId::stop_clock_when_lost) >= 0.5f);
    clock_.set_offset_rt(offset_s);
    MidiMessage msg[kMaxMidi];
    std::size_t count = clock_.process_rt(block_start, n, snapshot_, msg, kMaxMidi - 8);

    // notes: predicted beats at their offsets (shifted by the output offset)
    const std::int64_t shift = std::llround(offset_s * rate);
    ScheduledBeat due[8];
    const std::size_t beats = scheduler_.due_rt(block_start - shift, n, std::int64_t(0.03 * rate), due, 8);
    const bool notes = engine_->param(ParamId::midi_notes) >= 0.5f;
    auto add = [&](const NoteMessage& m) {
        msg[count++] = MidiMessage{std::uint32_t(std::max<std::int64_t>(m.frame - block_start, 0)), 3,
                                   {m.bytes[0], m.bytes[1], m.bytes[2]}};
    };
    NoteMessage on, off;
    if (!notes && voice_.stop_rt(block_start, &off)) add(off);
    for (std::size_t i = 0; notes && i < beats && count + 2 < kMaxMidi; ++i) {
        if (voice_.start_rt(due[i].event, block_start + due[i].offset, rate, &on, &off)) add(off);
        add(on);
    }
    if (count < kMaxMidi && voice_.end_before_rt(block_start + std::int64_t(n), &off)) add(off);
    std::stable_sort(msg, msg + count, [](const MidiMessage& a, const MidiMessage& b) { return a.offset < b.offset; });
    for (std::size_t i = 0; i < count; ++i)
        jack_midi_event_write(buffer, std::min<jack_nframes_t>(msg[i].offset, n - 1), msg[i].bytes, msg[i].size);
    clock_running_.store(clock_.running(), std::memory_order_relaxed);
    clock_bpm_.store(clock_.bpm(), std::memory_order_relaxed);
    clock_phase_.store(clock_.phase(), std::memory_order_relaxed);
    beats_per_bar_.store(snapshot_.beats_per_bar > 0 ? snapshot_.beats_per_bar : 4, std::memory_order_relaxed);
}

void JackSession::update_link_rt(jack_nframes_t n) noexcept {
    const double rate = rate_.load(std::memory_order_relaxed);
    const bool locked = snapshot_.state == TrackState::locked && snapshot_.bpm > 0 && snapshot_.next_beat_frame >= 0;
    const std::int64_t now = engine_->stream_position_rt();
    // at most twice a second: Link peers should not see a twitchy tempo
    if (!locked || now - last_link_update_ < std::int64_t(0.5 * rate)) return;
    last_link_update_ = now;
    link_publish_rt(*link_, snapshot_, now, rate);
    (void)n;
}

void JackSession::timebase_cb(jack_transport_state_t, jack_nframes_t, jack_position_t* pos, int, void* self) {
    auto* s = static_cast<JackSession*>(self);
    const double bpm = s->clock_bpm_.load(std::memory_order_relaxed);
    const int bpb = s->beats_per_bar_.load(std::memory_order_relaxed);
    const double phase = s->clock_phase_.load(std::memory_order_relaxed);  // beats since the clock started
    constexpr double kTicksPerBeat = 1920;
    pos->valid = JackPositionBBT;
    pos->beats_per_bar = float(bpb);
    pos->beat_type = 4;
    pos->ticks_per_beat = kTicksPerBeat;
    pos->beats_per_minute = bpm > 0 ? bpm : 120.0;
    const double beats = std::max(phase, 0.0);
    const auto whole = std::int64_t(std::floor(beats));
    pos->bar = std::int32_t(whole / bpb) + 1;
    pos->beat = std::int32_t(whole % bpb) + 1;
    pos->tick = std::int32_t((beats - double(whole)) * kTicksPerBeat);
    pos->bar_start_tick = double(pos->bar - 1) * bpb * kTicksPerBeat;
}

}  // namespace tactus::jack
