// run() of the built plugin, loaded by lilv, under the allocation guard:
// no malloc, free or mutex lock on the audio thread, in every path (random
// blocks from 0 to 8192 frames, controls and patch:Set changing, parameters
// that rebuild the analysis, transport relocations, taps, notes, garbage
// input, a full FIFO) with the host's worker. Without one, run() analyses
// and the engine's analysis allocates: see below.
#include <catch2/catch.hpp>

#include "audio_fixtures.hpp"
#include "lv2_support.hpp"
#include "rt_guard.hpp"
#include "uris.hpp"

using namespace tactus;
using namespace tactus::test;

namespace {

// Runs `audio` in random blocks with the guard around lilv_instance_run
// only (the host's own work, and work() in deferred mode, stay outside).
// `restarts`: also change parameters that rebuild the analysis and relocate
// the transport (which restarts it).
void run_guarded(Lv2Instance& inst, std::vector<float> audio, std::uint32_t seed, bool restarts) {
    // a stretch of garbage in the middle
    for (std::size_t i = audio.size() / 3; i < audio.size() / 3 + 3000; ++i)
        audio[i] = i % 2 ? std::numeric_limits<float>::quiet_NaN() : -std::numeric_limits<float>::infinity();
    const auto blocks = random_blocks(audio.size(), seed);
    std::size_t at = 0;
    int k = 0;
    for (std::uint32_t n : blocks) {
        if (++k % 97 == 0) {
            inst.set_control("sensitivity", 0.4f + float(k % 3) / 10.f);
            inst.set_control("midi_notes", float((k / 97) % 2));
            inst.set_control("clock_offset_ms", float(k % 40));
            inst.send_patch_set(tactus::lv2::param_uri("hold_bars"), float(4 + k % 5));
            if (k % 3 == 0) inst.send_patch_set(tactus::lv2::kTap, 1);
        }
        // the host's transport rolls along (and jumps once)
        inst.send_position(std::int64_t(at) + (restarts && at > audio.size() / 2 ? 480000 : 0), 1.f);
        if (restarts && k == 1500) inst.set_control("min_bpm", 70);  // rebuilds (in the worker)
        if (restarts && k == 2500) inst.set_control("model", 2);     // loads another model (in the worker)
        inst.prepare(n, audio.data() + at, nullptr);
        {
            RtSection rt;
            inst.run_plugin(n);
        }
        inst.finish_block(n);
        at += n;
    }
}

}  // namespace

TEST_CASE("the guard sees allocations inside the dlopen'ed plugin (negative control)", "[lv2][rt]") {
    if (!rt_guard_available()) return;  // sanitizer builds own malloc
    Lv2World world(built_lv2_path());
    reset_rt_violations();
    {
        RtSection rt;
        Lv2Instance inst(world, 48000);  // instantiate allocates: the engine, the models
        CHECK(inst.ok());
    }
    CHECK(rt_violations().allocations > 100);
}

TEST_CASE("run() allocates nothing and takes no lock with the host's worker", "[lv2][rt]") {
    if (!rt_guard_available()) return;
    Lv2World world(built_lv2_path());
    const auto audio = groove(48000, 124, 40);
    Lv2Instance inst(world, 48000, WorkerMode::deferred);
    REQUIRE(inst.ok());
    reset_rt_violations();
    run_guarded(inst, audio, 41, true);
    CHECK(rt_violations().allocations == 0);
    CHECK(rt_violations().frees == 0);
    CHECK(rt_violations().locks == 0);
    CHECK(inst.beats.size() > 20);
    CHECK(inst.midi.size() > 500);
}

TEST_CASE("without a worker run() analyses lock-free (and allocates: why no hardRTCapable)", "[lv2][rt]") {
    // In a host without a worker run() analyses itself, and the engine's
    // analysis allocates: FFTW allocates scratch on every execute of the
    // feature extractor's transform, libsoxr when a stream starts or restarts.
    // That is why the plugin does not declare lv2:hardRTCapable. It takes no
    // locks, and restart parameters wait for the next activate(), so model
    // files are never read in run() (control_test.cpp checks that).
    if (!rt_guard_available()) return;
    Lv2World world(built_lv2_path());
    const auto audio = groove(44100, 124, 40);
    Lv2Instance inst(world, 44100, WorkerMode::none);
    REQUIRE(inst.ok());
    reset_rt_violations();
    inst.set_control("min_bpm", 70);  // held back: no rebuild in run()
    run_guarded(inst, audio, 42, false);
    CHECK(rt_violations().locks == 0);
    WARN("without a worker, run() allocated " << rt_violations().allocations << " times in " << audio.size() / 44100
                                              << " s of audio");
    CHECK(inst.beats.size() > 20);
}

TEST_CASE("run() stays allocation-free when the worker stalls and the FIFO fills", "[lv2][rt]") {
    if (!rt_guard_available()) return;
    Lv2World world(built_lv2_path());
    const auto audio = groove(48000, 124, 12);
    // a worker that never gets to run: requests pile up, the FIFO (4 s) overflows
    Lv2Instance inst(world, 48000, WorkerMode::deferred);
    REQUIRE(inst.ok());
    reset_rt_violations();
    for (int rep = 0; rep < 3; ++rep)
        for (std::size_t at = 0; at + 4096 <= audio.size(); at += 4096) {
            inst.prepare(4096, audio.data() + at, nullptr);
            RtSection rt;
            inst.run_plugin(4096);  // no finish_block: work() never runs
        }
    CHECK(rt_violations().total() == 0);
    inst.finish_block(0);  // the worker catches up after the gap
    run_fixed(inst, audio, 512);
    CHECK(inst.control("state") != float(TrackState::silent));
}
