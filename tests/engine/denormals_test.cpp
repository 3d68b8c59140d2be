// DenormalsAreZero: within its scope tiny products are zero (the tracker's
// posterior never pays for denormals); outside it, and after the tracker
// returns, the thread's floating-point mode is the caller's.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "denormals.hpp"
#include "tactus/tracker.hpp"

#if defined(__SSE__)
#include <xmmintrin.h>
#endif

namespace {

// A product below the smallest normal float, computed at run time.
float tiny_product() {
    volatile float a = 1e-30f, b = 1e-10f;
    return a * b;
}

#if defined(__SSE__)
// MXCSR's control bits (rounding, masks, FTZ, DAZ); the low six are sticky
// exception flags that any arithmetic sets
unsigned float_mode() { return _mm_getcsr() & ~0x3fu; }
#endif

struct CountBeats final : tactus::BeatSink {
    int beats = 0;
    void on_beat(const tactus::TrackerBeat&) override { ++beats; }
};

}  // namespace

#if defined(__SSE__)
TEST_CASE("denormals: zero within the scope, the caller's mode restored after it", "[denormals]") {
    const unsigned before = float_mode();
    REQUIRE(tiny_product() != 0.f);  // IEEE default: a denormal
    REQUIRE(std::fpclassify(tiny_product()) == FP_SUBNORMAL);
    {
        const tactus::DenormalsAreZero scope;
        CHECK(tiny_product() == 0.f);
        volatile float denormal = std::numeric_limits<float>::denorm_min() * 1000.f;
        CHECK(denormal * 1.f == 0.f);  // denormal inputs read as zero too
    }
    CHECK(float_mode() == before);
    CHECK(tiny_product() != 0.f);
}

TEST_CASE("denormals: the tracker leaves its caller's floating-point mode as it was", "[denormals][tracker]") {
    const unsigned before = float_mode();
    tactus::TactusTracker tracker;
    CountBeats sink;
    for (int i = 0; i < 3000; ++i) {  // 60 s of a 120 BPM pulse
        tactus::TrackerFrame f;
        f.index = i;
        f.beat = i % 25 == 0 ? 0.9f : 0.01f;
        f.downbeat = i % 100 == 0 ? 0.8f : 0.005f;
        f.level_db = -20;
        f.onset = i % 25 == 0 ? 1.f : 0.05f;
        tracker.process(f, double(i), sink);
        REQUIRE(float_mode() == before);
    }
    CHECK(sink.beats > 60);  // it tracked, under its own mode
    CHECK(tiny_product() != 0.f);
}
#endif
