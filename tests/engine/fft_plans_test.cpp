// The feature extractor's FFTs: planned from the wisdom the engine ships
// where this FFTW is the one it was made with, and right either way.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cmath>
#include <complex>
#include <cstdio>
#include <cstdlib>
#include <numbers>
#include <random>
#include <string>
#include <thread>
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
    explicit Buffers(int n) : in(fftwf_alloc_complex(std::size_t(n))), out(fftwf_alloc_complex(std::size_t(n))) {}
    fftwf_complex* in;
    fftwf_complex* out;
    ~Buffers() {
        fftwf_free(in);
        fftwf_free(out);
    }
};

}  // namespace

TEST_CASE("with Debian 12's FFTW the feature extractor's FFTs come from the shipped wisdom", "[features]") {
    FeatureExtractor fx;  // plans both FFTs of one size
    fx.set_paired(true);  // and of the other
    if (!is_wisdoms_fftw()) {
        WARN("FFTW is " << fftwf_version << ", not the one the wisdom was made with: FFTW_ESTIMATE's plans");
        return;
    }
    CHECK(bluestein_plans_from_wisdom());
}

TEST_CASE("the FFT plans compute the DFT, forward and backward, at both sizes", "[features]") {
    for (const int size : kFftSizes) {
        Buffers b(size);
        std::mt19937 rng(3);
        std::normal_distribution<double> d;
        std::vector<std::complex<double>> x(static_cast<std::size_t>(size));
        for (int sign : {FFTW_FORWARD, FFTW_BACKWARD}) {
            INFO(size << " points, sign " << sign);
            fftwf_plan p = plan_bluestein_fft(size, b.in, b.out, sign);
            REQUIRE(p != nullptr);
            for (int n = 0; n < size; ++n) {
                x[std::size_t(n)] = {d(rng), d(rng)};
                b.in[n][0] = float(x[std::size_t(n)].real());
                b.in[n][1] = float(x[std::size_t(n)].imag());
            }
            fftwf_execute(p);
            double worst = 0;
            for (int k = 0; k < size; k += 7) {  // every 7th bin, directly in double
                std::complex<double> s;
                for (int n = 0; n < size; ++n)
                    s += x[std::size_t(n)] * std::polar(1.0, sign * 2 * std::numbers::pi * double(std::int64_t(k) * n % size) / size);
                worst = std::max(worst, std::abs(s - std::complex<double>(b.out[k][0], b.out[k][1])));
            }
            // sums of 2304-2880 unit-variance terms: |X| ~ 50; fp32 rounding ~ 1e-5 of it
            CHECK(worst < 2e-3);
            fftwf_destroy_plan(p);
        }
    }
}

TEST_CASE("once the engine has planned, other code may plan FFTs in other threads at the same time", "[features]") {
    // A host's other plugins plan with FFTW on their own threads, knowing
    // nothing of the engine. Without FFTW's planner lock, four
    // threads planning at once crash within a few hundred plans.
    { FeatureExtractor fx; }  // (it may plan later: its making is what counts)
    // Without the lock the planner crashes or, its tables corrupt, loops
    // for ever: a minute without an end is a failure too.
    std::atomic<bool> done{false};
    std::thread watchdog([&done] {
        for (int i = 0; i < 600 && !done; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        if (!done) {
            std::fprintf(stderr, "FFTW's planner hung with four threads planning at once\n");
            std::_Exit(1);
        }
    });
    std::atomic<int> planned{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([t, &planned] {
            for (int i = 0; i < 1500; ++i) {
                const int n = 64 + (i * 7 + t * 13) % 900;
                fftwf_complex* a = fftwf_alloc_complex(std::size_t(n));
                fftwf_complex* b = fftwf_alloc_complex(std::size_t(n));
                if (fftwf_plan p = fftwf_plan_dft_1d(n, a, b, FFTW_FORWARD, FFTW_ESTIMATE)) {
                    fftwf_destroy_plan(p);
                    ++planned;
                }
                fftwf_free(a);
                fftwf_free(b);
                if (i % 100 == 0) {  // and the engine's own plans among them
                    FeatureExtractor fx;
                    fx.set_paired(i % 200 == 0);
                }
            }
        });
    for (auto& th : threads) th.join();
    done = true;
    watchdog.join();
    CHECK(planned == 4 * 1500);
}
