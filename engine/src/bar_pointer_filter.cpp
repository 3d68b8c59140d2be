#include "bar_pointer_filter.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "simd.hpp"
#include "tactus/error.hpp"
#include "tactus/state_space.hpp"

namespace tactus {
namespace {

using simd::vf;
constexpr int L = simd::kLanes;

// madmom's beat range, the first L / lambda_obs states of a beat, grows with
// the interval, but an activation peak is as wide at 55 BPM as at 110. Four
// frames at the slowest tempi (L >= 49) took in more of a peak smeared by a
// room's reverb than the true tempo's two, and won: eval-dev through a room
// had mma-bossa at 55 BPM, not 110 (beat F of those copies 0.631 -> 0.647;
// the clips as they are, 48 unseen renders, shifted and no-beat input score
// alike). Capping at two frames for every L >= 17 cost 0.01 beat F on
// shifted clips.
constexpr int kMaxBeatRange = 3;

// madmom's tempo transitions, exp(-lambda |L'/L - 1|) from L to L' frames a
// beat, except that a hop of one frame costs at most what it costs at 25
// frames (120 BPM). The tempo states are whole frames: a tempo between two
// (180 BPM is 16.7 frames) must alternate, and at lambda = 100 a hop
// between 16 and 17 cost e^-6, against e^-3 between 33 and 34, so a fast
// tempo that drifts fitted its half better (lmms-dirty-love, its speed
// drifting by 2 %, fell from 180 to 90 BPM). Measured against madmom's
// cost on eval-dev 0.762 -> 0.764 (downbeat F 0.622 -> 0.631), its speed
// drifting +-2 % 0.719 -> 0.729 and +-8 % 0.630 -> 0.644, through a room
// 0.647 -> 0.660, 26 unseen OpenTTD renders 0.845 -> 0.855, 22 MMA renders
// 0.897 -> 0.896; level flips within clips 8 -> 3. 20 and 28 frames did
// less well.
constexpr double kOneFrameHopInterval = 25;

std::vector<double> tempo_transitions(const std::vector<int>& intervals, double lambda) {
    auto p = exponential_transition(intervals, intervals, lambda);  // rows normalised
    const std::size_t n = intervals.size();
    for (std::size_t i = 0; i < n; ++i) {
        const double from = intervals[i];
        const double cheaper = std::exp(lambda / from - lambda / std::max(from, kOneFrameHopInterval));
        double sum = 0;
        for (std::size_t j = 0; j < n; ++j) {
            if (std::abs(intervals[j] - intervals[i]) == 1) p[i * n + j] *= cheaper;
            sum += p[i * n + j];
        }
        for (std::size_t j = 0; j < n; ++j) p[i * n + j] /= sum;
    }
    return p;
}

// Sum of n floats with 16 independent partial sums (a plain loop is one long
// dependency chain of additions, several times slower).
float sum(const float* a, int n) {
    vf acc{};
    int i = 0;
    for (; i + L <= n; i += L) acc += simd::load(a + i);
    float s = simd::hsum(acc);
    for (; i < n; ++i) s += a[i];
    return s;
}

}  // namespace

int first_max(const float* x, int n) {
    if (n <= 0) return 0;
    // the largest value in vector lanes (no chain of compares through n),
    // then the first place that holds it, as std::max_element finds it
    float top = x[0];
    int i = 0;
    if (n >= L) {
        vf m = simd::load(x);
        for (i = L; i + L <= n; i += L) m = simd::vmax(m, simd::load(x + i));
        for (int j = 0; j < L; ++j) top = std::max(top, m[j]);
    }
    for (; i < n; ++i) top = std::max(top, x[i]);
    int at = 0;
    while (at < n - 1 && !(x[at] == top)) ++at;
    return at;
}

BarPointerFilter::BarPointerFilter(const std::vector<int>& meters, int min_interval, int max_interval, double lambda,
                                   int observation_lambda)
    : meters_(meters), min_interval_(min_interval), max_interval_(max_interval), obs_lambda_(observation_lambda),
      lo_(min_interval), hi_(max_interval) {
    if (meters.empty() || min_interval < 2 || max_interval < min_interval || observation_lambda < 2)
        throw Error("bar pointer filter: bad configuration");
    std::vector<int> intervals;
    for (int i = min_interval; i <= max_interval; ++i) intervals.push_back(i);
    const int n = num_intervals();
    const auto t = tempo_transitions(intervals, lambda);  // [from][to]
    // Packed as panels of L destination tempi (the vector width): for panel
    // p and source i the L probabilities to tempi Lp..Lp+L-1, so one
    // broadcast of the source mass feeds L destinations.
    panels_ = (n + L - 1) / L;
    trans_.assign(std::size_t(panels_) * std::size_t(n) * L, 0.f);
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j)
            trans_[(std::size_t(j / L) * std::size_t(n) + std::size_t(i)) * L + std::size_t(j % L)] =
                float(t[std::size_t(i * n + j)]);
    allowed_.assign(std::size_t(panels_) * L, 0.f);
    for (auto beats : meters) {
        Meter m;
        m.beats = beats;
        int at = 0;
        for (int b = 0; b < beats; ++b)
            for (int i = 0; i < n; ++i) {
                m.block_start.push_back(at);
                at += min_interval + i;
            }
        m.alpha.assign(std::size_t(at), 0.f);
        m_.push_back(std::move(m));
    }
    // the beat range: the first ceil(L / lambda_obs) states, at most kMaxBeatRange
    for (int i = 0; i < n; ++i)
        beat_range_.push_back(std::min((min_interval + i + observation_lambda - 1) / observation_lambda, kMaxBeatRange));
    last_scratch_.assign(std::size_t(n), 0.f);
    std::size_t rows = 0;
    for (auto beats : meters) rows += std::size_t(beats);
    first_scratch_.assign(std::size_t(panels_) * L * rows, 0.f);
    row_alpha_.assign(rows, nullptr);
    last_at_.assign(std::size_t(n), 0);
    at_scratch_.assign(std::size_t(n), 0);
    row_ratio_.assign(rows, 0.f);
    tempo_.assign(std::size_t(n), 0.f);
    agg_.assign(std::size_t(m_.front().alpha.size() / std::size_t(m_.front().beats)), 0.f);
    for (const auto& m : m_) beat_rows_.resize(beat_rows_.size() + std::size_t(m.beats));
    base_.assign(std::size_t(n), 0);
    next_base_.assign(std::size_t(n), 0);
    reset();
}

void BarPointerFilter::reset() {
    lo_ = min_interval_;
    hi_ = max_interval_;
    set_phase(-1);
}

void BarPointerFilter::restrict_tempo(int lo, int hi) {
    if (lo <= 0 && hi <= 0) {
        lo_ = min_interval_;
        hi_ = max_interval_;
    } else {
        lo_ = std::clamp(lo, min_interval_, max_interval_);
        hi_ = std::clamp(hi, lo_, max_interval_);
    }
    // drop the mass outside; if nothing is left, spread it uniformly inside
    settle();
    const int n = num_intervals();
    for (int i = 0; i < n; ++i) allowed_[std::size_t(i)] = allowed(min_interval_ + i) ? 1.f : 0.f;
    for (auto& m : m_)
        for (int b = 0; b < m.beats; ++b)
            for (int i = 0; i < n; ++i)
                if (!allowed(min_interval_ + i)) {
                    float* a = m.alpha.data() + m.block_start[std::size_t(b * n + i)];
                    std::fill(a, a + min_interval_ + i, 0.f);
                }
    const double total = accumulate_marginals();
    if (total <= 1e-30) set_phase(-1);
    else normalise(total);
}

void BarPointerFilter::spread(float share) {
    const int n = num_intervals();
    double states = 0;
    for (const auto& m : m_)
        for (int i = 0; i < n; ++i)
            if (allowed(min_interval_ + i)) states += double(m.beats) * (min_interval_ + i);
    if (states <= 0) return;
    settle();
    const float each = float(share / states);
    for (auto& m : m_)
        for (int bb = 0; bb < m.beats; ++bb)
            for (int i = 0; i < n; ++i) {
                if (!allowed(min_interval_ + i)) continue;
                float* a = m.alpha.data() + m.block_start[std::size_t(bb * n + i)];
                for (int k = 0; k < min_interval_ + i; ++k) a[k] = (1.f - share) * a[k] + each;
            }
    normalise(accumulate_marginals());
}

void BarPointerFilter::set_phase(int k) {
    const int n = num_intervals();
    for (int i = 0; i < n; ++i) allowed_[std::size_t(i)] = allowed(min_interval_ + i) ? 1.f : 0.f;
    std::fill(base_.begin(), base_.end(), 0);
    inv_total_ = 1.f;
    for (auto& m : m_) {
        std::fill(m.alpha.begin(), m.alpha.end(), 0.f);
        for (int b = 0; b < m.beats; ++b)
            for (int i = 0; i < n; ++i) {
                const int L = min_interval_ + i;
                if (!allowed(L)) continue;
                float* a = m.alpha.data() + m.block_start[std::size_t(b * n + i)];
                if (k < 0) std::fill(a, a + L, 1.f);
                else if (k < L) a[k] = 1.f;
            }
    }
    const double total = accumulate_marginals();
    if (total > 0) normalise(total);
}

template <int G>
void BarPointerFilter::mix_tempi(int p0, float* out) const {
    // G panels side by side: G independent chains of multiply-adds (one
    // chain waits on the adder's latency at every source tempo)
    const int n = num_intervals();
    const std::size_t panel_stride = std::size_t(n) * L;
    const float* w = trans_.data() + std::size_t(p0) * panel_stride;
    vf acc[G] = {};
    for (int i = 0; i < n; ++i) {
        const vf mass = simd::splat(last_scratch_[std::size_t(i)]);
#pragma GCC unroll 4
        for (int g = 0; g < G; ++g) acc[g] += simd::load(w + std::size_t(g) * panel_stride + std::size_t(i) * L) * mass;
    }
#pragma GCC unroll 4
    for (int g = 0; g < G; ++g)
        simd::store(out + (p0 + g) * L, acc[g] * simd::load(allowed_.data() + (p0 + g) * L));
}

void BarPointerFilter::step(float beat, float downbeat) {
    const int n = num_intervals();
    const float b = std::clamp(beat, 1e-4f, 0.999f);
    const float d = std::clamp(downbeat, 1e-4f, 0.999f);
    const float none = std::max(1.f - b - d, 1e-4f) / float(obs_lambda_ - 1);
    // Only ratios matter (the posterior is normalised), so the non-beat
    // states keep their value and the beat ranges are scaled.
    const float beat_ratio = b / none, down_ratio = d / none;
    // One frame on: state k takes state k - 1's mass, which is where it
    // lies when the ring's base moves one back; the slot of the last state
    // becomes the first's.
    for (int i = 0; i < n; ++i) {
        const int at = base_[std::size_t(i)];
        next_base_[std::size_t(i)] = at == 0 ? min_interval_ + i - 1 : at - 1;
    }
    // The first state of each beat receives the tempo-mixed mass of the
    // previous beat's last states: every meter's and beat's, all read
    // before any state is written. Row r is a (meter, beat) in meter and
    // beat order.
    const std::size_t beat_states = agg_.size();
    const std::size_t first_stride = std::size_t(panels_) * L;
    const std::vector<int>& offset = m_.front().block_start;  // interval i's block within a beat
    // where each interval's last state lies within a beat (the same in every beat)
    for (int i = 0; i < n; ++i) last_at_[std::size_t(i)] = offset[std::size_t(i)] + slot(i, min_interval_ + i - 1);
    std::size_t rows = 0;
    for (auto& m : m_) {
        float* alpha = m.alpha.data();
        for (int bb = 0; bb < m.beats; ++bb, ++rows) {
            const int from_beat = (bb + m.beats - 1) % m.beats;
            const float* from = alpha + std::size_t(from_beat) * beat_states;
            for (int i = 0; i < n; ++i) last_scratch_[std::size_t(i)] = from[last_at_[std::size_t(i)]];
            float* out = first_scratch_.data() + rows * first_stride;
            int p = 0;
            for (; p + 4 <= panels_; p += 4) mix_tempi<4>(p, out);
            switch (panels_ - p) {  // the rest side by side too
            case 3: mix_tempi<3>(p, out); break;
            case 2: mix_tempi<2>(p, out); break;
            case 1: mix_tempi<1>(p, out); break;
            default: break;
            }
            row_alpha_[rows] = alpha + std::size_t(bb) * beat_states;  // beat bb's blocks, as agg_'s
            row_ratio_[rows] = bb == 0 ? down_ratio : beat_ratio;
        }
    }
    // The first states and the beat ranges see the activation. agg_ changes
    // where they do, and is summed there afresh, state by state, in meter
    // and beat order (the rows' order): the same sums as row by row, with
    // each state's indices worked out once for all the rows.
    float* agg = agg_.data();
    for (int i = 0; i < n; ++i) {
        const int Li = min_interval_ + i, q = next_base_[std::size_t(i)];
        const std::size_t block = std::size_t(offset[std::size_t(i)]);
        {
            const std::size_t j = block + std::size_t(q);
            float sum = 0.f;
            for (std::size_t r = 0; r < rows; ++r) {
                const float v = first_scratch_[r * first_stride + std::size_t(i)] * row_ratio_[r];
                row_alpha_[r][j] = v;
                sum += v;
            }
            agg[j] = sum;
        }
        for (int k = 1; k < beat_range_[std::size_t(i)]; ++k) {
            const std::size_t j = block + std::size_t(wrap(q + k, Li));
            float sum = 0.f;
            for (std::size_t r = 0; r < rows; ++r) {
                const float v = row_alpha_[r][j] * row_ratio_[r];
                row_alpha_[r][j] = v;
                sum += v;
            }
            agg[j] = sum;
        }
    }
    base_.swap(next_base_);
    const double total = marginals_from_agg();
    scale_ = total * double(inv_total_);
    if (!(scale_ > 1e-30)) {  // every state ruled out: start over
        set_phase(-1);
        return;
    }
    normalise(total);
    // The stored states drift with the product of every frame's likelihood:
    // bring them back to scale long before a float runs out of range.
    if (!(total > 1e-10 && total < 1e10)) {
        const float inv = inv_total_;
        for (auto& m : m_)
            for (float& v : m.alpha) v *= inv;
        for (float& v : agg_) v *= inv;
        inv_total_ = 1.f;
    }
}

double BarPointerFilter::accumulate_marginals() {
    settle();
    sum_beats();
    return marginals_from_agg();
}

void BarPointerFilter::sum_beats() {
    // Every beat of every meter is one contiguous run of the same interval
    // blocks: agg_ is their sum, state by state, in one pass (each sum in
    // meter and beat order), so the per-block loops of the marginals run
    // over one beat's states only.
    const std::size_t beat_states = agg_.size();
    std::size_t n = 0;
    for (const auto& m : m_)
        for (int bb = 0; bb < m.beats; ++bb) beat_rows_[n++] = m.alpha.data() + std::size_t(bb) * beat_states;
    float* __restrict agg = agg_.data();
    std::size_t j = 0;
    for (; j + L <= beat_states; j += L) {
        vf sum = simd::load(beat_rows_[0] + j);
        for (std::size_t b = 1; b < n; ++b) sum += simd::load(beat_rows_[b] + j);
        simd::store(agg + j, sum);
    }
    for (; j < beat_states; ++j) {
        float sum = beat_rows_[0][j];
        for (std::size_t b = 1; b < n; ++b) sum += beat_rows_[b][j];
        agg[j] = sum;
    }
}

double BarPointerFilter::marginals_from_agg() {
    // the tempo marginal only: the phase marginals (since_beat, until_beat,
    // band) are summed from agg_ when asked for
    const int n = num_intervals();
    double total = 0;
    for (int i = 0; i < n; ++i) {
        tempo_[std::size_t(i)] = sum(agg_.data() + m_.front().block_start[std::size_t(i)], min_interval_ + i);
        total += tempo_[std::size_t(i)];
    }
    return total;
}

void BarPointerFilter::normalise(double total) {
    inv_total_ = float(1.0 / total);
    for (float& v : tempo_) v *= inv_total_;
}

std::vector<float> BarPointerFilter::since_beat() const {
    std::vector<float> since, until;
    band(min_interval_, max_interval_, since, until);
    return since;
}

std::vector<float> BarPointerFilter::until_beat() const {
    std::vector<float> since, until;
    band(min_interval_, max_interval_, since, until);
    return until;
}

void BarPointerFilter::settle() {
    if (inv_total_ == 1.f && std::all_of(base_.begin(), base_.end(), [](int b) { return b == 0; })) return;
    const int n = num_intervals();
    const float inv = inv_total_;
    auto unroll = [&](float* a, int i) {
        const int L = min_interval_ + i;
        std::rotate(a, a + base_[std::size_t(i)], a + L);
        for (int k = 0; k < L; ++k) a[k] *= inv;
    };
    for (auto& m : m_)
        for (int bb = 0; bb < m.beats; ++bb)
            for (int i = 0; i < n; ++i) unroll(m.alpha.data() + m.block_start[std::size_t(bb * n + i)], i);
    for (int i = 0; i < n; ++i) unroll(agg_.data() + m_.front().block_start[std::size_t(i)], i);
    std::fill(base_.begin(), base_.end(), 0);
    inv_total_ = 1.f;
}

double BarPointerFilter::band(int lo, int hi, std::vector<float>& since, std::vector<float>& until) const {
    since.assign(std::size_t(max_interval_), 0.f);
    until.assign(std::size_t(max_interval_) + 1, 0.f);
    const int n = num_intervals();
    double mass = 0;
    for (int i = std::max(0, lo - min_interval_); i < n && min_interval_ + i <= hi; ++i) {
        const int L = min_interval_ + i;
        const float* a = agg_.data() + m_.front().block_start[std::size_t(i)];
        for (int k = 0; k < L; ++k) {
            const float v = a[slot(i, k)];
            since[std::size_t(k)] += v;
            until[std::size_t(L - k)] += v;
        }
        mass += tempo_[std::size_t(i)];
    }
    if (mass > 0) {
        const float inv = float(double(inv_total_) / mass);
        for (float& v : since) v *= inv;
        for (float& v : until) v *= inv;
    }
    return mass;
}

void BarPointerFilter::beat_in_bar_at(int k, int* meter, int* beat, double* mass_out, int lo, int hi) const {
    const int n = num_intervals();
    double best = -1;
    *meter = meters_.front();
    *beat = 1;
    const int first = std::max({0, k + 1 - min_interval_, lo - min_interval_});
    const int last = std::min(n - 1, hi - min_interval_);
    // state k's place within a beat, per interval (the same in every beat)
    const std::vector<int>& offset = m_.front().block_start;
    for (int i = first; i <= last; ++i) at_scratch_[std::size_t(i)] = offset[std::size_t(i)] + slot(i, k);
    const std::size_t beat_states = agg_.size();
    for (const auto& m : m_)
        for (int bb = 0; bb < m.beats; ++bb) {
            double mass = 0;
            const float* a = m.alpha.data() + std::size_t(bb) * beat_states;
            for (int i = first; i <= last; ++i) mass += value(a[at_scratch_[std::size_t(i)]]);
            if (mass > best) {
                best = mass;
                *meter = m.beats;
                *beat = bb + 1;
            }
        }
    if (mass_out) *mass_out = best;
}

std::vector<double> BarPointerFilter::meter_mass() const {
    std::vector<double> out;
    for (const auto& m : m_) {
        float total = 0.f;
        for (float v : m.alpha) total += value(v);
        out.push_back(double(total));
    }
    return out;
}

}  // namespace tactus
