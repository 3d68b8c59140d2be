#pragma once
// FFTW plans for the feature extractor's DFT (a Bluestein chirp
// convolution, bluestein.hpp: kBluesteinFft-point complex FFTs for one
// frame, kPairedFft-point for two frames at once), made from wisdom that
// ships with the engine (fft_wisdom.cpp) where this FFTW accepts it.
//
// Why wisdom: FFTW_ESTIMATE's guess for 2400 points ran in about 4 us on a
// Zen 3 core, a plan found by FFTW_PATIENT in about 2.5 us, but PATIENT spends
// seconds planning, which no plugin instantiation can wait for. Wisdom is
// the planner's own record of that search: with it an FFTW_ESTIMATE request
// gets the patient plan in a tenth of a millisecond. It is tied to an FFTW
// version and build (Debian 12's 3.3.10 with SSE2 and AVX); any other FFTW
// rejects it and gets FFTW_ESTIMATE's plan, the same DFT a little slower.
// tactus-fft-wisdom (tools/fft) prints it afresh.
//
// FFTW's planner is one per process, shared with whatever else plans in it
// (a host's other plugins, the host itself), and not thread-safe: two
// threads planning at once corrupt it. Before its first plan the engine
// turns on FFTW's own planner lock (fftwf_make_planner_thread_safe), which
// every fftwf_plan_* and fftwf_destroy_plan in the process then takes, ours
// and everyone else's; hosts such as Carla and Zrythm do the same at start,
// and doing it twice is harmless. So the engine needs no lock of its own.
#include <fftw3.h>

namespace tactus {

// 2^8 * 3^2 >= 1411 + 705 - 1: one frame's bins 0..704.
inline constexpr int kBluesteinFft = 2304;
// 2^6 * 3^2 * 5 >= 2 * 1411 - 1: all 1411 bins, for two real frames as one
// complex one. The smallest lengths of small primes that fit: FFTW's
// patient plans on a Sapphire Rapids core take 2.6 us for 2304 points
// (2.8 for 2400) and 3.5 us for 2880 (3.6-3.7 for 3072).
inline constexpr int kPairedFft = 2880;
inline constexpr int kFftSizes[] = {kBluesteinFft, kPairedFft};

// Turns on FFTW's planner lock, once per process (every later call is an
// atomic load). The feature extractor calls it when it is made, though it
// may plan its DFTs later: from then on other code may plan at any time.
void make_fft_planner_thread_safe();

// An out-of-place n-point complex DFT (n one of kFftSizes, sign
// FFTW_FORWARD or FFTW_BACKWARD) on buffers from fftwf_alloc_complex;
// nullptr if FFTW cannot plan it. Any thread may call it, and
// fftwf_destroy_plan.
fftwf_plan plan_bluestein_fft(int n, fftwf_complex* in, fftwf_complex* out, int sign);

// Whether the shipped wisdom was accepted and gave every plan made so far
// (and at least one). For tests and benchmarks.
bool bluestein_plans_from_wisdom();

// The shipped wisdom, as fftwf_export_wisdom_to_string() wrote it.
extern const char* const kFftWisdom;

}  // namespace tactus
