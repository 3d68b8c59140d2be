#pragma once
// CUDA runtime errors as tactus::Error (one line). Internal to cuda/src.
#include <cuda_runtime.h>

#include <string>

#include "tactus/error.hpp"

namespace tactus::cuda {

inline void check(cudaError_t e, const char* what) {
    if (e != cudaSuccess) throw Error(std::string("CUDA: ") + what + ": " + cudaGetErrorString(e));
}

// Frees device memory when it goes out of scope.
template <class T>
class DeviceBuffer {
public:
    DeviceBuffer() = default;
    explicit DeviceBuffer(std::size_t n) { allocate(n); }
    ~DeviceBuffer() { release(); }
    DeviceBuffer(const DeviceBuffer&) = delete;
    DeviceBuffer& operator=(const DeviceBuffer&) = delete;
    void allocate(std::size_t n) {
        release();
        check(cudaMalloc(reinterpret_cast<void**>(&p_), n * sizeof(T) + 1), "cudaMalloc");
        check(cudaMemset(p_, 0, n * sizeof(T) + 1), "cudaMemset");
        n_ = n;
    }
    void release() {
        if (p_) cudaFree(p_);
        p_ = nullptr;
        n_ = 0;
    }
    T* get() const { return p_; }
    std::size_t size() const { return n_; }

private:
    T* p_ = nullptr;
    std::size_t n_ = 0;
};

// Page-locked host memory (fast, asynchronous copies; fixed addresses for graphs).
template <class T>
class PinnedBuffer {
public:
    PinnedBuffer() = default;
    explicit PinnedBuffer(std::size_t n) { allocate(n); }
    ~PinnedBuffer() {
        if (p_) cudaFreeHost(p_);
    }
    PinnedBuffer(const PinnedBuffer&) = delete;
    PinnedBuffer& operator=(const PinnedBuffer&) = delete;
    void allocate(std::size_t n) {
        if (p_) cudaFreeHost(p_);
        p_ = nullptr;
        check(cudaMallocHost(reinterpret_cast<void**>(&p_), n * sizeof(T) + 1), "cudaMallocHost");
        n_ = n;
    }
    T* get() const { return p_; }
    T& operator[](std::size_t i) const { return p_[i]; }
    std::size_t size() const { return n_; }

private:
    T* p_ = nullptr;
    std::size_t n_ = 0;
};

}  // namespace tactus::cuda
