#include "bluestein.hpp"

#include <fftw3.h>

#include <cmath>
#include <numbers>

#include "fft_plans.hpp"
#include "tactus/error.hpp"

namespace tactus {
namespace {

constexpr int kN = kFrameSize;

// c[m] = exp(i pi m^2 / N); m^2 mod 2N keeps the angle exact in double
void chirp(long m, double* re, double* im) {
    const long r = (m * m) % (2L * kN);
    const double a = std::numbers::pi * double(r) / kN;
    *re = std::cos(a);
    *im = std::sin(a);
}

}  // namespace

// The buffers and plans of one convolution length m.
struct BluesteinConvolution {
    int m;
    // buf: the input, zero from N on (written once); prod: its spectrum
    // times the chirp's, which the backward FFT takes (were it written into
    // buf, buf's zeros would need writing again every frame)
    fftwf_complex *buf = nullptr, *prod = nullptr, *out = nullptr, *spec = nullptr, *chirp_in = nullptr;
    fftwf_plan forward = nullptr, backward = nullptr;

    // the chirp's positive lags 0..max_lag (its negative ones -1..-(N-1) always)
    BluesteinConvolution(int m_, int max_lag, const std::vector<double>& window) : m(m_) {
        buf = fftwf_alloc_complex(std::size_t(m));
        prod = fftwf_alloc_complex(std::size_t(m));
        out = fftwf_alloc_complex(std::size_t(m));
        spec = fftwf_alloc_complex(std::size_t(m));
        chirp_in = fftwf_alloc_complex(kN);
        if (!buf || !prod || !out || !spec || !chirp_in) {
            release();
            throw Error("cannot allocate the FFT buffers");
        }
        // out of place: FFTW's in-place plans allocate a buffer at every
        // execute, which would make the analysis allocate 100 times a second
        forward = plan_bluestein_fft(m, buf, out, FFTW_FORWARD);
        backward = plan_bluestein_fft(m, prod, out, FFTW_BACKWARD);
        if (!forward || !backward) {
            release();
            throw Error("cannot create the FFT plans");
        }
        // window folded into the input chirp: a[n] = x[n] * w[n] * conj(c[n])
        for (int n = 0; n < kN; ++n) {
            double re, im;
            chirp(n, &re, &im);
            chirp_in[n][0] = float(window[std::size_t(n)] * re);
            chirp_in[n][1] = float(-window[std::size_t(n)] * im);
        }
        // spectrum of b (b[j] = c[j], b[m - j] = c[j]), scaled by 1/m for the inverse FFT
        for (int j = 0; j < m; ++j) buf[j][0] = buf[j][1] = 0.f;
        for (int j = 0; j < kN; ++j) {
            double re, im;
            chirp(j, &re, &im);
            if (j <= max_lag) {
                buf[j][0] = float(re);
                buf[j][1] = float(im);
            }
            if (j > 0) {
                buf[m - j][0] = float(re);
                buf[m - j][1] = float(im);
            }
        }
        fftwf_execute(forward);
        for (int j = 0; j < m; ++j) {
            spec[j][0] = out[j][0] / float(m);
            spec[j][1] = out[j][1] / float(m);
        }
        for (int j = 0; j < m; ++j) buf[j][0] = buf[j][1] = 0.f;
    }
    ~BluesteinConvolution() { release(); }
    BluesteinConvolution(const BluesteinConvolution&) = delete;
    BluesteinConvolution& operator=(const BluesteinConvolution&) = delete;

    void release() {
        if (forward) fftwf_destroy_plan(forward);
        if (backward) fftwf_destroy_plan(backward);
        fftwf_free(buf);
        fftwf_free(prod);
        fftwf_free(out);
        fftwf_free(spec);
        fftwf_free(chirp_in);
        forward = backward = nullptr;
        buf = prod = out = spec = chirp_in = nullptr;
    }

    // buf[0..N) holds a; out gets its convolution with b
    void convolve() {
        fftwf_execute(forward);
        for (int j = 0; j < m; ++j) {
            prod[j][0] = out[j][0] * spec[j][0] - out[j][1] * spec[j][1];
            prod[j][1] = out[j][0] * spec[j][1] + out[j][1] * spec[j][0];
        }
        fftwf_execute(backward);
    }
};

BluesteinMagnitude::BluesteinMagnitude(const std::vector<double>& window)
    : c_(std::make_unique<BluesteinConvolution>(kBluesteinFft, kFftBins - 1, window)) {  // bins 0..704: lags up to 704
    static_assert(kBluesteinFft >= kN + kFftBins - 1);
}

BluesteinMagnitude::~BluesteinMagnitude() = default;

void BluesteinMagnitude::run(const float* frame, float* mag) {
    BluesteinConvolution& c = *c_;
    for (int n = 0; n < kN; ++n) {
        c.buf[n][0] = frame[n] * c.chirp_in[n][0];
        c.buf[n][1] = frame[n] * c.chirp_in[n][1];
    }
    c.convolve();
    for (int k = 0; k < kFftBins; ++k) mag[k] = std::sqrt(c.out[k][0] * c.out[k][0] + c.out[k][1] * c.out[k][1]);
}

PairedBluesteinMagnitude::PairedBluesteinMagnitude(const std::vector<double>& window)
    : c_(std::make_unique<BluesteinConvolution>(kPairedFft, kN - 1, window)),  // all bins: every lag
      twist_re_(kFftBins),
      twist_im_(kFftBins),
      split_(4 * kFftBins) {
    static_assert(kPairedFft >= 2 * kN - 1);
    for (int k = 0; k < kFftBins; ++k) {  // c[k]^2 = exp(2 pi i k^2 / N)
        const double a = 2.0 * std::numbers::pi * double((long(k) * k) % kN) / kN;
        twist_re_[std::size_t(k)] = float(std::cos(a));
        twist_im_[std::size_t(k)] = float(std::sin(a));
    }
}

PairedBluesteinMagnitude::~PairedBluesteinMagnitude() = default;

void PairedBluesteinMagnitude::run(const float* a, const float* b, float* mag_a, float* mag_b) {
    BluesteinConvolution& c = *c_;
    // z = a + i b, times the input chirp
    for (int n = 0; n < kN; ++n) {
        const float cr = c.chirp_in[n][0], ci = c.chirp_in[n][1];
        c.buf[n][0] = a[n] * cr - b[n] * ci;
        c.buf[n][1] = a[n] * ci + b[n] * cr;
    }
    c.convolve();
    // y = out, Z[k] = conj(c[k]) y[k]; N is odd, so c[N - k] = -c[k] and
    // 2|A[k]| = |y[k] - c[k]^2 conj(y[N - k])|, 2|B[k]| = |y[k] + ...|.
    // y's halves are split into re/im arrays first, both in order (a
    // reversed copy of the upper one ran element by element), so the loops
    // are vectorised; the loop below reads the upper one backwards.
    const fftwf_complex* y = c.out;
    constexpr int kUp = kN - (kFftBins - 1);  // y[kUp..N): the upper half, bins N - 704 .. N - 1
    float* lo_re = split_.data();
    float* lo_im = lo_re + kFftBins;
    float* up_re = lo_im + kFftBins;  // [j] = y[kUp + j], so y[N - k] = [kFftBins - 1 - k]
    float* up_im = up_re + kFftBins;
    for (int k = 0; k < kFftBins; ++k) {
        lo_re[k] = y[k][0];
        lo_im[k] = y[k][1];
    }
    for (int j = 0; j < kFftBins - 1; ++j) {
        up_re[j] = y[kUp + j][0];
        up_im[j] = y[kUp + j][1];
    }
    const float* tw_re = twist_re_.data();
    const float* tw_im = twist_im_.data();
    for (int k = 1; k < kFftBins; ++k) {
        const float wr = up_re[kFftBins - 1 - k], wi = -up_im[kFftBins - 1 - k];  // conj(y[N - k])
        const float tr = tw_re[k] * wr - tw_im[k] * wi;
        const float ti = tw_re[k] * wi + tw_im[k] * wr;
        const float dr = lo_re[k] - tr, di = lo_im[k] - ti, sr = lo_re[k] + tr, si = lo_im[k] + ti;
        mag_a[k] = 0.5f * std::sqrt(dr * dr + di * di);
        mag_b[k] = 0.5f * std::sqrt(sr * sr + si * si);
    }
    mag_a[0] = std::abs(lo_re[0]);
    mag_b[0] = std::abs(lo_im[0]);
}

}  // namespace tactus
