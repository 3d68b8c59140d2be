#include "tactus/features.hpp"

#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include "auto_gain.hpp"
#include "bluestein.hpp"
#include "fft_plans.hpp"
#include "dc_blocker.hpp"
#include "simd.hpp"
#include "tactus/error.hpp"
#include "tactus/filterbank.hpp"

namespace tactus {
namespace {

constexpr std::int64_t kRing = 4096;  // power of two >= frame + hop
static_assert(kRing >= kFrameSize + kHop);

constexpr int kBandsPadded = (kBands + simd::kLanes - 1) / simd::kLanes * simd::kLanes;

// out = log10(1 + x) over the padded band vector (madmom's
// LogarithmicSpectrogram with mul=1, add=1).
void log10_1p(const float* x, float* out) {
    for (int b = 0; b < kBandsPadded; b += simd::kLanes)
        simd::store(out + b, simd::log(simd::load(x + b) + 1.f) * 0.434294481903251828f);
}

// Sum of squares, largest and smallest of n samples, in 16 lanes (a plain
// loop is one long chain of dependent additions).
struct FrameStats {
    float squares = 0, high = 0, low = 0;
};
FrameStats frame_stats(const float* x, int n) {
    if (n <= 0) return {};
    simd::vf e{}, hi = simd::splat(x[0]), lo = simd::splat(x[0]);
    int i = 0;
    for (; i + simd::kLanes <= n; i += simd::kLanes) {
        const simd::vf v = simd::load(x + i);
        e += v * v;
        hi = simd::vmax(hi, v);
        lo = simd::vmin(lo, v);
    }
    FrameStats r{simd::hsum(e), hi[0], lo[0]};
    for (int k = 1; k < simd::kLanes; ++k) {
        r.high = std::max(r.high, hi[k]);
        r.low = std::min(r.low, lo[k]);
    }
    for (; i < n; ++i) {
        r.squares += x[i] * x[i];
        r.high = std::max(r.high, x[i]);
        r.low = std::min(r.low, x[i]);
    }
    return r;
}

// Frame `index` out of the ring into out[1411]: zeros before the first and
// after the last sample (the stream has `total` so far), at most two
// contiguous runs in between. Its statistics are over the stream's samples
// only: the zeros around its ends are no level.
FrameStats copy_frame(const std::vector<float>& ring, std::int64_t total, std::int64_t index, float* out) {
    const std::int64_t start = index * kHop - kFrameLookahead;
    const std::int64_t lo = std::max<std::int64_t>(start, 0);
    const std::int64_t hi = std::min<std::int64_t>(start + kFrameSize, total);
    // zeros only where the stream is not (before its start, past its end)
    std::fill(out, out + std::clamp<std::int64_t>(lo - start, 0, kFrameSize), 0.f);
    std::fill(out + std::clamp<std::int64_t>(hi - start, 0, kFrameSize), out + kFrameSize, 0.f);
    for (std::int64_t i = lo; i < hi;) {
        const std::int64_t at = i & (kRing - 1);
        const std::int64_t run = std::min(hi - i, kRing - at);
        std::copy_n(ring.data() + at, run, out + (i - start));
        i += run;
    }
    return frame_stats(out + (lo - start), int(std::max<std::int64_t>(hi - lo, 0)));
}

std::vector<double> hann_window() {
    // np.hanning(M): 0.5 - 0.5 cos(2 pi n / (M - 1)), in double like madmom
    std::vector<double> w(kFrameSize);
    for (int n = 0; n < kFrameSize; ++n)
        w[std::size_t(n)] = 0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * n / (kFrameSize - 1));
    return w;
}

}  // namespace

struct FeatureExtractor::Impl {
    LogFilterbank filterbank{fft_bin_frequencies(kFftBins, kFeatureRate), LogFilterbankSpec{}};
    // One frame's DFT (live), or two frames' at once (files). Made when
    // set_paired() says which, or at the first frame: a file's analysis
    // needs the single one only for an odd last frame, and planning it
    // cost a start 0.2 ms.
    std::unique_ptr<BluesteinMagnitude> dft;
    std::unique_ptr<PairedBluesteinMagnitude> paired;
    BluesteinMagnitude& single() {
        if (!dft) dft = std::make_unique<BluesteinMagnitude>(hann_window());
        return *dft;
    }
    std::vector<float> ring = std::vector<float>(kRing, 0.f);
    float frame[kFrameSize] = {};
    // the second frame of a pair, computed with the first
    float next_frame[kFrameSize] = {};
    float next_mag[kFftBins] = {};
    FrameStats next_stats;
    bool have_next = false;
    AutoGain gain;
    DcBlocker dc;
    float prev_filt[kBandsPadded] = {};    // the last frame's bands before the gain
    float prev_scaled[kBandsPadded] = {};  // ... at this frame's gain
    float prev_log[kBandsPadded] = {};     // ... and their log
    float last_gain = 1.f;                 // the gain the last frame's logspec was taken at
    float mag[kFftBins] = {};
    float filt[kBandsPadded] = {};
    float logspec[kBandsPadded] = {};

    Impl() {
        if (filterbank.num_bands() != kBands) throw Error("filterbank: unexpected number of bands");
    }
};

FeatureExtractor::FeatureExtractor() : impl_(std::make_unique<Impl>()) { make_fft_planner_thread_safe(); }
FeatureExtractor::~FeatureExtractor() = default;

std::int64_t FeatureExtractor::frames_ready() const {
    if (finished_) return (total_ + kHop - 1) / kHop;
    if (total_ < kFrameLookahead + 1) return 0;
    return (total_ - kFrameLookahead - 1) / kHop + 1;
}

std::size_t FeatureExtractor::push(const float* samples, std::size_t n) {
    if (finished_) return 0;
    // Oldest sample the next frame still needs.
    const std::int64_t keep_from = std::max<std::int64_t>(0, next_ * kHop - kFrameLookahead);
    const std::int64_t room = kRing - (total_ - keep_from);
    const std::size_t take = std::min<std::size_t>(n, std::size_t(std::max<std::int64_t>(room, 0)));
    Impl& m = *impl_;
    if (auto_gain_) {
        // A DC blocker (a zero at DC, a pole at 3.5 Hz): a microphone's
        // offset is no sound. It would hold the level above the silence
        // threshold and the auto gain under the music, and the Hann
        // window's sidelobes would carry it into the low bands. Digital
        // silence (a player between two tracks, a stopped transport) stays
        // exactly zero (see DcBlocker).
        if (total_ == 0 && take > 0) m.dc.start_from(samples[0]);  // an offset from the start is no step
    }
    // into the ring in at most two runs (before and after its end)
    for (std::size_t at = 0; at < take;) {
        const std::size_t to = std::size_t((total_ + std::int64_t(at)) & (kRing - 1));
        const std::size_t run = std::min(take - at, std::size_t(kRing) - to);
        if (auto_gain_) m.dc.run(samples + at, run, m.ring.data() + to);
        else std::copy_n(samples + at, run, m.ring.data() + to);
        at += run;
    }
    total_ += std::int64_t(take);
    return take;
}

void FeatureExtractor::set_paired(bool on) {
    if (on && !impl_->paired) impl_->paired = std::make_unique<PairedBluesteinMagnitude>(hann_window());
    if (!on) impl_->single();  // live: before the first frame, not in it
    paired_ = on;
    impl_->have_next = false;
}

bool FeatureExtractor::pop(float* features, FrameDetail* detail) {
    const std::int64_t ready = frames_ready();
    if (next_ >= ready) return false;
    Impl& m = *impl_;
    FrameStats fs;
    if (m.have_next) {  // computed with the last frame
        std::copy(std::begin(m.next_mag), std::end(m.next_mag), m.mag);
        fs = m.next_stats;
        m.have_next = false;
    } else if (paired_ && next_ + 1 < ready) {
        fs = copy_frame(m.ring, total_, next_, m.frame);
        m.next_stats = copy_frame(m.ring, total_, next_ + 1, m.next_frame);
        m.paired->run(m.frame, m.next_frame, m.mag, m.next_mag);
        m.have_next = true;
    } else if (paired_ && !finished_) {
        return false;  // wait a hop for a frame to pair with
    } else {
        fs = copy_frame(m.ring, total_, next_, m.frame);
        m.single().run(m.frame, m.mag);
    }
    const float peak = std::max(fs.high, -fs.low);
    level_db_ = 10.f * std::log10(fs.squares / kFrameSize + 1e-12f);
    m.filterbank.apply(m.mag, m.filt);
    if (detail) {
        std::copy(std::begin(m.mag), std::end(m.mag), detail->stft_mag);
        std::copy_n(m.filt, kBands, detail->filtered);
    }
    // madmom: diff[0] = 0, then max(L[k] - L[k-1], 0); after silence frame
    // 0 differs from silence's all-zero spectrum. Both frames of the
    // difference are taken at this frame's gain: a change of gain is no
    // onset, and the first loud hit after a quiet intro (where the gain
    // drops) still is one. Without the auto gain g = 1, madmom's features.
    const bool no_diff = next_ == 0 && !silence_before_;
    const float g = auto_gain_ ? m.gain.next(peak, float(kHop) / kFeatureRate) : 1.f;
    for (int b = 0; b < kBandsPadded; ++b) {
        m.prev_scaled[b] = m.prev_filt[b] * g;
        m.prev_filt[b] = m.filt[b];
        m.filt[b] *= g;
    }
    // At an unchanged gain (always, without the auto gain) the last frame's
    // log is the one already taken, bit for bit.
    if (g == m.last_gain) std::copy_n(m.logspec, kBandsPadded, m.prev_log);
    else log10_1p(m.prev_scaled, m.prev_log);
    m.last_gain = g;
    log10_1p(m.filt, m.logspec);
    for (int b = 0; b < kBands; ++b) {
        features[b] = m.logspec[b];
        features[kBands + b] = no_diff ? 0.f : std::max(m.logspec[b] - m.prev_log[b], 0.f);
    }
    ++next_;
    return true;
}

void FeatureExtractor::finish() { finished_ = true; }

void FeatureExtractor::reset() {
    total_ = 0;
    next_ = 0;
    finished_ = false;
    level_db_ = -120.f;
    std::fill(std::begin(impl_->prev_filt), std::end(impl_->prev_filt), 0.f);
    std::fill(std::begin(impl_->logspec), std::end(impl_->logspec), 0.f);
    impl_->last_gain = 1.f;
    impl_->have_next = false;
    impl_->gain.reset();
    impl_->dc = DcBlocker{};
}

float FeatureExtractor::gain_db() const { return auto_gain_ ? impl_->gain.gain_db() : 0.f; }

}  // namespace tactus
