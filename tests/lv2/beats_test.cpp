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
#include "beat_checks.hpp"
#include "lv2_support.hpp"
#include "uris.hpp"

using namespace tactus;
using namespace tactus::test;


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

TEST_CASE("notes: one per beat at its offset (62 on downbeats and 60 else) and each ended", "[lv2]") {
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
        CHECK(on[i].bytes[1] == (b.beat_in_bar == 1 ? 62 : 60));
        CHECK(on[i].bytes[2] == std::lround(40.0 + 87.0 * double(b.intensity)));  // as tactus-jack
    }
    // every note ends, with its own key, 50 ms later
    REQUIRE(off.size() >= on.size() - 1);
    for (std::size_t i = 0; i < off.size(); ++i) {
        CHECK(off[i].bytes[1] == on[i].bytes[1]);
        CHECK(double(off[i].frame - on[i].frame) / audio.rate == Approx(0.05).margin(0.002));
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

TEST_CASE("silence and unconnected audio: no beats and no clock and state silent", "[lv2]") {
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

TEST_CASE("blocks longer than the prediction lead: the host's block length keeps every beat on its sample", "[lv2]") {
    // 4096 frames (93 ms) against the 80 ms lead: a prediction would reach
    // run() a block after its beat's. The block length the host reports, at
    // instantiation or later through the options interface, has the beats
    // committed two blocks ahead.
    const auto audio = read_audio(example());
    const std::vector<std::uint32_t> blocks(audio.left.size() / 4096, 4096);
    Lv2World world(built_lv2_path());
    Lv2Instance unknown(world, audio.rate), told(world, audio.rate, WorkerMode::deferred, true, 4096),
        told_later(world, audio.rate);
    REQUIRE(told_later.set_block_length(4096));
    for (Lv2Instance* inst : {&unknown, &told, &told_later}) {
        REQUIRE(inst->ok());
        run_blocks(*inst, audio.left, blocks);
    }
    int unknown_on_time = 0;
    for (const auto& b : unknown.beats) unknown_on_time += b.frame == b.stream_frame;
    INFO("without the block length " << unknown_on_time << " of " << unknown.beats.size() << " beats on their sample");
    CHECK(unknown_on_time < int(unknown.beats.size()));
    for (Lv2Instance* inst : {&told, &told_later}) {
        CHECK(inst->beats.size() + 2 >= unknown.beats.size());
        check_on_time(inst->beats, audio.rate, 1.0);
        check_clock(*inst, audio.rate);
    }
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
