#include "tactus/beatnet_pf.hpp"

#include <algorithm>
#include <cmath>

#include "tactus/error.hpp"

// Fixes of BeatNet 1.1.3's particle_filtering_cascade.py (each marked FIX
// below where it applies):
//  1. Particles injected at strong activations were never removed: the
//     beat filter calls np.delete() without assigning the result, and both
//     filters delete len(first_states) particles, which is 1 (a list holding
//     one array) where 7 (beat) or 3 (meter) were injected. The population
//     grew with every strong frame. Here exactly as many are removed as
//     were injected.
//  2. The initial particles are drawn from np.arange(0, num_states - 1),
//     so the last state is never drawn. Here every state can be.
//  3. The beat decision at frame i is taken on the particles before they
//     move to frame i, i.e. on the state of frame i - 1, but was stamped
//     i * T: a stray extra step of lag in every reported time. The decision
//     is kept as it is (its timing shapes which beats the filter reports)
//     and stamped with the frame of the state it was taken on.

namespace tactus {

BeatNetParticleFilter::BeatNetParticleFilter(const BeatNetPfConfig& cfg)
    : cfg_(cfg),
      st_(1, 60.0 * cfg.fps / cfg.max_bpm, 60.0 * cfg.fps / cfg.min_bpm, cfg.num_tempi),
      st2_(1, cfg.min_beats_per_bar, cfg.max_beats_per_bar, cfg.max_beats_per_bar - cfg.min_beats_per_bar + 1),
      rng_(cfg.seed) {
    if (cfg.particles < 10 || cfg.down_particles < 10) throw Error("particle filter: too few particles");
    // beat transitions out of each last state (madmom's BarTransitionModel)
    const DenseTransitions tm = bar_transition_model(st_, cfg.lambda_b);
    const auto& last = st_.last_states[0];
    last_index_.assign(std::size_t(st_.num_states), -1);
    for (std::size_t j = 0; j < last.size(); ++j) last_index_[std::size_t(last[j])] = int(j);
    next_states_.resize(last.size());
    next_cdf_.resize(last.size());
    for (std::size_t k = 0; k < tm.states.size(); ++k) {
        const int j = last_index_[std::size_t(tm.prev_states[k])];
        if (j < 0) continue;
        next_states_[std::size_t(j)].push_back(tm.states[k]);
        const double prev = next_cdf_[std::size_t(j)].empty() ? 0.0 : next_cdf_[std::size_t(j)].back();
        next_cdf_[std::size_t(j)].push_back(prev + tm.probabilities[k]);
    }
    // meter transitions: stay with 1 - lambda_d, else uniformly to another meter
    const auto& dfirst = st2_.first_states[0];
    const auto& dlast = st2_.last_states[0];
    const std::size_t meters = dfirst.size();
    down_first_ = dfirst;
    down_last_index_.assign(std::size_t(st2_.num_states), -1);
    down_is_first_.assign(std::size_t(st2_.num_states), 0);
    for (std::size_t j = 0; j < meters; ++j) {
        down_last_index_[std::size_t(dlast[j])] = int(j);
        down_is_first_[std::size_t(dfirst[j])] = 1;
    }
    down_cdf_.assign(meters, std::vector<double>(meters));
    for (std::size_t i = 0; i < meters; ++i) {
        double acc = 0;
        for (std::size_t j = 0; j < meters; ++j) {
            acc += i == j ? 1.0 - cfg.lambda_d : (meters > 1 ? cfg.lambda_d / double(meters - 1) : 0.0);
            down_cdf_[i][j] = acc;
        }
    }
    beat_obs_.assign(std::size_t(st_.num_states), 0.03);
    down_obs_.assign(std::size_t(st2_.num_states), 0.0);
    particles_.reserve(std::size_t(cfg.particles) + last.size());
    down_particles_.reserve(std::size_t(cfg.down_particles) + meters);
    scratch_.reserve(particles_.capacity());
    cdf_scratch_.reserve(particles_.capacity());
    inject_.reserve(last.size());
    reset();
}

void BeatNetParticleFilter::reset() {
    rng_.reseed(cfg_.seed);
    counter_ = -1;
    last_beat_frame_ = 0;  // BeatNet's path starts with a (0 s, label 0) entry
    last_label_ = 0;
    particles_.resize(std::size_t(cfg_.particles));
    for (auto& p : particles_) p = int(rng_.below(std::uint32_t(st_.num_states)));  // FIX 2
    std::sort(particles_.begin(), particles_.end());
    down_particles_.resize(std::size_t(cfg_.down_particles));
    for (auto& p : down_particles_) p = int(rng_.below(std::uint32_t(st2_.num_states)));
    std::sort(down_particles_.begin(), down_particles_.end());
    down_max_ = down_particles_.front();
}

namespace {

// Draws an index from a cumulative distribution.
std::size_t draw(const std::vector<double>& cdf, double u) {
    u *= cdf.back();
    const auto it = std::upper_bound(cdf.begin(), cdf.end(), u);
    return std::min<std::size_t>(std::size_t(it - cdf.begin()), cdf.size() - 1);
}

}  // namespace

void BeatNetParticleFilter::move_beat_particles() {
    // Particles inside a beat advance one state; those at the last state of
    // a tempo jump to the first state of a (maybe different) tempo. Like
    // BeatNet, the jumping particles go to the end of the array.
    scratch_.clear();
    for (int p : particles_)
        if (last_index_[std::size_t(p)] < 0) scratch_.push_back(p + 1);
    for (int p : particles_) {
        const int j = last_index_[std::size_t(p)];
        if (j >= 0) scratch_.push_back(next_states_[std::size_t(j)][draw(next_cdf_[std::size_t(j)], rng_.uniform())]);
    }
    particles_.swap(scratch_);
}

void BeatNetParticleFilter::move_down_particles() {
    scratch_.clear();
    for (int p : down_particles_)
        if (down_last_index_[std::size_t(p)] < 0) scratch_.push_back(p + 1);
    for (int p : down_particles_) {
        const int j = down_last_index_[std::size_t(p)];
        if (j >= 0) scratch_.push_back(down_first_[draw(down_cdf_[std::size_t(j)], rng_.uniform())]);
    }
    down_particles_.swap(scratch_);
}

// BeatNet's universal_resample: stratified resampling (one uniform per
// stratum j/J) over the particles in array order.
void BeatNetParticleFilter::resample(std::vector<int>& particles, const std::vector<double>& weight_of_state) {
    const std::size_t n = particles.size();
    cdf_scratch_.resize(n);
    double total = 0;
    for (std::size_t i = 0; i < n; ++i) cdf_scratch_[i] = total += weight_of_state[std::size_t(particles[i])];
    scratch_.resize(n);
    std::size_t i = 0;
    for (std::size_t j = 0; j < n; ++j) {
        const double u = (rng_.uniform() / double(n) + double(j) / double(n)) * total;
        while (i + 1 < n && cdf_scratch_[i] < u) ++i;
        scratch_[j] = particles[i];
    }
    particles.swap(scratch_);
}

void BeatNetParticleFilter::inject_and_resample(std::vector<int>& particles, const std::vector<int>& inject,
                                                std::size_t keep, const std::vector<double>& weight_of_state) {
    particles.insert(particles.end(), inject.begin(), inject.end());
    resample(particles, weight_of_state);
    // FIX 1: remove as many random particles (among the first `keep`
    // positions, as BeatNet draws them) as were injected.
    for (std::size_t k = 0; k < inject.size(); ++k) {
        const std::size_t at = rng_.below(std::uint32_t(keep - k));
        particles.erase(particles.begin() + std::ptrdiff_t(at));
    }
}

int BeatNetParticleFilter::median_state() {
    // int(np.median(particles)): the mean of the two middle values, truncated
    scratch_ = particles_;
    const std::size_t n = scratch_.size(), mid = n / 2;
    std::nth_element(scratch_.begin(), scratch_.begin() + std::ptrdiff_t(mid), scratch_.end());
    if (n % 2) return scratch_[mid];
    const int hi = scratch_[mid];
    const int lo = *std::max_element(scratch_.begin(), scratch_.begin() + std::ptrdiff_t(mid));
    return int((double(lo) + double(hi)) / 2.0);
}

BeatNetParticleFilter::Decision BeatNetParticleFilter::step(float beat, float downbeat) {
    ++counter_;
    // information gate: weak frames carry no information
    float act = std::max(beat, downbeat);
    if (act < cfg_.ig_threshold) act = 0.03f;

    // a beat when the cloud sits at the start of a beat and the last beat
    // is more than 0.4 beat periods ago
    const int gathering = median_state();
    const int interval = st_.state_intervals[std::size_t(gathering)];
    const auto& firsts = st_.first_states[0];
    int first_of_tempo = 0;
    for (int f : firsts)
        if (st_.state_intervals[std::size_t(f)] == interval) first_of_tempo = f;
    const int near = int(0.07 * cfg_.fps) + 1;
    const double since = double(counter_ - last_beat_frame_);
    Label label = kNone;
    if (gathering - first_of_tempo < near && since > 0.4 * interval) {
        move_down_particles();
        for (std::size_t s = 0; s < down_obs_.size(); ++s) down_obs_[s] = down_is_first_[s] ? downbeat : beat;
        inject_.clear();
        if (downbeat > 0.7f) inject_ = down_first_;
        inject_and_resample(down_particles_, inject_, std::size_t(cfg_.down_particles), down_obs_);
        // the most populated meter state
        int counts[64] = {};
        for (int p : down_particles_) ++counts[p];
        down_max_ = int(std::max_element(counts, counts + st2_.num_states) - counts);
        if (down_is_first_[std::size_t(down_max_)] && last_label_ != kDownbeat && downbeat > 0.4f)
            label = kDownbeat;
        else if (act > 0.4f)
            label = kBeat;
        if (label != kNone) {
            last_beat_frame_ = counter_;
            last_label_ = label;
        }
    }

    // beat particles: motion, then correction with this frame's activation
    move_beat_particles();
    if (act > 0.1f) {
        for (const int s : st_.first_states[0]) beat_obs_[std::size_t(s)] = act;  // "B56": the first states
        inject_.clear();
        if (act > 0.8f)
            for (std::size_t k = rng_.below(4); k < st_.first_states[0].size(); k += 6)
                inject_.push_back(st_.first_states[0][k]);
        inject_and_resample(particles_, inject_, std::size_t(cfg_.particles), beat_obs_);
    }

    return {label, counter_ - 1};  // FIX 3
}

double BeatNetParticleFilter::tempo_bpm() const {
    std::vector<int> s = particles_;
    std::nth_element(s.begin(), s.begin() + std::ptrdiff_t(s.size() / 2), s.end());
    return 60.0 * cfg_.fps / st_.state_intervals[std::size_t(s[s.size() / 2])];
}

int BeatNetParticleFilter::beats_per_bar() const { return st2_.state_intervals[std::size_t(down_max_)]; }

int BeatNetParticleFilter::beat_in_bar() const {
    const double pos = st2_.state_positions[std::size_t(down_max_)];
    return 1 + int(std::lround(pos * st2_.state_intervals[std::size_t(down_max_)]));
}

}  // namespace tactus
