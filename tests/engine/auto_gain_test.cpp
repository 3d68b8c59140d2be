// AutoGain: the network hears the music's recent peak at -1 dBFS. A
// louder level takes effect within 0.8 s, 6 dB of it at once; after a loud
// passage the gain comes back up at 0.5 dB a second; a door slam does not
// set the level; the gain stays within +48 and -24 dB.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numbers>
#include <random>
#include <vector>

#include "audio_fixtures.hpp"
#include "auto_gain.hpp"
#include "paths.hpp"
#include "tactus/analyzer.hpp"
#include "tactus/features.hpp"

using namespace tactus;

namespace {

constexpr float kFrameS = 0.02f;

float db(float linear) { return 20.f * std::log10(linear); }
float lin(float decibels) { return std::pow(10.f, decibels / 20.f); }

std::vector<float> scaled(std::vector<float> x, float decibels) {
    for (auto& v : x) v *= lin(decibels);
    return x;
}

struct Features {
    std::vector<std::vector<float>> frames;
    std::vector<float> level_db, gain_db;
};

Features features(const std::vector<float>& audio, bool auto_gain) {
    FeatureExtractor fx;
    fx.set_auto_gain(auto_gain);
    Features out;
    float f[kFeatures];
    auto drain = [&] {
        while (fx.pop(f)) {
            out.frames.emplace_back(f, f + kFeatures);
            out.level_db.push_back(fx.level_db());
            out.gain_db.push_back(fx.gain_db());
        }
    };
    for (std::size_t at = 0; at < audio.size();) {
        at += fx.push(audio.data() + at, audio.size() - at);
        drain();
    }
    fx.finish();
    drain();
    return out;
}

double max_difference(const Features& a, const Features& b) {
    REQUIRE(a.frames.size() == b.frames.size());
    double worst = 0;
    for (std::size_t i = 0; i < a.frames.size(); ++i)
        for (int k = 0; k < kFeatures; ++k)
            worst = std::max(worst, double(std::abs(a.frames[i][std::size_t(k)] - b.frames[i][std::size_t(k)])));
    return worst;
}

struct Beats final : EventSink {
    std::vector<double> times;
    void on_event(const BeatEvent& e) override {
        if (!e.predicted) times.push_back(e.time);
    }
};

constexpr double kRate = 22050;

std::vector<double> beats(const std::vector<float>& audio, bool auto_gain) {
    AnalyzerConfig c;
    c.sample_rate = kRate;
    c.arithmetic = CrnnArithmetic::exact;
    c.auto_gain = auto_gain;
    Analyzer a(std::vector<std::filesystem::path>{tactus::test::model_path(1)}, c);
    Beats b;
    for (std::size_t at = 0; at < audio.size(); at += 4096) a.feed(audio.data() + at, std::min<std::size_t>(4096, audio.size() - at), b);
    a.finish(b);
    return b.times;
}

}  // namespace

TEST_CASE("auto gain: the first frame brings its peak to -1 dBFS", "[auto_gain]") {
    for (float peak_db : {-1.f, -30.f, -6.f, 0.f}) {
        AutoGain g;
        CHECK(db(g.next(lin(peak_db), kFrameS)) == Approx(-1.f - peak_db).margin(1e-3));
        CHECK(g.gain_db() == Approx(-1.f - peak_db).margin(1e-3));
    }
}

TEST_CASE("auto gain: a louder level lowers the gain within 0.8 s, a quieter one raises it 0.5 dB a second", "[auto_gain]") {
    AutoGain g;
    auto run = [&](float peak_db, float seconds) {
        for (int i = 0; i < int(seconds / kFrameS + 0.5f); ++i) g.next(lin(peak_db), kFrameS);
    };
    run(-30.f, 4.f);
    CHECK(g.gain_db() == Approx(29.f).margin(1e-3));
    g.next(lin(-6.f), kFrameS);  // the music gets louder: at once, but for 6 dB ...
    CHECK(g.gain_db() == Approx(29.f - 24.f + AutoGain::kTransientDb).margin(1e-3));
    run(-6.f, 0.8f);  // ... and in full once it recurs
    CHECK(g.gain_db() == Approx(5.f).margin(1e-3));
    // 10 s of quiet: the gain rises by 5 dB, not by the 24 dB of the drop
    run(-30.f, 10.f);
    CHECK(g.gain_db() == Approx(10.f).margin(0.01));
    // the music as loud as before: the gain holds there
    run(-11.f, 1.f);
    CHECK(g.gain_db() == Approx(10.f).margin(0.01));
}

TEST_CASE("auto gain: a door slam does not set the level", "[auto_gain]") {
    // 4 s of music at -21 dBFS, its peaks varying by 6 dB, then 0.4 s of a
    // slam at full scale: with a plain peak envelope the gain would stay
    // 20 dB down and take 40 s to come back
    AutoGain g;
    auto music = [&](int frames) {
        for (int i = 0; i < frames; ++i) g.next(lin(i % 25 == 0 ? -21.f : -27.f), kFrameS);
    };
    music(200);
    CHECK(g.gain_db() == Approx(20.f).margin(0.25));  // released at most 0.25 dB since the last -21 dB hit
    g.next(lin(-1.f), kFrameS);
    CHECK(g.gain_db() == Approx(AutoGain::kTransientDb).margin(1e-3));  // it ducks at once ...
    for (int i = 1; i < 20; ++i) g.next(lin(-1.f - float(i)), kFrameS);  // decaying over 0.4 s
    music(50);
    // ... a second later the level is the margin over the music's (released
    // for the 1.1 s since the slam fell under it) ...
    CHECK(g.gain_db() == Approx(20.f - AutoGain::kTransientDb + AutoGain::kReleaseDbPerS * 1.1f).margin(1e-2));
    music(600);
    CHECK(g.gain_db() == Approx(20.f).margin(0.25));  // ... and 12 s later the music's own
}

TEST_CASE("auto gain: the gain stays within +48 and -24 dB", "[auto_gain]") {
    AutoGain quiet;
    quiet.next(0.f, kFrameS);  // digital silence
    CHECK(quiet.gain_db() == AutoGain::kMaxGainDb);
    CHECK(db(quiet.next(lin(-90.f), kFrameS)) == Approx(48.f).margin(1e-3));
    AutoGain loud;
    CHECK(db(loud.next(1000.f, kFrameS)) == Approx(-24.f).margin(1e-3));  // float input 60 dB over full scale
}

TEST_CASE("auto gain: reset forgets the level", "[auto_gain]") {
    AutoGain g;
    g.next(lin(-1.f), kFrameS);
    g.reset();
    CHECK(g.gain_db() == 0.f);
    g.next(lin(-40.f), kFrameS);
    CHECK(g.gain_db() == Approx(39.f).margin(1e-3));
}

TEST_CASE("auto gain: the network's input is the same 30 dB quieter, the level is the input's own", "[auto_gain][features]") {
    const auto loud = tactus::test::groove(kRate, 120, 6);
    const auto quiet = scaled(loud, -30.f);
    const Features a = features(loud, true), b = features(quiet, true);
    CHECK(max_difference(a, b) < 1e-4);
    // without it, the features follow the level (madmom's, BeatNet's)
    const Features c = features(loud, false), d = features(quiet, false);
    CHECK(max_difference(c, d) > 0.1);
    CHECK(d.gain_db.back() == 0.f);
    int sounding = 0;
    for (std::size_t i = 10; i < a.level_db.size(); i += 5) {
        if (a.level_db[i] < -60.f) continue;  // between hits: near the -120 dB floor
        ++sounding;
        CHECK(b.level_db[i] == Approx(a.level_db[i] - 30.f).margin(0.01));
        CHECK(b.level_db[i] == Approx(d.level_db[i]).margin(0.1));  // the input's own level
        CHECK(b.gain_db[i] == Approx(a.gain_db[i] + 30.f).margin(0.01));
    }
    CHECK(sounding > 20);
}

TEST_CASE("auto gain: a microphone's DC offset is no sound", "[auto_gain][features]") {
    // a groove 30 dB down on an offset of 0.05 (-26 dBFS): without the DC
    // blocker the offset would set the gain, leak through the window into
    // the kick's bands, and keep the level above any silence. A microphone
    // hears a noise floor too (digital silence, exact zeros, is its own
    // case below).
    auto quiet = scaled(tactus::test::groove(kRate, 120, 6), -30.f);
    std::mt19937 rng(4);
    std::normal_distribution<float> floor(0.f, 1e-4f);
    for (auto& v : quiet) v += floor(rng);
    auto offset = quiet;
    for (auto& v : offset) v += 0.05f;
    const Features a = features(quiet, true), b = features(offset, true);
    // frames 2.. (frame 0 and 1 overlap the zeros before the stream)
    double worst = 0;
    for (std::size_t i = 2; i + 2 < a.frames.size(); ++i)
        for (int k = 0; k < kFeatures; ++k)
            worst = std::max(worst, double(std::abs(a.frames[i][std::size_t(k)] - b.frames[i][std::size_t(k)])));
    CHECK(worst < 2e-3);
    for (std::size_t i = 10; i + 2 < a.level_db.size(); i += 10) {
        if (a.level_db[i] < -60.f) continue;
        CHECK(b.level_db[i] == Approx(a.level_db[i]).margin(0.05));
        CHECK(b.gain_db[i] == Approx(a.gain_db[i]).margin(0.05));
    }
}

TEST_CASE("auto gain: digital silence stays silence: the DC blocker does not ring on through a gap between tracks",
          "[auto_gain][features]") {
    // a groove over a quiet floor, half a second of exact zeros (a player
    // between two tracks), the groove again: every frame within the gap
    // reads nothing at all (the tracker tells such gaps by it), where the
    // blocker's pole would ring on for about 0.3 s
    auto song = tactus::test::groove(kRate, 120, 3);
    std::mt19937 rng(3);
    std::normal_distribution<float> floor(0.f, 0.003f);
    for (auto& v : song) v += floor(rng);
    const std::size_t gap_from = song.size(), gap_to = gap_from + std::size_t(0.5 * kRate);
    auto audio = song;
    audio.resize(gap_to, 0.f);
    audio.insert(audio.end(), song.begin(), song.end());
    const Features f = features(audio, true);
    int inside = 0;
    for (std::size_t j = 0; j < f.level_db.size(); ++j) {
        const std::int64_t start = std::int64_t(j) * kHop - kFrameLookahead;
        if (start <= std::int64_t(gap_from) || start + kFrameSize > std::int64_t(gap_to)) continue;
        ++inside;
        CHECK(f.level_db[j] <= -100.f);
    }
    CHECK(inside >= 18);
    // and the sound around it keeps its level
    CHECK(f.level_db[std::size_t(2.5 * kFps)] > -40.f);
    CHECK(f.level_db[std::size_t((double(gap_to) / kRate + 1.5) * kFps)] > -40.f);
}

TEST_CASE("auto gain: a rising gain is no onset", "[auto_gain][features]") {
    // 1 kHz repeats every 441-sample hop, so every frame of a steady tone is
    // the same frame: 1 s at -1 dBFS, then 6 s 20 dB lower, over which the
    // gain rises by 0.5 dB a second
    std::vector<float> tone(std::size_t(7 * kRate));
    for (std::size_t n = 0; n < tone.size(); ++n)
        tone[n] = float((n < std::size_t(kRate) ? 0.89 : 0.089) * std::sin(2 * std::numbers::pi * 1000.0 * double(n) / kRate));
    const Features f = features(tone, true);
    REQUIRE(f.frames.size() >= 340);
    const std::size_t early = 75, late = 325;  // 1.5 s and 6.5 s
    CHECK(f.gain_db[late] - f.gain_db[early] == Approx(2.5f).margin(0.05));
    double louder = 0, onset = 0;
    for (int b = 0; b < kBands; ++b) {
        louder = std::max(louder, double(f.frames[late][std::size_t(b)] - f.frames[early][std::size_t(b)]));
        for (std::size_t i = early; i <= late; ++i) onset = std::max(onset, double(f.frames[i][std::size_t(kBands + b)]));
    }
    CHECK(louder > 0.05);   // the bands grew with the gain ...
    CHECK(onset < 1e-5);    // ... and no frame differs from the one before
}

TEST_CASE("auto gain: pink noise draws no beats at any level", "[auto_gain][analyzer]") {
    // The network hears every level of it as full-scale pink noise, which
    // it does not take for music. (Without the gain it fires on this noise
    // at some levels; the tracker's onset check then holds the lock back.)
    for (float level : {-1.f, -10.f, -20.f, -35.f}) {
        INFO(level << " dBFS");
        CHECK(beats(scaled(tactus::test::pink_noise(kRate, 30, 11), level + 1.f), true).empty());
    }
}
