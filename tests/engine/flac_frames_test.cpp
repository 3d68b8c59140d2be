// The FLAC frame decoder against libFLAC (through libsndfile): every
// encoder setting libsndfile reaches (fixed predictors at level 0, LPC up
// to order 12 at level 8, mid/side and left/side stereo, verbatim and
// escaped partitions for noise, constant subframes for silence, wasted
// bits, 8/16/24 bits, up to 6 channels, a short last frame) decodes to the
// same samples bit for bit; damaged frames give libFLAC's reasons and never
// read outside the file.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>

#include "error_text.hpp"
#include "flac_bytes.hpp"
#include "flac_frames.hpp"
#include "sound_file.hpp"
#include "tactus/error.hpp"

using tactus::FlacFrames;
namespace fs = std::filesystem;

namespace {

fs::path temp(const std::string& name) { return fs::temp_directory_path() / ("tactus-flac-test-" + name); }

void write_flac(const fs::path& p, const std::vector<float>& x, int channels, int subtype, double level) {
    SF_INFO info{};
    info.channels = channels;
    info.samplerate = 44100;
    info.format = SF_FORMAT_FLAC | subtype;
    SNDFILE* f = sf_open(p.c_str(), SFM_WRITE, &info);
    REQUIRE(f != nullptr);
    sf_command(f, SFC_SET_COMPRESSION_LEVEL, &level, sizeof level);
    const auto frames = sf_count_t(x.size() / std::size_t(channels));
    REQUIRE(sf_writef_float(f, x.data(), frames) == frames);
    sf_close(f);
}

// all frames, interleaved; the decoder on a copy of exactly the frames'
// bytes, so that a read past them is a read outside the buffer (ASan)
std::vector<float> decode(const tactus::test::FlacBytes& f) {
    const std::vector<std::uint8_t> frames(f.bytes.begin() + std::ptrdiff_t(f.first_frame), f.bytes.end());
    FlacFrames d(frames.data(), frames.size(), f.channels, f.bits);
    std::vector<float> out, frame;
    while (d.next(frame) > 0) out.insert(out.end(), frame.begin(), frame.end());
    return out;
}

enum class Signal { music, noise, silence, coarse };

std::vector<float> signal(Signal s, std::size_t frames, int channels) {
    std::vector<float> x(frames * std::size_t(channels));
    std::mt19937 rng(11);
    std::uniform_real_distribution<float> u(-1.f, 1.f);
    for (std::size_t i = 0; i < frames; ++i)
        for (int c = 0; c < channels; ++c) {
            const double t = double(i) / 44100.0;
            float v = 0.f;
            switch (s) {
            case Signal::music:  // partials, a beat, a little noise; channels alike but not equal
                v = float(0.3 * std::sin(2 * M_PI * 220 * t * (1 + 0.01 * c)) + 0.2 * std::sin(2 * M_PI * 331 * t) +
                          0.3 * std::exp(-30 * std::fmod(t, 0.5)) * std::sin(2 * M_PI * 60 * t)) +
                    0.01f * u(rng);
                break;
            case Signal::noise: v = 0.99f * u(rng); break;  // incompressible: verbatim or escaped partitions
            case Signal::silence: v = 0.f; break;             // constant subframes
            case Signal::coarse:  // 16-bit values in a 24-bit file: 8 wasted bits
                v = std::round(float(0.5 * std::sin(2 * M_PI * 440 * t)) * 32767.f) / 32768.f;
                break;
            }
            x[i * std::size_t(channels) + std::size_t(c)] = v;
        }
    return x;
}

}  // namespace

TEST_CASE("FLAC frames decode to libFLAC's samples bit for bit, at every setting libsndfile writes", "[flac]") {
    const double level = GENERATE(0.0, 0.5, 1.0);
    const int channels = GENERATE(1, 2, 6);
    const int subtype = GENERATE(int(SF_FORMAT_PCM_S8), int(SF_FORMAT_PCM_16), int(SF_FORMAT_PCM_24));
    const Signal s = GENERATE(Signal::music, Signal::noise, Signal::silence, Signal::coarse);
    const int bits = subtype == SF_FORMAT_PCM_S8 ? 8 : subtype == SF_FORMAT_PCM_16 ? 16 : 24;
    INFO("level " << level << ", " << channels << " channels, " << bits << " bits, signal " << int(s));
    const auto p = temp("frames.flac");
    write_flac(p, signal(s, 44100 + 1234, channels), channels, subtype, level);  // a short last frame
    const auto f = tactus::test::read_flac_bytes(p);
    REQUIRE(FlacFrames::supports(f.channels, f.bits));
    const auto want = tactus::test::sndfile_samples(p);
    const auto got = decode(f);
    REQUIRE(got.size() == want.size());
    CHECK(got == want);
}

TEST_CASE("FLAC frames read from a source in small pieces, frames larger than its read-ahead, decode the same",
          "[flac]") {
    // 24-bit noise: verbatim frames of 25 and 100 KB, read 4 KB or 256 KB
    // ahead (a frame larger than the bytes at hand makes the buffer grow)
    const int channels = GENERATE(2, 8);
    const std::size_t read_ahead = GENERATE(std::size_t(4096), FlacFrames::kReadAhead);
    const auto p = temp("source.flac");
    write_flac(p, signal(Signal::noise, 44100 * 3, channels), channels, SF_FORMAT_PCM_24, 1.0);
    const auto f = tactus::test::read_flac_bytes(p);
    std::size_t at = f.first_frame, reads = 0;
    FlacFrames d(
        [&](std::uint8_t* dst, std::size_t max) {
            const std::size_t n = std::min({max, std::size_t(777), f.bytes.size() - at});
            std::copy_n(f.bytes.data() + at, n, dst);
            at += n;
            ++reads;
            return n;
        },
        f.channels, f.bits, read_ahead);
    std::vector<float> got, frame;
    while (d.next(frame) > 0) got.insert(got.end(), frame.begin(), frame.end());
    CHECK(at == f.bytes.size());
    CHECK(reads > f.bytes.size() / 777);
    const auto want = tactus::test::sndfile_samples(p);
    REQUIRE(got.size() == want.size());
    CHECK(got == want);
}

TEST_CASE("a FLAC frame that is cut short, damaged or garbage gives libFLAC's reason, and never a crash", "[flac]") {
    const auto p = temp("good.flac");
    write_flac(p, signal(Signal::music, 44100 * 2, 2), 2, SF_FORMAT_PCM_16, 0.5);
    const auto good = tactus::test::read_flac_bytes(p);
    const auto want = tactus::test::sndfile_samples(p);
    const std::string reasons[] = {"the FLAC stream breaks off (truncated or corrupt)", "a corrupt FLAC frame header",
                                   "a FLAC frame fails its checksum (corrupt)", "an unreadable FLAC stream",
                                   "the stream changes its format"};
    auto check_reason = [&](const std::string& err) {
        INFO(err);
        bool known = false;
        for (const auto& r : reasons) known = known || err == r;
        CHECK(known);
    };
    SECTION("cut anywhere: the whole frames before the cut, then that it breaks off") {
        for (std::size_t cut = good.first_frame + 1; cut < good.bytes.size(); cut += 977) {
            auto f = good;
            f.bytes.resize(cut);
            std::vector<float> got;
            const std::string err = tactus::test::error_text([&] { got = decode(f); });
            INFO("cut at byte " << cut);
            CHECK(err == reasons[0]);
        }
    }
    SECTION("one byte changed: an error, never other samples") {
        std::mt19937 rng(5);
        for (int trial = 0; trial < 400; ++trial) {
            auto f = good;
            const std::size_t at = good.first_frame + rng() % (good.bytes.size() - good.first_frame);
            f.bytes[at] = std::uint8_t(f.bytes[at] ^ (1u << (rng() % 8)));
            std::vector<float> got;
            const std::string err = tactus::test::error_text([&] { got = decode(f); });
            INFO("bit flipped in byte " << at);
            REQUIRE_FALSE(err.empty());  // every byte is under a CRC
            check_reason(err);
        }
    }
    SECTION("a changed frame number: the header's own checksum fails") {
        auto f = good;
        REQUIRE(f.bytes[f.first_frame + 4] == 0);  // frame 0, one byte
        f.bytes[f.first_frame + 4] = 1;             // still a valid number
        CHECK(tactus::test::error_text([&] { decode(f); }) == reasons[1]);
    }
    SECTION("garbage after the sync code") {
        std::mt19937 rng(9);
        for (int trial = 0; trial < 200; ++trial) {
            auto f = good;
            for (std::size_t i = good.first_frame + 2; i < good.first_frame + 600; ++i) f.bytes[i] = std::uint8_t(rng());
            const std::string err = tactus::test::error_text([&] { decode(f); });
            REQUIRE_FALSE(err.empty());
            check_reason(err);
        }
    }
}

TEST_CASE("the frame CRC-16 is FLAC's at every length and alignment", "[flac]") {
    // bit by bit, as the format defines it
    auto reference = [](const std::uint8_t* p, std::size_t n) {
        unsigned c = 0;
        for (std::size_t i = 0; i < n; ++i) {
            c ^= unsigned(p[i]) << 8;
            for (int b = 0; b < 8; ++b) c = (c & 0x8000) ? ((c << 1) ^ 0x8005) & 0xffff : (c << 1) & 0xffff;
        }
        return std::uint16_t(c);
    };
    std::mt19937 rng(7);
    std::vector<std::uint8_t> bytes(4100);
    for (auto& b : bytes) b = std::uint8_t(rng());
    const std::uint8_t check[] = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
    CHECK(tactus::flac_crc16(check, 9) == 0xFEE8);  // CRC-16/UMTS's check value
    for (std::size_t offset = 0; offset < 16; offset += 5)
        for (std::size_t n = 0; n < 300; ++n) {
            INFO("offset " << offset << ", " << n << " bytes");
            REQUIRE(tactus::flac_crc16(bytes.data() + offset, n) == reference(bytes.data() + offset, n));
        }
    CHECK(tactus::flac_crc16(bytes.data(), 4096) == reference(bytes.data(), 4096));
    // all ones, all zeros: no carry lost between the folded halves
    std::vector<std::uint8_t> ones(1000, 0xff), zeros(1000, 0);
    CHECK(tactus::flac_crc16(ones.data(), ones.size()) == reference(ones.data(), ones.size()));
    CHECK(tactus::flac_crc16(zeros.data(), zeros.size()) == 0);
}
