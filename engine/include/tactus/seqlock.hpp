#pragma once
// A value published by one writer and read by others without locks: a
// sequence lock whose payload lives in relaxed atomic words (so the reads
// that race with a write are well defined, and ThreadSanitizer agrees). A
// reader retries while a write is in progress, a bounded number of times;
// if the writer was preempted mid-write it keeps its previous copy, so the
// real-time side never waits.
#include <atomic>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "tactus/rt.hpp"

namespace tactus {

template <class T>
class Seqlock {
    static_assert(std::is_trivially_copyable_v<T>);
    static constexpr std::size_t kWords = (sizeof(T) + 7) / 8;

public:
    explicit Seqlock(const T& initial = T{}) { store(initial); }

    // Writer (one thread).
    TACTUS_RT void store(const T& value) noexcept {
        std::uint64_t words[kWords] = {};
        std::memcpy(words, &value, sizeof(T));
        const std::uint64_t s = seq_.load(std::memory_order_relaxed);
        seq_.store(s + 1, std::memory_order_relaxed);
        std::atomic_thread_fence(std::memory_order_release);
        for (std::size_t i = 0; i < kWords; ++i) data_[i].store(words[i], std::memory_order_relaxed);
        seq_.store(s + 2, std::memory_order_release);
    }

    // Reader: true and the value when a consistent copy was read.
    TACTUS_RT bool try_load(T* out) const noexcept {
        for (int attempt = 0; attempt < 8; ++attempt) {
            const std::uint64_t s0 = seq_.load(std::memory_order_acquire);
            if (s0 & 1) continue;
            std::uint64_t words[kWords];
            for (std::size_t i = 0; i < kWords; ++i) words[i] = data_[i].load(std::memory_order_relaxed);
            std::atomic_thread_fence(std::memory_order_acquire);
            if (seq_.load(std::memory_order_relaxed) == s0) {
                std::memcpy(out, words, sizeof(T));
                return true;
            }
        }
        return false;
    }

private:
    std::atomic<std::uint64_t> seq_{0};
    std::atomic<std::uint64_t> data_[kWords] = {};
};

}  // namespace tactus
