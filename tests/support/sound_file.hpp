#pragma once
// Test audio written to disk for the tools and peers to read back.
#include <sndfile.h>

#include <filesystem>
#include <stdexcept>
#include <vector>

namespace tactus::test {

// Interleaved frames of `channels` channels, in any format libsndfile
// writes (WAV float unless told); creates the parent folders; throws if the
// file cannot be written, so a test never goes on with a missing input.
inline void write_sound_file(const std::filesystem::path& p, const std::vector<float>& interleaved, int rate,
                             int channels = 1, int format = SF_FORMAT_WAV | SF_FORMAT_FLOAT) {
    if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
    SF_INFO info{};
    info.channels = channels;
    info.samplerate = rate;
    info.format = format;
    SNDFILE* f = sf_open(p.c_str(), SFM_WRITE, &info);
    if (!f) throw std::runtime_error("cannot write " + p.string() + ": " + sf_strerror(nullptr));
    const auto frames = sf_count_t(interleaved.size() / std::size_t(channels));
    const bool complete = sf_writef_float(f, interleaved.data(), frames) == frames;
    sf_close(f);
    if (!complete) throw std::runtime_error("cannot write all of " + p.string());
}

}  // namespace tactus::test
