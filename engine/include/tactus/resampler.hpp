#pragma once
// Streaming sample-rate conversion to the feature rate with libsoxr (HQ),
// any input rate from 8 to 192 kHz; a plain copy when the rate already
// matches. soxr compensates its own filter delay, so output sample i is the
// input at time i / out_rate.
#include <cstddef>

typedef struct soxr* soxr_t;

namespace tactus {

inline constexpr double kMinSampleRate = 8000.0;
inline constexpr double kMaxSampleRate = 192000.0;

class Resampler {
public:
    // Throws tactus::Error for a rate outside [8000, 192000].
    Resampler(double in_rate, double out_rate);
    ~Resampler();
    Resampler(const Resampler&) = delete;
    Resampler& operator=(const Resampler&) = delete;

    // Converts up to n input samples into at most cap output samples; sets
    // *consumed and returns the number of samples written.
    std::size_t process(const float* in, std::size_t n, std::size_t* consumed, float* out, std::size_t cap);
    // End of input: drains what the filter still holds; call until it returns 0.
    std::size_t flush(float* out, std::size_t cap);
    void reset();

    double in_rate() const { return in_rate_; }
    double out_rate() const { return out_rate_; }

private:
    void create();
    double in_rate_, out_rate_;
    soxr_t soxr_ = nullptr;
};

}  // namespace tactus
