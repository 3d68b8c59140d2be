#include "beat_fit.hpp"

#include <algorithm>
#include <cmath>

namespace tactus {

void BeatFit::start(double frame) {
    frame_[0] = frame;
    number_[0] = 0;
    size_ = 1;
    beats_ = 1;
}

void BeatFit::add(double frame, double period) {
    if (size_ == 0 || !(period > 0)) return start(frame);
    const auto last = std::size_t(size_ - 1);
    const double number = number_[last] + std::max(1.0, std::round((frame - frame_[last]) / period));
    if (size_ == kCapacity) {
        std::rotate(frame_.begin(), frame_.begin() + 1, frame_.end());
        std::rotate(number_.begin(), number_.begin() + 1, number_.end());
        --size_;
    }
    frame_[std::size_t(size_)] = frame;
    number_[std::size_t(size_)] = number;
    ++size_;
    ++beats_;
}

double BeatFit::period() const {
    if (size_ < 2) return 0;
    double mean_n = 0, mean_f = 0;
    for (int i = 0; i < size_; ++i) {
        mean_n += number_[std::size_t(i)];
        mean_f += frame_[std::size_t(i)];
    }
    mean_n /= size_;
    mean_f /= size_;
    double snf = 0, snn = 0;
    for (int i = 0; i < size_; ++i) {
        const double dn = number_[std::size_t(i)] - mean_n;
        snf += dn * (frame_[std::size_t(i)] - mean_f);
        snn += dn * dn;
    }
    return snn > 0 ? snf / snn : 0;
}

}  // namespace tactus
