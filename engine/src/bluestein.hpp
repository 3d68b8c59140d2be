#pragma once
// |DFT| of windowed 1411-sample frames by Bluestein's algorithm. 1411 =
// 17 * 83, and FFTW spends about 30 us on it (the prime 83), while the DFT
// rewritten as a chirp convolution runs on power-of-small-primes FFTs:
// with c[m] = exp(i pi m^2 / N),
//   X[k] = conj(c[k]) * sum_n (x[n] conj(c[n])) c[k - n],
// a cyclic convolution of length M >= N + K - 1 for bins 0..K-1.
//  - BluesteinMagnitude: one frame, bins 0..704 (|X| needs no final chirp),
//    M = 2304: two FFTs a frame, for live use;
//  - PairedBluesteinMagnitude: two real frames a and b as one complex frame
//    z = a + i b, all 1411 bins (M = 2880), then A[k] = (Z[k] + conj(Z[N-k]))
//    / 2 and B[k] = (Z[k] - conj(Z[N-k])) / 2i: two FFTs of about the same
//    cost for two frames, for files.
// Both take the Hann window folded into their input chirp, and give the
// same magnitudes to float rounding. Plans come from fft_plans.hpp.
// run() does not allocate.
#include <memory>
#include <vector>

#include "tactus/features.hpp"

namespace tactus {

struct BluesteinConvolution;  // bluestein.cpp: buffers and FFT plans of one length

class BluesteinMagnitude {
public:
    explicit BluesteinMagnitude(const std::vector<double>& window);
    ~BluesteinMagnitude();
    BluesteinMagnitude(const BluesteinMagnitude&) = delete;
    BluesteinMagnitude& operator=(const BluesteinMagnitude&) = delete;

    // frame[1411] -> mag[705] (bins 0..704 of the windowed frame's DFT)
    void run(const float* frame, float* mag);

private:
    std::unique_ptr<BluesteinConvolution> c_;
};

class PairedBluesteinMagnitude {
public:
    explicit PairedBluesteinMagnitude(const std::vector<double>& window);
    ~PairedBluesteinMagnitude();
    PairedBluesteinMagnitude(const PairedBluesteinMagnitude&) = delete;
    PairedBluesteinMagnitude& operator=(const PairedBluesteinMagnitude&) = delete;

    // two frames[1411] -> their mag[705]
    void run(const float* a, const float* b, float* mag_a, float* mag_b);

private:
    std::unique_ptr<BluesteinConvolution> c_;
    std::vector<float> twist_re_, twist_im_;  // c[k]^2, k = 0..704
    std::vector<float> split_;                // y's lower and upper bins as re/im arrays
};

}  // namespace tactus
