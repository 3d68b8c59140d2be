#pragma once
// OSC to lights and visuals (liblo, UDP), on its own thread:
//   <prefix>/beat      i beat_in_bar, i bar, f bpm, f confidence, f intensity, i beats_per_bar,
//                      t the beat's time (the input's clock)
//   <prefix>/downbeat  i bar, f bpm
//   <prefix>/next      t time, f seconds_until, i beat_in_bar        (when a beat is predicted)
//   <prefix>/tempo     f bpm, f confidence                           (on change and at 10 Hz)
//   <prefix>/phase     f beat_phase, f bar_phase                     (50 Hz)
//   <prefix>/level     f dBFS                                        (10 Hz)
//   <prefix>/status    s state, f bpm, f confidence                  (on change and at 1 Hz)
// and the mappings: <prefix>/bpm f, <prefix>/pulse f 1 then 0 after 50 ms,
// <prefix>/speed f 0..1 over the tempo range.
// Beats go out at the beat's time (the predictions arrive early), or with
// `timetags`, at once in a bundle stamped with the beat's time.
#include <lo/lo.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "options.hpp"
#include "tactus/engine.hpp"

namespace tactus::jack {

class OscOut final : public EventSink {
public:
    OscOut(const ClientOptions& options, Engine& engine);
    ~OscOut();
    OscOut(const OscOut&) = delete;
    OscOut& operator=(const OscOut&) = delete;

    void start();
    void stop();
    // Engine worker thread: a beat event (predictions are sent).
    void on_event(const BeatEvent& e) override;
    std::uint64_t sent() const { return sent_.load(std::memory_order_relaxed); }

private:
    struct Pending {
        enum Kind { next_beat, on_beat, pulse_off };
        double at;  // CLOCK_MONOTONIC seconds to send at
        BeatEvent event;
        Kind kind;
    };
    void loop();
    void send_beat(const BeatEvent& e);
    void send_periodic(double now);
    void send(const char* leaf, lo_message m);
    void send_bundle(lo_bundle b);
    std::string path(const char* leaf) const { return prefix_ + leaf; }

    ClientOptions opt_;
    Engine& engine_;
    std::string prefix_;
    std::vector<lo_address> targets_;
    std::mutex m_;
    std::condition_variable cv_;
    std::deque<Pending> queue_;
    bool quit_ = false;
    std::thread thread_;
    std::atomic<std::uint64_t> sent_{0};
    // periodic state (sender thread)
    double next_tempo_ = 0, next_phase_ = 0, next_level_ = 0, next_status_ = 0;
    double last_bpm_ = -1;
    int last_state_ = -1;
};

double monotonic_now();
// CLOCK_MONOTONIC seconds -> OSC timetag (NTP epoch) through the wall clock.
lo_timetag to_timetag(double monotonic_s);

}  // namespace tactus::jack
