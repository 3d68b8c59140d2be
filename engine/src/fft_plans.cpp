#include "fft_plans.hpp"

#include <atomic>

namespace tactus {
namespace {

std::atomic<int> g_from_wisdom{0};  // bit 0: forward, bit 1: backward

}  // namespace

fftwf_plan plan_bluestein_fft(fftwf_complex* in, fftwf_complex* out, int sign) {
    // Once per process, by whichever thread plans first (a static's
    // initialiser runs once): FFTW's planner lock, then the wisdom. FFTW's
    // wisdom is global; entries for other problems are neither added nor
    // changed.
    static const bool imported = [] {
        fftwf_make_planner_thread_safe();
        return fftwf_import_wisdom_from_string(kFftWisdom) != 0;
    }();
    if (imported) {
        if (fftwf_plan p = fftwf_plan_dft_1d(kBluesteinFft, in, out, sign, FFTW_ESTIMATE | FFTW_WISDOM_ONLY)) {
            g_from_wisdom.fetch_or(sign == FFTW_FORWARD ? 1 : 2, std::memory_order_relaxed);
            return p;
        }
    }
    return fftwf_plan_dft_1d(kBluesteinFft, in, out, sign, FFTW_ESTIMATE);
}

bool bluestein_plans_from_wisdom() { return g_from_wisdom.load(std::memory_order_relaxed) == 3; }

}  // namespace tactus
