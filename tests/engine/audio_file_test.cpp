// Audio files: multichannel files mix to mono; unreadable, corrupt and
// empty files give a one-line error.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>

#include "error_text.hpp"
#include "sound_file.hpp"
#include "tactus/audio_file.hpp"
#include "tactus/error.hpp"

using namespace tactus;
namespace fs = std::filesystem;

namespace {

fs::path temp(const std::string& name) { return fs::temp_directory_path() / ("tactus-audio-test-" + name); }

void write_wav(const fs::path& p, int channels, int rate, const std::vector<float>& interleaved) {
    tactus::test::write_sound_file(p, interleaved, rate, channels);
}

std::string error_of(const fs::path& p) {
    return tactus::test::error_text([&] { AudioFile f(p); });
}

}  // namespace

TEST_CASE("a stereo file is mixed to mono by the mean of its channels", "[audio_file]") {
    write_wav(temp("stereo.wav"), 2, 48000, {1.f, 0.f, 0.5f, 0.5f, -1.f, 0.f});
    double rate = 0;
    const auto mono = read_mono(temp("stereo.wav"), &rate);
    CHECK(rate == 48000);
    REQUIRE(mono.size() == 3);
    CHECK(mono[0] == 0.5f);
    CHECK(mono[1] == 0.5f);
    CHECK(mono[2] == -0.5f);
}

TEST_CASE("bad audio files give a clear error", "[audio_file]") {
    CHECK(error_of("/nonexistent.wav").find("no such file") != std::string::npos);
    CHECK(error_of(fs::temp_directory_path()).find("directory") != std::string::npos);
    std::ofstream(temp("garbage.wav")) << "this is not a wav file at all, just text\n";
    CHECK(error_of(temp("garbage.wav")).find("cannot read") != std::string::npos);
    std::ofstream(temp("empty.flac"));
    CHECK_FALSE(error_of(temp("empty.flac")).empty());
    write_wav(temp("zero.wav"), 1, 44100, {});
    CHECK(error_of(temp("zero.wav")).find("no audio") != std::string::npos);
    write_wav(temp("low.wav"), 1, 4000, {0.f, 0.1f});
    CHECK(error_of(temp("low.wav")).find("outside") != std::string::npos);
}

TEST_CASE("a truncated wav reads what is there without crashing", "[audio_file]") {
    std::vector<float> x(10000, 0.25f);
    write_wav(temp("full.wav"), 1, 22050, x);
    std::ifstream in(temp("full.wav"), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    std::ofstream(temp("cut.wav"), std::ios::binary) << bytes.substr(0, bytes.size() / 2);
    double rate;
    std::vector<float> got;
    CHECK_NOTHROW(got = read_mono(temp("cut.wav"), &rate));
    CHECK(got.size() < x.size());
}

namespace {

// what libsndfile reads from a file, interleaved
std::vector<float> sndfile_samples(const fs::path& p, int* channels) {
    SF_INFO info{};
    SNDFILE* f = sf_open(p.c_str(), SFM_READ, &info);
    REQUIRE(f != nullptr);
    std::vector<float> x(std::size_t(info.frames * info.channels));
    const auto got = sf_readf_float(f, x.data(), info.frames);
    sf_close(f);
    x.resize(std::size_t(got * info.channels));
    *channels = info.channels;
    return x;
}

std::vector<float> audio_file_samples(const fs::path& p, std::size_t block) {
    AudioFile f(p);
    std::vector<float> x, buf(block * std::size_t(f.channels()));
    std::size_t n;
    while ((n = f.read(buf.data(), block)) > 0) x.insert(x.end(), buf.begin(), buf.begin() + std::ptrdiff_t(n) * f.channels());
    return x;
}

}  // namespace

TEST_CASE("FLAC files read through libFLAC give libsndfile's samples exactly, 16 and 24 bits, mono and stereo",
          "[audio_file]") {
    const int channels = GENERATE(1, 2);
    const int subtype = GENERATE(int(SF_FORMAT_PCM_16), int(SF_FORMAT_PCM_24));
    INFO(channels << " channels, " << (subtype == SF_FORMAT_PCM_16 ? 16 : 24) << " bits");
    std::vector<float> x(std::size_t(44100 * 3 * channels));
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = 0.6f * float(std::sin(0.001 * double(i * i % 100003)));
    const auto p = temp("pcm.flac");
    tactus::test::write_sound_file(p, x, 44100, channels, SF_FORMAT_FLAC | subtype);
    AudioFile f(p);
    CHECK(f.channels() == channels);
    CHECK(f.sample_rate() == 44100);
    CHECK(f.frames() == 44100 * 3);
    int sf_channels = 0;
    const auto want = sndfile_samples(p, &sf_channels);
    REQUIRE(sf_channels == channels);
    for (std::size_t block : {std::size_t(1000), std::size_t(16384)}) {
        const auto got = audio_file_samples(p, block);
        REQUIRE(got.size() == want.size());
        CHECK(got == want);
    }
}

TEST_CASE("read_mono is mix_to_mono of read, bit for bit, FLAC of 1 to 6 channels and 16 or 24 bits, and WAV",
          "[audio_file]") {
    const int channels = GENERATE(1, 2, 3, 6);
    const int format = GENERATE(int(SF_FORMAT_FLAC | SF_FORMAT_PCM_16), int(SF_FORMAT_FLAC | SF_FORMAT_PCM_24),
                                int(SF_FORMAT_WAV | SF_FORMAT_FLOAT));
    INFO(channels << " channels, format " << std::hex << format);
    std::vector<float> x(std::size_t(44100 * 2 * channels));
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = 0.6f * float(std::sin(0.001 * double(i * i % 100003)));
    const auto p = temp("mono-mix");
    tactus::test::write_sound_file(p, x, 44100, channels, format);
    const auto inter = audio_file_samples(p, 4096);
    std::vector<float> want(inter.size() / std::size_t(channels));
    tactus::mix_to_mono(inter.data(), want.size(), channels, want.data());
    for (std::size_t block : {std::size_t(1000), std::size_t(16384)}) {
        AudioFile f(p);
        std::vector<float> got, buf(block);
        std::size_t n;
        while ((n = f.read_mono(buf.data(), block)) > 0) got.insert(got.end(), buf.begin(), buf.begin() + std::ptrdiff_t(n));
        REQUIRE(got.size() == want.size());
        CHECK(got == want);
        // one way of reading per file
        if (channels > 1 && (format & SF_FORMAT_TYPEMASK) == SF_FORMAT_FLAC)
            CHECK_THROWS_AS(f.read(buf.data(), 1), tactus::Error);
    }
}

TEST_CASE("a damaged FLAC file gives a clear error or what it holds, never a crash", "[audio_file]") {
    std::vector<float> x(44100 * 2);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = 0.5f * float(std::sin(0.05 * double(i)));
    const auto p = temp("good.flac");
    tactus::test::write_sound_file(p, x, 44100, 1, SF_FORMAT_FLAC | SF_FORMAT_PCM_16);
    std::ifstream in(p, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), {});
    SECTION("cut in half") {
        std::ofstream(temp("cut.flac"), std::ios::binary) << bytes.substr(0, bytes.size() / 2);
        std::vector<float> got;
        const std::string err = tactus::test::error_text([&] { got = audio_file_samples(temp("cut.flac"), 4096); });
        if (err.empty()) CHECK(got.size() < x.size());
        else CHECK(err == "error while reading " + temp("cut.flac").string() + ": the FLAC stream breaks off (truncated or corrupt)");
    }
    SECTION("garbage in its frames") {
        std::string b = bytes;
        for (std::size_t i = b.size() / 3; i < b.size() / 3 + 400; ++i) b[i] = char(i * 7);
        std::ofstream(temp("garbled.flac"), std::ios::binary) << b;
        const std::string err = tactus::test::error_text([&] { audio_file_samples(temp("garbled.flac"), 4096); });
        INFO(err);
        CHECK(err.find("\n") == std::string::npos);  // at most one line, naming the file
        if (!err.empty()) CHECK(err.find("garbled.flac") != std::string::npos);
    }
    SECTION("only the header: it opens and holds nothing") {
        std::ofstream(temp("head.flac"), std::ios::binary) << bytes.substr(0, 42);
        std::vector<float> got;
        CHECK(tactus::test::error_text([&] { got = audio_file_samples(temp("head.flac"), 4096); }).empty());
        CHECK(got.empty());
    }
}
