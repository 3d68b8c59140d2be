#include "fft_plans.hpp"

#include <atomic>

namespace tactus {
namespace {

std::atomic<int> g_from_wisdom{0};  // bit 0: forward, bit 1: backward

}  // namespace

std::mutex& fftw_planner_mutex() {
    static std::mutex m;
    return m;
}

fftwf_plan plan_bluestein_fft(fftwf_complex* in, fftwf_complex* out, int sign) {
    std::lock_guard lock(fftw_planner_mutex());
    // FFTW's planner is one per process, shared with whatever else plans in
    // it (a host's other plugins, the host itself), and not thread-safe:
    // two threads planning at once corrupt it. Our mutex orders only our
    // own plans, so FFTW's own lock goes in too, for everyone (hosts such as
    // Carla and Zrythm do the same at start; doing it twice is harmless).
    static const bool safe = (fftwf_make_planner_thread_safe(), true);
    (void)safe;
    // Once per process. FFTW's wisdom is global: entries for other problems
    // are neither added nor changed.
    static const bool imported = fftwf_import_wisdom_from_string(kFftWisdom) != 0;
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
