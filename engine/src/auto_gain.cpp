#include "auto_gain.hpp"

#include <algorithm>
#include <cmath>

namespace tactus {

float AutoGain::next(float peak, float frame_s) {
    const float peak_db = 20.f * std::log10(std::max(peak, 1e-10f));
    envelope_db_ = std::max(peak_db, envelope_db_ - kReleaseDbPerS * frame_s);
    gain_db_ = std::clamp(kTargetDb - envelope_db_, kMinGainDb, kMaxGainDb);
    return std::pow(10.f, gain_db_ / 20.f);
}

void AutoGain::reset() {
    envelope_db_ = -1000.f;
    gain_db_ = 0.f;
}

}  // namespace tactus
