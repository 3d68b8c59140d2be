#pragma once
// The BeatNet particle filter's model as flat, fixed-size tables that can
// be copied to the GPU as they are: the beat/tempo bar-pointer space
// (madmom's, as in beatnet_pf.cpp) with its tempo transitions, and the
// meter space. Built on the host from the engine's state spaces.
#include <stdint.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "tactus/beatnet_pf.hpp"
#include "tactus/cuda/hd.hpp"
#include "tactus/state_space.hpp"

namespace tactus::cuda {

struct PfTables {
    static constexpr int kMaxStates = 4096;    // beat states (1449 with the defaults)
    static constexpr int kMaxTempi = 96;       // beat intervals (42)
    static constexpr int kMaxDownStates = 64;  // meter states (9)
    static constexpr int kMaxMeters = 8;       // (3)
    static constexpr int kMaxParticles = 2000;      // beat particles (1500)
    static constexpr int kMaxDownParticles = 500;   // meter particles (250)

    // configuration
    int particles, down_particles;
    double fps, ig_threshold;
    int near_frames;  // int(0.07 fps) + 1: "the cloud sits at the start of a beat"
    // beat/tempo space
    int num_states, num_tempi;
    int16_t interval[kMaxStates];      // beat interval (frames) of each state
    int16_t tempo_first[kMaxStates];   // first state of the state's tempo
    int8_t last_index[kMaxStates];     // tempo index j if the state is the last of tempo j, else -1
    uint8_t is_first[kMaxStates];
    int16_t first_states[kMaxTempi];
    int16_t next_count[kMaxTempi];              // destinations from the last state of tempo j
    int16_t next_state[kMaxTempi][kMaxTempi];   // ... their first states
    double next_cdf[kMaxTempi][kMaxTempi];      // ... and cumulative probabilities
    // meter space
    int down_num_states, meters;
    int8_t down_last_index[kMaxDownStates];
    uint8_t down_is_first[kMaxDownStates];
    int8_t down_interval[kMaxDownStates];       // beats per bar
    int8_t down_beat_in_bar[kMaxDownStates];    // 1 + round(position * interval)
    int8_t down_first[kMaxMeters];
    double down_cdf[kMaxMeters][kMaxMeters];
};

// Fills `t` (a large struct: allocate it, do not put it on a small stack)
// for a configuration. Throws std::invalid_argument when it does not fit.
inline void build_pf_tables(const BeatNetPfConfig& cfg, PfTables& t) {
    t = PfTables{};
    const BarStateSpace st(1, 60.0 * cfg.fps / cfg.max_bpm, 60.0 * cfg.fps / cfg.min_bpm, cfg.num_tempi);
    const BarStateSpace st2(1, cfg.min_beats_per_bar, cfg.max_beats_per_bar,
                            cfg.max_beats_per_bar - cfg.min_beats_per_bar + 1);
    const auto& first = st.first_states[0];
    const auto& last = st.last_states[0];
    if (st.num_states > PfTables::kMaxStates || int(first.size()) > PfTables::kMaxTempi ||
        st2.num_states > PfTables::kMaxDownStates || int(st2.first_states[0].size()) > PfTables::kMaxMeters ||
        cfg.particles > PfTables::kMaxParticles || cfg.down_particles > PfTables::kMaxDownParticles ||
        cfg.particles < 10 || cfg.down_particles < 10)
        throw std::invalid_argument("particle filter configuration too large for the GPU tables");
    t.particles = cfg.particles;
    t.down_particles = cfg.down_particles;
    t.fps = cfg.fps;
    t.ig_threshold = cfg.ig_threshold;
    t.near_frames = int(0.07 * cfg.fps) + 1;
    t.num_states = st.num_states;
    t.num_tempi = int(first.size());
    for (int s = 0; s < st.num_states; ++s) {
        t.interval[s] = int16_t(st.state_intervals[std::size_t(s)]);
        t.last_index[s] = -1;
    }
    for (int j = 0; j < t.num_tempi; ++j) {
        t.first_states[j] = int16_t(first[std::size_t(j)]);
        t.is_first[first[std::size_t(j)]] = 1;
        t.last_index[last[std::size_t(j)]] = int8_t(j);
        for (int s = first[std::size_t(j)]; s <= last[std::size_t(j)]; ++s) t.tempo_first[s] = int16_t(first[std::size_t(j)]);
    }
    // madmom's transitions out of each last state, in the dense model's
    // order (by destination), as BeatNetParticleFilter draws them
    const DenseTransitions tm = bar_transition_model(st, cfg.lambda_b);
    for (std::size_t k = 0; k < tm.states.size(); ++k) {
        const int j = t.last_index[tm.prev_states[k]];
        if (j < 0) continue;
        const int n = t.next_count[j]++;
        t.next_state[j][n] = int16_t(tm.states[k]);
        t.next_cdf[j][n] = (n ? t.next_cdf[j][n - 1] : 0.0) + tm.probabilities[k];
    }
    t.down_num_states = st2.num_states;
    t.meters = int(st2.first_states[0].size());
    for (int s = 0; s < st2.num_states; ++s) {
        t.down_last_index[s] = -1;
        const int iv = st2.state_intervals[std::size_t(s)];
        t.down_interval[s] = int8_t(iv);
        t.down_beat_in_bar[s] = int8_t(1 + std::lround(st2.state_positions[std::size_t(s)] * iv));
    }
    for (int j = 0; j < t.meters; ++j) {
        t.down_first[j] = int8_t(st2.first_states[0][std::size_t(j)]);
        t.down_is_first[st2.first_states[0][std::size_t(j)]] = 1;
        t.down_last_index[st2.last_states[0][std::size_t(j)]] = int8_t(j);
        double acc = 0;
        for (int k = 0; k < t.meters; ++k) {
            acc += j == k ? 1.0 - cfg.lambda_d : (t.meters > 1 ? cfg.lambda_d / double(t.meters - 1) : 0.0);
            t.down_cdf[j][k] = acc;
        }
    }
}

}  // namespace tactus::cuda
