// Any rate from 8 to 192 kHz comes out at 22050 Hz with the signal intact.
#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>
#include <random>

#include "tactus/error.hpp"
#include "tactus/resampler.hpp"

using namespace tactus;

namespace {

std::vector<float> resample_all(const std::vector<float>& in, double rate, std::mt19937* rng) {
    Resampler r(rate, 22050);
    std::vector<float> out;
    std::vector<float> buf(65536);
    std::uniform_int_distribution<std::size_t> block(1, 4096);
    std::size_t at = 0;
    while (at < in.size()) {
        const std::size_t n = rng ? std::min(block(*rng), in.size() - at) : in.size() - at;
        std::size_t fed = 0;
        while (fed < n) {
            std::size_t consumed = 0;
            const std::size_t k = r.process(in.data() + at + fed, n - fed, &consumed, buf.data(), buf.size());
            out.insert(out.end(), buf.begin(), buf.begin() + std::ptrdiff_t(k));
            fed += consumed;
        }
        at += n;
    }
    std::size_t k;
    while ((k = r.flush(buf.data(), buf.size())) > 0) out.insert(out.end(), buf.begin(), buf.begin() + std::ptrdiff_t(k));
    return out;
}

}  // namespace

TEST_CASE("a 440 Hz sine keeps its frequency, level and timing at every supported rate", "[resampler]") {
    for (double rate : {8000.0, 11025.0, 16000.0, 22050.0, 32000.0, 44100.0, 48000.0, 88200.0, 96000.0, 192000.0}) {
        INFO(rate << " Hz");
        const std::size_t n = std::size_t(rate * 2);
        std::vector<float> in(n);
        for (std::size_t i = 0; i < n; ++i) in[i] = 0.5f * float(std::sin(2 * std::numbers::pi * 440.0 * double(i) / rate));
        const auto out = resample_all(in, rate, nullptr);
        CHECK(std::abs(double(out.size()) - 2 * 22050.0) < 200);  // about 2 s
        // compare with the ideal sine in the middle (filter edges excluded)
        double err = 0;
        for (std::size_t i = 5000; i < 40000; ++i)
            err = std::max(err, std::abs(out[i] - 0.5 * std::sin(2 * std::numbers::pi * 440.0 * double(i) / 22050.0)));
        CHECK(err < 2e-3);
    }
}

TEST_CASE("streaming in random blocks gives the same samples as one block", "[resampler]") {
    std::mt19937 rng(3);
    std::normal_distribution<float> noise(0.f, 0.2f);
    std::vector<float> in(48000 * 3);
    for (auto& x : in) x = noise(rng);
    const auto whole = resample_all(in, 48000, nullptr);
    const auto blocks = resample_all(in, 48000, &rng);
    REQUIRE(whole.size() == blocks.size());
    double err = 0;
    for (std::size_t i = 0; i < whole.size(); ++i) err = std::max(err, double(std::abs(whole[i] - blocks[i])));
    CHECK(err < 1e-6);
}

TEST_CASE("rates outside 8-192 kHz are refused", "[resampler]") {
    CHECK_THROWS_AS(Resampler(4000, 22050), Error);
    CHECK_THROWS_AS(Resampler(384000, 22050), Error);
    CHECK_THROWS_AS(Resampler(std::nan(""), 22050), Error);
}
