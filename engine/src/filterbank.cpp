#include "tactus/filterbank.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "simd.hpp"
#include "tactus/error.hpp"

namespace tactus {
namespace {

// madmom.audio.filters.log_frequencies
std::vector<double> log_frequencies(int bands_per_octave, double fmin, double fmax, double fref) {
    const double left = std::floor(std::log2(fmin / fref) * bands_per_octave);
    const double right = std::ceil(std::log2(fmax / fref) * bands_per_octave);
    std::vector<double> f;
    for (double i = left; i < right; i += 1.0) f.push_back(fref * std::pow(2.0, i / bands_per_octave));
    // keep [searchsorted(fmin, 'left'), searchsorted(fmax, 'right'))
    auto lo = std::lower_bound(f.begin(), f.end(), fmin);
    f.erase(f.begin(), lo);
    auto hi = std::upper_bound(f.begin(), f.end(), fmax);
    f.erase(hi, f.end());
    return f;
}

// madmom.audio.filters.frequencies2bins: nearest bin, ties to the upper one.
std::vector<int> frequencies_to_bins(const std::vector<double>& freqs, const std::vector<double>& bin_freqs,
                                     bool unique) {
    std::vector<int> bins;
    const int n = int(bin_freqs.size());
    for (double f : freqs) {
        int idx = int(std::lower_bound(bin_freqs.begin(), bin_freqs.end(), f) - bin_freqs.begin());
        idx = std::clamp(idx, 1, n - 1);
        const double left = bin_freqs[std::size_t(idx - 1)];
        const double right = bin_freqs[std::size_t(idx)];
        if (f - left < right - f) --idx;
        bins.push_back(idx);
    }
    if (unique) {
        std::sort(bins.begin(), bins.end());
        bins.erase(std::unique(bins.begin(), bins.end()), bins.end());
    }
    return bins;
}

// np.linspace(a, b, n, endpoint=False) evaluated as numpy does (step * i + a).
void linspace_open(double a, double b, int n, double* out) {
    if (n <= 0) return;
    const double step = (b - a) / n;
    for (int i = 0; i < n; ++i) out[i] = a + i * step;
}

// numpy's float32 sum uses pairwise summation; for these short filters
// (< 128 values) that is a plain loop in blocks of 8 partial sums.
float numpy_sum_f32(const std::vector<float>& v) {
    if (v.size() < 8) {
        float s = 0.f;
        for (float x : v) s += x;
        return s;
    }
    float r[8];
    for (int j = 0; j < 8; ++j) r[j] = v[std::size_t(j)];
    std::size_t i = 8;
    for (; i + 8 <= v.size(); i += 8)
        for (int j = 0; j < 8; ++j) r[j] += v[i + std::size_t(j)];
    float s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < v.size(); ++i) s += v[i];
    return s;
}

}  // namespace

std::vector<double> fft_bin_frequencies(int num_bins, double sample_rate) {
    std::vector<double> f(static_cast<std::size_t>(num_bins));
    // numpy.fft.fftfreq(num_bins * 2, 1. / sample_rate)[:num_bins]
    const double d = 1.0 / sample_rate;
    const double val = 1.0 / (2.0 * num_bins * d);
    for (int k = 0; k < num_bins; ++k) f[std::size_t(k)] = k * val;
    return f;
}

LogFilterbank::LogFilterbank(const std::vector<double>& bin_frequencies, const LogFilterbankSpec& spec)
    : num_bins_(int(bin_frequencies.size())), bin_freqs_(bin_frequencies) {
    const auto freqs = log_frequencies(spec.bands_per_octave, spec.fmin, spec.fmax, spec.fref);
    const auto bins = frequencies_to_bins(freqs, bin_frequencies, spec.unique_filters);
    if (bins.size() < 3) throw Error("filterbank: not enough bins for triangular filters");
    // TriangularFilter.band_bins(bins, overlap=True) and TriangularFilter.__new__
    for (std::size_t i = 0; i + 3 <= bins.size(); ++i) {
        int start = bins[i], center = bins[i + 1], stop = bins[i + 2];
        if (stop - start < 2) {
            center = start;
            stop = start + 1;
        }
        const int c = center - start, len = stop - start;
        std::vector<double> data(std::size_t(len), 0.0);
        linspace_open(0.0, 1.0, c, data.data());
        linspace_open(1.0, 0.0, len - c, data.data() + c);
        std::vector<float> filt(data.begin(), data.end());
        if (spec.norm_filters) {
            const float sum = numpy_sum_f32(filt);
            for (float& x : filt) x /= sum;
        }
        // Filterbank._put_filter: truncate to the bins that exist
        const int first = std::max(start, 0);
        const int last = std::min(stop, num_bins_);
        start_.push_back(first);
        offset_.push_back(int(weights_.size()));
        length_.push_back(std::max(0, last - first));
        for (int b = first; b < last; ++b) weights_.push_back(filt[std::size_t(b - start)]);
    }
    // apply()'s windows: whole vectors of bins covering each band, moved
    // left where they would run past the last bin
    constexpr int L = simd::kLanes;
    for (std::size_t band = 0; band < start_.size(); ++band) {
        const int vectors = std::max(1, (length_[band] + L - 1) / L);
        const int at = std::max(0, std::min(start_[band], num_bins_ - vectors * L));
        window_.push_back(at);
        window_vectors_.push_back(vectors);
        for (int b = at; b < at + vectors * L; ++b) {
            const int i = b - start_[band];
            window_weights_.push_back(i >= 0 && i < length_[band] ? weights_[std::size_t(offset_[band] + i)] : 0.f);
        }
    }
}

void LogFilterbank::apply(const float* spectrum, float* out) const {
    // Each band is a dot product over whole vectors of bins (its window,
    // zero weights outside the filter): a few vector multiply-adds and one
    // horizontal sum instead of a chain of scalar ones.
    const int bands = num_bands();
    const float* w = window_weights_.data();
    for (int band = 0; band < bands; ++band) {
        const float* s = spectrum + window_[std::size_t(band)];
        simd::vf acc{};
        for (int v = 0; v < window_vectors_[std::size_t(band)]; ++v, w += simd::kLanes, s += simd::kLanes)
            acc += simd::load(s) * simd::load(w);
        out[band] = simd::hsum_tree(acc);
    }
}

std::vector<float> LogFilterbank::dense() const {
    const int bands = num_bands();
    std::vector<float> m(std::size_t(num_bins_) * std::size_t(bands), 0.f);
    for (int band = 0; band < bands; ++band)
        for (int i = 0; i < length_[std::size_t(band)]; ++i)
            m[std::size_t(start_[std::size_t(band)] + i) * std::size_t(bands) + std::size_t(band)] =
                weights_[std::size_t(offset_[std::size_t(band)] + i)];
    return m;
}

std::vector<double> LogFilterbank::corner_frequencies() const {
    std::vector<double> out;
    for (int band = 0; band < num_bands(); ++band) {
        int lo = -1, hi = -1;
        for (int i = 0; i < length_[std::size_t(band)]; ++i)
            if (weights_[std::size_t(offset_[std::size_t(band)] + i)] != 0.f) {
                if (lo < 0) lo = start_[std::size_t(band)] + i;
                hi = start_[std::size_t(band)] + i;
            }
        out.push_back(bin_freqs_[std::size_t(lo)]);
        out.push_back(bin_freqs_[std::size_t(hi)]);
    }
    return out;
}

std::vector<double> LogFilterbank::center_frequencies() const {
    std::vector<double> out;
    const auto m = dense();
    const int bands = num_bands();
    auto at = [&](int bin, int band) { return m[std::size_t(bin) * std::size_t(bands) + std::size_t(band)]; };
    for (int band = 0; band < bands; ++band) {
        int lo = -1, hi = -1;
        for (int b = 0; b < num_bins_; ++b)
            if (at(b, band) != 0.f) {
                if (lo < 0) lo = b;
                hi = b;
            }
        int center;
        if (at(lo, band) == at(hi, band)) {
            center = int(lo + (hi - lo) / 2.0);
        } else {
            center = lo;
            for (int b = lo; b < hi; ++b)
                if (at(b, band) > at(center, band)) center = b;
        }
        out.push_back(bin_freqs_[std::size_t(center)]);
    }
    return out;
}

}  // namespace tactus
