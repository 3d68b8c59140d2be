#include "room_mic.hpp"

#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>
#include <random>

namespace tactus::test {
namespace {

// An exponentially decaying noise tail behind a unit direct sound: the
// late field of a room, without early reflections.
std::vector<float> room_response(double rate, const Room& room, std::mt19937& rng) {
    std::normal_distribution<double> n01;
    std::vector<float> h(std::size_t(1.5 * room.rt60_s * rate));
    double energy = 0;
    for (std::size_t i = std::size_t(0.003 * rate); i < h.size(); ++i) {
        h[i] = float(n01(rng) * std::exp(-6.91 * double(i) / rate / room.rt60_s));  // -60 dB at rt60
        energy += double(h[i]) * h[i];
    }
    const float scale = float(std::sqrt(std::pow(10.0, room.reverb_db / 10) / std::max(energy, 1e-30)));
    for (auto& v : h) v *= scale;
    h[0] = 1;
    return h;
}

// Linear convolution by one large FFT (a 30 s clip and a 1.2 s response:
// direct convolution would take a minute).
std::vector<double> convolve(const std::vector<float>& x, const std::vector<float>& h) {
    std::size_t n = 1;
    while (n < x.size() + h.size()) n *= 2;
    std::vector<float> a(n, 0.f), b(n, 0.f);
    std::copy(x.begin(), x.end(), a.begin());
    std::copy(h.begin(), h.end(), b.begin());
    std::vector<std::complex<float>> A(n / 2 + 1), B(n / 2 + 1);
    auto* fa = reinterpret_cast<fftwf_complex*>(A.data());
    auto* fb = reinterpret_cast<fftwf_complex*>(B.data());
    fftwf_plan pa = fftwf_plan_dft_r2c_1d(int(n), a.data(), fa, FFTW_ESTIMATE);
    fftwf_plan pb = fftwf_plan_dft_r2c_1d(int(n), b.data(), fb, FFTW_ESTIMATE);
    fftwf_execute(pa);
    fftwf_execute(pb);
    for (std::size_t i = 0; i < A.size(); ++i) A[i] *= B[i] / float(n);
    fftwf_plan pc = fftwf_plan_dft_c2r_1d(int(n), fa, a.data(), FFTW_ESTIMATE);
    fftwf_execute(pc);
    fftwf_destroy_plan(pa);
    fftwf_destroy_plan(pb);
    fftwf_destroy_plan(pc);
    return std::vector<double>(a.begin(), a.begin() + std::ptrdiff_t(x.size()));
}

// RBJ's cookbook biquad, Q = 1/sqrt(2) (Butterworth), run in place.
void biquad(std::vector<double>& y, double rate, double hz, bool high) {
    const double w = 2 * std::numbers::pi * hz / rate, alpha = std::sin(w) / std::sqrt(2.0), c = std::cos(w);
    const double b1 = high ? -(1 + c) : 1 - c, b0 = high ? (1 + c) / 2 : (1 - c) / 2, b2 = b0;
    const double a0 = 1 + alpha, a1 = -2 * c, a2 = 1 - alpha;
    double x1 = 0, x2 = 0, y1 = 0, y2 = 0;
    for (auto& v : y) {
        const double out = (b0 * v + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2) / a0;
        x2 = x1, x1 = v, y2 = y1, y1 = out;
        v = out;
    }
}

}  // namespace

std::vector<float> through_room(const std::vector<float>& x, double rate, const Room& room, std::uint32_t seed) {
    std::mt19937 rng(seed);
    auto y = convolve(x, room_response(rate, room, rng));
    biquad(y, rate, room.low_hz, true);
    biquad(y, rate, std::min(room.high_hz, 0.45 * rate), false);
    double power = 0;
    for (double v : y) power += v * v;
    power /= double(std::max<std::size_t>(1, y.size()));
    std::vector<double> noise(y.size());
    std::normal_distribution<double> n01;
    const double a = std::exp(-2 * std::numbers::pi * 800 / rate);
    double lp = 0, noise_power = 0;
    for (auto& v : noise) {
        lp = a * lp + (1 - a) * n01(rng);
        v = lp;
        noise_power += v * v;
    }
    noise_power /= double(std::max<std::size_t>(1, noise.size()));
    const double target = power > 1e-12 ? power / std::pow(10.0, room.snr_db / 10) : room.noise_floor * room.noise_floor;
    const double g = std::sqrt(target / std::max(noise_power, 1e-30));
    double peak = 0;
    for (std::size_t i = 0; i < y.size(); ++i) {
        y[i] += g * noise[i];
        peak = std::max(peak, std::abs(y[i]));
    }
    std::vector<float> out(y.size());
    for (std::size_t i = 0; i < y.size(); ++i) out[i] = float(y[i] * room.peak / std::max(peak, 1e-30));
    return out;
}

}  // namespace tactus::test
