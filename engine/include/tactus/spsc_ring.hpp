#pragma once
// Wait-free single-producer/single-consumer ring of trivially copyable
// values. Capacity is a power of two; head and tail are free-running 64-bit
// counters published with release/acquire, each on its own cache line.
// Neither side ever blocks: a full ring refuses the write, an empty one
// returns nothing.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>

#include "tactus/rt.hpp"

namespace tactus {

template <class T>
class SpscRing {
    static_assert(std::is_trivially_copyable_v<T>);

public:
    // Rounds the capacity up to a power of two. Allocates here, never later.
    explicit SpscRing(std::size_t min_capacity) {
        std::size_t cap = 1;
        while (cap < min_capacity) cap <<= 1;
        capacity_ = cap;
        mask_ = cap - 1;
        data_ = std::make_unique<T[]>(cap);
    }

    std::size_t capacity() const { return capacity_; }

    // Producer side.
    TACTUS_RT std::size_t write_space_rt() const noexcept {
        return capacity_ - std::size_t(head_.load(std::memory_order_relaxed) - tail_.load(std::memory_order_acquire));
    }
    // Writes all n values or none; returns whether it wrote.
    TACTUS_RT bool push_rt(const T* values, std::size_t n) noexcept {
        const std::uint64_t head = head_.load(std::memory_order_relaxed);
        if (capacity_ - std::size_t(head - tail_.load(std::memory_order_acquire)) < n) return false;
        const std::size_t at = std::size_t(head) & mask_;
        const std::size_t first = std::min(n, capacity_ - at);
        std::copy(values, values + first, data_.get() + at);
        if (n > first) std::copy(values + first, values + n, data_.get());
        head_.store(head + n, std::memory_order_release);
        return true;
    }
    TACTUS_RT bool push_rt(const T& value) noexcept { return push_rt(&value, 1); }

    // Reserve-then-commit, for producers that compute values in place (the
    // audio callback mixes channels straight into the ring). `span` gets up
    // to two contiguous pieces; commit_rt(n) publishes the first n values.
    struct Span {
        T* first;
        std::size_t first_size;
        T* second;
        std::size_t second_size;
    };
    TACTUS_RT bool reserve_rt(std::size_t n, Span* span) noexcept {
        const std::uint64_t head = head_.load(std::memory_order_relaxed);
        if (capacity_ - std::size_t(head - tail_.load(std::memory_order_acquire)) < n) return false;
        const std::size_t at = std::size_t(head) & mask_;
        const std::size_t first = std::min(n, capacity_ - at);
        *span = {data_.get() + at, first, data_.get(), n - first};
        return true;
    }
    TACTUS_RT void commit_rt(std::size_t n) noexcept {
        head_.store(head_.load(std::memory_order_relaxed) + n, std::memory_order_release);
    }

    // Consumer side.
    TACTUS_RT std::size_t read_available_rt() const noexcept {
        return std::size_t(head_.load(std::memory_order_acquire) - tail_.load(std::memory_order_relaxed));
    }
    // Reads up to n values; returns how many.
    TACTUS_RT std::size_t pop_rt(T* out, std::size_t n) noexcept {
        const std::uint64_t tail = tail_.load(std::memory_order_relaxed);
        const std::size_t avail = std::size_t(head_.load(std::memory_order_acquire) - tail);
        n = std::min(n, avail);
        const std::size_t at = std::size_t(tail) & mask_;
        const std::size_t first = std::min(n, capacity_ - at);
        std::copy(data_.get() + at, data_.get() + at + first, out);
        if (n > first) std::copy(data_.get(), data_.get() + (n - first), out + first);
        tail_.store(tail + n, std::memory_order_release);
        return n;
    }
    TACTUS_RT bool pop_rt(T* out) noexcept { return pop_rt(out, 1) == 1; }

private:
    alignas(64) std::atomic<std::uint64_t> head_{0};
    alignas(64) std::atomic<std::uint64_t> tail_{0};
    alignas(64) std::size_t capacity_ = 0, mask_ = 0;
    std::unique_ptr<T[]> data_;
};

}  // namespace tactus
