// Two instances at once, each on its own thread with its own tempo, stay
// independent: each follows its own music, and each gives the very beats it
// gives when it runs alone.
#include <catch2/catch.hpp>

#include <thread>

#include "audio_fixtures.hpp"
#include "lv2_support.hpp"

using namespace tactus;
using namespace tactus::test;

TEST_CASE("two instances at once stay independent", "[lv2]") {
    Lv2World world(built_lv2_path());
    const auto slow = groove(44100, 96, 14, 0.2, 3);
    const auto fast = groove(44100, 140, 14, 0.4, 4);
    const auto blocks_a = random_blocks(slow.size(), 31), blocks_b = random_blocks(fast.size(), 32);

    Lv2Instance alone(world, 44100);
    REQUIRE(alone.ok());
    run_blocks(alone, slow, blocks_a);

    Lv2Instance a(world, 44100), b(world, 44100, WorkerMode::threaded);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    b.set_control("beats_per_bar", 4);  // one of them retuned: the other must not notice
    std::thread ta([&] { run_blocks(a, slow, blocks_a); });
    std::thread tb([&] {
        // the threaded worker at host pace (four times real time; real time in sanitizer builds)
        std::size_t at = 0;
        for (std::uint32_t n : blocks_b) {
            b.run(n, fast.data() + at);
            at += n;
            std::this_thread::sleep_for(std::chrono::microseconds(std::int64_t(n * 1e6 / 44100 / kHostPaceSpeedup)));
        }
    });
    ta.join();
    tb.join();
    b.drain_worker();

    // each its own tempo (the tracker's tempo grid is a few percent coarse here)
    CHECK(a.control("bpm") == Approx(96).epsilon(0.03));
    CHECK(b.control("bpm") == Approx(140).epsilon(0.03));
    CHECK(a.control("bpm") == alone.control("bpm"));
    CHECK(a.control("bar") == alone.control("bar"));
    REQUIRE(a.beats.size() == alone.beats.size());
    for (std::size_t i = 0; i < a.beats.size(); ++i) {
        CHECK(a.beats[i].frame == alone.beats[i].frame);
        CHECK(a.beats[i].beat_in_bar == alone.beats[i].beat_in_bar);
    }
    REQUIRE(b.beats.size() >= 10);
    for (std::size_t i = b.beats.size() / 2; i < b.beats.size(); ++i) CHECK(b.beats[i].beats_per_bar == 4);
    CHECK(a.midi.size() > 100);
    CHECK(b.midi.size() > 100);
}
