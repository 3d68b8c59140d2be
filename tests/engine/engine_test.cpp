// The real-time engine: threaded and synchronous runs agree, the FIFO drops
// and recovers, and controls work while audio flows. These tests run again
// under ThreadSanitizer and AddressSanitizer (tools/test.sh).
#include <catch2/catch.hpp>

#include <chrono>
#include <mutex>
#include <random>
#include <thread>

#include "audio_fixtures.hpp"
#include "paths.hpp"
#include "tactus/engine.hpp"

using namespace tactus;
using namespace std::chrono_literals;

namespace {

struct Collect final : EventSink {
    std::vector<BeatEvent> events;
    void on_event(const BeatEvent& e) override { events.push_back(e); }
    std::vector<BeatEvent> beats() const {
        std::vector<BeatEvent> out;
        for (const auto& e : events)
            if (!e.predicted) out.push_back(e);
        return out;
    }
};

// Model 1 alone keeps these tests fast (they also run under sanitizers).
EngineConfig config(double rate) {
    EngineConfig c;
    c.sample_rate = rate;
    c.model_files = {tactus::test::model_path(1)};
    return c;
}

// Pushes `audio` in random block sizes (1..max_block) as an audio thread
// would; when `sync`, processes after every block, else waits for a
// threaded worker to keep up so the FIFO never overflows.
void push_all(Engine& engine, const std::vector<float>& audio, std::uint32_t seed, bool sync, std::uint32_t max_block = 1024) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<std::uint32_t> size(1, max_block);
    std::size_t at = 0;
    BeatEvent sink[16];
    while (at < audio.size()) {
        const auto n = std::uint32_t(std::min<std::size_t>(size(rng), audio.size() - at));
        const float* ch = audio.data() + at;
        engine.push_rt(&ch, 1, n);
        at += n;
        while (engine.pop_events_rt(sink, 16) > 0) {
        }
        if (sync) {
            engine.process();
        } else {
            while (engine.stats().pushed_frames - engine.stats().processed_frames > std::int64_t(engine.sample_rate()))
                std::this_thread::sleep_for(1ms);
        }
    }
}

bool same_event(const BeatEvent& a, const BeatEvent& b) {
    return a.frame == b.frame && a.committed_frame == b.committed_frame && a.beat_index == b.beat_index &&
           a.bar == b.bar && a.beat_in_bar == b.beat_in_bar && a.beats_per_bar == b.beats_per_bar && a.bpm == b.bpm &&
           a.confidence == b.confidence && a.intensity == b.intensity && a.predicted == b.predicted && a.time == b.time;
}

}  // namespace

TEST_CASE("the threaded engine gives exactly the events of the synchronous one, whatever the block sizes", "[engine][concurrency]") {
    const auto audio = tactus::test::groove(44100, 120, 16);
    Collect sync_events, thread_events;
    {
        Engine e(config(44100));
        e.set_listener(&sync_events);
        push_all(e, audio, 1, true);
        e.finish();
    }
    {
        Engine e(config(44100));
        e.set_listener(&thread_events);
        e.start();
        push_all(e, audio, 2, false, 2048);
        e.stop();  // this thread takes over as the worker for the end of the stream
        e.finish();
    }
    REQUIRE(sync_events.beats().size() >= 20);
    REQUIRE(sync_events.events.size() == thread_events.events.size());
    for (std::size_t i = 0; i < sync_events.events.size(); ++i) CHECK(same_event(sync_events.events[i], thread_events.events[i]));
}

TEST_CASE("the engine finds the groove's beats at their stream positions", "[engine]") {
    const auto audio = tactus::test::groove(48000, 120, 20, 0.25);
    Collect got;
    Engine e(config(48000));
    e.set_listener(&got);
    push_all(e, audio, 3, true, 512);
    e.finish();
    const auto beats = got.beats();
    REQUIRE(beats.size() >= 25);
    int on_grid = 0;
    for (const auto& b : beats) {
        const double phase = std::fmod(double(b.frame) / 48000.0 - 0.25 + 10.0, 0.5);
        on_grid += (phase < 0.05 || phase > 0.45) ? 1 : 0;
        CHECK(b.time == Approx(double(b.frame) / 48000.0).margin(1e-4));
    }
    CHECK(on_grid >= int(beats.size()) - 2);
    CHECK(beats.back().bpm == Approx(120).epsilon(0.03));
}

TEST_CASE("a full FIFO drops and counts, the analysis restarts after the gap and recovers", "[engine][concurrency]") {
    const auto audio = tactus::test::groove(22050, 120, 30, 0.25);
    EngineConfig c = config(22050);
    c.fifo_seconds = 0.5;
    Engine e(c);
    Collect got;
    e.set_listener(&got);
    // No worker for the first 8 s: everything past the FIFO's half second is dropped.
    const std::size_t stall = 22050 * 8 / 256 * 256;
    for (std::size_t at = 0; at < stall; at += 256) {
        const float* ch = audio.data() + at;
        e.push_rt(&ch, 1, 256);
    }
    CHECK(e.stats().dropped_frames > 22050 * 6);
    CHECK(e.stats().pushed_frames == std::int64_t(stall));
    // then a worker that keeps up
    for (std::size_t at = stall; at + 256 <= audio.size(); at += 256) {
        const float* ch = audio.data() + at;
        e.push_rt(&ch, 1, 256);
        e.process();
    }
    e.finish();
    const auto s = e.stats();
    CHECK(s.gaps == 1);
    CHECK(s.processed_frames + s.dropped_frames == s.pushed_frames);
    // beats after the gap still sit on the groove's grid: positions stayed exact
    int after = 0, on_grid = 0;
    for (const auto& b : got.beats()) {
        if (b.frame < std::int64_t(stall)) continue;
        ++after;
        const double phase = std::fmod(double(b.frame) / 22050.0 - 0.25 + 10.0, 0.5);
        on_grid += (phase < 0.05 || phase > 0.45) ? 1 : 0;
    }
    CHECK(after >= 25);
    CHECK(on_grid >= after - 2);
}

TEST_CASE("parameters are clamped and reported, and reach the worker", "[engine]") {
    Engine e(config(44100));
    CHECK(e.set_param(ParamId::max_bpm, 1000.f));
    CHECK(e.param(ParamId::max_bpm) == 300.f);
    CHECK_FALSE(e.set_param(ParamId::hold_bars, 8.f));
    CHECK(e.set_param(ParamId::beats_per_bar, 3.4f));  // integral: rounded and reported
    CHECK(e.param(ParamId::beats_per_bar) == 3.f);
    CHECK(e.set_param(ParamId::sensitivity, std::nanf("")));
    CHECK(e.param(ParamId::sensitivity) == param_spec(ParamId::sensitivity).def);
    e.process();
    CHECK(e.stats().restarts == 1);  // max_bpm and beats_per_bar rebuild the analysis once
}

TEST_CASE("the prediction lead and an earlier output retune the analysis live, without a restart", "[engine]") {
    // A user matching a light rig's latency turns these while the music
    // plays: the lock must survive, and the predictions then come the lead
    // plus the advance ahead.
    const auto audio = tactus::test::groove(44100, 120, 30, 0.1);
    const std::size_t third = audio.size() / 3;
    auto part = [&](int i) {
        return std::vector<float>(audio.begin() + std::ptrdiff_t(i * third), audio.begin() + std::ptrdiff_t((i + 1) * third));
    };
    Engine e(config(44100));
    Collect got;
    e.set_listener(&got);
    push_all(e, part(0), 3, true);
    e.set_param(ParamId::prediction_lead_ms, 150.f);
    push_all(e, part(1), 4, true);
    e.set_param(ParamId::clock_offset_ms, -100.f);
    push_all(e, part(2), 5, true);
    CHECK(e.stats().restarts == 0);
    // from a second after each change on: 150 ms, then 250 ms ahead
    for (int i : {1, 2}) {
        INFO("after change " << i);
        const double lead = i == 1 ? 0.15 : 0.25;
        const auto from = std::int64_t(std::size_t(i) * third) + 44100, to = std::int64_t(std::size_t(i + 1) * third);
        int predictions = 0;
        for (const auto& ev : got.events) {
            if (!ev.predicted || ev.committed_frame < from || ev.committed_frame >= to) continue;
            ++predictions;
            CHECK(double(ev.frame - ev.committed_frame) / 44100 >= lead - 1e-9);
        }
        CHECK(predictions >= 15);  // 9 s at 120 BPM
    }
}

TEST_CASE("a host period longer than half the lead raises it to two periods, live", "[engine]") {
    // 4096 frames at 44.1 kHz is 93 ms: predictions 80 ms ahead would reach
    // the audio thread after their block; they come 186 ms ahead instead.
    const auto audio = tactus::test::groove(44100, 120, 20, 0.1);
    const std::size_t half = audio.size() / 2;
    Engine e(config(44100));
    Collect got;
    e.set_listener(&got);
    e.set_param(ParamId::prediction_lead_ms, 80.f);
    push_all(e, std::vector<float>(audio.begin(), audio.begin() + std::ptrdiff_t(half)), 6, true);
    e.set_host_period(4096);
    push_all(e, std::vector<float>(audio.begin() + std::ptrdiff_t(half), audio.end()), 7, true);
    CHECK(e.stats().restarts == 0);
    int before = 0, after = 0;
    for (const auto& ev : got.events) {
        if (!ev.predicted) continue;
        const double lead = double(ev.frame - ev.committed_frame) / 44100;
        if (ev.committed_frame < std::int64_t(half)) {
            ++before;
            CHECK(lead < 0.15);  // the plain 80 ms (and the commit window) before
        } else if (ev.committed_frame > std::int64_t(half) + 44100) {
            ++after;
            CHECK(lead >= 2 * 4096 / 44100.0 - 1e-9);
        }
    }
    CHECK(before >= 10);
    CHECK(after >= 15);
}

TEST_CASE("reset, reconfiguration, taps and rate changes while audio flows", "[engine][concurrency]") {
    const auto audio = tactus::test::groove(44100, 126, 40, 0.1);
    Engine e(config(44100));
    Collect got;
    std::mutex m;
    struct Locked final : EventSink {
        Collect* c;
        std::mutex* m;
        void on_event(const BeatEvent& ev) override {
            std::lock_guard l(*m);
            c->on_event(ev);
        }
    } sink;
    sink.c = &got;
    sink.m = &m;
    e.set_listener(&sink);
    e.start();
    std::atomic<bool> done{false};
    std::thread control([&] {
        std::mt19937 rng(9);
        int i = 0;
        while (!done.load()) {
            switch (i++ % 5) {
                case 0: e.set_param(ParamId::sensitivity, float(rng() % 100) / 100.f); break;
                case 1: e.set_param(ParamId::hold_bars, float(rng() % 8)); break;
                case 2: e.reset(); break;
                case 3: e.set_param(ParamId::beats_per_bar, float(rng() % 5)); break;
                case 4: e.tap(); break;
            }
            TempoSnapshot s;
            (void)e.snapshot_rt(&s);
            std::this_thread::sleep_for(3ms);
        }
    });
    push_all(e, audio, 5, false, 4096);
    done = true;
    control.join();
    CHECK(e.stats().restarts > 0);
    // after the storm the engine tracks as ever: the taps' tempo lifted and
    // the analysis restarted, the groove is found again
    e.set_param(ParamId::bpm_override, 100);
    e.set_param(ParamId::bpm_override, 0);
    e.set_param(ParamId::beats_per_bar, 0);
    e.reset();
    const std::int64_t calm = e.stats().pushed_frames;
    push_all(e, audio, 6, false, 4096);
    e.stop();
    e.finish();
    std::lock_guard l(m);
    int found = 0;
    for (const auto& ev : got.beats())
        if (ev.frame > calm + 5 * 44100) {
            ++found;
            CHECK(ev.bpm == Approx(126).epsilon(0.03));
        }
    CHECK(found >= 40);
}

TEST_CASE("the worker is woken by 5 ms of audio at the current rate, also after a rate change", "[engine]") {
    Engine e(config(192000));
    CHECK(e.wake_samples() == 960);
    // at 8 kHz 960 samples would be 120 ms of audio: the worker would see
    // the stream in 120 ms steps (the floor is one 128-sample chunk)
    e.set_sample_rate(8000);
    CHECK(e.wake_samples() == 128);
    e.set_sample_rate(48000);
    CHECK(e.wake_samples() == 240);
}

TEST_CASE("a sample-rate change mid-stream keeps stream positions and beats", "[engine]") {
    const auto a = tactus::test::clicks(44100, 120, 12, 0.1);
    const auto b = tactus::test::clicks(48000, 120, 20, 0.1);
    Engine e(config(44100));
    Collect got;
    e.set_listener(&got);
    push_all(e, a, 7, true, 300);
    e.process();
    e.set_sample_rate(48000);
    push_all(e, b, 8, true, 700);
    e.finish();
    CHECK(e.sample_rate() == 48000);
    CHECK(e.stats().restarts == 1);
    // beats in the second part: stream frames count 44.1 kHz frames then 48 kHz ones
    int later = 0, on_grid = 0;
    for (const auto& ev : got.beats()) {
        if (ev.frame < std::int64_t(a.size())) continue;
        ++later;
        const double t = double(ev.frame - std::int64_t(a.size())) / 48000.0;
        const double phase = std::fmod(t - 0.1 + 10.0, 0.5);
        on_grid += (phase < 0.05 || phase > 0.45) ? 1 : 0;
        CHECK(ev.time == Approx(12.0 + t).margin(1e-3));
    }
    CHECK(later >= 10);
    CHECK(on_grid >= later - 1);
}

TEST_CASE("millions of tiny blocks of random size", "[engine][concurrency]") {
    const auto audio = tactus::test::groove(16000, 100, 60, 0.3);
    Engine e(config(16000));
    e.start();
    std::mt19937 rng(11);
    std::uniform_int_distribution<std::uint32_t> size(0, 3);
    std::size_t blocks = 0;
    BeatEvent ev[8];
    for (int round = 0; round < 2; ++round)
        for (std::size_t at = 0; at < audio.size(); ++blocks) {
            const auto n = std::uint32_t(std::min<std::size_t>(size(rng), audio.size() - at));
            const float* ch = audio.data() + at;
            e.push_rt(&ch, 1, n);
            at += n;
            (void)e.pop_events_rt(ev, 8);
            if (blocks % 4096 == 0)
                while (e.stats().pushed_frames - e.stats().processed_frames > 16000) std::this_thread::sleep_for(1ms);
        }
    e.stop();
    e.finish();
    CHECK(blocks > 1000000);
    CHECK(e.stats().dropped_frames == 0);
    CHECK(e.stats().processed_frames == e.stats().pushed_frames);
}
