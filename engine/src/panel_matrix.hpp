#pragma once
// The CRNN's fp32 weight matrices and their products with a batch of input
// vectors: exact BeatNet (PyTorch's outputs to ~1e-6). The fast arithmetic
// is int8 (int8_matrix.hpp).
// Built with the hot-path flags (-march=native): panels are as tall as the
// vector unit is wide, 16 rows with AVX-512, else 8.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

namespace tactus::panel {

#if defined(__AVX512F__)
inline constexpr int kRows = 16;
#else
inline constexpr int kRows = 8;
#endif
typedef float vrow __attribute__((vector_size(kRows * sizeof(float))));

constexpr int pad_rows(int n) { return (n + kRows - 1) / kRows * kRows; }
constexpr int pad16(int n) { return (n + 15) / 16 * 16; }
constexpr int pad4(int n) { return (n + 3) / 4 * 4; }

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

// Weights packed in column-major panels of kRows rows: panel b holds, for
// each column c, rows [kRows b, kRows b + kRows) contiguously. Each output
// lane keeps its own accumulator (no horizontal sums), and one broadcast of
// x[c] feeds a whole panel.
struct PanelMatrix {
    int rows, cols, panels;
    Buffer w;
    PanelMatrix(int rows_, int cols_)
        : rows(pad_rows(rows_)), cols(cols_), panels(pad_rows(rows_) / kRows),
          w(std::size_t(pad_rows(rows_)) * std::size_t(cols_)) {}
    void set(int r, int c, float v) {
        w.p[(std::size_t(r / kRows) * std::size_t(cols) + std::size_t(c)) * kRows + std::size_t(r % kRows)] = v;
    }
};

// acc_f[0..rows) += M x_f[0..cols) for frames f < frames, with x_f = x + f *
// x_stride and acc_f = acc + f * acc_stride. acc holds the bias (or a
// partial sum) on entry. Every output lane adds its terms in column order
// however many frames are batched, so a batch gives bitwise the same
// numbers as one frame at a time.
void gemm(const PanelMatrix& m, const float* x, int x_stride, float* acc, int acc_stride, int frames);

}  // namespace tactus::panel
