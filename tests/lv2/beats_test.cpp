// Audio through the built plugin in a lilv host at random block sizes
// (0 and 1 frames included): the beat objects are tactus-analyze's beats on
// the same audio, at their sample offsets; the MIDI clock runs 24 ticks per
// beat in step with them; notes, mono hosts, silence, garbage input, and
// the analysis inside run() (freewheeling, no worker) behave.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "audio_fixtures.hpp"
#include "beat_metrics.hpp"
#include "lv2_support.hpp"
#include "uris.hpp"

using namespace tactus;
using namespace tactus::test;

namespace {

std::string example() { return (source_dir() / "examples" / "groove-120bpm.flac").string(); }

std::vector<double> reference_beats(const std::string& beats_file) {
    std::vector<double> out;
    std::ifstream in(beats_file);
    double t;
    int b;
    while (in >> t >> b) out.push_back(t);
    return out;
}

// The plugin's beats against tactus-analyze's predictions (the same engine
// events: the plugin sends predictions on their beat). `tol` in seconds.
void check_matches_analyze(const std::vector<HostBeat>& beats, const std::vector<AnalyzeEvent>& ref, double rate,
                           double audio_seconds, double tol = 0.030) {
    std::vector<std::int64_t> got, want;
    for (const auto& b : beats) got.push_back(b.stream_frame);
    for (const auto& e : ref)
        if (e.time < audio_seconds - 0.2) want.push_back(e.frame);  // the last ones may lie past the end
    REQUIRE(want.size() >= 5);
    const auto tol_frames = std::int64_t(tol * rate);
    const int hits = matched(want, got, tol_frames);
    INFO("plugin beats " << got.size() << ", tactus-analyze predictions " << want.size() << ", matched " << hits);
    CHECK(hits >= int(0.95 * double(want.size())));
    CHECK(hits >= int(0.95 * double(got.size())) - 1);
    // beat in bar and bar of the matched ones
    int same = 0, compared = 0;
    for (const auto& b : beats)
        for (const auto& e : ref)
            if (std::llabs(e.frame - b.stream_frame) <= tol_frames) {
                ++compared;
                same += e.beat_in_bar == b.beat_in_bar && e.bar == b.bar;
                break;
            }
    CHECK(same >= int(0.95 * compared));
}

// Beats come at their sample offsets: never early, and on time unless
// their prediction could not reach run() in time (a block longer than the
// prediction lead): then at the start of the next block, late by less than
// a block and 100 ms.
void check_on_time(const std::vector<HostBeat>& beats, double rate, double min_on_time) {
    int on_time = 0;
    for (const auto& b : beats) {
        CHECK(b.frame >= b.stream_frame);
        CHECK(b.frame - b.stream_frame <= std::int64_t(8192 + 0.1 * rate));
        on_time += b.frame == b.stream_frame;
    }
    CHECK(on_time >= int(min_on_time * double(beats.size())));
}

// 24 clock ticks per beat, Start on a downbeat, ticks in step with the
// beats. Against where the beats are (a late one is sent after its place),
// and over any gap between the beats sent (the engine may skip the
// prediction of a beat: 24 per beat in between).
void check_clock(const Lv2Instance& inst, double rate) {
    const auto starts = midi_frames(inst.midi, 0xFA);
    const auto ticks = midi_frames(inst.midi, 0xF8);
    REQUIRE(starts.size() == 1);
    REQUIRE(ticks.size() > 24 * 8);
    const std::int64_t start = starts.front();
    CHECK(ticks.front() == start);  // the first tick comes with Start
    // Start on a downbeat: a whole number of bars from the nearest downbeat sent (within a tick)
    const HostBeat* down = nullptr;
    for (const auto& b : inst.beats)
        if (b.beat_in_bar == 1 && b.beats_per_bar > 0 && (!down || std::llabs(b.stream_frame - start) < std::llabs(down->stream_frame - start)))
            down = &b;
    REQUIRE(down);
    const double bars = double(start - down->stream_frame) / (rate * 60.0 / down->bpm) / down->beats_per_bar;
    CHECK(std::abs(bars - std::round(bars)) * down->beats_per_bar < 1.0 / 24);
    // ticks between the beats sent, once the clock has settled (two beats after Start)
    int intervals = 0, good = 0;
    for (std::size_t i = 1; i < inst.beats.size(); ++i) {
        const auto a = inst.beats[i - 1].stream_frame, b = inst.beats[i].stream_frame;
        const double period = rate * 60.0 / inst.beats[i].bpm;
        if (a < start + std::int64_t(2 * period)) continue;
        const auto n = std::count_if(ticks.begin(), ticks.end(), [&](std::int64_t t) { return t >= a && t < b; });
        ++intervals;
        const double beats = double(b - a) / period;
        good += std::abs(double(n) - 24.0 * beats) <= 1.5 * std::max(1.0, beats);
    }
    REQUIRE(intervals >= 4);
    CHECK(good >= int(0.85 * intervals));
    // tick spacing: the beat's 24th part
    std::vector<double> gaps;
    for (std::size_t i = 1; i < ticks.size(); ++i) gaps.push_back(double(ticks[i] - ticks[i - 1]));
    std::nth_element(gaps.begin(), gaps.begin() + std::ptrdiff_t(gaps.size() / 2), gaps.end());
    const double bpm = inst.beats.back().bpm;
    CHECK(gaps[gaps.size() / 2] == Approx(rate * 60.0 / bpm / 24.0).epsilon(0.03));
    // every 24th tick from Start lies on a beat sent: within 60 ms while the
    // clock's loop pulls in its tempo and phase (it moves them gently, by at
    // most 1 % per beat), within 30 ms once it has (the second half)
    std::vector<std::int64_t> beat_ticks, beat_frames, late_ticks, late_frames;
    for (std::size_t i = 0; i < ticks.size(); i += 24) beat_ticks.push_back(ticks[i]);
    const std::int64_t settled = (start + ticks.back()) / 2;
    for (auto t : beat_ticks)
        if (t >= settled) late_ticks.push_back(t);
    for (const auto& b : inst.beats) {
        if (b.stream_frame >= start) beat_frames.push_back(b.stream_frame);
        if (b.stream_frame >= settled) late_frames.push_back(b.stream_frame);
    }
    CHECK(matched(beat_frames, beat_ticks, std::int64_t(0.06 * rate)) >= int(0.9 * double(beat_frames.size())));
    CHECK(matched(late_frames, late_ticks, std::int64_t(0.03 * rate)) >= int(0.85 * double(late_frames.size())));
}

}  // namespace

TEST_CASE("beats and MIDI clock match tactus-analyze at random block sizes", "[lv2]") {
    const auto audio = read_audio(example());
    const auto ref = predictions_of(analyze(example(), "--lead 80"));
    const double seconds = double(audio.left.size()) / audio.rate;
    Lv2World world(built_lv2_path());
    for (std::uint32_t seed : {1u, 2u, 3u}) {
        INFO("block sizes, seed " << seed);
        Lv2Instance inst(world, audio.rate, WorkerMode::deferred);
        REQUIRE(inst.ok());
        const auto blocks = random_blocks(audio.left.size(), seed);
        CHECK(std::count(blocks.begin(), blocks.end(), 0u) > 10);
        CHECK(std::count(blocks.begin(), blocks.end(), 1u) > 10);
        run_blocks(inst, audio.left, blocks);
        CHECK(inst.order_errors == 0);
        CHECK(inst.unknown_events == 0);
        REQUIRE(inst.beats.size() >= 10);
        for (const auto& b : inst.beats) CHECK(b.predicted);
        check_matches_analyze(inst.beats, ref, audio.rate, seconds);
        check_on_time(inst.beats, audio.rate, 0.5);  // blocks up to 371 ms, the lead 80 ms
        check_clock(inst, audio.rate);
        // and the music's own beats (the file's annotation)
        std::vector<double> est;
        for (const auto& b : inst.beats) est.push_back(double(b.stream_frame) / audio.rate);
        CHECK(f_measure(reference_beats(source_dir() / "examples" / "groove-120bpm.beats"), est, 0.07, 3.0) >= 0.9);
        // control outputs
        CHECK(inst.control("bpm") == Approx(120).margin(1));
        CHECK(inst.control("state") == float(TrackState::locked));
        CHECK(inst.control("confidence") > 0.5f);
        CHECK(inst.control("bar") == float(inst.beats.back().bar));
    }
}

TEST_CASE("other sample rates: synthetic grooves at 96 kHz and 11025 Hz", "[lv2]") {
    Lv2World world(built_lv2_path());
    for (const auto& [rate, bpm] : {std::pair{96000.0, 128.0}, std::pair{11025.0, 96.0}}) {
        INFO(rate << " Hz, " << bpm << " BPM");
        const auto audio = groove(rate, bpm, 14, 0.3, 7);
        const auto file = std::filesystem::temp_directory_path() / ("tactus-lv2-groove-" + std::to_string(::getpid()) + ".wav");
        write_wav(file.string(), audio, rate);
        const auto ref = predictions_of(analyze(file.string(), "--lead 80"));
        std::filesystem::remove(file);
        Lv2Instance inst(world, rate, WorkerMode::deferred);
        REQUIRE(inst.ok());
        // blocks of at most 32 ms (and 0 and 1): all shorter than the lead
        run_blocks(inst, audio, random_blocks(audio.size(), 11, std::uint32_t(0.032 * rate)));
        CHECK(inst.order_errors == 0);
        check_matches_analyze(inst.beats, ref, rate, 14.0);
        check_on_time(inst.beats, rate, 1.0);
        check_clock(inst, rate);
        CHECK(inst.control("bpm") == Approx(bpm).margin(1));
    }
}

TEST_CASE("notes: one per beat at its offset (D3 on downbeats and C3 else) and each ended", "[lv2]") {
    const auto audio = read_audio(example());
    Lv2World world(built_lv2_path());
    Lv2Instance inst(world, audio.rate);
    REQUIRE(inst.ok());
    inst.set_control("midi_notes", 1);
    inst.set_control("midi_clock", 0);
    run_blocks(inst, audio.left, random_blocks(audio.left.size(), 5));
    CHECK(midi_frames(inst.midi, 0xF8).empty());  // the clock is off
    std::vector<HostMidi> on, off;
    for (const auto& m : inst.midi) {
        if (m.bytes[0] == 0x90) on.push_back(m);
        if (m.bytes[0] == 0x80) off.push_back(m);
    }
    REQUIRE(inst.beats.size() >= 10);
    REQUIRE(on.size() == inst.beats.size());
    for (std::size_t i = 0; i < on.size(); ++i) {
        const auto& b = inst.beats[i];
        CHECK(on[i].frame == b.frame);
        CHECK(on[i].bytes[1] == (b.beat_in_bar == 1 ? tactus::lv2::kDownbeatNote : tactus::lv2::kBeatNote));
        CHECK(on[i].bytes[2] >= 1);
        CHECK(on[i].bytes[2] <= 127);
    }
    // every note ends, with its own key, about kNoteSeconds later
    REQUIRE(off.size() >= on.size() - 1);
    for (std::size_t i = 0; i < off.size(); ++i) {
        CHECK(off[i].bytes[1] == on[i].bytes[1]);
        CHECK(double(off[i].frame - on[i].frame) / audio.rate == Approx(tactus::lv2::kNoteSeconds).margin(0.002));
    }
}

TEST_CASE("a mono host (right input unconnected) hears the same as a stereo one", "[lv2]") {
    const auto audio = read_audio(example());
    Lv2World world(built_lv2_path());
    Lv2Instance mono(world, audio.rate, WorkerMode::deferred, false);
    Lv2Instance stereo(world, audio.rate, WorkerMode::deferred, true);
    REQUIRE(mono.ok());
    REQUIRE(stereo.ok());
    const auto blocks = random_blocks(audio.left.size(), 9);
    run_blocks(mono, audio.left, blocks);
    run_blocks(stereo, audio.left, blocks, &audio.left);  // the same signal on both sides
    REQUIRE(mono.beats.size() >= 10);
    REQUIRE(mono.beats.size() == stereo.beats.size());
    for (std::size_t i = 0; i < mono.beats.size(); ++i) CHECK(mono.beats[i].frame == stereo.beats[i].frame);
    // the left channel alone of a stereo pair with a silent right still tracks
    const std::vector<float> silent(audio.left.size(), 0.f);
    Lv2Instance half(world, audio.rate);
    run_blocks(half, audio.left, blocks, &silent);
    CHECK(half.control("bpm") == Approx(120).margin(1));
}

TEST_CASE("silence and unconnected audio: no beats and no clock; state silent", "[lv2]") {
    Lv2World world(built_lv2_path());
    Lv2Instance inst(world, 48000);
    REQUIRE(inst.ok());
    for (int i = 0; i < 48000 * 8 / 512; ++i) inst.run(512, nullptr);  // nothing connected: silence
    CHECK(inst.beats.empty());
    CHECK(inst.midi.empty());
    CHECK(inst.control("state") == float(TrackState::silent));
    CHECK(inst.control("bpm") == 0.f);
}

TEST_CASE("NaN and Inf and absurd samples neither crash nor stop the tracking", "[lv2]") {
    auto audio = read_audio(example());
    std::vector<float>& x = audio.left;
    const std::size_t at = x.size() / 2;
    for (std::size_t i = 0; i < 2000; ++i) {
        x[at + i] = i % 3 == 0 ? std::numeric_limits<float>::quiet_NaN()
                  : i % 3 == 1 ? std::numeric_limits<float>::infinity()
                               : 1e30f;
    }
    Lv2World world(built_lv2_path());
    Lv2Instance inst(world, audio.rate);
    REQUIRE(inst.ok());
    run_blocks(inst, x, random_blocks(x.size(), 4));
    int after = 0;
    for (const auto& b : inst.beats) {
        after += b.stream_frame > std::int64_t(at + 2000 + audio.rate);
        CHECK(std::isfinite(b.bpm));
        CHECK(std::isfinite(b.confidence));
    }
    CHECK(after >= 4);
    for (const char* out : {"bpm", "confidence", "phase", "beat_in_bar", "bar", "state"}) CHECK(std::isfinite(inst.control(out)));
}

TEST_CASE("freewheeling and a host without a worker analyse in run(): the same beats", "[lv2]") {
    const auto audio = read_audio(example());
    Lv2World world(built_lv2_path());
    const auto blocks = random_blocks(audio.left.size(), 21);
    Lv2Instance deferred(world, audio.rate, WorkerMode::deferred);
    Lv2Instance none(world, audio.rate, WorkerMode::none);
    Lv2Instance freewheel(world, audio.rate, WorkerMode::threaded);  // a worker thread, unused while freewheeling
    REQUIRE(deferred.ok());
    REQUIRE(none.ok());
    REQUIRE(freewheel.ok());
    freewheel.set_freewheel(true);
    run_blocks(deferred, audio.left, blocks);
    run_blocks(none, audio.left, blocks);
    run_blocks(freewheel, audio.left, blocks);  // as fast as the CPU goes
    REQUIRE(deferred.beats.size() >= 10);
    for (const Lv2Instance* other : {&none, &freewheel}) {
        REQUIRE(other->beats.size() == deferred.beats.size());
        for (std::size_t i = 0; i < deferred.beats.size(); ++i) {
            CHECK(other->beats[i].stream_frame == deferred.beats[i].stream_frame);
            CHECK(other->beats[i].beat_in_bar == deferred.beats[i].beat_in_bar);
            // in run(), the events of a block are there before its outputs: on time
            CHECK(other->beats[i].frame == other->beats[i].stream_frame);
        }
        CHECK(midi_frames(other->midi, 0xF8).size() == Approx(double(midi_frames(deferred.midi, 0xF8).size())).margin(24));
    }
}

TEST_CASE("a worker thread at host pace: beats on time", "[lv2]") {
    const auto audio = read_audio(example());
    const auto ref = predictions_of(analyze(example(), "--lead 80"));
    Lv2World world(built_lv2_path());
    Lv2Instance inst(world, audio.rate, WorkerMode::threaded);
    REQUIRE(inst.ok());
    // 256-frame periods at four times real time
    const auto period = std::chrono::duration<double>(256 / audio.rate / 4);
    auto next = std::chrono::steady_clock::now();
    for (std::size_t at = 0; at < audio.left.size(); at += 256) {
        inst.run(std::uint32_t(std::min<std::size_t>(256, audio.left.size() - at)), audio.left.data() + at);
        next += std::chrono::duration_cast<std::chrono::steady_clock::duration>(period);
        std::this_thread::sleep_until(next);
    }
    inst.drain_worker();
    check_matches_analyze(inst.beats, ref, audio.rate, double(audio.left.size()) / audio.rate);
    check_on_time(inst.beats, audio.rate, 0.9);
    check_clock(inst, audio.rate);
}

TEST_CASE("blocks shorter than the prediction lead: every beat exactly on its sample", "[lv2]") {
    const auto audio = read_audio(example());
    const auto ref = predictions_of(analyze(example(), "--lead 80"));
    Lv2World world(built_lv2_path());
    Lv2Instance inst(world, audio.rate, WorkerMode::deferred);
    REQUIRE(inst.ok());
    run_blocks(inst, audio.left, random_blocks(audio.left.size(), 13, 1024));  // 46 ms at most
    check_matches_analyze(inst.beats, ref, audio.rate, double(audio.left.size()) / audio.rate, 0.0);
    check_on_time(inst.beats, audio.rate, 1.0);
}
