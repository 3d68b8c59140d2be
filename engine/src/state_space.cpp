#include "tactus/state_space.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <tuple>

#include "tactus/error.hpp"

namespace tactus {
namespace {

// numpy.round: half to even (the default floating-point rounding mode).
double np_round(double x) { return std::nearbyint(x); }

}  // namespace

BeatStateSpace::BeatStateSpace(double min_interval, double max_interval, int num_intervals) {
    if (!(min_interval >= 1.0) || !(max_interval >= min_interval))
        throw Error("beat state space: bad interval range");
    for (double i = np_round(min_interval); i <= np_round(max_interval); i += 1.0) intervals.push_back(int(i));
    if (num_intervals > 0 && num_intervals < int(intervals.size())) {
        // log spacing, adding points until enough unique intervals remain
        int num_log = num_intervals;
        std::vector<int> got;
        while (int(got.size()) < num_intervals) {
            got.clear();
            const double a = std::log2(min_interval), b = std::log2(max_interval);
            for (int k = 0; k < num_log; ++k) {
                const double e = num_log == 1 ? a : a + (b - a) * k / (num_log - 1);
                got.push_back(int(np_round(std::pow(2.0, e))));
            }
            std::sort(got.begin(), got.end());
            got.erase(std::unique(got.begin(), got.end()), got.end());
            ++num_log;
        }
        intervals = got;
    }
    for (int i : intervals) {
        first_states.push_back(num_states);
        for (int k = 0; k < i; ++k) {
            state_positions.push_back(double(k) * (1.0 / i));  // np.linspace(0, 1, i, endpoint=False)
            state_intervals.push_back(i);
        }
        num_states += i;
        last_states.push_back(num_states - 1);
    }
}

BarStateSpace::BarStateSpace(int num_beats_, double min_interval, double max_interval, int num_intervals)
    : num_beats(num_beats_) {
    const BeatStateSpace bss(min_interval, max_interval, num_intervals);
    for (int b = 0; b < num_beats; ++b) {
        for (double p : bss.state_positions) state_positions.push_back(p + b);
        state_intervals.insert(state_intervals.end(), bss.state_intervals.begin(), bss.state_intervals.end());
        std::vector<int> f, l;
        for (int s : bss.first_states) f.push_back(s + num_states);
        for (int s : bss.last_states) l.push_back(s + num_states);
        first_states.push_back(f);
        last_states.push_back(l);
        num_states += bss.num_states;
    }
}

std::vector<double> exponential_transition(const std::vector<int>& from, const std::vector<int>& to, double lambda) {
    const std::size_t nf = from.size(), nt = to.size();
    std::vector<double> p(nf * nt);
    const double eps = std::numeric_limits<double>::epsilon();
    for (std::size_t i = 0; i < nf; ++i) {
        double sum = 0;
        for (std::size_t j = 0; j < nt; ++j) {
            const double ratio = double(to[j]) / double(from[i]);
            double v = std::exp(-lambda * std::abs(ratio - 1.0));
            if (v <= eps) v = 0;
            p[i * nt + j] = v;
            sum += v;
        }
        for (std::size_t j = 0; j < nt; ++j) p[i * nt + j] /= sum;
    }
    return p;
}

DenseTransitions bar_transition_model(const BarStateSpace& space, double lambda) {
    std::vector<std::tuple<int, int, double>> t;  // (to, from, p)
    std::vector<char> is_first(std::size_t(space.num_states), 0);
    for (const auto& fs : space.first_states)
        for (int s : fs) is_first[std::size_t(s)] = 1;
    for (int s = 0; s < space.num_states; ++s)
        if (!is_first[std::size_t(s)]) t.emplace_back(s, s - 1, 1.0);
    for (int beat = 0; beat < space.num_beats; ++beat) {
        const auto& to_states = space.first_states[std::size_t(beat)];
        const auto& from_states = space.last_states[std::size_t((beat + space.num_beats - 1) % space.num_beats)];
        std::vector<int> from_int, to_int;
        for (int s : from_states) from_int.push_back(space.state_intervals[std::size_t(s)]);
        for (int s : to_states) to_int.push_back(space.state_intervals[std::size_t(s)]);
        const auto p = exponential_transition(from_int, to_int, lambda);
        for (std::size_t i = 0; i < from_states.size(); ++i)
            for (std::size_t j = 0; j < to_states.size(); ++j)
                if (p[i * to_states.size() + j] != 0)
                    t.emplace_back(to_states[j], from_states[i], p[i * to_states.size() + j]);
    }
    std::sort(t.begin(), t.end(), [](const auto& a, const auto& b) {
        return std::tie(std::get<0>(a), std::get<1>(a)) < std::tie(std::get<0>(b), std::get<1>(b));
    });
    DenseTransitions d;
    for (const auto& [to, from, p] : t) {
        d.states.push_back(to);
        d.prev_states.push_back(from);
        d.probabilities.push_back(p);
    }
    return d;
}

std::vector<std::uint32_t> border_observation_pointers(const BarStateSpace& space, int lambda) {
    std::vector<std::uint32_t> ptr(std::size_t(space.num_states), 0);
    const double border = 1.0 / lambda;
    for (int s = 0; s < space.num_states; ++s) {
        const double pos = space.state_positions[std::size_t(s)];
        if (std::fmod(pos, 1.0) < border) ptr[std::size_t(s)] = 1;
        if (pos < border) ptr[std::size_t(s)] = 2;
    }
    return ptr;
}

}  // namespace tactus
