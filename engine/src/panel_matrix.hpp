#pragma once
// The CPU CRNN's weight matrices and their products with a batch of input
// vectors, in two arithmetics:
//  - fp32: exact BeatNet (PyTorch's outputs to ~1e-6);
//  - bf16: weights and inputs rounded to bfloat16, products summed in fp32
//    by AVX-512 BF16's vdpbf16ps, which does two multiply-adds per lane
//    where an fp32 FMA does one. The network is compute-bound on the CPU
//    (the recurrent GEMV runs at the FMA peak), so this halves its time.
//    Products of two bf16 values are exact in fp32; only the roundings of
//    weights and inputs (relative 2^-9) differ from fp32.
// Built with the hot-path flags (-march=native); without AVX512_BF16 the
// bf16 matrices are not available and CrnnCpu uses fp32.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

#include "simd.hpp"

#if defined(__AVX512BF16__) && defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__)
#include <immintrin.h>
#define TACTUS_HAVE_BF16 1
#else
#define TACTUS_HAVE_BF16 0
#endif

namespace tactus::panel {

inline constexpr int L = simd::kLanes;
constexpr int pad16(int n) { return (n + L - 1) / L * L; }
constexpr int pad2(int n) { return (n + 1) / 2 * 2; }

// 64-byte aligned, zero-initialised array.
template <class T>
struct Aligned {
    T* p = nullptr;
    explicit Aligned(std::size_t n) {
        const std::size_t bytes = (n * sizeof(T) + 63) / 64 * 64;
        p = static_cast<T*>(std::aligned_alloc(64, bytes == 0 ? 64 : bytes));
        if (!p) throw std::bad_alloc();
        std::memset(p, 0, bytes);
    }
    ~Aligned() { std::free(p); }
    Aligned(const Aligned&) = delete;
    Aligned& operator=(const Aligned&) = delete;
};
using Buffer = Aligned<float>;

// Round to nearest even bfloat16, as the upper half of a float's bits (as
// vcvtneps2bf16 rounds normal values; it flushes denormals to zero).
inline std::uint16_t to_bf16(float x) {
    std::uint32_t u;
    std::memcpy(&u, &x, sizeof u);
    u += 0x7fffu + ((u >> 16) & 1u);
    return std::uint16_t(u >> 16);
}

// Weights packed in column-major panels of 16 rows: panel b holds, for each
// column c, rows [16b, 16b + 16) contiguously. Each output lane keeps its
// own accumulator (no horizontal sums), and one broadcast of x[c] feeds a
// whole panel.
struct PanelMatrix {
    int rows, cols, panels;
    Buffer w;
    PanelMatrix(int rows_, int cols_)
        : rows(pad16(rows_)), cols(cols_), panels(pad16(rows_) / L), w(std::size_t(pad16(rows_)) * std::size_t(cols_)) {}
    void set(int r, int c, float v) {
        w.p[(std::size_t(r / L) * std::size_t(cols) + std::size_t(c)) * L + std::size_t(r % L)] = v;
    }
};

// acc_f[0..rows) += M[:, c0..c1) x_f[0..c1 - c0) for frames f < frames,
// with x_f = x + f * x_stride (x_f[0] multiplies column c0) and acc_f =
// acc + f * acc_stride. acc holds the bias (or a partial sum) on entry.
// Every output lane adds its terms in the same order however many frames
// are batched, so a batch gives bitwise the same numbers as one frame at a
// time. A batch reads each weight once per 4 frames.
void gemm(const PanelMatrix& m, int c0, int c1, const float* x, int x_stride, float* acc, int acc_stride, int frames);

#if TACTUS_HAVE_BF16
// The same panels with column pairs interleaved: panel b, pair k holds
// (W[r][2k], W[r][2k+1]) for its 16 rows r, 64 bytes, which vdpbf16ps
// multiplies by a broadcast pair (x[2k], x[2k+1]).
struct PanelMatrixBf16 {
    int rows, cols, panels;  // cols even
    Aligned<std::uint16_t> w;
    PanelMatrixBf16(int rows_, int cols_)
        : rows(pad16(rows_)),
          cols(pad2(cols_)),
          panels(pad16(rows_) / L),
          w(std::size_t(pad16(rows_)) * std::size_t(pad2(cols_))) {}
    void set(int r, int c, float v) {
        w.p[(std::size_t(r / L) * std::size_t(cols) + std::size_t(c & ~1)) * L + std::size_t(r % L) * 2 +
            std::size_t(c & 1)] = to_bf16(v);
    }
};

// As gemm(), with x rounded to bf16 first (into `scratch`, which must hold
// frames * pad2(c1 - c0) values). c0 must be even (a column pair is one
// lane); an odd c1 - c0 is padded with a zero. vdpbf16ps adds each pair's
// products in its own order and flushes denormals, so the sums are not
// the fp32 path's, but a batch still equals one frame at a time.
void gemm(const PanelMatrixBf16& m, int c0, int c1, const float* x, int x_stride, float* acc, int acc_stride,
          int frames, std::uint16_t* scratch);
#endif

}  // namespace tactus::panel
