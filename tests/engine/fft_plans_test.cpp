// The feature extractor's FFTs: planned from the wisdom the engine ships
// where this FFTW is the one it was made with, and right either way.
#include <catch2/catch.hpp>

#include <cmath>
#include <complex>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "fft_plans.hpp"
#include "tactus/features.hpp"

using namespace tactus;

namespace {

// The FFTW the shipped wisdom was made with: Debian 12's libfftw3f.
bool is_wisdoms_fftw() {
    return std::string(fftwf_version).rfind("fftw-3.3.10-sse2-avx", 0) == 0 && __builtin_cpu_supports("avx");
}

struct Buffers {
    fftwf_complex* in = fftwf_alloc_complex(kBluesteinFft);
    fftwf_complex* out = fftwf_alloc_complex(kBluesteinFft);
    ~Buffers() {
        fftwf_free(in);
        fftwf_free(out);
    }
};

}  // namespace

TEST_CASE("with Debian 12's FFTW the feature extractor's FFTs come from the shipped wisdom", "[features]") {
    FeatureExtractor fx;  // plans both FFTs
    if (!is_wisdoms_fftw()) {
        WARN("FFTW is " << fftwf_version << ", not the one the wisdom was made with: FFTW_ESTIMATE's plans");
        return;
    }
    CHECK(bluestein_plans_from_wisdom());
}

TEST_CASE("the FFT plans compute the DFT, forward and backward", "[features]") {
    Buffers b;
    std::mt19937 rng(3);
    std::normal_distribution<double> d;
    std::vector<std::complex<double>> x(kBluesteinFft);
    for (int sign : {FFTW_FORWARD, FFTW_BACKWARD}) {
        INFO("sign " << sign);
        fftwf_plan p = plan_bluestein_fft(b.in, b.out, sign);
        REQUIRE(p != nullptr);
        for (int n = 0; n < kBluesteinFft; ++n) {
            x[std::size_t(n)] = {d(rng), d(rng)};
            b.in[n][0] = float(x[std::size_t(n)].real());
            b.in[n][1] = float(x[std::size_t(n)].imag());
        }
        fftwf_execute(p);
        double worst = 0;
        for (int k = 0; k < kBluesteinFft; k += 7) {  // every 7th bin, directly in double
            std::complex<double> s;
            for (int n = 0; n < kBluesteinFft; ++n)
                s += x[std::size_t(n)] * std::polar(1.0, sign * 2 * std::numbers::pi * double(std::int64_t(k) * n % kBluesteinFft) / kBluesteinFft);
            worst = std::max(worst, std::abs(s - std::complex<double>(b.out[k][0], b.out[k][1])));
        }
        // sums of 2400 unit-variance terms: |X| ~ 50; fp32 rounding ~ 1e-5 of it
        CHECK(worst < 2e-3);
        std::lock_guard lock(fftw_planner_mutex());
        fftwf_destroy_plan(p);
    }
}
