#pragma once
// The feature extractor's DC blocker (with the auto gain): a microphone's
// offset is no sound.
#include <cstddef>

namespace tactus {

// y[n] = x[n] - x[n - 1] + p y[n - 1]: a zero at DC, a pole at p. As a
// recurrence that is one multiply-add's latency a sample; a block of L
// samples (a vector's lanes) is instead y = P d + p^(j+1) y_before with
// d[n] = x[n] - x[n - 1] and P[j][i] = p^(j - i) (i <= j): L independent
// multiply-adds, and only the last output carries into the next block (the
// features' largest cost after the DFT and the resampler was this loop).
// The sums round otherwise than the recurrence, by a float's last bits.
//
// Digital silence (an input and the one before it both exactly 0) stays
// exactly 0: the pole's tail would otherwise ring on through it for about
// 0.3 s, and the tracker tells a gap between tracks by input that is
// nothing at all. Blocks that hold such a pair run sample by sample.
// run() neither allocates nor takes locks.
class DcBlocker {
public:
    static constexpr float kPole = 0.999f;  // -3 dB at 3.5 Hz at 22050 Hz

    // The input before the first sample: a stream's first sample, so that
    // an offset from the start is no step.
    void start_from(float x) { x_ = x; }
    // out[0..n) for in[0..n), continuing from the last call
    void run(const float* in, std::size_t n, float* out);

private:
    float x_ = 0, y_ = 0;  // the last input and output
};

}  // namespace tactus
