#pragma once
// Synthetic test audio with known beats.
#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <vector>

namespace tactus::test {

// A drum-machine groove: in 4/4 kick on beats 1 and 3 and snare on 2 and 4,
// in other meters kick on 1 and snare on the rest; hats on eighths; at `bpm`,
// `seconds` long, starting with a beat at `first` s.
inline std::vector<float> groove(double rate, double bpm, double seconds, double first = 0.25, std::uint32_t seed = 1,
                                 int beats_per_bar = 4) {
    std::vector<float> x(std::size_t(rate * seconds), 0.f);
    std::mt19937 rng(seed);
    std::normal_distribution<float> noise(0.f, 1.f);
    const double beat = 60.0 / bpm;
    auto add = [&](double at, double dur, auto&& fn) {
        const auto i0 = std::size_t(at * rate);
        for (std::size_t i = 0; i < std::size_t(dur * rate) && i0 + i < x.size(); ++i) x[i0 + i] += float(fn(double(i) / rate));
    };
    for (int k = 0; first + k * beat < seconds; ++k) {
        const double t = first + k * beat;
        if (beats_per_bar == 4 ? k % 2 == 0 : k % beats_per_bar == 0)
            add(t, 0.3, [](double s) { return 0.8 * std::sin(2 * std::numbers::pi * (50 * s + 1.8 * (1 - std::exp(-s / 0.03)))) * std::exp(-s / 0.08); });
        else
            add(t, 0.2, [&](double s) { return (0.3 * noise(rng) + 0.2 * std::sin(2 * std::numbers::pi * 190 * s)) * std::exp(-s / 0.05); });
        for (double h : {0.0, 0.5})
            add(t + h * beat, 0.05, [&](double s) { return 0.1 * noise(rng) * std::exp(-s / 0.012); });
    }
    return x;
}

// A click track: a 1 kHz 20 ms click on every beat.
inline std::vector<float> clicks(double rate, double bpm, double seconds, double first = 0.1) {
    std::vector<float> x(std::size_t(rate * seconds), 0.f);
    const double beat = 60.0 / bpm;
    for (double t = first; t < seconds; t += beat)
        for (std::size_t i = 0; i < std::size_t(0.02 * rate); ++i) {
            const auto at = std::size_t(t * rate) + i;
            if (at < x.size()) x[at] = float(0.7 * std::sin(2 * std::numbers::pi * 1000 * double(i) / rate) * (1 - double(i) / (0.02 * rate)));
        }
    return x;
}

}  // namespace tactus::test
