#pragma once
// madmom's bar-pointer state space (Krebs, Böck & Widmer, ISMIR 2015) and
// its transition model, built as madmom builds them (beats_hmm.py), so the
// arrays equal the ones BeatNet's particle filter uses.
#include <cstdint>
#include <vector>

namespace tactus {

// BeatStateSpace: for each beat interval (in frames) `interval` states with
// positions 0, 1/interval, ... Intervals are round(min)..round(max), or
// `num_intervals` log-spaced ones when fewer are asked for.
struct BeatStateSpace {
    BeatStateSpace(double min_interval, double max_interval, int num_intervals = 0);
    std::vector<int> intervals;
    std::vector<int> first_states, last_states;
    std::vector<double> state_positions;
    std::vector<int> state_intervals;
    int num_states = 0;
};

// BarStateSpace: `num_beats` copies of a beat state space; positions run
// 0..num_beats. first/last_states are per beat.
struct BarStateSpace {
    BarStateSpace(int num_beats, double min_interval, double max_interval, int num_intervals = 0);
    int num_beats;
    int num_states = 0;
    std::vector<double> state_positions;
    std::vector<int> state_intervals;
    std::vector<std::vector<int>> first_states, last_states;  // [beat][interval]
};

// madmom.features.beats_hmm.exponential_transition:
// p(to | from) ~ exp(-lambda * |to / from - 1|), zeroed below machine
// epsilon, rows normalised. Row-major [from][to].
std::vector<double> exponential_transition(const std::vector<int>& from_intervals, const std::vector<int>& to_intervals,
                                           double lambda);

// BarTransitionModel in madmom's dense form (TransitionModel.make_dense):
// triplets sorted by destination state, then by source state. Within a beat
// a state moves to the next one; from the last state of a beat to the first
// state of the next beat the tempo may change.
struct DenseTransitions {
    std::vector<std::int32_t> states;       // destination
    std::vector<std::int32_t> prev_states;  // source
    std::vector<double> probabilities;
};
DenseTransitions bar_transition_model(const BarStateSpace& space, double lambda);

// BeatNet's "B<lambda>" observation pointers: 2 for the downbeat range
// (position < 1/lambda), 1 for other beat ranges (position % 1 < 1/lambda),
// else 0.
std::vector<std::uint32_t> border_observation_pointers(const BarStateSpace& space, int lambda);

}  // namespace tactus
