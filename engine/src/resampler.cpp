#include "tactus/resampler.hpp"

#include <soxr.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "tactus/error.hpp"

namespace tactus {

Resampler::Resampler(double in_rate, double out_rate) : in_rate_(in_rate), out_rate_(out_rate) {
    if (!(in_rate >= kMinSampleRate && in_rate <= kMaxSampleRate))
        throw Error("unsupported sample rate " + std::to_string(in_rate) + " Hz (8000 to 192000 Hz are supported)");
    create();
}

Resampler::~Resampler() {
    if (soxr_) soxr_delete(soxr_);
}

void Resampler::create() {
    if (in_rate_ == out_rate_) return;
    soxr_error_t err = nullptr;
    const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
    const soxr_quality_spec_t q = soxr_quality_spec(SOXR_HQ, 0);
    const soxr_runtime_spec_t rt = soxr_runtime_spec(1);  // no OpenMP threads of its own
    soxr_ = soxr_create(in_rate_, out_rate_, 1, &err, &io, &q, &rt);
    if (err || !soxr_) throw Error(std::string("cannot create the resampler: ") + (err ? err : "unknown error"));
}

void Resampler::reset() {
    if (soxr_) soxr_clear(soxr_);
}

std::size_t Resampler::process(const float* in, std::size_t n, std::size_t* consumed, float* out, std::size_t cap) {
    if (!soxr_) {
        const std::size_t k = std::min(n, cap);
        std::memcpy(out, in, k * sizeof(float));
        *consumed = k;
        return k;
    }
    std::size_t idone = 0, odone = 0;
    soxr_process(soxr_, in, n, &idone, out, cap, &odone);
    *consumed = idone;
    return odone;
}

std::size_t Resampler::flush(float* out, std::size_t cap) {
    if (!soxr_) return 0;
    std::size_t odone = 0;
    soxr_process(soxr_, nullptr, 0, nullptr, out, cap, &odone);
    return odone;
}

}  // namespace tactus
