#pragma once
// Reading audio files, block by block, interleaved float: native FLAC
// files with libFLAC for the metadata and flac_frames.hpp for the frames
// (up to 24 bits; libFLAC decodes the rest), everything else with
// libsndfile (wav, ogg, mp3, ...). libsndfile reads FLAC through libFLAC
// too, at a quarter more CPU (its conversions and copies); the samples are
// the same (int / 2^(bits-1)).
// Unreadable, corrupt or empty files raise tactus::Error with a one-line
// message.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

typedef struct sf_private_tag SNDFILE;

namespace tactus {

class AudioFile {
public:
    explicit AudioFile(const std::filesystem::path& path);
    ~AudioFile();
    AudioFile(const AudioFile&) = delete;
    AudioFile& operator=(const AudioFile&) = delete;

    int channels() const { return channels_; }
    double sample_rate() const { return rate_; }
    std::int64_t frames() const { return frames_; }  // may be an estimate for mp3

    // Reads up to `frames` interleaved frames; returns frames read (0 at the end).
    std::size_t read(float* interleaved, std::size_t frames);
    // The same mixed to mono (mix_to_mono's mean), for FLAC straight from
    // the decoded channels. A file is read by one or the other.
    std::size_t read_mono(float* mono, std::size_t frames);

private:
    struct Flac;  // audio_file.cpp: libFLAC's decoder and the frame it decoded
    bool open_flac();  // false: not a FLAC stream libFLAC can start (libsndfile then tries)
    void check_format();
    std::size_t read_flac(float* interleaved, std::size_t frames);
    std::filesystem::path path_;
    std::unique_ptr<Flac> flac_;
    SNDFILE* file_ = nullptr;
    int channels_ = 0;
    double rate_ = 0;
    std::int64_t frames_ = 0;
    std::vector<float> mix_;  // read_mono(): interleaved frames to mix, where the decoder cannot
};

// Mixes interleaved frames to mono by the mean of the channels.
void mix_to_mono(const float* interleaved, std::size_t frames, int channels, float* mono);

// Whole file as mono at its own rate (for tests and small tools).
std::vector<float> read_mono(const std::filesystem::path& path, double* sample_rate);

}  // namespace tactus
