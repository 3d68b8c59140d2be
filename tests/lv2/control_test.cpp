// Driving the plugin: control ports and patch:Set reach the engine (also
// the parameters that rebuild the analysis, the model among them), the
// output offset shifts every output, the clock stops when switched off, a
// transport relocation restarts the analysis and a rolling transport
// does not. Without a host worker, changes that rebuild wait for activate().
#include <catch2/catch.hpp>

#include <functional>

#include "audio_fixtures.hpp"
#include "lv2_support.hpp"
#include "uris.hpp"

using namespace tactus;
using namespace tactus::test;

namespace {

std::string example() { return (source_dir() / "examples" / "groove-120bpm.flac").string(); }

// A host with no worker thread that has played the example's first half.
struct NoWorkerHost {
    AudioData audio = read_audio(example());
    Lv2World world{built_lv2_path()};
    Lv2Instance inst{world, audio.rate, WorkerMode::none};
    std::vector<float> first;
    NoWorkerHost() {
        REQUIRE(inst.ok());
        first.assign(audio.left.begin(), audio.left.begin() + std::ptrdiff_t(audio.left.size() / 2));
        run_fixed(inst, first, 300);
    }
};

}  // namespace

TEST_CASE("the BPM override (by port or by patch:Set) pins the tempo", "[lv2]") {
    const auto audio = groove(48000, 120, 16);
    Lv2World world(built_lv2_path());
    for (bool patch : {false, true}) {
        INFO((patch ? "patch:Set" : "control port"));
        Lv2Instance inst(world, 48000);
        REQUIRE(inst.ok());
        if (patch) inst.send_patch_set(tactus::lv2::param_uri("bpm_override"), 100);
        else inst.set_control("bpm_override", 100);
        run_fixed(inst, audio, 256);
        // the tempo is the override; the phase still follows the music
        CHECK(inst.control("bpm") == Approx(100).margin(0.01));
        REQUIRE(inst.beats.size() >= 6);
        for (const auto& b : inst.beats) CHECK(b.bpm == Approx(100).margin(0.01));
        // and lifting it gives the music's tempo back
        if (patch) inst.send_patch_set(tactus::lv2::param_uri("bpm_override"), 0);
        else inst.set_control("bpm_override", 0);
        run_fixed(inst, audio, 256);
        CHECK(inst.control("bpm") == Approx(120).margin(1));
    }
}

TEST_CASE("taps by patch:Set set the tempo", "[lv2]") {
    const auto audio = groove(48000, 120, 14);
    Lv2World world(built_lv2_path());
    Lv2Instance inst(world, 48000);
    REQUIRE(inst.ok());
    run_fixed(inst, std::vector<float>(audio.begin(), audio.begin() + 48000 * 8), 256);
    REQUIRE(inst.control("bpm") == Approx(120).margin(1));
    // four taps at 90 BPM, one every 2/3 s
    const std::size_t tap_every = 32000, block = 256;
    std::size_t at = 48000 * 8;
    for (int tap = 0; tap < 4; ++tap)
        for (std::size_t i = 0; i < tap_every; i += block, at += block) {
            if (i == 0) inst.send_patch_set(tactus::lv2::kTap, 1);
            inst.run(block, audio.data() + at);
        }
    CHECK(inst.control("bpm") == Approx(90).margin(1));
}

TEST_CASE("parameters that rebuild the analysis apply while running", "[lv2]") {
    const auto audio = read_audio(example());
    Lv2World world(built_lv2_path());
    Lv2Instance inst(world, audio.rate);
    REQUIRE(inst.ok());
    const std::size_t half = audio.left.size() / 2;
    run_fixed(inst, std::vector<float>(audio.left.begin(), audio.left.begin() + std::ptrdiff_t(half)), 300);
    REQUIRE(!inst.beats.empty());
    for (const auto& b : inst.beats) CHECK(b.beats_per_bar == 2);  // this groove is heard in 2
    inst.set_control("beats_per_bar", 3);
    inst.set_control("min_bpm", 100);
    const std::size_t before = inst.beats.size();
    std::vector<float> rest(audio.left.begin() + std::ptrdiff_t(half), audio.left.end());
    // The analysis starts over (the old one runs until the worker has built
    // the new one): from then until its first beat, the beat-in-bar port
    // shows none, not the old analysis's last beat once the new one locks.
    bool restarted = false;
    int stale_blocks = 0, new_blocks = 0;
    for (std::size_t at = 0; at < rest.size(); at += 300) {
        inst.run(std::uint32_t(std::min<std::size_t>(300, rest.size() - at)), rest.data() + at);
        const auto state = TrackState(int(inst.control("state")));
        restarted = restarted || (state != TrackState::locked && state != TrackState::hold);
        if (!restarted || inst.beats.size() > before) continue;
        ++new_blocks;
        if (inst.control("beat_in_bar") != 0.f) ++stale_blocks;
    }
    CHECK(new_blocks > 50);  // the new analysis listened, then locked, before its first beat
    CHECK(stale_blocks == 0);
    REQUIRE(inst.beats.size() > before + 2);
    for (std::size_t i = before; i < inst.beats.size(); ++i) CHECK(inst.beats[i].beats_per_bar == 3);
    CHECK(inst.control("beat_in_bar") == float(inst.beats.back().beat_in_bar));
}

TEST_CASE("the model port loads that model from the bundle", "[lv2]") {
    // model 1 alone hears this groove in 4, the ensemble in 2: tactus-analyze
    // with --model 1 and the plugin with model = 1 must agree
    const auto audio = read_audio(example());
    const auto ref = predictions_of(analyze(example(), "--lead 80 --model 1"));
    const auto ensemble = predictions_of(analyze(example(), "--lead 80"));
    REQUIRE(!ref.empty());
    REQUIRE(ref.back().beats_per_bar != ensemble.back().beats_per_bar);
    Lv2World world(built_lv2_path());
    Lv2Instance inst(world, audio.rate);
    REQUIRE(inst.ok());
    inst.set_control("model", 1);
    run_blocks(inst, audio.left, random_blocks(audio.left.size(), 8));
    REQUIRE(inst.beats.size() >= 10);
    int same = 0;
    for (const auto& b : inst.beats)
        for (const auto& e : ref)
            same += e.frame == b.stream_frame && e.beat_in_bar == b.beat_in_bar && e.bar == b.bar &&
                    e.beats_per_bar == b.beats_per_bar;
    CHECK(same >= int(0.95 * double(inst.beats.size())));
}

TEST_CASE("the output offset shifts beats and notes and clock, later or earlier (beyond the lead)", "[lv2]") {
    // -150 ms: a light rig 150 ms behind the speakers; the beats must leave
    // that much before they sound, so they are committed that much further
    // ahead than the 80 ms lead.
    const auto audio = read_audio(example());
    Lv2World world(built_lv2_path());
    Lv2Instance plain(world, audio.rate);
    REQUIRE(plain.ok());
    const auto blocks = random_blocks(audio.left.size(), 12, 1024);
    run_blocks(plain, audio.left, blocks);
    REQUIRE(plain.beats.size() >= 10);
    const auto s0 = midi_frames(plain.midi, 0xFA);
    REQUIRE(s0.size() == 1);
    for (double offset_ms : {50.0, -150.0}) {
        INFO("offset " << offset_ms << " ms");
        Lv2Instance shifted(world, audio.rate);
        REQUIRE(shifted.ok());
        shifted.set_control("clock_offset_ms", float(offset_ms));
        run_blocks(shifted, audio.left, blocks);
        const auto shift = std::int64_t(std::llround(offset_ms / 1000 * audio.rate));
        int moved = 0;
        for (const auto& b : shifted.beats)
            for (const auto& p : plain.beats) moved += b.frame - p.frame == shift;
        CHECK(moved >= int(0.9 * double(plain.beats.size())));
        const auto s1 = midi_frames(shifted.midi, 0xFA);
        REQUIRE(s1.size() == 1);
        CHECK(s1[0] - s0[0] == Approx(double(shift)).margin(1));
    }
}

TEST_CASE("switching the clock off sends Stop and no more ticks", "[lv2]") {
    const auto audio = read_audio(example());
    Lv2World world(built_lv2_path());
    Lv2Instance inst(world, audio.rate);
    REQUIRE(inst.ok());
    const std::size_t cut = audio.left.size() * 3 / 4;
    run_fixed(inst, std::vector<float>(audio.left.begin(), audio.left.begin() + std::ptrdiff_t(cut)), 512);
    REQUIRE(midi_frames(inst.midi, 0xFA).size() == 1);
    inst.set_control("midi_clock", 0);
    const std::int64_t off_at = inst.frames_run;
    run_fixed(inst, std::vector<float>(audio.left.begin() + std::ptrdiff_t(cut), audio.left.end()), 512);
    const auto stops = midi_frames(inst.midi, 0xFC);
    REQUIRE(stops.size() == 1);
    CHECK(stops[0] == off_at);
    for (auto t : midi_frames(inst.midi, 0xF8)) CHECK(t < off_at);
}

TEST_CASE("a transport relocation restarts the analysis once the transport rolls, but rolling on, stopping and rolling on, "
          "or moving while stopped do not",
          "[lv2]") {
    const auto audio = groove(48000, 120, 16);
    Lv2World world(built_lv2_path());
    const std::uint32_t block = 512;
    const std::int64_t cut = 48000 * 10 / block * block, minute = 48000 * 60, pause = 10 * block;
    struct Transport {
        std::int64_t frame;
        float speed;
    };
    struct Scenario {
        const char* name;
        std::function<Transport(std::int64_t)> at;  // the host's position for the block at this input frame
        TrackState after_cut;
    };
    const std::vector<Scenario> scenarios = {
        {"rolling on", [](std::int64_t t) { return Transport{t, 1.f}; }, TrackState::locked},
        {"a jump a minute ahead while rolling",
         [&](std::int64_t t) { return Transport{t < cut ? t : t + minute, 1.f}; }, TrackState::listening},
        // Ardour locates a rolling transport so: one cycle stopped at the new place, then rolling from there
        {"a locate through a stop",
         [&](std::int64_t t) {
             if (t < cut) return Transport{t, 1.f};
             if (t == cut) return Transport{cut + minute, 0.f};
             return Transport{t - block + minute, 1.f};
         },
         TrackState::listening},
        {"stopped for a while, then rolling on from there",
         [&](std::int64_t t) {
             if (t < cut) return Transport{t, 1.f};
             if (t < cut + pause) return Transport{cut, 0.f};
             return Transport{t - pause, 1.f};
         },
         TrackState::locked},
        // live input with the transport stopped: the playhead moves, the analysis goes on
        {"moved while stopped", [&](std::int64_t t) { return t < cut ? Transport{t, 1.f} : Transport{cut + minute, 0.f}; },
         TrackState::locked},
    };
    for (const Scenario& sc : scenarios) {
        INFO(sc.name);
        Lv2Instance inst(world, 48000);
        REQUIRE(inst.ok());
        for (std::int64_t at = 0; at + block <= std::int64_t(audio.size()); at += block) {
            const Transport tr = sc.at(at);
            inst.send_position(tr.frame, tr.speed);
            inst.run(block, audio.data() + at);
            if (at == cut + 2 * pause) CHECK(inst.control("state") == float(sc.after_cut));  // 0.2 s after the cut
        }
        // it locks again on the same music
        CHECK(inst.control("state") == float(TrackState::locked));
    }
}

TEST_CASE("without a worker parameters that rebuild the analysis wait for activate()", "[lv2]") {
    // run() must not load model files: in a host with no worker (run()
    // analyses itself) a rebuild is held back until the host re-activates
    NoWorkerHost host;
    auto& [audio, world, inst, first] = host;
    inst.set_control("beats_per_bar", 3);
    std::size_t before = inst.beats.size();
    run_fixed(inst, first, 300);
    REQUIRE(inst.beats.size() > before + 2);
    for (std::size_t i = before; i < inst.beats.size(); ++i) CHECK(inst.beats[i].beats_per_bar != 3);  // not yet
    inst.reactivate();
    before = inst.beats.size();
    run_fixed(inst, audio.left, 300);
    REQUIRE(inst.beats.size() > before + 2);
    for (std::size_t i = before; i < inst.beats.size(); ++i) CHECK(inst.beats[i].beats_per_bar == 3);
    // while freewheeling run() may rebuild at once
    inst.set_control("beats_per_bar", 4);
    inst.set_freewheel(true);
    before = inst.beats.size();
    run_fixed(inst, audio.left, 300);
    REQUIRE(inst.beats.size() > before + 2);
    for (std::size_t i = before; i < inst.beats.size(); ++i) CHECK(inst.beats[i].beats_per_bar == 4);
}

TEST_CASE("BeatNet inference: its detections are sent as they come", "[lv2]") {
    // BeatNet's particle filter predicts nothing: its beats are detected
    // after the fact and go out at the start of the block that has them
    const auto audio = read_audio(example());
    const auto ref = analyze(example(), "--lead 80 --inference beatnet");
    REQUIRE(ref.size() >= 10);
    Lv2World world(built_lv2_path());
    Lv2Instance inst(world, audio.rate);
    REQUIRE(inst.ok());
    inst.set_control("inference", 1);
    run_blocks(inst, audio.left, random_blocks(audio.left.size(), 17, 1024));
    REQUIRE(inst.beats.size() >= ref.size() - 1);
    int same = 0;
    for (const auto& b : inst.beats) {
        CHECK_FALSE(b.predicted);
        CHECK(b.frame >= b.stream_frame);                        // after the fact
        CHECK(b.frame - b.stream_frame < std::int64_t(audio.rate));  // but within a second
        for (const auto& e : ref) same += e.frame == b.stream_frame && e.beat_in_bar == b.beat_in_bar;
    }
    CHECK(same >= int(0.95 * double(ref.size())));
}

TEST_CASE("without a worker a held-back switch to BeatNet inference sends nothing of BeatNet's until activate()",
          "[lv2]") {
    // The analysis runs the tactus tracker until the rebuild: its beats go
    // out as committed predictions only, never its detections as well.
    NoWorkerHost host;
    auto& [audio, world, inst, first] = host;
    inst.set_control("inference", 1);
    std::size_t before = inst.beats.size();
    run_fixed(inst, audio.left, 300);
    REQUIRE(inst.beats.size() > before + 4);
    for (std::size_t i = before; i < inst.beats.size(); ++i) {
        CHECK(inst.beats[i].predicted);
        if (i > before) CHECK(inst.beats[i].frame - inst.beats[i - 1].frame > std::int64_t(0.3 * audio.rate));
    }
    inst.reactivate();
    before = inst.beats.size();
    run_fixed(inst, audio.left, 300);
    REQUIRE(inst.beats.size() > before + 4);
    for (std::size_t i = before; i < inst.beats.size(); ++i) CHECK_FALSE(inst.beats[i].predicted);  // BeatNet's now
}
