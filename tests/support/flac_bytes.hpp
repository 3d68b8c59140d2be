#pragma once
// A native FLAC file's bytes and where its frames start (after "fLaC" and
// the metadata blocks), for tests of the frame decoder; and what libsndfile
// (libFLAC) decodes from it, interleaved.
#include <sndfile.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

namespace tactus::test {

struct FlacBytes {
    std::vector<std::uint8_t> bytes;
    std::size_t first_frame = 0;
    unsigned channels = 0, bits = 0;
};

inline FlacBytes read_flac_bytes(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    FlacBytes f;
    f.bytes.assign(std::istreambuf_iterator<char>(in), {});
    const auto& b = f.bytes;
    if (b.size() < 42 || std::string(b.begin(), b.begin() + 4) != "fLaC") throw std::runtime_error("not FLAC: " + p.string());
    std::size_t at = 4;
    for (bool last = false; !last;) {
        if (at + 4 > b.size()) throw std::runtime_error("metadata runs past the end: " + p.string());
        last = (b[at] & 0x80) != 0;
        const int type = b[at] & 0x7f;
        const std::size_t len = (std::size_t(b[at + 1]) << 16) | (std::size_t(b[at + 2]) << 8) | b[at + 3];
        if (type == 0) {  // STREAMINFO: 3 bits channels - 1, 5 bits bits - 1 at bytes 12..13 of its body
            const std::uint8_t* si = b.data() + at + 4;
            f.channels = ((si[12] >> 1) & 7) + 1;
            f.bits = (((si[12] & 1) << 4) | (si[13] >> 4)) + 1;
        }
        at += 4 + len;
    }
    f.first_frame = at;
    return f;
}

inline std::vector<float> sndfile_samples(const std::filesystem::path& p) {
    SF_INFO info{};
    SNDFILE* f = sf_open(p.c_str(), SFM_READ, &info);
    if (!f) throw std::runtime_error("libsndfile cannot read " + p.string());
    std::vector<float> x(std::size_t(info.frames * info.channels));
    const auto got = sf_readf_float(f, x.data(), info.frames);
    sf_close(f);
    x.resize(std::size_t(got * info.channels));
    return x;
}

}  // namespace tactus::test
