// Audio files: multichannel files mix to mono; unreadable, corrupt and
// empty files give a one-line error.
#include <catch2/catch.hpp>

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
