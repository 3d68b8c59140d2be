// 24 hours of audio through the threaded engine, as fast as it goes: beat
// positions do not drift, positions do not wrap, memory stays flat.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <fstream>
#include <thread>

#include "audio_fixtures.hpp"
#include "paths.hpp"
#include "tactus/engine.hpp"

using namespace tactus;

namespace {

long rss_kb() {
    std::ifstream in("/proc/self/statm");
    long pages = 0, resident = 0;
    in >> pages >> resident;
    return resident * 4;
}

struct DriftMeter final : EventSink {
    double period_s, first_s;
    std::int64_t beats = 0, off_grid = 0;
    double worst_s = 0;
    double last_bpm = 0;
    void on_event(const BeatEvent& e) override {
        if (e.predicted) return;
        ++beats;
        last_bpm = e.bpm;
        // distance to the click grid, computed from the 64-bit frame
        const double t = double(e.frame) / 22050.0 - first_s;
        const double err = t - period_s * std::round(t / period_s);
        worst_s = std::max(worst_s, std::abs(err));
        off_grid += std::abs(err) > 0.035 ? 1 : 0;
    }
};

}  // namespace

TEST_CASE("24 hours of audio: no drift, exact positions, flat memory", "[engine][long]") {
    constexpr double kRate = 22050;
    // one bar of clicks at 120 BPM (0.5 s per beat), repeated for 24 h
    const auto bar = tactus::test::clicks(kRate, 120, 2.0, 0.1);
    REQUIRE(bar.size() % 882 == 0);
    EngineConfig c;
    c.sample_rate = kRate;
    c.model_files = {tactus::test::model_path(1)};
    c.batch_frames = 32;
    Engine engine(c);
    DriftMeter meter;
    meter.period_s = 0.5;
    meter.first_s = 0.1;
    engine.set_listener(&meter);
    engine.start();
    const std::int64_t total = std::int64_t(24 * 3600 * kRate);
    const std::uint32_t block = 882;  // divides the 2 s bar (44100 samples): blocks never wrap
    std::int64_t pushed = 0;
    long rss_after_hour = 0;
    BeatEvent ev[64];
    while (pushed < total) {
        const std::uint32_t n = std::uint32_t(std::min<std::int64_t>(block, total - pushed));
        const std::size_t at = std::size_t(pushed % std::int64_t(bar.size()));
        const float* ch = bar.data() + at;
        engine.push_rt(&ch, 1, n);
        pushed += n;
        while (engine.pop_events_rt(ev, 64) > 0) {
        }
        if (pushed % (block * 16) == 0)
            while (engine.stats().pushed_frames - engine.stats().processed_frames > std::int64_t(kRate))
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
        if (rss_after_hour == 0 && pushed >= std::int64_t(3600 * kRate)) rss_after_hour = rss_kb();
    }
    engine.stop();
    engine.finish();
    INFO("beats " << meter.beats << ", worst distance to the grid " << meter.worst_s << " s");
    CHECK(engine.stats().pushed_frames == total);
    CHECK(engine.stats().dropped_frames == 0);
    CHECK(meter.beats >= 24 * 3600 * 2 - 20);   // every beat of the day
    CHECK(meter.off_grid == 0);                  // none drifted off the click grid
    CHECK(meter.last_bpm == Approx(120).epsilon(0.01));
    CHECK(rss_kb() - rss_after_hour < 2048);     // flat memory after the first hour
}
