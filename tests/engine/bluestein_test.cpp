// The 1411-point |DFT| by chirp convolution, one frame at a time and two
// real frames as one complex one, against a direct DFT in double.
#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>
#include <random>
#include <vector>

#include "bluestein.hpp"

using namespace tactus;

namespace {

std::vector<double> hann() {
    std::vector<double> w(kFrameSize);
    for (int n = 0; n < kFrameSize; ++n) w[std::size_t(n)] = 0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * n / (kFrameSize - 1));
    return w;
}

// |sum_n x[n] w[n] exp(-2 pi i n k / N)| for k = 0..704, in double
std::vector<double> direct(const std::vector<float>& x, const std::vector<double>& w) {
    std::vector<double> mag(kFftBins);
    for (int k = 0; k < kFftBins; ++k) {
        double re = 0, im = 0;
        for (int n = 0; n < kFrameSize; ++n) {
            const double a = -2.0 * std::numbers::pi * double((std::int64_t(n) * k) % kFrameSize) / kFrameSize;
            re += x[std::size_t(n)] * w[std::size_t(n)] * std::cos(a);
            im += x[std::size_t(n)] * w[std::size_t(n)] * std::sin(a);
        }
        mag[std::size_t(k)] = std::hypot(re, im);
    }
    return mag;
}

std::vector<float> noise(std::uint32_t seed, float level) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> d(0.f, level);
    std::vector<float> x(kFrameSize);
    for (auto& v : x) v = d(rng);
    return x;
}

double worst(const std::vector<float>& got, const std::vector<double>& want) {
    double e = 0;
    for (std::size_t k = 0; k < want.size(); ++k) e = std::max(e, std::abs(double(got[k]) - want[k]));
    return e;
}

}  // namespace

TEST_CASE("one frame and two frames at once give the DFT's magnitudes to float rounding", "[features]") {
    const auto w = hann();
    BluesteinMagnitude single(w);
    PairedBluesteinMagnitude paired(w);
    // a loud and a quiet frame share one complex DFT: the quiet one keeps
    // its own magnitudes (|X| here ~ 20 and ~ 0.002)
    std::vector<float> a = noise(1, 1.f), b = noise(2, 1e-4f);
    for (int n = 0; n < kFrameSize; ++n) a[std::size_t(n)] += float(std::sin(2.0 * std::numbers::pi * 37.5 * n / kFrameSize));
    const auto da = direct(a, w), db = direct(b, w);
    std::vector<float> ma(kFftBins), mb(kFftBins), m1(kFftBins);
    paired.run(a.data(), b.data(), ma.data(), mb.data());
    single.run(a.data(), m1.data());
    INFO("loud: paired " << worst(ma, da) << ", single " << worst(m1, da) << "; quiet: paired " << worst(mb, db));
    CHECK(worst(m1, da) < 1e-4);
    CHECK(worst(ma, da) < 1e-4);
    CHECK(worst(mb, db) < 1e-4);  // 5 % of the quiet frame's own level, 5e-6 of the loud one's
    // the order of the two frames does not matter
    std::vector<float> ma2(kFftBins), mb2(kFftBins);
    paired.run(b.data(), a.data(), mb2.data(), ma2.data());
    CHECK(worst(ma2, da) < 1e-4);
    CHECK(worst(mb2, db) < 1e-4);
}

TEST_CASE("a silent frame paired with music reads as nothing", "[features]") {
    const auto w = hann();
    PairedBluesteinMagnitude paired(w);
    const std::vector<float> music = noise(3, 0.5f), silence(kFrameSize, 0.f);
    std::vector<float> mm(kFftBins), ms(kFftBins);
    paired.run(music.data(), silence.data(), mm.data(), ms.data());
    float top = 0, loud = 0;
    for (int k = 0; k < kFftBins; ++k) {
        top = std::max(top, ms[std::size_t(k)]);
        loud = std::max(loud, mm[std::size_t(k)]);
    }
    INFO("silent frame's largest bin " << top << ", the music's " << loud);
    CHECK(top < 1e-5f * loud);
}
