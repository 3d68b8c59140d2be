// The audio-callback side of the engine never allocates, frees or locks,
// in any of its paths (normal pushes, a full FIFO, events, snapshots,
// parameters, taps), while the worker runs beside it.
#include <catch2/catch.hpp>

#include <thread>
#include <vector>

#include "audio_fixtures.hpp"
#include "paths.hpp"
#include "rt_guard.hpp"
#include "tactus/analyzer.hpp"
#include "tactus/engine.hpp"

using namespace tactus;
using tactus::test::RtSection;

TEST_CASE("the allocation guard catches allocations and locks (negative control)", "[rt]") {
    if (!tactus::test::rt_guard_available()) return;  // sanitizer builds own malloc
    tactus::test::reset_rt_violations();
    {
        RtSection rt;
        std::vector<int> v(100);
        v[5] = 1;
    }
    CHECK(tactus::test::rt_violations().allocations >= 1);
    CHECK(tactus::test::rt_violations().frees >= 1);
    tactus::test::reset_rt_violations();
    {
        std::mutex m;
        RtSection rt;
        std::lock_guard l(m);
    }
    CHECK(tactus::test::rt_violations().locks == 1);
}

TEST_CASE("push_rt, pop_events_rt, snapshot_rt, set_param_rt and tap_rt are allocation- and lock-free", "[rt]") {
    if (!tactus::test::rt_guard_available()) return;
    EngineConfig c;
    c.sample_rate = 48000;
    c.model_files = {tactus::test::model_path(1)};
    c.fifo_seconds = 1.0;
    Engine engine(c);
    const auto audio = tactus::test::groove(48000, 128, 20);
    std::vector<float> right(audio.size(), 0.f);
    engine.start();
    tactus::test::reset_rt_violations();
    std::size_t events = 0;
    std::size_t at = 0;
    BeatEvent ev[32];
    TempoSnapshot snap;
    for (std::uint32_t n : {1u, 64u, 256u, 1024u, 4096u, 8192u, 0u, 333u}) {
        for (int rep = 0; rep < 40 && at + n < audio.size(); ++rep, at += n) {
            const float* chans[2] = {audio.data() + at, right.data() + at};
            {
                RtSection rt;
                engine.push_rt(chans, 2, n, 1000 + std::int64_t(at));
                events += engine.pop_events_rt(ev, 32);
                (void)engine.snapshot_rt(&snap);
                (void)engine.set_param_rt(ParamId::sensitivity, 0.5f + 0.01f * float(rep % 3));
                if (rep % 10 == 0) engine.tap_rt();
                (void)engine.stream_position_rt();
            }
            std::this_thread::sleep_for(std::chrono::microseconds(n * 1000000 / 48000 / 4));
        }
    }
    // the FIFO full: a stalled worker makes push_rt drop, still without allocating
    engine.stop();
    for (int rep = 0; rep < 200; ++rep) {
        const float* chans[1] = {audio.data()};
        RtSection rt;
        engine.push_rt(chans, 1, 1024);
    }
    CHECK(engine.stats().dropped_frames > 0);
    CHECK(tactus::test::rt_violations().allocations == 0);
    CHECK(tactus::test::rt_violations().frees == 0);
    CHECK(tactus::test::rt_violations().locks == 0);
    CHECK(events > 0);
}

namespace {
struct CountingSink final : EventSink {
    std::size_t beats = 0;
    void on_event(const BeatEvent& e) override { beats += !e.predicted; }
};
}  // namespace

// Not the callback, but what a host without a worker thread runs in its
// process call: once a stream has started (the resampler's first allocation),
// the features, the CRNN ensemble and the tracker allocate nothing per block.
TEST_CASE("a running analysis allocates nothing per block", "[rt]") {
    if (!tactus::test::rt_guard_available()) return;
    AnalyzerConfig c;
    c.sample_rate = 44100;
    Analyzer analyzer(std::vector<std::filesystem::path>{tactus::test::model_path(1), tactus::test::model_path(2),
                                                         tactus::test::model_path(3)},
                      c);
    const auto audio = tactus::test::groove(44100, 120, 30);
    CountingSink sink;
    const std::size_t block = 256;
    std::size_t at = 0;
    for (; at + block <= 44100 * 5; at += block) analyzer.feed(audio.data() + at, block, sink);
    const std::size_t warm_beats = sink.beats;
    tactus::test::reset_rt_violations();
    for (; at + block <= audio.size(); at += block) {
        RtSection rt;
        analyzer.feed(audio.data() + at, block, sink);
    }
    CHECK(sink.beats > warm_beats + 40);
    CHECK(tactus::test::rt_violations().allocations == 0);
    CHECK(tactus::test::rt_violations().frees == 0);
    CHECK(tactus::test::rt_violations().locks == 0);
}
