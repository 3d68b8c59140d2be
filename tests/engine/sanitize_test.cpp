#include <catch2/catch.hpp>

#include <limits>

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
