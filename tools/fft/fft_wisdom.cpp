// Prints FFTW wisdom for the feature extractor's FFT plans (both sizes,
// both directions), found by FFTW_PATIENT (a few seconds each), in the
// form engine/src/fft_wisdom.cpp holds. Run it on the FFTW build the wisdom is for (Debian 12's):
//
//   build/bin/tactus-fft-wisdom > wisdom.txt
//
// The problems must be the engine's exactly: out of place, on buffers from
// fftwf_alloc_complex (FFTW keys wisdom by size, sign, placement and
// alignment).
#include <fftw3.h>

#include <cstddef>
#include <cstdio>
#include <initializer_list>

#include "fft_plans.hpp"

int main() {
    for (int n : tactus::kFftSizes) {
        fftwf_complex* in = fftwf_alloc_complex(std::size_t(n));
        fftwf_complex* out = fftwf_alloc_complex(std::size_t(n));
        if (!in || !out) {
            std::fprintf(stderr, "tactus-fft-wisdom: out of memory\n");
            return 1;
        }
        for (int sign : {FFTW_FORWARD, FFTW_BACKWARD}) {
            fftwf_plan p = fftwf_plan_dft_1d(n, in, out, sign, FFTW_PATIENT);
            if (!p) {
                std::fprintf(stderr, "tactus-fft-wisdom: FFTW cannot plan a %d-point DFT\n", n);
                return 1;
            }
            fftwf_destroy_plan(p);
        }
        fftwf_free(in);
        fftwf_free(out);
    }
    char* w = fftwf_export_wisdom_to_string();
    std::fputs(w, stdout);
    fftwf_free(w);
    return 0;
}
