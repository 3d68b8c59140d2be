#pragma once
// Synthetic test audio with known beats.
#include <algorithm>
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

// Peak-normalised noises (peak 0.89, -1 dBFS): things a microphone hears
// that are no music.
namespace detail {
inline std::vector<float> normalised(const std::vector<double>& y) {
    double mean = 0, peak = 0;
    for (double v : y) mean += v;
    mean /= double(y.empty() ? 1 : y.size());
    for (double v : y) peak = std::max(peak, std::abs(v - mean));
    std::vector<float> x(y.size());
    for (std::size_t i = 0; i < y.size(); ++i) x[i] = float(0.89 * (y[i] - mean) / (peak > 0 ? peak : 1.0));
    return x;
}
}  // namespace detail

// Pink noise (Paul Kellet's filter on white noise).
inline std::vector<float> pink_noise(double rate, double seconds, std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> white(0.0, 1.0);
    std::vector<double> y(std::size_t(seconds * rate));
    double b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0;
    for (auto& v : y) {
        const double w = white(rng);
        b0 = 0.99886 * b0 + w * 0.0555179;
        b1 = 0.99332 * b1 + w * 0.0750759;
        b2 = 0.96900 * b2 + w * 0.1538520;
        b3 = 0.86650 * b3 + w * 0.3104856;
        b4 = 0.55000 * b4 + w * 0.5329522;
        b5 = -0.7616 * b5 - w * 0.0168980;
        v = b0 + b1 + b2 + b3 + b4 + b5 + b6 + w * 0.5362;
        b6 = w * 0.115926;
    }
    return detail::normalised(y);
}

// Brown noise, a leaky integral of white noise: rumble, wind, traffic.
inline std::vector<float> brown_noise(double rate, double seconds, std::uint32_t seed, double leak) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> white(0.0, 1.0);
    std::vector<double> y(std::size_t(seconds * rate));
    double v = 0;
    for (auto& o : y) o = v = leak * v + white(rng);
    return detail::normalised(y);
}

// A sustained chord of three sines, no attacks.
inline std::vector<float> chord(double rate, double seconds, double f1, double f2, double f3) {
    std::vector<float> x(std::size_t(seconds * rate));
    for (std::size_t n = 0; n < x.size(); ++n) {
        const double t = double(n) / rate;
        x[n] = float(0.3 * (std::sin(2 * std::numbers::pi * f1 * t) + std::sin(2 * std::numbers::pi * f2 * t) +
                            std::sin(2 * std::numbers::pi * f3 * t)));
    }
    return x;
}

}  // namespace tactus::test
