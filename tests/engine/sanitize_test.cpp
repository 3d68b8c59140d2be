#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "tactus/sanitize.hpp"

using namespace tactus;

TEST_CASE("the sanitizer holds the last good sample over NaN and Inf, zeroes denormals, clamps absurd levels", "[sanitize]") {
    constexpr float nan = std::numeric_limits<float>::quiet_NaN();
    constexpr float inf = std::numeric_limits<float>::infinity();
    float x[] = {0.5f, nan, inf, -inf, 1e-40f, -1e-39f, 1000.f, -1000.f, -0.25f, 0.f};
    InputSanitizer s;
    CHECK(s.process_rt(x, std::size(x)) == 7);
    CHECK(x[0] == 0.5f);
    CHECK(x[1] == 0.5f);
    CHECK(x[2] == 0.5f);
    CHECK(x[3] == 0.5f);
    CHECK(x[4] == 0.f);
    CHECK(x[5] == 0.f);
    CHECK(x[6] == kMaxSampleMagnitude);
    CHECK(x[7] == -kMaxSampleMagnitude);
    CHECK(x[8] == -0.25f);
    CHECK(x[9] == 0.f);
}

TEST_CASE("the held sample carries across blocks and reset() clears it", "[sanitize]") {
    InputSanitizer s;
    float a[] = {0.3f};
    float b[] = {std::numeric_limits<float>::quiet_NaN()};
    CHECK(s.process_rt(a, 1) == 0);
    CHECK(s.process_rt(b, 1) == 1);
    CHECK(b[0] == 0.3f);
    s.reset();
    b[0] = std::numeric_limits<float>::infinity();
    CHECK(s.process_rt(b, 1) == 1);
    CHECK(b[0] == 0.f);
}

namespace {

// The rules one sample at a time, as the documentation states them.
std::size_t reference(std::vector<float>& x, float last) {
    std::size_t changed = 0;
    for (float& v : x) {
        const float a = std::fabs(v);
        if (std::isnan(v) || std::isinf(v)) v = last, ++changed;
        else if (a > kMaxSampleMagnitude) v = std::copysign(kMaxSampleMagnitude, v), ++changed;
        else if (a < kDenormalFloor && v != 0.f) v = 0.f, ++changed;
        last = v;
    }
    return changed;
}

}  // namespace

TEST_CASE("long clean stretches pass untouched, and a fault anywhere in them is still caught", "[sanitize]") {
    constexpr float nan = std::numeric_limits<float>::quiet_NaN();
    const float faults[] = {nan, std::numeric_limits<float>::infinity(), 1e-40f, -1e-31f, 64.5f, -1e6f};
    const float edges[] = {kMaxSampleMagnitude, -kMaxSampleMagnitude, kDenormalFloor, -0.f, 0.f};
    std::vector<float> clean(1000);
    for (std::size_t i = 0; i < clean.size(); ++i) clean[i] = 0.4f * float(std::sin(0.01 * double(i))) + (i % 7 == 0 ? 0.f : 1e-3f);
    for (std::size_t k = 0; k < std::size(edges); ++k) clean[333 + k] = edges[k];  // values at the limits are clean
    {
        std::vector<float> x = clean;
        InputSanitizer s;
        CHECK(s.process_rt(x.data(), x.size()) == 0);
        CHECK(x == clean);
    }
    for (float f : faults)
        for (std::size_t at : {std::size_t(0), std::size_t(7), std::size_t(15), std::size_t(16), std::size_t(500), std::size_t(999)}) {
            INFO("fault " << f << " at " << at);
            std::vector<float> x = clean, want = clean;
            x[at] = want[at] = f;
            x[at + (at < 900 ? 40 : -40)] = want[at + (at < 900 ? 40 : -40)] = nan;  // and a second one
            InputSanitizer s;
            const std::size_t got = s.process_rt(x.data(), x.size());
            CHECK(got == reference(want, 0.f));
            for (std::size_t i = 0; i < x.size(); ++i) REQUIRE(std::memcmp(&x[i], &want[i], sizeof(float)) == 0);
        }
}
