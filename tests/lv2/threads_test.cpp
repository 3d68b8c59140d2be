// The plugin with threads around it: the host's worker on a thread of its
// own at host pace, freewheeling with that thread still there, a host
// without a worker. (Also run under ThreadSanitizer: label "concurrency".)
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "beat_checks.hpp"
#include "lv2_support.hpp"

using namespace tactus;
using namespace tactus::test;

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
    // 256-frame periods, four times faster than real time (real time in sanitizer builds)
    const auto period = std::chrono::duration<double>(256 / audio.rate / kHostPaceSpeedup);
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
