#include "track_gap.hpp"

#include "tactus/features.hpp"

namespace tactus {
namespace {

constexpr float kDigitalSilenceDb = -100.f;
constexpr int kGapFrames = 5;             // 0.1 s
constexpr double kGaplessShare = 0.1;     // at most this share of the last ~2 s digitally silent
constexpr double kShareFrames = 2.0 * kFps;

}  // namespace

bool TrackGap::step(float level_db) {
    const bool nothing = level_db <= kDigitalSilenceDb;
    if (nothing && run_ == 0) gapless_before_ = silent_share_ < kGaplessShare;
    run_ = nothing ? run_ + 1 : 0;
    silent_share_ += ((nothing ? 1.0 : 0.0) - silent_share_) / kShareFrames;
    return gapless_before_ && run_ == kGapFrames;
}

void TrackGap::reset() { *this = TrackGap{}; }

}  // namespace tactus
