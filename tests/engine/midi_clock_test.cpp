// The MIDI clock: Start on a downbeat, 24 ticks per beat landing on the
// predicted beats, steady intervals (one sample of rounding at most) despite
// the tracker's frame-grid jitter, smooth tempo changes, Stop when lost.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

#include "tactus/midi_clock.hpp"

using namespace tactus;

namespace {

struct Sim {
    double rate = 48000;
    double jitter_s = 0.005;  // tracker noise on the predicted beat, +-
    double bpm_noise = 0.003;
    std::uint32_t block = 256;
    std::mt19937 rng{3};
    std::vector<double> ticks;   // absolute sample positions
    std::vector<double> starts, stops;
    // A tracker seeing a steady grid: beat k at first + k * period (samples),
    // reported on a 20 ms grid with a frame of jitter now and then.
    TempoSnapshot snapshot(std::int64_t now, double bpm, double first, int beats_per_bar, TrackState state) {
        const double period = 60.0 / bpm * rate;
        const double frame = rate / 50.0;
        TempoSnapshot s;
        s.state = state;
        s.bpm = bpm * (1.0 + std::uniform_real_distribution<double>(-bpm_noise, bpm_noise)(rng));
        const double k = std::ceil((double(now) - first) / period);
        double next = first + k * period;
        next += rate * std::uniform_real_distribution<double>(-jitter_s, jitter_s)(rng);
        (void)frame;
        s.next_beat_frame = std::int64_t(next);
        const long kk = long(k);
        const long to_bar = (beats_per_bar - (kk % beats_per_bar)) % beats_per_bar;
        s.next_downbeat_frame = std::int64_t(next + double(to_bar) * period);
        s.beats_per_bar = beats_per_bar;
        return s;
    }
    void run(MidiClock& clock, std::int64_t from, std::int64_t to, double bpm, double first, TrackState state = TrackState::locked) {
        MidiMessage msg[256];
        TempoSnapshot s = snapshot(from, bpm, first, 4, state);
        for (std::int64_t t = from; t < to; t += block) {
            if ((t / block) % 4 == 0) s = snapshot(t, bpm, first, 4, state);  // worker updates every ~20 ms
            const std::size_t n = clock.process_rt(t, block, s, msg, 256);
            for (std::size_t i = 0; i < n; ++i) {
                REQUIRE(msg[i].offset < block);
                const double at = double(t) + msg[i].offset;
                if (msg[i].bytes[0] == kMidiClock) ticks.push_back(at);
                if (msg[i].bytes[0] == kMidiStart) starts.push_back(at);
                if (msg[i].bytes[0] == kMidiStop) stops.push_back(at);
            }
        }
    }
};

}  // namespace

TEST_CASE("with a steady tracker the tick interval varies by at most one sample", "[midi_clock]") {
    Sim sim;
    sim.jitter_s = 0;
    sim.bpm_noise = 0;
    MidiClock clock(sim.rate);
    sim.run(clock, 0, std::int64_t(sim.rate * 60), 128, 777);
    double lo = 1e9, hi = 0;
    for (std::size_t i = 1; i < sim.ticks.size(); ++i)
        if (sim.ticks[i] > sim.rate * 10) {
            lo = std::min(lo, sim.ticks[i] - sim.ticks[i - 1]);
            hi = std::max(hi, sim.ticks[i] - sim.ticks[i - 1]);
        }
    CHECK(hi - lo <= 1.0);
    CHECK(clock.bpm() == Approx(128).epsilon(0.001));
}

TEST_CASE("the clock starts on a downbeat and ticks 24 times per beat on the beat", "[midi_clock]") {
    Sim sim;
    MidiClock clock(sim.rate);
    const double bpm = 128, first = 12345, period = 60.0 / bpm * sim.rate;
    sim.run(clock, 0, std::int64_t(sim.rate * 60), bpm, first);
    REQUIRE(sim.starts.size() == 1);
    // the start is on a downbeat of the grid (every 4th beat from `first`)
    const double bars = (sim.starts[0] - first) / (4 * period);
    CHECK(std::abs(bars - std::round(bars)) * 4 * period < sim.rate * 0.025);
    REQUIRE(sim.ticks.size() > 24 * 100);
    CHECK(sim.ticks.front() == sim.starts.front());
    // Steady state (after 10 s) with a noisy tracker: within a beat the
    // intervals differ by one sample at most, from beat to beat by under
    // 0.5 %; every 24th tick within 10 ms of a beat; tempo within 0.5 %.
    double worst_in_beat = 0, worst_across = 0, worst_phase = 0;
    for (std::size_t i = 2; i < sim.ticks.size(); ++i) {
        if (sim.ticks[i - 2] < sim.rate * 10) continue;
        const double a = sim.ticks[i - 1] - sim.ticks[i - 2], b = sim.ticks[i] - sim.ticks[i - 1];
        if ((i - 1) % 24 != 0) worst_in_beat = std::max(worst_in_beat, std::abs(b - a));
        else worst_across = std::max(worst_across, std::abs(b - a) / a);
    }
    for (std::size_t i = 0; i < sim.ticks.size(); i += 24)
        if (sim.ticks[i] > sim.rate * 10) {
            const double k = (sim.ticks[i] - first) / period;
            worst_phase = std::max(worst_phase, std::abs(k - std::round(k)) * period);
        }
    CHECK(worst_in_beat <= 1.0);
    CHECK(worst_across < 0.005);
    CHECK(worst_phase < sim.rate * 0.010);
    CHECK(clock.bpm() == Approx(bpm).epsilon(0.005));
}

TEST_CASE("a tempo change is followed smoothly, without bursts of ticks", "[midi_clock]") {
    Sim sim;
    MidiClock clock(sim.rate);
    sim.run(clock, 0, std::int64_t(sim.rate * 20), 120, 1000);
    const std::size_t before = sim.ticks.size();
    // the tracked tempo jumps to 126 BPM (grid continues from the last beat)
    sim.run(clock, std::int64_t(sim.rate * 20), std::int64_t(sim.rate * 50), 126, 1000 + 40 * 24000.0);
    double prev = 0, worst_change = 0;
    for (std::size_t i = before + 1; i + 1 < sim.ticks.size(); ++i) {
        const double a = sim.ticks[i] - sim.ticks[i - 1], b = sim.ticks[i + 1] - sim.ticks[i];
        worst_change = std::max(worst_change, std::abs(b - a) / a);
        prev = b;
    }
    (void)prev;
    CHECK(worst_change < 0.02);  // never a burst: consecutive intervals within 2 %
    CHECK(clock.bpm() == Approx(126).epsilon(0.005));
}

TEST_CASE("a jump to another tempo (another metrical level) is taken within two beats, then ticks land on the beats", "[midi_clock]") {
    Sim sim;
    MidiClock clock(sim.rate);
    sim.run(clock, 0, std::int64_t(sim.rate * 10), 90, 1000);
    REQUIRE(clock.bpm() == Approx(90).epsilon(0.01));
    // the tracker moves to double time on the same grid
    const double first = 1000, period = 60.0 / 180 * sim.rate;
    sim.run(clock, std::int64_t(sim.rate * 10), std::int64_t(sim.rate * 10 + 3 * period), 180, first);
    CHECK(clock.bpm() == Approx(180).epsilon(0.02));
    CHECK(sim.starts.size() == 1);  // no restart: the running clock changed its tempo
    const std::size_t settled = sim.ticks.size();
    sim.run(clock, std::int64_t(sim.rate * 10 + 3 * period), std::int64_t(sim.rate * 20), 180, first);
    // every 24th tick after a few more beats lies on a beat of the new grid
    int on = 0, n = 0;
    for (std::size_t i = settled; i < sim.ticks.size(); ++i) {
        if (sim.ticks[i] < sim.rate * 10 + 8 * period || (clock.ticks() - std::int64_t(sim.ticks.size() - i)) % 24 != 0) continue;
        ++n;
        const double k = std::round((sim.ticks[i] - first) / period);
        on += std::abs(sim.ticks[i] - first - k * period) < 0.02 * sim.rate ? 1 : 0;
    }
    REQUIRE(n > 10);
    CHECK(on >= n - 1);
}

TEST_CASE("Stop when tracking is lost, unless the clock is told to keep running", "[midi_clock]") {
    Sim sim;
    MidiClock clock(sim.rate);
    sim.run(clock, 0, std::int64_t(sim.rate * 10), 100, 500);
    REQUIRE(clock.running());
    sim.run(clock, std::int64_t(sim.rate * 10), std::int64_t(sim.rate * 11), 100, 500, TrackState::lost);
    CHECK(sim.stops.size() == 1);
    CHECK_FALSE(clock.running());

    Sim keep;
    MidiClock free_running(keep.rate);
    free_running.set_stop_when_lost_rt(false);
    keep.run(free_running, 0, std::int64_t(keep.rate * 10), 100, 500);
    const std::size_t ticks = keep.ticks.size();
    keep.run(free_running, std::int64_t(keep.rate * 10), std::int64_t(keep.rate * 12), 100, 500, TrackState::lost);
    CHECK(keep.stops.empty());
    CHECK(keep.ticks.size() - ticks == Approx(24 * 100 / 60.0 * 2).margin(2));  // kept ticking at 100 BPM
}

TEST_CASE("disabling the clock sends Stop once, the offset shifts everything", "[midi_clock]") {
    Sim sim;
    MidiClock clock(sim.rate);
    sim.run(clock, 0, std::int64_t(sim.rate * 5), 120, 0);
    clock.set_enabled_rt(false);
    sim.run(clock, std::int64_t(sim.rate * 5), std::int64_t(sim.rate * 6), 120, 0);
    CHECK(sim.stops.size() == 1);

    Sim a, b;
    MidiClock ca(a.rate), cb(b.rate);
    cb.set_offset_rt(0.010);
    a.run(ca, 0, std::int64_t(a.rate * 20), 120, 700);
    b.run(cb, 0, std::int64_t(b.rate * 20), 120, 700);
    REQUIRE(a.starts.size() == 1);
    REQUIRE(b.starts.size() == 1);
    CHECK(b.starts[0] - a.starts[0] == Approx(480).margin(2));
}

TEST_CASE("the scheduler hands out predicted beats at their offsets, once", "[midi_clock]") {
    BeatScheduler s;
    BeatEvent e;
    e.predicted = true;
    e.bpm = 120;
    e.frame = 1000;
    e.time = 1000 / 48000.0;
    s.add_rt(e);
    e.frame = 1010;  // a newer estimate of the same beat replaces it
    e.time = 1010 / 48000.0;
    s.add_rt(e);
    e.frame = 25000;
    e.time = 25000 / 48000.0;
    s.add_rt(e);
    BeatEvent detection = e;
    detection.predicted = false;
    s.add_rt(detection);  // detections are not scheduled
    ScheduledBeat out[8];
    CHECK(s.due_rt(0, 512, 0, out, 8) == 0);
    REQUIRE(s.due_rt(512, 512, 0, out, 8) == 1);
    CHECK(out[0].offset == 1010 - 512);
    CHECK(s.queued() == 1);
    CHECK(s.due_rt(30000, 512, 1000, out, 8) == 0);  // too late: dropped
    CHECK(s.queued() == 0);
}
