// tactus-analyze as a user runs it: output formats, and bad input that
// gives a clear message and a non-zero exit, never a crash or a hang.
#include <catch2/catch.hpp>


#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <numbers>
#include <nlohmann/json.hpp>
#include <sstream>

#include "audio_fixtures.hpp"
#include "paths.hpp"
#include "run.hpp"
#include "sound_file.hpp"
#include "tactus/analyzer.hpp"
#include "tactus/params.hpp"

using namespace tactus::test;
namespace fs = std::filesystem;

namespace {

fs::path temp(const std::string& name) { return fs::temp_directory_path() / ("tactus-analyze-test-" + name); }

// A click track: 120 BPM, 4/4, at `rate` with `channels` channels.
fs::path click_track(const std::string& name, int rate, int channels, double seconds, int format) {
    const auto p = temp(name);
    const std::size_t n = std::size_t(seconds * rate);
    std::vector<float> x(n * std::size_t(channels), 0.f);
    for (std::size_t i = 0; i < n; ++i) {
        const double t = double(i) / rate;
        const double since = std::fmod(t, 0.5);
        const double v = since < 0.03 ? 0.8 * std::sin(2 * std::numbers::pi * 1000 * since) * (1 - since / 0.03) : 0.0;
        for (int c = 0; c < channels; ++c) x[i * std::size_t(channels) + std::size_t(c)] = float(v);
    }
    write_sound_file(p, x, rate, channels, format);
    return p;
}

std::string analyze() { return quote(bin_dir() / "tactus-analyze"); }

// The default tracker's beats (time, beat in bar, confidence, intensity) with the
// network in one arithmetic, run in this process.
std::string beats_in_process(const std::vector<float>& audio, double rate, tactus::CrnnArithmetic arithmetic) {
    tactus::AnalyzerConfig c = tactus::ParamSet{}.analyzer_config(rate);
    c.arithmetic = arithmetic;
    c.batch_frames = 32;
    tactus::Analyzer a(std::vector<fs::path>{model_path(1), model_path(2), model_path(3)}, c);
    struct Print final : tactus::EventSink {
        std::string out;
        void on_event(const tactus::BeatEvent& e) override {
            if (e.predicted) return;
            char line[64];
            std::snprintf(line, sizeof line, "%.6f %d %.3f %.3f\n", e.time, e.beat_in_bar, double(e.confidence),
                          double(e.intensity));
            out += line;
        }
    } print;
    a.feed(audio.data(), audio.size(), print);
    a.finish(print);
    return print.out;
}

// The same fields from tactus-analyze --json.
std::string beats_from_json(const std::string& json) {
    std::istringstream in(json);
    std::string line, out;
    while (std::getline(in, line)) {
        const auto j = nlohmann::json::parse(line);
        if (j["kind"] != "beat") continue;
        char text[64];
        std::snprintf(text, sizeof text, "%.6f %d %.3f %.3f\n", j["time"].get<double>(), j["beat_in_bar"].get<int>(),
                      j["confidence"].get<double>(), j["intensity"].get<double>());
        out += text;
    }
    return out;
}

}  // namespace

TEST_CASE("tactus-analyze --activations prints time, beat and downbeat per 20 ms frame for any rate and channel count", "[analyze]") {
    for (auto [rate, channels, fmt] : {std::tuple{44100, 2, SF_FORMAT_WAV | SF_FORMAT_PCM_16},
                                       std::tuple{48000, 1, SF_FORMAT_FLAC | SF_FORMAT_PCM_24},
                                       std::tuple{8000, 1, SF_FORMAT_OGG | SF_FORMAT_VORBIS},
                                       std::tuple{96000, 4, SF_FORMAT_WAV | SF_FORMAT_FLOAT}}) {
        INFO(rate << " Hz, " << channels << " channels");
        const auto file = click_track("clicks-" + std::to_string(rate) + ".audio", rate, channels, 6.0, fmt);
        const auto r = run(analyze() + " --activations " + quote(file));
        REQUIRE(r.status == 0);
        std::istringstream in(r.out);
        double t, b, d;
        int lines = 0;
        double expect_t = 0;
        while (in >> t >> b >> d) {
            CHECK(t == Approx(expect_t).margin(1e-6));
            CHECK(b >= 0);
            CHECK(b <= 1);
            CHECK(d >= 0);
            CHECK(d <= 1);
            expect_t += 0.02;
            ++lines;
        }
        CHECK(lines == 300);
    }
}

TEST_CASE("at any rate every beat is also committed in advance (--predicted), whatever the block size", "[analyze]") {
    for (int rate : {8000, 11025, 44100})
        for (int block : {64, 256, 4096}) {
            INFO(rate << " Hz, blocks of " << block);
            const auto file = click_track("pred-" + std::to_string(rate) + ".wav", rate, 1, 16.0, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
            const auto count = [&](const std::string& flags) {
                const auto r = run(analyze() + " --block " + std::to_string(block) + " " + flags + " " + quote(file));
                REQUIRE(r.status == 0);
                return std::count(r.out.begin(), r.out.end(), '\n');
            };
            const auto beats = count(""), predicted = count("--predicted --lead 20");
            CHECK(beats >= 20);
            CHECK(predicted >= beats - 1);
        }
}

TEST_CASE("tactus-analyze --model picks the weights and a bad choice is refused", "[analyze]") {
    const auto file = click_track("clicks-model.wav", 22050, 1, 3.0, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    const auto m1 = run(analyze() + " --activations " + quote(file));
    const auto m2 = run(analyze() + " --activations --model 2 " + quote(file));
    REQUIRE(m1.status == 0);
    REQUIRE(m2.status == 0);
    CHECK(m1.out != m2.out);
    CHECK(run(analyze() + " --activations --model 4 " + quote(file)).status != 0);
}

TEST_CASE("bad input files give one clear line on stderr and a non-zero exit", "[analyze]") {
    std::ofstream(temp("text.wav")) << "RIFF but not really\n";
    std::ofstream(temp("empty.mp3"));
    const auto good = click_track("clicks-ok.wav", 22050, 1, 2.0, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    std::ifstream in(good, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    std::ofstream(temp("corrupt.flac"), std::ios::binary) << "fLaC" << bytes.substr(100, 3000);
    for (const auto& bad : {temp("missing.wav"), temp("text.wav"), temp("empty.mp3"), temp("corrupt.flac")}) {
        INFO(bad);
        const auto r = run("timeout 20 " + analyze() + " --activations " + quote(bad));
        CHECK(r.status == 1);
        CHECK(r.out.empty());
        CHECK(r.err.find("tactus-analyze: ") == 0);
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    }
}

TEST_CASE("FLAC is read without libsndfile, and a file that needs it says so when it cannot be loaded", "[analyze]") {
    // a libsndfile.so.1 that is no library, found first
    const auto lib_dir = temp("no-sndfile");
    fs::create_directories(lib_dir);
    std::ofstream(lib_dir / "libsndfile.so.1") << "not a library";
    const std::string env = "LD_LIBRARY_PATH=" + quote(lib_dir) + " ";
    const auto flac = click_track("clicks-lib.flac", 44100, 2, 3.0, SF_FORMAT_FLAC | SF_FORMAT_PCM_16);
    const auto wav = click_track("clicks-lib.wav", 44100, 2, 3.0, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    const auto flac_run = run(env + analyze() + " --activations " + quote(flac));
    CHECK(flac_run.status == 0);
    CHECK(std::count(flac_run.out.begin(), flac_run.out.end(), '\n') >= 140);
    CHECK(flac_run.out == run(analyze() + " --activations " + quote(flac)).out);
    const auto wav_run = run(env + analyze() + " --activations " + quote(wav));
    CHECK(wav_run.status == 1);
    CHECK(wav_run.out.empty());
    CHECK(wav_run.err.find("libsndfile cannot be loaded") != std::string::npos);
    CHECK(std::count(wav_run.err.begin(), wav_run.err.end(), '\n') == 1);
    // and with the real one, the WAV's frames are the FLAC's
    CHECK(run(analyze() + " --activations " + quote(wav)).out == flac_run.out);
}

TEST_CASE("a wrong model file is refused before any audio is read", "[analyze]") {
    const auto file = click_track("clicks-m.wav", 22050, 1, 1.0, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    std::ofstream(temp("bogus.safetensors")) << "not a model";
    const auto r = run(analyze() + " --activations --model-file " + quote(temp("bogus.safetensors")) + " " + quote(file));
    CHECK(r.status == 1);
    CHECK(r.err.find("model file") != std::string::npos);
}

TEST_CASE("NaN and Inf samples in a float file are replaced, counted and reported", "[analyze]") {
    const auto p = temp("nan.wav");
    std::vector<float> x(22050 * 2, 0.1f);
    for (std::size_t i = 0; i < x.size(); i += 100) x[i] = std::numeric_limits<float>::quiet_NaN();
    for (std::size_t i = 50; i < x.size(); i += 100) x[i] = -std::numeric_limits<float>::infinity();
    write_sound_file(p, x, 22050);
    const auto r = run(analyze() + " --activations " + quote(p));
    CHECK(r.status == 0);
    CHECK(r.err.find("882 samples") != std::string::npos);
    CHECK(r.out.find("nan") == std::string::npos);
    CHECK(r.out.find("inf") == std::string::npos);
}

TEST_CASE("tactus-analyze --fp32 computes the network as PyTorch does, and by default it multiplies in int8", "[analyze]") {
    const double rate = 44100;
    const auto audio = groove(rate, 126, 20);
    const auto file = temp("fp32.wav");
    write_sound_file(file, audio, int(rate));
    const std::string exact = beats_in_process(audio, rate, tactus::CrnnArithmetic::exact);
    const std::string fast = beats_in_process(audio, rate, tactus::CrnnArithmetic::fast);
    REQUIRE(std::count(exact.begin(), exact.end(), '\n') >= 30);
    REQUIRE(exact != fast);
    CHECK(beats_from_json(run(analyze() + " --device cpu --json --fp32 " + quote(file)).out) == exact);
    CHECK(beats_from_json(run(analyze() + " --device cpu --json " + quote(file)).out) == fast);
    // BeatNet mode is BeatNet's network, whatever the flag
    const auto beatnet = run(analyze() + " --device cpu --json --inference beatnet " + quote(file));
    REQUIRE(beatnet.status == 0);
    REQUIRE_FALSE(beats_from_json(beatnet.out).empty());
    CHECK(run(analyze() + " --device cpu --json --inference beatnet --fp32 " + quote(file)).out == beatnet.out);
}
