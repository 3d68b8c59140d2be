// SpscRing: the wait-free FIFO between the audio callback and the worker.
// Capacity rounds up to a power of two; a write goes in whole or not at all;
// values come out once, in order, across the end of the buffer and across
// threads (run under ThreadSanitizer in CI).
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "tactus/spsc_ring.hpp"

using tactus::SpscRing;

TEST_CASE("spsc ring: capacity is a power of two, a full ring refuses a write whole and an empty one gives nothing",
          "[spsc_ring]") {
    SpscRing<int> ring(100);
    CHECK(ring.capacity() == 128);
    int out[4];
    CHECK(ring.pop_rt(out, 4) == 0);
    std::vector<int> values(120);
    for (int i = 0; i < 120; ++i) values[std::size_t(i)] = i;
    REQUIRE(ring.push_rt(values.data(), 120));
    CHECK(ring.write_space_rt() == 8);
    CHECK_FALSE(ring.push_rt(values.data(), 9));  // nothing of it goes in
    CHECK(ring.read_available_rt() == 120);
    CHECK(ring.push_rt(values.data(), 8));
    CHECK(ring.write_space_rt() == 0);
    CHECK_FALSE(ring.push_rt(values[0]));
    int first = -1;
    REQUIRE(ring.pop_rt(&first));
    CHECK(first == 0);
}

TEST_CASE("spsc ring: values keep their order across the end of the buffer", "[spsc_ring]") {
    SpscRing<std::uint32_t> ring(16);
    std::uint32_t next_in = 0, next_out = 0;
    std::uint32_t chunk[7], got[7];
    for (int round = 0; round < 100; ++round) {
        const std::size_t n = std::size_t(1 + round % 7);
        for (std::size_t i = 0; i < n; ++i) chunk[i] = next_in + std::uint32_t(i);
        if (ring.push_rt(chunk, n)) next_in += std::uint32_t(n);
        const std::size_t m = ring.pop_rt(got, std::size_t(1 + (round * 3) % 7));
        for (std::size_t i = 0; i < m; ++i) REQUIRE(got[i] == next_out++);
    }
    CHECK(next_out > 16 * 5);  // went round the buffer several times
}

TEST_CASE("spsc ring: reserve gives up to two pieces, and only committed values can be read", "[spsc_ring]") {
    SpscRing<float> ring(8);
    float tmp[6] = {0, 1, 2, 3, 4, 5};
    REQUIRE(ring.push_rt(tmp, 6));
    REQUIRE(ring.pop_rt(tmp, 6) == 6);  // head and tail now at 6 of 8
    SpscRing<float>::Span span{};
    REQUIRE(ring.reserve_rt(5, &span));
    CHECK(span.first_size == 2);
    CHECK(span.second_size == 3);
    for (std::size_t i = 0; i < span.first_size; ++i) span.first[i] = float(10 + i);
    for (std::size_t i = 0; i < span.second_size; ++i) span.second[i] = float(12 + i);
    CHECK(ring.read_available_rt() == 0);  // reserved is not published
    ring.commit_rt(4);                     // publish four of the five
    float out[8];
    REQUIRE(ring.pop_rt(out, 8) == 4);
    for (int i = 0; i < 4; ++i) CHECK(out[i] == float(10 + i));
    CHECK_FALSE(ring.reserve_rt(9, &span));  // more than the ring holds
}

TEST_CASE("spsc ring: a producer and a consumer thread: every value arrives once, in order", "[spsc_ring][concurrency]") {
    constexpr std::uint64_t kValues = 300000;
    SpscRing<std::uint64_t> ring(256);
    std::atomic<bool> stop{false};  // the consumer saw a wrong value: both give up
    std::thread producer([&] {
        std::uint64_t next = 0, chunk[37];
        while (next < kValues && !stop.load(std::memory_order_relaxed)) {
            const std::size_t n = std::size_t(std::min<std::uint64_t>(1 + next % 37, kValues - next));
            for (std::size_t i = 0; i < n; ++i) chunk[i] = next + i;
            if (ring.push_rt(chunk, n)) next += n;
            else std::this_thread::yield();
        }
    });
    std::uint64_t expected = 0, got[53];
    bool in_order = true;
    while (expected < kValues && in_order) {
        const std::size_t n = ring.pop_rt(got, std::size_t(1 + expected % 53));
        for (std::size_t i = 0; i < n && in_order; ++i) in_order = got[i] == expected++;
        if (n == 0) std::this_thread::yield();
    }
    stop.store(true, std::memory_order_relaxed);
    producer.join();
    CHECK(in_order);
    CHECK(expected == kValues);
    CHECK(ring.read_available_rt() == 0);
}
