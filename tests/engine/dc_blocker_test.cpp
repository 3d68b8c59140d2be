// The DC blocker runs a first-order recurrence in blocks of a vector's
// lanes; it must give the recurrence's output to float rounding, continue
// across calls of any size, keep digital silence exactly zero, and remove
// an offset.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

#include "dc_blocker.hpp"

using tactus::DcBlocker;

namespace {

// y[n] = x[n] - x[n - 1] + p y[n - 1], one sample at a time; digital
// silence (two zeros in a row) gives exactly 0
std::vector<float> recurrence(const std::vector<float>& x, float first) {
    std::vector<float> y(x.size());
    double px = first, py = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        py = x[i] == 0.f && px == 0.0 ? 0.0 : double(x[i]) - px + double(DcBlocker::kPole) * py;
        px = x[i];
        y[i] = float(py);
    }
    return y;
}

std::vector<float> blocked(const std::vector<float>& x, const std::vector<std::size_t>& pieces) {
    DcBlocker dc;
    dc.start_from(x[0]);
    std::vector<float> y(x.size());
    std::size_t at = 0, k = 0;
    while (at < x.size()) {
        const std::size_t n = std::min(pieces[k++ % pieces.size()], x.size() - at);
        dc.run(x.data() + at, n, y.data() + at);
        at += n;
    }
    return y;
}

}  // namespace

TEST_CASE("the DC blocker in blocks gives the recurrence's output, in pieces of any size", "[dc_blocker]") {
    std::mt19937 rng(3);
    std::normal_distribution<float> d(0.f, 0.3f);
    std::vector<float> x(22050 * 3);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = 0.2f + d(rng) * float(std::sin(0.001 * double(i)));
    const auto want = recurrence(x, x[0]);
    for (const auto& pieces : {std::vector<std::size_t>{1}, {7, 256, 3}, {16}, {17, 31}, {4096}}) {
        const auto got = blocked(x, pieces);
        double worst = 0;
        for (std::size_t i = 0; i < x.size(); ++i) worst = std::max(worst, double(std::abs(got[i] - want[i])));
        INFO("pieces of " << pieces[0] << (pieces.size() > 1 ? " and more" : ""));
        CHECK(worst < 2e-5);
    }
}

TEST_CASE("the DC blocker keeps digital silence exactly zero and takes an offset away", "[dc_blocker]") {
    std::vector<float> x(22050 * 2, 0.25f);  // an offset: 1 s, then silence, then the offset again
    std::fill(x.begin() + 22050, x.begin() + 22050 + 5000, 0.f);
    const auto got = blocked(x, {256});
    const auto want = recurrence(x, x[0]);
    CHECK(got[0] == 0.f);  // an offset from the start is no step
    for (std::size_t i = 22051; i < 22050 + 5000; ++i) {
        INFO(i);
        REQUIRE(got[i] == 0.f);
    }
    // the step back to the offset rings down with the pole, as the recurrence does
    CHECK(got[22050 + 5000] == Approx(0.25f));
    CHECK(std::abs(got.back()) < 1e-4f);
    for (std::size_t i = 0; i < x.size(); ++i) REQUIRE(std::abs(got[i] - want[i]) < 2e-5f);
}
