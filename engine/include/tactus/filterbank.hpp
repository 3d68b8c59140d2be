#pragma once
// madmom's LogarithmicFilterbank, computed from its definition: log-spaced
// frequencies mapped to the nearest FFT bins (duplicates removed),
// overlapping triangular filters normalised to area 1 (float32, as madmom).
#include <vector>

namespace tactus {

struct LogFilterbankSpec {
    int bands_per_octave = 24;
    double fmin = 30.0;
    double fmax = 17000.0;
    double fref = 440.0;
    bool norm_filters = true;
    bool unique_filters = true;
};

class LogFilterbank {
public:
    LogFilterbank(const std::vector<double>& bin_frequencies, const LogFilterbankSpec& spec);

    int num_bins() const { return num_bins_; }
    int num_bands() const { return int(start_.size()); }

    // out[band] = sum over bins of spec[bin] * weight(bin, band); float32
    // accumulation like madmom's `spec @ fb` (in another order: to float
    // rounding). spectrum needs num_bins() values (at least one vector).
    void apply(const float* spectrum, float* out) const;

    // Dense [num_bins x num_bands] row-major matrix, for tests and tools.
    std::vector<float> dense() const;
    std::vector<double> center_frequencies() const;
    std::vector<double> corner_frequencies() const;  // [num_bands x 2]

private:
    int num_bins_;
    std::vector<double> bin_freqs_;
    std::vector<int> start_;           // first bin of each band
    std::vector<int> offset_;          // index into weights_ of each band
    std::vector<int> length_;          // bins per band
    std::vector<float> weights_;
    // apply()'s form: per band a window of whole vectors of bins
    std::vector<int> window_;          // first bin of each band's window
    std::vector<int> window_vectors_;  // its length in vectors
    std::vector<float> window_weights_;
};

// madmom's fft_frequencies(num_bins, sample_rate): k * sr / (2 * num_bins).
std::vector<double> fft_bin_frequencies(int num_bins, double sample_rate);

}  // namespace tactus
