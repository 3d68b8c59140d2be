#include "tactus/audio_file.hpp"

#include <sndfile.h>

#include <string>

#include "tactus/error.hpp"
#include "tactus/resampler.hpp"

namespace tactus {

AudioFile::AudioFile(const std::filesystem::path& path) : path_(path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw Error("cannot open " + path.string() + ": no such file");
    if (std::filesystem::is_directory(path, ec)) throw Error("cannot open " + path.string() + ": is a directory");
    SF_INFO info{};
    file_ = sf_open(path.c_str(), SFM_READ, &info);
    if (!file_)
        throw Error("cannot read " + path.string() + ": " + sf_strerror(nullptr) +
                    " (not an audio file libsndfile can decode, or corrupt)");
    channels_ = info.channels;
    rate_ = double(info.samplerate);
    frames_ = info.frames;
    if (channels_ < 1 || channels_ > 64) {
        sf_close(file_);
        throw Error("cannot read " + path.string() + ": unsupported channel count " + std::to_string(channels_));
    }
    if (!(rate_ >= kMinSampleRate && rate_ <= kMaxSampleRate)) {
        sf_close(file_);
        throw Error("cannot read " + path.string() + ": sample rate " + std::to_string(info.samplerate) +
                    " Hz is outside 8000-192000 Hz");
    }
    if (frames_ <= 0) {
        sf_close(file_);
        throw Error(path.string() + " holds no audio (0 frames)");
    }
}

AudioFile::~AudioFile() {
    if (file_) sf_close(file_);
}

std::size_t AudioFile::read(float* interleaved, std::size_t frames) {
    const sf_count_t got = sf_readf_float(file_, interleaved, sf_count_t(frames));
    if (got < 0) throw Error("error while reading " + path_.string() + ": " + sf_strerror(file_));
    if (got == 0 && sf_error(file_) != SF_ERR_NO_ERROR)
        throw Error("error while reading " + path_.string() + ": " + sf_strerror(file_));
    return std::size_t(got);
}

void mix_to_mono(const float* interleaved, std::size_t frames, int channels, float* mono) {
    if (channels == 1) {
        for (std::size_t i = 0; i < frames; ++i) mono[i] = interleaved[i];
        return;
    }
    for (std::size_t i = 0; i < frames; ++i) {
        float s = 0.f;
        for (int c = 0; c < channels; ++c) s += interleaved[i * std::size_t(channels) + std::size_t(c)];
        mono[i] = s / float(channels);
    }
}

std::vector<float> read_mono(const std::filesystem::path& path, double* sample_rate) {
    AudioFile f(path);
    if (sample_rate) *sample_rate = f.sample_rate();
    std::vector<float> out, block(std::size_t(4096) * std::size_t(f.channels()));
    std::size_t n;
    while ((n = f.read(block.data(), 4096)) > 0) {
        const std::size_t at = out.size();
        out.resize(at + n);
        mix_to_mono(block.data(), n, f.channels(), out.data() + at);
    }
    return out;
}

}  // namespace tactus
