#pragma once
// Causal (forward) filtering on madmom's bar-pointer model (Krebs, Böck &
// Widmer 2015): for each meter m, m beats of states (tempo interval L in
// frames, position k = 0..L-1 in the beat); positions advance one state per
// frame, and from the last state of a beat to the first of the next the
// tempo may change with p ~ exp(-lambda |L'/L - 1|). Observations use
// madmom's downbeat model: the first 1/lambda_obs of a beat (at most three
// frames) sees the beat activation (the downbeat activation on the bar's
// first beat), the rest (1 - beat - downbeat) / (lambda_obs - 1). Meters
// run side by side in one normalised posterior, so their masses compare.
//
// Worker-side: step() does not allocate.
#include <cstdint>
#include <vector>

namespace tactus {

// The index of the first largest of x[0..n) (n >= 1, finite values), as
// std::max_element gives it, without its chain of n dependent compares.
int first_max(const float* x, int n);

class BarPointerFilter {
public:
    BarPointerFilter(const std::vector<int>& meters, int min_interval, int max_interval, double lambda,
                     int observation_lambda);

    void reset();
    // One frame of (beat, downbeat) probabilities.
    void step(float beat, float downbeat);

    int min_interval() const { return min_interval_; }
    int max_interval() const { return max_interval_; }
    int num_intervals() const { return max_interval_ - min_interval_ + 1; }

    // Marginals of the current posterior (valid after step()):
    // P(k frames since the last beat boundary), k = 0..max_interval-1
    std::vector<float> since_beat() const;
    // P(n frames until the next boundary), n = 1..max_interval (index n)
    std::vector<float> until_beat() const;
    // P(interval), index interval - min_interval
    const std::vector<float>& tempo() const { return tempo_; }
    // The same marginals restricted to tempi in [lo, hi] (frames per beat),
    // normalised within that band; returns the band's share of the total.
    double band(int lo, int hi, std::vector<float>& since, std::vector<float>& until) const;
    // Meter and beat-in-bar (1-based) of the most likely (meter, beat) among
    // the states k frames after a boundary, optionally only for tempi in
    // [lo, hi]; mass_out gets its probability.
    void beat_in_bar_at(int k, int* meter, int* beat, double* mass_out = nullptr, int lo = 0, int hi = 1 << 20) const;
    // Posterior mass of each meter, in the order given.
    std::vector<double> meter_mass() const;
    const std::vector<int>& meters() const { return meters_; }

    // Moves `share` of the posterior evenly onto every allowed state: the
    // music may have changed to anything.
    void spread(float share);
    // Keep only tempi in [lo, hi] (frames per beat); 0, 0 lifts the limit.
    void restrict_tempo(int lo, int hi);
    // Re-seed the phase: all mass at k frames after a boundary (any tempo
    // allowed by the restriction, any meter, any beat).
    void set_phase(int k);

    // Likelihood of the last frame under the model relative to the
    // observation density of the non-beat states (for diagnostics).
    double last_step_scale() const { return scale_; }

private:
    struct Meter {
        int beats;
        std::vector<float> alpha;   // [beat][interval][k], blocks of L states (rings: see base_)
        std::vector<int> block_start;  // per (beat, interval)
    };
    // Sums the posterior (settled) into agg_ and the marginals; returns the
    // total. normalise() then makes the marginals sum to 1.
    double accumulate_marginals();
    void sum_beats();  // agg_ from alpha
    double marginals_from_agg();
    void normalise(double total);
    // Brings every block back to plain order (state k at k) and the
    // posterior to its true scale, for the rare operations that rewrite
    // states (spread, restrict_tempo).
    void settle();
    // at (< 2 L) brought into a ring of L slots
    static int wrap(int at, int L) { return at < L ? at : at - L; }
    // Where state k of a block of interval index i lies (k < its interval)
    int slot(int i, int k) const { return wrap(k + base_[std::size_t(i)], min_interval_ + i); }
    float value(float v) const { return v * inv_total_; }
    bool allowed(int interval) const { return interval >= lo_ && interval <= hi_; }
    // first_scratch_ for panels [p0, p0 + G) of one beat, from last_scratch_
    template <int G>
    void mix_tempi(int p0, float* out) const;

    std::vector<int> meters_;
    int min_interval_, max_interval_, obs_lambda_;
    int panels_;                  // interval transition matrix: 16-row panels
    std::vector<float> trans_;    // [panel][from][16 to] (see bar_pointer_filter.cpp)
    std::vector<float> allowed_;  // 1 for allowed tempi, 0 else (padded)
    std::vector<Meter> m_;
    std::vector<int> beat_range_;  // per interval: states that see the beat activation
    std::vector<float> last_scratch_, first_scratch_;  // first_scratch_: per (meter, beat) row
    std::vector<float*> row_alpha_;  // step(): per row, its beat's states (laid out as agg_)
    std::vector<float> row_ratio_;   // step(): per row, its beat range's likelihood ratio
    std::vector<int> last_at_;       // step(): per interval, its last state's place within a beat
    mutable std::vector<int> at_scratch_;  // beat_in_bar_at(): per interval, state k's place
    std::vector<float> agg_;  // one beat's states, summed over beats and meters (stored scale, rings)
    std::vector<const float*> beat_rows_;  // sum_beats' sources
    std::vector<float> tempo_;
    int lo_, hi_;
    double scale_ = 1.0;
    // Every block is a ring: positions advance by one state a frame, so
    // step() moves base_[i] (per interval, shared by every block of that
    // interval) one back instead of the states one on; state k of a block
    // is at slot(i, k). Only the states the frame changes are written: the
    // first of each block and its beat range (about 1 in 12).
    std::vector<int> base_, next_base_;
    // The states are kept unnormalised: the posterior is alpha * inv_total_
    // (agg_ likewise); step() rescales the stored values only when their
    // total drifts far from 1.
    float inv_total_ = 1.f;
};

}  // namespace tactus
