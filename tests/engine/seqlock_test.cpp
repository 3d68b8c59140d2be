// Seqlock: the worker publishes the tempo snapshot and the beat anchor to
// the audio callback. A reader gets the last value written or nothing,
// never a mix of two writes, and never waits (run under ThreadSanitizer in
// CI).
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdint>
#include <thread>

#include "tactus/seqlock.hpp"

using tactus::Seqlock;

namespace {

// Larger than one word, every field the same value: a torn read shows.
struct Wide {
    std::uint64_t v[31];
    double x;
};

Wide wide(std::uint64_t n) {
    Wide w{};
    for (auto& v : w.v) v = n;
    w.x = double(n) * 0.5;
    return w;
}

bool whole(const Wide& w) {
    for (auto v : w.v)
        if (v != w.v[0]) return false;
    return w.x == double(w.v[0]) * 0.5;
}

}  // namespace

TEST_CASE("seqlock: a reader gets what was stored last", "[seqlock]") {
    Seqlock<Wide> lock(wide(3));
    Wide out{};
    REQUIRE(lock.try_load(&out));
    CHECK(out.v[0] == 3);
    lock.store(wide(41));
    REQUIRE(lock.try_load(&out));
    CHECK(whole(out));
    CHECK(out.v[30] == 41);
}

TEST_CASE("seqlock: readers racing a writer see whole values, in the order written", "[seqlock][concurrency]") {
    // The writer goes on until both readers have had many values (a write
    // may land in the middle of any read), with short pauses so that reads
    // also succeed.
    constexpr std::uint64_t kReads = 300000, kMaxWrites = 50000000;
    Seqlock<Wide> lock(wide(0));
    std::atomic<bool> done{false};
    std::atomic<std::uint64_t> reads[2] = {0, 0};
    auto reader = [&](std::atomic<std::uint64_t>* count, bool* ok) {
        std::uint64_t last = 0;
        Wide w{};
        while (!done.load(std::memory_order_acquire)) {
            if (!lock.try_load(&w)) continue;  // a write in progress: the caller keeps its copy
            count->fetch_add(1, std::memory_order_relaxed);
            if (!whole(w) || w.v[0] < last) *ok = false;
            last = w.v[0];
        }
    };
    bool ok[2] = {true, true};
    std::thread r0(reader, &reads[0], &ok[0]), r1(reader, &reads[1], &ok[1]);
    std::uint64_t n = 0;
    std::atomic<int> spin{0};
    while (++n < kMaxWrites &&
           (reads[0].load(std::memory_order_relaxed) < kReads || reads[1].load(std::memory_order_relaxed) < kReads)) {
        lock.store(wide(n));
        for (int pause = 0; pause < int(n % 4); ++pause) spin.fetch_add(1, std::memory_order_relaxed);
    }
    done.store(true, std::memory_order_release);
    r0.join();
    r1.join();
    CHECK(ok[0]);
    CHECK(ok[1]);
    CHECK(reads[0].load() >= kReads);
    CHECK(reads[1].load() >= kReads);
    Wide last{};
    REQUIRE(lock.try_load(&last));
    CHECK(whole(last));
    CHECK(last.v[0] == n - 1);
}
