#pragma once
// One connection to a JACK server: the client, its ports and callbacks. The
// process callback is the real-time side: it pushes audio into the engine,
// collects its events and writes MIDI clock and notes at sample offsets.
// When the server goes away the session is marked dead; main() closes it
// and opens a new one (the engine lives on).
#include <jack/jack.h>
#include <jack/transport.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "options.hpp"
#include "tactus/engine.hpp"
#include "tactus/beat_note.hpp"
#include "tactus/midi_clock.hpp"

namespace ableton {
class Link;
}

namespace tactus::jack {

struct SessionStats {
    std::uint64_t xruns = 0;
    std::uint32_t period = 0;
    double rate = 0;
    double dsp_load = 0;      // JACK's own figure, percent
    double callback_us = 0;   // our process callback, last period (microseconds)
    double callback_max_us = 0;
    bool clock_running = false;
    double clock_bpm = 0;
    float input_peak = 0;     // since the last read
};

class JackSession {
public:
    // Opens the client and registers its ports (no server: throws tactus::Error).
    explicit JackSession(const ClientOptions& options);
    ~JackSession();
    JackSession(const JackSession&) = delete;
    JackSession& operator=(const JackSession&) = delete;

    // Registers the callbacks feeding `engine`, activates, connects the inputs.
    void activate(Engine& engine, ableton::Link* link);
    bool alive() const { return alive_.load(std::memory_order_acquire); }
    double sample_rate() const { return rate_.load(std::memory_order_relaxed); }
    SessionStats stats();
    // Transport master: roll when locked, stop when lost (main thread).
    void update_transport(bool locked);
    // JACK's clock is CLOCK_MONOTONIC_RAW; the engine stamps events on
    // CLOCK_MONOTONIC (what the OSC sender sleeps on). Main thread, often:
    // measures the offset between the two for the process callback.
    void update_clock_offset();
    std::string client_name() const;

private:
    static int process_cb(jack_nframes_t n, void* self);
    static int xrun_cb(void* self);
    static int rate_cb(jack_nframes_t rate, void* self);
    static int bufsize_cb(jack_nframes_t n, void* self);
    static void shutdown_cb(jack_status_t code, const char* reason, void* self);
    static void timebase_cb(jack_transport_state_t state, jack_nframes_t n, jack_position_t* pos, int new_pos, void* self);
    TACTUS_RT int process_rt(jack_nframes_t n) noexcept;
    TACTUS_RT void write_midi_rt(void* buffer, jack_nframes_t n, std::int64_t block_start) noexcept;
    TACTUS_RT void update_link_rt(jack_nframes_t n) noexcept;
    void connect_inputs();

    ClientOptions opt_;
    Engine* engine_ = nullptr;
    ableton::Link* link_ = nullptr;
    jack_client_t* client_ = nullptr;
    jack_port_t* in_[2] = {nullptr, nullptr};
    jack_port_t* midi_out_ = nullptr;
    std::atomic<bool> alive_{true};
    std::atomic<double> rate_{0};
    // RT-owned
    MidiClock clock_;
    BeatScheduler scheduler_;
    TempoSnapshot snapshot_{};
    BeatNoteVoice voice_;
    std::int64_t last_link_update_ = 0;
    // RT -> main
    std::atomic<std::uint64_t> xruns_{0};
    std::atomic<std::uint32_t> period_{0};
    std::atomic<float> callback_us_{0}, callback_max_us_{0}, peak_{0};
    std::atomic<bool> clock_running_{false};
    std::atomic<double> clock_bpm_{0};
    std::atomic<double> clock_phase_{0};
    std::atomic<int> beats_per_bar_{4};
    std::atomic<std::int64_t> jack_to_monotonic_ns_{0};
    bool rolling_ = false;
};

}  // namespace tactus::jack
