// The bar-pointer state spaces and transition model equal the arrays
// BeatNet's particle filter builds with madmom (integers exactly).
#include <catch2/catch.hpp>

#include "npy.hpp"
#include "paths.hpp"
#include "tactus/state_space.hpp"

using namespace tactus;
using tactus::test::load_npy;
using tactus::test::reference;

namespace {

template <class T>
void require_equal(const std::vector<T>& got, const std::string& file) {
    const auto ref = load_npy(reference(file));
    REQUIRE(got.size() == ref.data.size());
    for (std::size_t i = 0; i < got.size(); ++i) REQUIRE(double(got[i]) == ref.data[i]);
}

}  // namespace

TEST_CASE("the beat state space (55-215 BPM at 50 fps) has 42 tempi and 1449 states like BeatNet's", "[state_space]") {
    const BarStateSpace st(1, 60.0 * 50 / 215, 60.0 * 50 / 55, 300);
    CHECK(st.num_states == 1449);
    require_equal(st.state_positions, "pf_beat_state_positions.npy");
    require_equal(st.state_intervals, "pf_beat_state_intervals.npy");
    require_equal(st.first_states[0], "pf_beat_first_states.npy");
    require_equal(st.last_states[0], "pf_beat_last_states.npy");
    require_equal(border_observation_pointers(st, 56), "pf_beat_om_pointers.npy");
    const auto tm = bar_transition_model(st, 60);
    require_equal(tm.states, "pf_beat_tm_states.npy");
    require_equal(tm.prev_states, "pf_beat_tm_prev_states.npy");
    const auto ref_p = load_npy(reference("pf_beat_tm_probabilities.npy"));
    REQUIRE(tm.probabilities.size() == ref_p.data.size());
    for (std::size_t i = 0; i < ref_p.data.size(); ++i) CHECK(tm.probabilities[i] == Approx(ref_p.data[i]).epsilon(1e-12));
}

TEST_CASE("the meter state space (2-4 beats per bar) matches, with its 0.9/0.05 meter transitions", "[state_space]") {
    const BarStateSpace st(1, 2, 4, 3);
    CHECK(st.num_states == 9);
    require_equal(st.state_positions, "pf_down_state_positions.npy");
    require_equal(st.state_intervals, "pf_down_state_intervals.npy");
    require_equal(st.first_states[0], "pf_down_first_states.npy");
    require_equal(st.last_states[0], "pf_down_last_states.npy");
    require_equal(border_observation_pointers(st, 56), "pf_down_om_pointers.npy");
}

TEST_CASE("log-spaced tempi are used when fewer intervals than integers are asked for", "[state_space]") {
    const BeatStateSpace st(10, 100, 20);
    CHECK(st.intervals.size() >= 20);
    CHECK(st.intervals.front() == 10);
    CHECK(st.intervals.back() == 100);
    CHECK(std::is_sorted(st.intervals.begin(), st.intervals.end()));
}

TEST_CASE("transition rows are probability distributions", "[state_space]") {
    const BarStateSpace st(3, 14, 55);
    const auto tm = bar_transition_model(st, 100);
    std::vector<double> out(std::size_t(st.num_states), 0.0);
    for (std::size_t i = 0; i < tm.states.size(); ++i) out[std::size_t(tm.prev_states[i])] += tm.probabilities[i];
    for (double s : out) CHECK(s == Approx(1.0).epsilon(1e-12));
}
