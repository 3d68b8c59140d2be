#include "periodicity.hpp"

#include <algorithm>

namespace tactus {

Periodicity::Periodicity(int min_lag, int max_lag, double window_frames, double detrend_frames, double variance_floor)
    : min_lag_(min_lag), max_lag_(max_lag), a_(1.0 / window_frames), a_mean_(1.0 / detrend_frames),
      floor_(variance_floor), history_(std::size_t(max_lag) + 1, 0.0), r_(std::size_t(max_lag) + 1, 0.0) {}

void Periodicity::reset() {
    std::fill(history_.begin(), history_.end(), 0.0);
    std::fill(r_.begin(), r_.end(), 0.0);
    head_ = 0;
    mean_ = 0;
    first_ = true;
    clarity_ = 0;
}

double Periodicity::step(double x) {
    if (first_) {
        mean_ = x;
        first_ = false;
    }
    mean_ += a_mean_ * (x - mean_);
    const int size = max_lag_ + 1;
    head_ = (head_ + 1) % size;
    const double v = x - mean_;
    history_[std::size_t(head_)] = v;
    // lag l's sample is at head_ - l in the ring: two plain runs (a modulo
    // per lag was a division each)
    auto update = [&](int l, double past) { r_[std::size_t(l)] += a_ * (v * past - r_[std::size_t(l)]); };
    for (int l = 0; l <= head_; ++l) update(l, history_[std::size_t(head_ - l)]);
    for (int l = head_ + 1; l <= max_lag_; ++l) update(l, history_[std::size_t(head_ - l + size)]);
    double best = 0;
    for (int l = min_lag_; l <= max_lag_; ++l) best = std::max(best, r_[std::size_t(l)]);
    clarity_ = std::max(0.0, best / (r_[0] + floor_));
    return clarity_;
}

}  // namespace tactus
