#include "fft_plans.hpp"

#include <atomic>

namespace tactus {
namespace {

std::atomic<int> g_planned{0}, g_from_wisdom{0};

}  // namespace

void make_fft_planner_thread_safe() {
    // once per process, by whichever thread comes first (a static's
    // initialiser runs once)
    static const bool locked = [] {
        fftwf_make_planner_thread_safe();
        return true;
    }();
    (void)locked;
}

fftwf_plan plan_bluestein_fft(int n, fftwf_complex* in, fftwf_complex* out, int sign) {
    // Once per process, by whichever thread plans first: FFTW's planner
    // lock, then the wisdom. FFTW's wisdom is global; entries for other
    // problems are neither added nor changed.
    static const bool imported = [] {
        make_fft_planner_thread_safe();
        return fftwf_import_wisdom_from_string(kFftWisdom) != 0;
    }();
    g_planned.fetch_add(1, std::memory_order_relaxed);
    if (imported) {
        if (fftwf_plan p = fftwf_plan_dft_1d(n, in, out, sign, FFTW_ESTIMATE | FFTW_WISDOM_ONLY)) {
            g_from_wisdom.fetch_add(1, std::memory_order_relaxed);
            return p;
        }
    }
    return fftwf_plan_dft_1d(n, in, out, sign, FFTW_ESTIMATE);
}

bool bluestein_plans_from_wisdom() {
    const int planned = g_planned.load(std::memory_order_relaxed);
    return planned > 0 && g_from_wisdom.load(std::memory_order_relaxed) == planned;
}

}  // namespace tactus
