#include "auto_gain.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

namespace tactus {

float AutoGain::recurring_level_db() const {
    // the current block counts as one more; while fewer blocks than
    // kRecurring exist (a stream's first 0.6 s) the quietest of them
    std::array<float, kBlocks + 1> v;
    const int n = blocks_ + 1;
    std::copy_n(blocks_db_.begin(), blocks_, v.begin());
    v[std::size_t(blocks_)] = block_db_;
    const int k = std::min(kRecurring, n) - 1;
    std::nth_element(v.begin(), v.begin() + k, v.begin() + n, std::greater<>());
    return v[std::size_t(k)];
}

float AutoGain::next(float peak, float frame_s) {
    const float peak_db = 20.f * std::log10(std::max(peak, 1e-10f));
    block_db_ = std::max(block_db_, peak_db);
    level_db_ = std::max(std::min(peak_db, recurring_level_db() + kTransientDb), level_db_ - kReleaseDbPerS * frame_s);
    transient_db_ = std::max(peak_db, transient_db_ - kTransientReleaseDbPerS * frame_s);
    block_s_ += frame_s;
    if (block_s_ >= kBlockS) {
        blocks_db_[std::size_t(next_block_)] = block_db_;
        next_block_ = (next_block_ + 1) % kBlocks;
        blocks_ = std::min(blocks_ + 1, kBlocks);
        block_db_ = -1000.f;
        block_s_ -= kBlockS;
    }
    const float envelope_db = std::max(level_db_, transient_db_ - kTransientDb);
    gain_db_ = std::clamp(kTargetDb - envelope_db, kMinGainDb, kMaxGainDb);
    return std::pow(10.f, gain_db_ / 20.f);
}

void AutoGain::reset() { *this = AutoGain(); }

}  // namespace tactus
