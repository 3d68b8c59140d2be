#include "tactus/midi_clock.hpp"

#include <algorithm>
#include <cmath>

namespace tactus {
namespace {

constexpr double kTicksPerBeat = 24.0;
// Once per beat the clock sets its rate for the next beat: the tracked tempo
// (followed by this fraction per beat, at most this far per beat), nudged by
// the phase error against the predicted beats (low-passed over a few beats,
// as the tracker's grid comes in 20 ms frames, and bounded). Within a beat
// the rate is constant, so tick intervals differ only by rounding.
constexpr double kTempoFollow = 0.15;
constexpr double kTempoSlew = 0.01;
constexpr double kErrorSmooth = 0.3;
constexpr double kPhaseGain = 0.3;
constexpr double kMaxPhasePush = 0.01;
// A real change is not slewed through: a tempo this far off for two beats
// running (a new song, the tracker settling on another metrical level) is
// taken at once, and a phase error this large is pulled in faster.
constexpr double kTempoJump = 0.08;
constexpr double kLargePhaseError = 0.05;  // beats
constexpr double kMaxLargePhasePush = 0.08;

double wrap_half(double x) { return x - std::floor(x + 0.5); }

void put(MidiMessage* out, std::size_t max, std::size_t* n, std::uint32_t offset, std::uint8_t byte) {
    if (*n < max) out[(*n)++] = MidiMessage{offset, 1, {byte, 0, 0}};
}

}  // namespace

void MidiClock::reset_rt() noexcept {
    running_ = false;
    phase_ = 0;
    rate_beats_ = base_ = 0;
    error_ = 0;
    ticks_ = 0;
    off_tempo_beats_ = 0;
    pending_start_ = -1;
}

void MidiClock::retune_rt(const TempoSnapshot& s, double at_frame, double offset_frames) noexcept {
    if (!has_beat_grid(s)) return;  // free-running through a loss: keep the rate
    const double target = s.bpm / 60.0 / rate_;
    off_tempo_beats_ = std::abs(target / base_ - 1.0) > kTempoJump ? off_tempo_beats_ + 1 : 0;
    if (off_tempo_beats_ >= 2) {
        base_ = target;
        off_tempo_beats_ = 0;
    } else {
        base_ += std::clamp((target - base_) * kTempoFollow, -base_ * kTempoSlew, base_ * kTempoSlew);
    }
    // where the tracker's grid is now, in beats mod 1, against the clock's
    // position (a whole beat: this runs on the beat ticks)
    const double grid = -(double(s.next_beat_frame) + offset_frames - at_frame) * target;
    error_ += (wrap_half(grid) - error_) * kErrorSmooth;
    const double push = std::abs(error_) > kLargePhaseError ? kMaxLargePhasePush : kMaxPhasePush;
    rate_beats_ = base_ * (1.0 + std::clamp(error_ * kPhaseGain, -push, push));
}

std::size_t MidiClock::process_rt(std::int64_t block_start, std::uint32_t frames, const TempoSnapshot& s,
                                  MidiMessage* out, std::size_t max) noexcept {
    std::size_t n = 0;
    if (!enabled_) {
        if (running_) put(out, max, &n, 0, kMidiStop);
        running_ = false;
        pending_start_ = -1;
        return n;
    }
    const double offset_frames = offset_s_ * rate_;
    const bool locked = has_beat_grid(s);
    if (running_ && !locked && stop_when_lost_ &&
        (s.state == TrackState::lost || s.state == TrackState::silent || s.state == TrackState::listening)) {
        put(out, max, &n, 0, kMidiStop);
        running_ = false;
        return n;
    }
    const double start = double(block_start), end = start + frames;
    double t0 = 0;  // sample offset where the clock is at position pos0
    if (!running_) {
        if (!locked) {
            pending_start_ = -1;
            return n;
        }
        // start on the next downbeat (remembered across snapshot updates)
        if (s.next_downbeat_frame >= 0) {
            const double d = double(s.next_downbeat_frame) + offset_frames;
            if (d >= start && (pending_start_ < start || d < pending_start_)) pending_start_ = d;
        }
        if (pending_start_ < start || pending_start_ >= end) return n;
        t0 = std::floor(pending_start_ - start);
        pending_start_ = -1;
        put(out, max, &n, std::uint32_t(t0), kMidiStart);
        running_ = true;
        phase_ = 0;  // beat 1 of the song at the downbeat
        base_ = rate_beats_ = s.bpm / 60.0 / rate_;
        error_ = 0;
        ticks_ = 0;
        off_tempo_beats_ = 0;
    }
    double pos0 = phase_;
    while (true) {
        const double tick = double(ticks_) / kTicksPerBeat;
        const double at = t0 + (tick - pos0) / rate_beats_;
        // rounded to the nearest sample; one that rounds to the next block's
        // first sample is emitted there
        const long sample = std::lround(at);
        if (sample >= long(frames)) break;
        put(out, max, &n, std::uint32_t(std::max(sample, 0L)), kMidiClock);
        if (ticks_ % 24 == 0) {  // on the beat: set the rate for the next beat
            pos0 = tick;
            t0 = at;
            retune_rt(s, start + at, offset_frames);
        }
        ++ticks_;
    }
    phase_ = pos0 + (double(frames) - t0) * rate_beats_;
    return n;
}

void BeatScheduler::add_rt(const BeatEvent& e) noexcept {
    if (!e.predicted) return;
    const double quarter = e.bpm > 0 ? 0.25 * 60.0 / e.bpm : 0.1;  // seconds
    for (std::size_t i = 0; i < count_; ++i)
        if (std::abs(queue_[i].time - e.time) < quarter) {
            queue_[i] = e;  // a newer estimate of the same beat
            return;
        }
    if (count_ < kCapacity) queue_[count_++] = e;
}

std::size_t BeatScheduler::due_rt(std::int64_t block_start, std::uint32_t frames, std::int64_t late_frames,
                                  ScheduledBeat* out, std::size_t max) noexcept {
    std::size_t n = 0, keep = 0;
    const std::int64_t end = block_start + frames;
    for (std::size_t i = 0; i < count_; ++i) {
        const BeatEvent& e = queue_[i];
        if (e.frame >= end) {
            queue_[keep++] = e;  // not yet
            continue;
        }
        if (e.frame >= block_start - late_frames && n < max)
            out[n++] = ScheduledBeat{std::uint32_t(std::max<std::int64_t>(e.frame - block_start, 0)), e};
    }
    count_ = keep;
    std::sort(out, out + n, [](const ScheduledBeat& a, const ScheduledBeat& b) { return a.offset < b.offset; });
    return n;
}

}  // namespace tactus
