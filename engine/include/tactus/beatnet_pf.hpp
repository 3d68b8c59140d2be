#pragma once
// BeatNet's cascade particle filter (Heydari et al., ISMIR 2021;
// particle_filtering_cascade.py of BeatNet 1.1.3), ported faithfully:
// 1500 particles over the beat/tempo bar-pointer space (55-215 BPM,
// lambda 60, "B56" observations, information gate 0.4), and 250 particles
// over the meter space (2-4 beats per bar, lambda_d 0.1), moved one beat at
// each detected beat. Its plain bugs are fixed (see beatnet_pf.cpp). With a
// seed it is deterministic. Worker-side: no allocation per frame.
#include <cstdint>
#include <vector>

#include "tactus/rng.hpp"
#include "tactus/state_space.hpp"

namespace tactus {

struct BeatNetPfConfig {
    double fps = 50.0;
    double min_bpm = 55.0, max_bpm = 215.0;
    int num_tempi = 300;
    int particles = 1500;
    int down_particles = 250;
    double lambda_b = 60.0;
    double lambda_d = 0.1;
    int min_beats_per_bar = 2, max_beats_per_bar = 4;
    double ig_threshold = 0.4;
    std::uint64_t seed = 1;
};

class BeatNetParticleFilter {
public:
    enum Label { kNone = 0, kDownbeat = 1, kBeat = 2 };  // BeatNet's labels

    struct Decision {
        Label label;
        std::int64_t frame;  // the frame the decision is about (see FIX 3)
    };

    explicit BeatNetParticleFilter(const BeatNetPfConfig& config = {});
    // One frame of activations in; out the decision taken at this frame,
    // which (as in BeatNet) is about the state of the previous frame.
    Decision step(float beat, float downbeat);
    void reset();

    std::int64_t frames() const { return counter_ + 1; }
    // Tempo of the particle cloud's median state (BPM).
    double tempo_bpm() const;
    // Beats per bar of the most populated meter state.
    int beats_per_bar() const;
    int beat_in_bar() const;  // 1 = downbeat, of the last detected beat

private:
    void move_beat_particles();
    void move_down_particles();
    void resample(std::vector<int>& particles, const std::vector<double>& weight_of_state);
    void inject_and_resample(std::vector<int>& particles, const std::vector<int>& inject, std::size_t keep,
                             const std::vector<double>& weight_of_state);
    int median_state();

    BeatNetPfConfig cfg_;
    BarStateSpace st_, st2_;
    // from each last beat state: destination first states and their CDF
    std::vector<int> last_index_;                      // state -> index in last_states, or -1
    std::vector<std::vector<int>> next_states_;
    std::vector<std::vector<double>> next_cdf_;
    std::vector<int> down_last_index_;
    std::vector<std::vector<double>> down_cdf_;      // meter transition CDF per meter
    std::vector<int> down_first_;
    std::vector<char> down_is_first_;
    std::vector<double> beat_obs_, down_obs_;          // per-state weights of the frame
    std::vector<int> particles_, down_particles_;
    std::vector<int> scratch_;
    std::vector<double> cdf_scratch_;
    std::vector<int> inject_;
    Rng rng_;
    std::int64_t counter_ = -1;
    std::int64_t last_beat_frame_ = -1;
    int last_label_ = 0;
    int down_max_ = 0;
};

}  // namespace tactus
