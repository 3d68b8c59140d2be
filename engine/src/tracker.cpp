#include "tactus/tracker.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include "bar_pointer_filter.hpp"
#include "beat_fit.hpp"
#include "denormals.hpp"
#include "periodicity.hpp"
#include "track_gap.hpp"
#include "tactus/error.hpp"
#include "tactus/features.hpp"

namespace tactus {

const char* to_string(TrackState s) {
    switch (s) {
        case TrackState::listening: return "listening";
        case TrackState::locked: return "locked";
        case TrackState::hold: return "hold";
        case TrackState::lost: return "lost";
        case TrackState::silent: return "silent";
    }
    return "?";
}

namespace {

constexpr double kFrameRate = kFps;                   // 50 feature frames per second
constexpr double kBpmFrames = 60.0 * kFrameRate;      // BPM = kBpmFrames / interval
constexpr int kLevelHistory = 64;                     // frames of level kept for intensity
constexpr double kTapGapFrames = 2.5 * kFrameRate;    // a longer gap starts a new tap run
constexpr double kNoFrame = -1e18;
constexpr double kBandWidth = 0.12;  // tempo band: +-12 % around the tracked tempo
// Activations below this (either output) are no evidence of a beat: silence
// gives about 0.01 (99th percentile 0.1), music's beats 0.25 and more.
constexpr float kEvidence = 0.12f;
constexpr double kEvidenceBeats = 1.5;  // beats without evidence before the lock is released
constexpr double kEvidenceBelowPeakDb = 30.0;  // ... and sound this far below the recent peak is none
constexpr int kPhaseWindow = 3;  // frames around the tracked phase that are followed freely
constexpr int kLockSustainFrames = 15;  // frames the clarity must stay above the lock bar
constexpr double kOnsetLockClarity = 0.2;  // periodicity of the spectral flux needed to lock
// The posterior's share spread over every state when the beats return after
// a break (eval-dev clips one after the other with 2 s pauses: beat F on
// the second 0.67 -> 0.74, against 0.75 for the clips alone; the clips
// alone, 70 of them, score alike with 0.01 to 0.5), or after a gap between
// a player's tracks (track_gap.hpp), lock or no lock: a pause too short to
// release the lock (with 0.5 s gaps 0.685 -> 0.727; 0.25 s 0.618 -> 0.675).
constexpr float kNewSongShare = 0.1f;
constexpr double kBeatLevelBeats = 8.0;  // beats of level history behind intensity
constexpr double kGridGain = 0.25;         // how far a beat moves from the grid towards its detection
constexpr double kGridPeriodGain = 0.02;   // how far the grid's period moves with that error
constexpr double kGridSnapFrames = 3.0;    // a detection further off the grid restarts it there
constexpr double kGridTempoSpread = 0.04;  // the grid's period stays this close to the tracked tempo
// The grid starts at the posterior's mean tempo, which leans to the middle
// of its band (the tempo states are whole frames), and the loop above moves
// its period slowly, so that a steady tempo reads steady: on a 132 BPM
// metronome the reported tempo began at 130.7 and came within 0.3 % 8.2 s
// after the first beat. The least-squares rate of the grid's first beats
// re-anchors it twice: 3.2 s there; beats reported more than 1 % off the annotated tempo
// (tools/eval/tempo_accuracy.py) 5.6 -> 4.7 % on 26 unseen OpenTTD renders,
// 4.2 -> 3.3 % on 20 MMA ones, beat F unchanged. Fitted at every beat it
// would follow a change sooner, but whole-frame detections make it wander
// (eval-dev's median error 0.12 -> 0.34 %, where the re-anchoring gives 0.10).
constexpr std::int64_t kGridFitBeats[] = {8, 16};

std::vector<int> meters_for(int beats_per_bar) {
    if (beats_per_bar <= 0) return {2, 3, 4};
    return {std::clamp(beats_per_bar, 1, 16)};
}

}  // namespace

struct TactusTracker::Impl {
    TrackerParams p;
    BarPointerFilter filter;
    Periodicity periodicity;
    // The same measure on the sound's spectral flux (TrackerFrame::onset).
    // Its variance floor is above the flux of a steady tone, which wobbles
    // by ~1e-4 with the tone's phase against the hop, periodically; music's
    // flux varies by 1e-3 to 1e-2.
    Periodicity onset_periodicity;
    TrackerStatus st;
    double lead_frames;

    // level and intensity
    double level_peak = -120;
    std::array<float, kLevelHistory> level_hist{};
    double beat_level_mean = 0, beat_level_var = 0;
    bool beat_level_known = false;
    double last_evidence = kNoFrame;  // last frame with activation evidence of a beat

    // The reported tempo: the posterior's tempo hops between neighbouring
    // whole-frame intervals (128 BPM lies between 23 and 24 frames), so
    // outputs get it low-passed over about a second, snapping on real
    // changes.
    double smooth_interval = 0;
    int off_frames = 0;
    // the tracked tempo band (see process())
    double band_center = 0;
    int alt_frames = 0;
    int k_track = -1, phase_alt_frames = 0;  // the tracked phase (see hold_phase())
    std::vector<float> band_since, band_until;

    // lock state
    bool gate = false, ever_locked = false;
    int above_frames = 0;  // frames the clarity has been above the lock bar
    bool was_silent = true;
    bool new_song_possible = false;  // the lock went with the music (see process())
    TrackGap track_gaps;
    bool after_track_gap = false;    // a gap between a player's tracks since the last evidence
    std::int64_t listen_from = 0;  // frame where listening (re)started
    double locked_interval = 25;
    int locked_meter = 4;

    // The beat grid: the filter places beats on whole 20 ms frames and its
    // tempo states are whole frames too (128 BPM lies between 23 and 24),
    // so the raw positions saw-tooth by a frame or two around the music's
    // beats. The grid is a second-order phase-locked loop on the
    // detections: a reported beat is the grid's next position pulled a
    // quarter of the way to the detection, and the grid's period learns
    // from the same error, so the jitter averages out over a few beats
    // while drift is followed.
    double grid_beat = kNoFrame, grid_period = 0;
    BeatFit grid_fit;  // the detections on the current grid

    // detections
    double last_detection = kNoFrame;
    int last_beat_in_bar = 0, last_meter = 0;
    std::int64_t beat_count = 0, bar_count = 0;
    float last_intensity = 0.5f;

    // hold (also the free-running clock of a BPM override)
    bool holding = false;
    double hold_period = 25, hold_next = 0;
    int hold_left = 0, hold_total = 1, hold_meter = 4, hold_beat = 0;

    // predictions
    double last_committed = kNoFrame;
    double last_now = kNoFrame, now_step = 1;  // see process()

    // tap tempo and override
    std::array<double, 8> taps{};
    int ntaps = 0;
    double pending_tap = kNoFrame;
    double override_bpm = 0;

    explicit Impl(const TrackerParams& params)
        : p(params),
          filter(meters_for(params.beats_per_bar), int(std::lround(kBpmFrames / params.max_bpm)),
                 int(std::lround(kBpmFrames / params.min_bpm)), params.transition_lambda, params.observation_lambda),
          periodicity(filter.min_interval(), filter.max_interval(), params.clarity_window_s * kFrameRate,
                      0.5 * kFrameRate, 3e-3),
          onset_periodicity(filter.min_interval(), filter.max_interval(), params.clarity_window_s * kFrameRate,
                            0.5 * kFrameRate, 1e-5),
          lead_frames(params.prediction_lead_s * kFrameRate) {
        if (!(params.min_bpm >= 20 && params.max_bpm <= 400 && params.max_bpm > params.min_bpm * 1.1))
            throw Error("tempo range must lie within 20-400 BPM and span at least 10%");
        level_hist.fill(-120.f);
        if (params.bpm_override > 0) set_override(params.bpm_override);
    }

    void reset() {
        filter.reset();
        periodicity.reset();
        onset_periodicity.reset();
        st = TrackerStatus{};
        level_peak = -120;
        level_hist.fill(-120.f);
        beat_level_known = false;
        last_evidence = kNoFrame;
        gate = ever_locked = holding = new_song_possible = after_track_gap = false;
        track_gaps.reset();
        above_frames = 0;
        was_silent = true;
        listen_from = 0;
        smooth_interval = 0;
        off_frames = 0;
        band_center = 0;
        alt_frames = 0;
        k_track = -1;
        phase_alt_frames = 0;
        last_detection = last_committed = pending_tap = last_now = grid_beat = kNoFrame;
        grid_period = 0;
        grid_fit.clear();
        now_step = 1;
        last_beat_in_bar = last_meter = 0;
        beat_count = bar_count = 0;
        ntaps = 0;
        set_override(override_bpm);
    }

    void set_override(double bpm) {
        override_bpm = bpm > 0 ? std::clamp(bpm, p.min_bpm, p.max_bpm) : 0.0;
        if (override_bpm > 0) {
            const double interval = kBpmFrames / override_bpm;
            filter.restrict_tempo(int(std::floor(interval * 0.97)), int(std::ceil(interval * 1.03)));
        } else {
            filter.restrict_tempo(0, 0);
            if (holding && hold_left > 1000000) holding = false;  // end the free-running clock
        }
    }

    void add_tap(double frame) {
        if (ntaps > 0 && (frame - taps[std::size_t(ntaps - 1)] > kTapGapFrames || frame <= taps[std::size_t(ntaps - 1)]))
            ntaps = 0;
        if (ntaps == int(taps.size())) {
            std::rotate(taps.begin(), taps.begin() + 1, taps.end());
            --ntaps;
        }
        taps[std::size_t(ntaps++)] = frame;
        if (ntaps < 2) return;
        std::array<double, 8> ibi{};
        for (int i = 1; i < ntaps; ++i) ibi[std::size_t(i - 1)] = taps[std::size_t(i)] - taps[std::size_t(i - 1)];
        const int n = ntaps - 1;
        std::nth_element(ibi.begin(), ibi.begin() + n / 2, ibi.begin() + n);
        set_override(kBpmFrames / ibi[std::size_t(n / 2)]);
        pending_tap = frame;
    }

    // The beat's level against the levels of the last few beats: a drop
    // after a loud passage reads low at once, and a steady passage settles
    // around 0.5 within a couple of bars whatever its loudness.
    float intensity_at(double frame) {
        const auto f = std::int64_t(std::llround(frame));
        double x = -120;
        for (std::int64_t i = f - 1; i <= f + 2; ++i)
            if (st.frame - i < kLevelHistory && i <= st.frame) x = std::max(x, double(level_hist[std::size_t(i & (kLevelHistory - 1))]));
        if (!beat_level_known) {
            beat_level_known = true;
            beat_level_mean = x;
            beat_level_var = 4;
        }
        const double dx = x - beat_level_mean;
        const double value = std::clamp(0.5 + dx / (3.0 * std::sqrt(beat_level_var) + 1.0), 0.0, 1.0);
        const double a = 1.0 / kBeatLevelBeats;
        beat_level_mean += a * dx;
        beat_level_var += a * (dx * dx - beat_level_var);
        return float(value);
    }

    // The period of the beats: the grid's, which follows the detections,
    // once there is one. It is what beats are committed on and what is
    // reported: the posterior's mean tempo (smooth_interval) leans towards
    // the middle of its band, at 187 BPM (16.1 frames) it read 181, and a
    // MIDI clock or light show run from it fell 30 ms behind the beats.
    double beat_period(double fallback) const { return grid_period > 0 ? grid_period : fallback; }

    // the number of the beat `ahead` beats after the last reported one
    int beat_in_bar_ahead(int ahead, int model_beat_in_bar) const {
        if (last_meter <= 0) return model_beat_in_bar;
        return (last_beat_in_bar - 1 + ahead) % last_meter + 1;
    }

    float confidence() const {
        if (gate) return float(std::clamp((st.clarity - p.release_clarity) / (p.lock_clarity + 0.25 - p.release_clarity), 0.2, 1.0));
        if (holding) return float(0.5 * std::min(1.0, double(hold_left) / double(hold_total)));
        return 0.f;
    }

    // `period`: the beats' period, in frames, reported as the tempo
    void emit(BeatSink& sink, double frame, double now, int beat_in_bar, int meter, double period, bool predicted,
              float intensity, std::int64_t index, std::int64_t bar) {
        TrackerBeat b;
        b.frame = frame;
        b.committed = now;
        b.beat_index = index;
        b.bar = bar;
        b.beat_in_bar = beat_in_bar;
        b.beats_per_bar = meter;
        b.bpm = float(override_bpm > 0 ? override_bpm : kBpmFrames / period);
        b.confidence = confidence();
        b.intensity = intensity;
        b.predicted = predicted;
        sink.on_beat(b);
    }

    void detected(BeatSink& sink, double frame, double now, int beat_in_bar, int meter, double period) {
        // The posterior's numbering is taken as it is: holding on to the
        // previous bar's count when it disagrees (for one beat or two) costs
        // more downbeats where it was right than it saves where it was not.
        last_meter = meter;
        ++beat_count;
        if (beat_in_bar == 1 || beat_in_bar <= last_beat_in_bar) ++bar_count;
        last_beat_in_bar = beat_in_bar;
        last_detection = frame;
        last_intensity = intensity_at(frame);
        emit(sink, frame, now, beat_in_bar, meter, period, false, last_intensity, beat_count, bar_count);
    }

    // Phase hysteresis, as the band is for tempo: the posterior often holds
    // the off-beat too (hi-hats, offbeat chords), and its mode crossing over
    // would move every later beat by half a beat. Within a few frames of
    // where the tracked phase is now, the mode is followed; a phase
    // elsewhere takes over only once it has held `switch_ratio` times the
    // mass around the tracked phase for `switch_beats` beats. Returns
    // whether *k was held against the mode.
    bool hold_phase(int* k) {
        if (!gate || k_track < 0 || override_bpm > 0) {
            k_track = *k;
            phase_alt_frames = 0;
            return false;
        }
        const int per = std::max(4, int(std::lround(band_center)));
        auto dist = [per](int a, int b) {
            const int d = std::abs(a - b) % per;
            return std::min(d, per - d);
        };
        const int expect = k_track + 1;
        if (dist(*k, expect) <= kPhaseWindow) {
            phase_alt_frames = 0;
            k_track = *k;
            return false;
        }
        double near_expect = 0, near_top = 0;
        int best = -1;
        for (int i = 0; i < int(band_since.size()); ++i) {
            const float v = band_since[std::size_t(i)];
            if (dist(i, expect) <= kPhaseWindow) {
                near_expect += v;
                if (best < 0 || v > band_since[std::size_t(best)]) best = i;
            }
            if (dist(i, *k) <= kPhaseWindow) near_top += v;
        }
        phase_alt_frames = near_top > p.switch_ratio * near_expect ? phase_alt_frames + 1 : 0;
        if (best < 0 || phase_alt_frames > int(p.switch_beats * per)) {
            phase_alt_frames = 0;
            k_track = *k;
            return false;
        }
        *k = best;
        k_track = best;
        return true;
    }

    // The grid position nearest `frame`, or `frame` itself where the grid is
    // unknown or further than kGridSnapFrames away.
    double nearest_on_grid(double frame) const {
        if (grid_beat < kNoFrame / 2 || grid_period <= 0) return frame;
        const double on = grid_beat + std::round((frame - grid_beat) / grid_period) * grid_period;
        return std::abs(frame - on) <= kGridSnapFrames ? on : frame;
    }

    // A detection at `detection` with the tracker's tempo `interval`: where
    // the beat is reported.
    double beat_on_grid(double detection, double interval) {
        if (std::abs(grid_period / interval - 1.0) > kGridTempoSpread) {  // a new tempo
            grid_period = interval;
            grid_fit.clear();
        }
        const double expect = nearest_on_grid(detection);
        if (expect == detection) {  // no grid yet, or it lost the beat: start afresh
            grid_beat = detection;
            grid_period = interval;
            grid_fit.start(detection);
            return grid_beat;
        }
        const double error = detection - expect;
        grid_fit.add(detection, grid_period);
        grid_beat = expect + kGridGain * error;
        double period = grid_period + kGridPeriodGain * error;
        if (grid_fit.beats() == kGridFitBeats[0] || grid_fit.beats() == kGridFitBeats[1])
            if (const double fitted = grid_fit.period(); fitted > 0) period = fitted;
        grid_period = std::clamp(period, interval * (1 - kGridTempoSpread), interval * (1 + kGridTempoSpread));
        return grid_beat;
    }

    void start_hold(double interval, int meter) {
        holding = true;
        hold_period = interval;
        hold_meter = meter;
        hold_beat = last_beat_in_bar;
        hold_next = last_detection > kNoFrame / 2 ? last_detection + interval : double(st.frame) + interval;
        while (hold_next < double(st.frame) - p.detection_lag) hold_next += interval;
        hold_total = override_bpm > 0 ? std::numeric_limits<int>::max() : std::max(1, p.hold_bars * meter);
        hold_left = hold_total;
    }

    void process(const TrackerFrame& f, double now, BeatSink& sink) {
        const std::int64_t t = f.index;
        // Frames can arrive in bursts with one `now` (a resampler filling
        // its buffer, say at 11025 Hz): the commit window must be wider than
        // the largest step of `now`, or whole beats slip through it.
        if (last_now > kNoFrame / 2 && now > last_now) now_step = std::max(now - last_now, now_step * 0.999);
        last_now = now;
        const double window = std::max(2.0, now_step + 0.5);
        st.frame = t;
        st.level_db = f.level_db;
        level_hist[std::size_t(t & (kLevelHistory - 1))] = f.level_db;
        level_peak = std::max(double(f.level_db), level_peak - 0.3);  // about 2 s from -20 to -60 dB
        const bool silent = level_peak < p.silence_db;
        // Sound after silence, with nothing being tracked: listen afresh, as
        // if the stream started here (the silence would only slow the lock).
        if (was_silent && !silent && !gate && !holding) {
            periodicity.reset();
            onset_periodicity.reset();
            filter.reset();
            listen_from = t;
        }
        was_silent = silent;
        if (track_gaps.step(f.level_db)) after_track_gap = true;
        // The network's memory keeps weak beats going for a couple of
        // seconds into a break: activations count only with sound behind
        // them, a frame near the recent peak level.
        double recent_level = -120;
        for (std::int64_t i = t - 2; i <= t; ++i) recent_level = std::max(recent_level, double(level_hist[std::size_t(i & (kLevelHistory - 1))]));
        if (std::max(f.beat, f.downbeat) >= kEvidence && recent_level >= level_peak - kEvidenceBelowPeakDb) {
            // The beats come back after a break that released the lock, or
            // after a gap between a player's tracks. It may have been the
            // pause between two songs: the posterior cannot leave the old
            // tempo and phase by its own transitions (a jump to an unrelated
            // tempo is all but ruled out), so part of it goes to every state.
            if (((new_song_possible && !gate) || after_track_gap) && double(t) - last_evidence > 2) {
                filter.spread(kNewSongShare);
                new_song_possible = after_track_gap = false;
            }
            last_evidence = double(t);
        }

        st.clarity = float(periodicity.step(double(f.beat) + double(f.downbeat)));
        // the first frames of a stream differ from silence, one huge onset
        // that would dominate the flux's autocorrelation for seconds
        const double onset_clarity = t - listen_from < 3 ? 0.0 : onset_periodicity.step(double(f.onset));

        filter.step(f.beat, f.downbeat);
        if (pending_tap > kNoFrame / 2) {
            const double interval = kBpmFrames / override_bpm;
            const int k = int(std::lround(std::fmod(std::max(0.0, double(t) - pending_tap), interval)));
            filter.set_phase(k);
            last_detection = grid_beat = pending_tap;
            grid_period = interval;
            grid_fit.start(pending_tap);
            pending_tap = kNoFrame;
            if (!gate) start_hold(interval, locked_meter);
        }

        // Posterior estimates within a tempo band. Several metrical levels
        // (186 and 93 BPM, say) live side by side in the posterior, and the
        // strongest of them changes from frame to frame; a band around the
        // tracked tempo, left only when another level clearly dominates for a
        // while, keeps the beats from hopping between them.
        const auto& tempo = filter.tempo();
        const int lo_i = filter.min_interval();
        const int mode = first_max(tempo.data(), int(tempo.size())) + lo_i;
        auto band_of = [&](double c, int* lo, int* hi) {
            *lo = int(std::floor(c * (1.0 - kBandWidth)));
            *hi = int(std::ceil(c * (1.0 + kBandWidth)));
        };
        // the posterior's tempo mass within [lo, hi] frames a beat, and its mean interval there
        struct Mass {
            double mass = 0, mean = 0;
        };
        auto mass_in = [&](int lo, int hi) {
            Mass r;
            for (int i = std::max(lo, lo_i); i <= std::min(hi, filter.max_interval()); ++i) {
                r.mass += tempo[std::size_t(i - lo_i)];
                r.mean += tempo[std::size_t(i - lo_i)] * i;
            }
            if (r.mass > 0) r.mean /= r.mass;
            return r;
        };
        if (band_center <= 0 || (!gate && !holding)) band_center = mode;
        int lo = 0, hi = 0;
        band_of(band_center, &lo, &hi);
        if (gate) {
            double alt_mass = 0;
            int alt = -1;
            for (int i = lo_i; i <= filter.max_interval(); ++i)
                if ((i < lo || i > hi) && (alt < 0 || tempo[std::size_t(i - lo_i)] > tempo[std::size_t(alt - lo_i)])) alt = i;
            if (alt > 0) {
                int alo, ahi;
                band_of(alt, &alo, &ahi);
                alt_mass = mass_in(alo, ahi).mass;
            }
            alt_frames = alt_mass > p.switch_ratio * mass_in(lo, hi).mass ? alt_frames + 1 : 0;
            if (alt > 0 && alt_frames > int(p.switch_beats * alt)) {
                band_center = alt;
                alt_frames = 0;
                band_of(band_center, &lo, &hi);
            }
        }
        filter.band(lo, hi, band_since, band_until);
        int k = first_max(band_since.data(), int(band_since.size()));
        const bool phase_held = hold_phase(&k);
        const int n = 1 + first_max(band_until.data() + 1, int(band_until.size()) - 1);
        // sub-frame: the mean of the mode's neighbourhood
        double n_exact = n;
        {
            double w = 0, m = 0;
            for (int i = std::max(1, n - 2); i <= std::min(int(band_until.size()) - 1, n + 2); ++i) {
                w += band_until[std::size_t(i)];
                m += band_until[std::size_t(i)] * i;
            }
            if (w > 0) n_exact = m / w;
        }
        const Mass band = mass_in(lo, hi);
        double interval = band.mass > 0 ? band.mean : band_center;
        if (override_bpm > 0) interval = kBpmFrames / override_bpm;
        else band_center = interval;  // the band follows the tempo's drift
        if (phase_held) n_exact = std::max(1.0, interval - double(k));  // the tracked phase's next beat
        int meter = 4, beat_in_bar = 1;
        filter.beat_in_bar_at(k, &meter, &beat_in_bar, nullptr, lo, hi);
        const int next_in_bar = beat_in_bar % meter + 1;

        // Lock gate with hysteresis; losing it starts the hold. Early on the
        // clarity rests on few frames, and the largest of ~40 noisy lags is
        // biased upwards by about 2.5 / sqrt(frames): the bar is raised by
        // that excess over its steady-state value.
        const bool warm = double(t - listen_from) >= p.warmup_s * kFrameRate;
        // The activations fall to nothing as soon as the music stops, long
        // before the clarity (a window of seconds) notices: their absence
        // for a beat and a half releases the lock, so a hold starts at the
        // break rather than seconds into it.
        const bool evident = double(t) - last_evidence <= kEvidenceBeats * (smooth_interval > 0 && gate ? smooth_interval : interval);
        const double n_eff = std::min(double(t - listen_from + 1), 2.0 * p.clarity_window_s * kFrameRate);
        const double lock_at = p.lock_clarity + 2.5 * (1.0 / std::sqrt(n_eff) - 1.0 / std::sqrt(2.0 * p.clarity_window_s * kFrameRate));
        // A chance excursion of the clarity (noise, or the network ringing
        // after an onset) is brief; music's stays: it must hold a while. The
        // sound's own onsets must be periodic too: the network rings at
        // 170-190 BPM on rumble (brown noise, wind, traffic), which it hears
        // as kicks, and on sustained chords, while their spectral flux has
        // no period (its clarity stays under 0.17 where music's is 0.45 and
        // more).
        const double onset_lock_at = kOnsetLockClarity + (lock_at - p.lock_clarity);
        above_frames = warm && !silent && evident && st.clarity >= lock_at && onset_clarity >= onset_lock_at ? above_frames + 1 : 0;
        if (!gate && above_frames >= kLockSustainFrames) {
            gate = ever_locked = true;
            holding = false;
        } else if (gate && (silent || !evident || st.clarity < p.release_clarity)) {
            gate = false;
            new_song_possible = silent || !evident;
            if (p.hold_bars > 0 || override_bpm > 0)
                start_hold(beat_period(smooth_interval > 0 ? smooth_interval : locked_interval), locked_meter);
        }
        if (gate) {
            locked_interval = interval;
            locked_meter = meter;
            if (smooth_interval <= 0) smooth_interval = interval;
            off_frames = std::abs(interval / smooth_interval - 1.0) > 0.06 ? off_frames + 1 : 0;
            if (off_frames > int(2 * interval)) {  // a real change (two beats long): follow at once
                smooth_interval = interval;
                off_frames = 0;
            } else {
                smooth_interval += (interval - smooth_interval) / kFrameRate;
            }
        } else if (override_bpm > 0 && !holding) {
            // a pinned tempo keeps a clock going without the music
            start_hold(kBpmFrames / override_bpm, locked_meter);
        }

        if (gate) {
            // a beat k frames ago, reported once it is `detection_lag` old
            const double beat_frame = double(t - k);
            const double grid_interval = override_bpm > 0 ? interval : smooth_interval;
            if (k >= p.detection_lag && beat_frame - last_detection > 0.5 * interval) {
                const double on_grid = beat_on_grid(beat_frame, grid_interval);
                detected(sink, on_grid, now, beat_in_bar, meter, beat_period(grid_interval));
            }
            // commit a beat when it is just over `lead` ahead: the next one,
            // or, where the lead is longer than what is left of this beat
            // (300 ms at 180 BPM), the first beyond it on the grid. It and
            // the status are numbered on from the reported beats.
            const double next = nearest_on_grid(double(t) + n_exact);
            const int steps = k >= p.detection_lag ? 1 : 2;
            const int next_bib = beat_in_bar_ahead(steps, next_in_bar);
            const int bar_meter = last_meter > 0 ? last_meter : meter;
            const double beat_step = std::max(1.0, beat_period(grid_interval));
            double commit = next;
            int ahead = steps;
            while (commit - now < lead_frames) {
                commit += beat_step;
                ++ahead;
            }
            if (commit - now < lead_frames + window && commit - last_committed > 0.5 * interval) {
                last_committed = commit;
                const int bib = beat_in_bar_ahead(ahead, (next_in_bar - 1 + ahead - steps) % meter + 1);
                // bars begun between the last reported beat and this one
                const int bars = last_meter > 0 ? (last_beat_in_bar - 1 + ahead) / last_meter : bib == 1 ? 1 : 0;
                emit(sink, commit, now, bib, bar_meter, beat_step, true, last_intensity, beat_count + ahead,
                     bar_count + bars);
            }
            st.next_beat = next;
            st.next_downbeat = next + double((bar_meter - next_bib + 1) % bar_meter) * beat_step;
            st.phase = std::clamp(1.0 - (next - double(t)) / beat_step, 0.0, 0.999999);
            st.beat_in_bar = beat_in_bar_ahead(steps - 1, beat_in_bar);
            st.beats_per_bar = bar_meter;
            st.bpm = override_bpm > 0 ? override_bpm : kBpmFrames / beat_step;
        } else if (holding) {
            // the frozen grid: report its beats as they pass, commit ahead
            while (holding && hold_next + p.detection_lag <= double(t)) {
                const int bib = hold_beat % hold_meter + 1;
                hold_beat = bib;
                detected(sink, hold_next, now, bib, hold_meter, hold_period);
                hold_next += hold_period;
                if (--hold_left <= 0) holding = false;
            }
            double next = hold_next;
            while (next - now < lead_frames) next += hold_period;
            if (holding && next - now < lead_frames + window && next - last_committed > 0.5 * hold_period) {
                last_committed = next;
                const int ahead_beats = int(std::lround((next - hold_next) / hold_period));
                const int bib = (hold_beat + ahead_beats) % hold_meter + 1;
                emit(sink, next, now, bib, hold_meter, hold_period, true, last_intensity, beat_count + 1 + ahead_beats,
                     bar_count + (bib == 1 ? 1 : 0));
            }
            const int next_bib = hold_beat % hold_meter + 1;
            st.next_beat = hold_next;
            st.next_downbeat = hold_next + double((hold_meter - next_bib + 1) % hold_meter) * hold_period;
            st.phase = std::clamp(1.0 - (hold_next - double(t)) / hold_period, 0.0, 0.999999);
            st.beat_in_bar = hold_beat;
            st.beats_per_bar = hold_meter;
            st.bpm = override_bpm > 0 ? override_bpm : kBpmFrames / hold_period;
        } else {
            st.next_beat = st.next_downbeat = -1;
            st.phase = 0;
            st.beat_in_bar = 0;
            st.beats_per_bar = 0;
            st.bpm = ever_locked ? kBpmFrames / locked_interval : 0.0;
        }
        st.state = gate ? TrackState::locked
                        : holding ? TrackState::hold
                                  : silent ? TrackState::silent
                                           : ever_locked ? TrackState::lost : TrackState::listening;
        st.confidence = confidence();
    }
};

TactusTracker::TactusTracker(const TrackerParams& params) : impl_(std::make_unique<Impl>(params)) {}
TactusTracker::~TactusTracker() = default;
void TactusTracker::process(const TrackerFrame& frame, double now, BeatSink& sink) {
    const DenormalsAreZero fast_tiny_floats;
    impl_->process(frame, now, sink);
}
void TactusTracker::tap(double frame) { impl_->add_tap(frame); }
void TactusTracker::set_bpm_override(double bpm) { impl_->set_override(bpm); }
void TactusTracker::reset() { impl_->reset(); }
void TactusTracker::retune(const TrackerParams& np) {
    TrackerParams& p = impl_->p;
    p.lock_clarity = np.lock_clarity;
    p.release_clarity = np.release_clarity;
    p.hold_bars = np.hold_bars;
    p.silence_db = np.silence_db;
    p.prediction_lead_s = np.prediction_lead_s;
    impl_->lead_frames = np.prediction_lead_s * kFrameRate;
    if (np.bpm_override != impl_->override_bpm) impl_->set_override(np.bpm_override);
    p.bpm_override = np.bpm_override;
}
const TrackerStatus& TactusTracker::status() const { return impl_->st; }
const TrackerParams& TactusTracker::params() const { return impl_->p; }

}  // namespace tactus
