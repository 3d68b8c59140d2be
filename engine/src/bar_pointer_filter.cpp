#include "bar_pointer_filter.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "tactus/error.hpp"
#include "tactus/state_space.hpp"

namespace tactus {

BarPointerFilter::BarPointerFilter(const std::vector<int>& meters, int min_interval, int max_interval, double lambda,
                                   int observation_lambda)
    : meters_(meters), min_interval_(min_interval), max_interval_(max_interval), obs_lambda_(observation_lambda),
      lo_(min_interval), hi_(max_interval) {
    if (meters.empty() || min_interval < 2 || max_interval < min_interval || observation_lambda < 2)
        throw Error("bar pointer filter: bad configuration");
    std::vector<int> intervals;
    for (int i = min_interval; i <= max_interval; ++i) intervals.push_back(i);
    trans_ = exponential_transition(intervals, intervals, lambda);
    const int n = num_intervals();
    for (int beats : meters) {
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
    last_scratch_.resize(std::size_t(n));
    first_scratch_.resize(std::size_t(n) * std::size_t(*std::max_element(meters.begin(), meters.end())));
    since_.assign(std::size_t(max_interval), 0.0);
    until_.assign(std::size_t(max_interval) + 1, 0.0);
    tempo_.assign(std::size_t(n), 0.0);
    reset();
}

void BarPointerFilter::reset() {
    std::size_t total = 0;
    for (const auto& m : m_) total += m.alpha.size();
    for (auto& m : m_) std::fill(m.alpha.begin(), m.alpha.end(), float(1.0 / double(total)));
    lo_ = min_interval_;
    hi_ = max_interval_;
    marginals();
}

void BarPointerFilter::restrict_tempo(int lo, int hi) {
    if (lo <= 0 && hi <= 0) {
        lo_ = min_interval_;
        hi_ = max_interval_;
        return;
    }
    lo_ = std::clamp(lo, min_interval_, max_interval_);
    hi_ = std::clamp(hi, lo_, max_interval_);
    // drop the mass outside; if nothing is left, spread it uniformly inside
    const int n = num_intervals();
    double kept = 0;
    for (auto& m : m_)
        for (int b = 0; b < m.beats; ++b)
            for (int i = 0; i < n; ++i) {
                float* a = m.alpha.data() + m.block_start[std::size_t(b * n + i)];
                const int L = min_interval_ + i;
                if (!allowed(L)) std::fill(a, a + L, 0.f);
                else for (int k = 0; k < L; ++k) kept += a[k];
            }
    if (kept <= 1e-30) set_phase(-1);
    else
        for (auto& m : m_)
            for (float& v : m.alpha) v = float(v / kept);
    marginals();
}

void BarPointerFilter::set_phase(int k) {
    const int n = num_intervals();
    std::size_t count = 0;
    for (auto& m : m_) {
        std::fill(m.alpha.begin(), m.alpha.end(), 0.f);
        for (int b = 0; b < m.beats; ++b)
            for (int i = 0; i < n; ++i) {
                const int L = min_interval_ + i;
                if (!allowed(L)) continue;
                count += k < 0 ? std::size_t(L) : (k < L ? 1 : 0);
            }
    }
    if (count == 0) return;
    const float w = float(1.0 / double(count));
    for (auto& m : m_)
        for (int b = 0; b < m.beats; ++b)
            for (int i = 0; i < n; ++i) {
                const int L = min_interval_ + i;
                if (!allowed(L)) continue;
                float* a = m.alpha.data() + m.block_start[std::size_t(b * n + i)];
                if (k < 0) std::fill(a, a + L, w);
                else if (k < L) a[k] = w;
            }
    marginals();
}

void BarPointerFilter::step(float beat, float downbeat) {
    const int n = num_intervals();
    const float b = std::clamp(beat, 1e-4f, 0.999f);
    const float d = std::clamp(downbeat, 1e-4f, 0.999f);
    const float none = std::max(1.f - b - d, 1e-4f) / float(obs_lambda_ - 1);
    // Only ratios matter (the posterior is normalised), so the non-beat
    // states keep their value and the beat ranges are scaled.
    const float beat_ratio = b / none, down_ratio = d / none;
    double total = 0;
    for (auto& m : m_) {
        float* alpha = m.alpha.data();
        // The first state of each beat receives the tempo-mixed mass of the
        // previous beat's last states (computed before the shift below).
        for (int bb = 0; bb < m.beats; ++bb) {
            const int from_beat = (bb + m.beats - 1) % m.beats;
            for (int i = 0; i < n; ++i)
                last_scratch_[std::size_t(i)] = alpha[m.block_start[std::size_t(from_beat * n + i)] + min_interval_ + i - 1];
            for (int j = 0; j < n; ++j) {
                double acc = 0;
                if (allowed(min_interval_ + j))
                    for (int i = 0; i < n; ++i) acc += double(last_scratch_[std::size_t(i)]) * trans_[std::size_t(i * n + j)];
                first_scratch_[std::size_t(bb * n + j)] = float(acc);
            }
        }
        // Every other state takes its left neighbour's mass: one frame on.
        std::memmove(alpha + 1, alpha, (m.alpha.size() - 1) * sizeof(float));
        for (int bb = 0; bb < m.beats; ++bb) {
            const float r = bb == 0 ? down_ratio : beat_ratio;
            for (int i = 0; i < n; ++i) {
                const int L = min_interval_ + i;
                float* a = alpha + m.block_start[std::size_t(bb * n + i)];
                a[0] = first_scratch_[std::size_t(bb * n + i)];
                // the beat range: the first ceil(L / lambda_obs) states
                const int range = (L + obs_lambda_ - 1) / obs_lambda_;
                for (int k = 0; k < range; ++k) a[k] *= r;
            }
        }
        for (float v : m.alpha) total += v;
    }
    scale_ = total;
    if (!(total > 1e-30)) {  // every state ruled out (cannot happen with clamped observations)
        reset();
        return;
    }
    // Normalise, and flush vanishing masses to zero so they never become
    // denormals (which are slow on x86).
    const float inv = float(1.0 / total);
    for (auto& m : m_)
        for (float& v : m.alpha) {
            v *= inv;
            v = v < 1e-30f ? 0.f : v;
        }
    marginals();
}

void BarPointerFilter::marginals() {
    std::fill(since_.begin(), since_.end(), 0.0);
    std::fill(until_.begin(), until_.end(), 0.0);
    std::fill(tempo_.begin(), tempo_.end(), 0.0);
    const int n = num_intervals();
    for (const auto& m : m_)
        for (int bb = 0; bb < m.beats; ++bb)
            for (int i = 0; i < n; ++i) {
                const int L = min_interval_ + i;
                const float* a = m.alpha.data() + m.block_start[std::size_t(bb * n + i)];
                double sum = 0;
                for (int k = 0; k < L; ++k) {
                    since_[std::size_t(k)] += a[k];
                    until_[std::size_t(L - k)] += a[k];
                    sum += a[k];
                }
                tempo_[std::size_t(i)] += sum;
            }
}

void BarPointerFilter::beat_in_bar_at(int k, int* meter, int* beat, double* mass_out) const {
    const int n = num_intervals();
    double best = -1;
    *meter = meters_.front();
    *beat = 1;
    for (const auto& m : m_)
        for (int bb = 0; bb < m.beats; ++bb) {
            double mass = 0;
            for (int i = 0; i < n; ++i) {
                const int L = min_interval_ + i;
                if (k < L) mass += m.alpha[std::size_t(m.block_start[std::size_t(bb * n + i)] + k)];
            }
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
        double s = 0;
        for (float v : m.alpha) s += v;
        out.push_back(s);
    }
    return out;
}

}  // namespace tactus
