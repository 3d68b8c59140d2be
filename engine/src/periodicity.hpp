#pragma once
// How periodic a signal is at beat rates: an exponentially weighted
// autocorrelation r(l), l = 0..max_lag, of the signal minus its local mean
// (a one-pole high-pass removes the slow drifts an LSTM's output has after a
// start, which would look periodic at every lag). Clarity is
// max over l in [min_lag, max_lag] of r(l) / (r(0) + floor): near 0 for
// noise and speech, 0.4-0.9 for music with a beat. The floor keeps
// near-constant input (silence) at 0.
#include <vector>

namespace tactus {

class Periodicity {
public:
    Periodicity(int min_lag, int max_lag, double window_frames, double detrend_frames, double variance_floor);
    // Adds a sample; returns the clarity.
    double step(double x);
    void reset();
    double clarity() const { return clarity_; }

private:
    int min_lag_, max_lag_;
    double a_, a_mean_, floor_;
    std::vector<double> history_;  // ring of detrended samples
    std::vector<double> r_;
    int head_ = 0;
    double mean_ = 0;
    bool first_ = true;
    double clarity_ = 0;
};

}  // namespace tactus
