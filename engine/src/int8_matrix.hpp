#pragma once
// The CRNN's fast arithmetic: 7-bit weights (|q| <= 63, one scale per row)
// times 7-bit inputs (one scale per vector, from its largest magnitude),
// products summed exactly in int32, the sum scaled back to fp32. On the CPU
// the network is bound by its multiply-adds: AVX2 does 64 of them in five
// instructions (2 vpmaddubsw, vpaddw, vpmaddwd, vpaddd) where fp32 needs
// eight FMAs, and AVX-512 VNNI in one (vpdpbusd on a 512-bit register
// holding two column groups); the weights take a quarter of the bytes.
//
// Those instructions multiply unsigned bytes by signed ones, so an input q
// in [-63, 63] goes in as q + 64 in [1, 127], and each row's sum starts at
// -64 times the row's weights, which takes the offset out again. Two
// products are at most 2 * 127 * 63, so vpmaddubsw never saturates and two
// of its sums still fit in 16 bits: the int32 sums are exact and the same
// on every CPU (AVX2, AVX-512 VNNI and the plain C++ fallback give bitwise
// the same numbers). An input that is never negative (a ReLU's output)
// needs no offset and takes all 7 bits for its magnitude: q in [0, 127].
//
// Accuracy: eval-dev scores as in fp32 (beat F 0.768 against 0.765), and
// 7 bits are what the speed asks (8-bit weights with 7-bit inputs: 0.763;
// 6-bit inputs lose 0.005 beat F).
//
// Built with the hot-path flags (-march=native).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "panel_matrix.hpp"

namespace tactus::panel {

inline constexpr int kI8Rows = 8;       // rows per panel: one AVX2 register of int32 sums
inline constexpr int kWeightSteps = 63;  // a weight is q * scale, |q| <= 63
constexpr int pad8(int n) { return (n + 7) / 8 * 8; }

// How an input vector goes into bytes: u = q + offset, x = q * scale with
// scale = max |x| / steps.
struct InputCode {
    int steps, offset;
};
inline constexpr InputCode kSignedInput{63, 64};
inline constexpr InputCode kNonNegativeInput{127, 0};

// Weights in panels of 8 rows; within a panel, for each group of 4 columns,
// each row's 4 weights are one 32-bit lane (32 bytes a group).
struct Int8Matrix {
    int rows, cols, panels, quads;  // rows padded to 8; cols as given, quads = pad8(cols) / 4 (even)
    InputCode input;
    // The packed arrays, 64-byte aligned: packed here (and owned), or read
    // in place from a packed model file (see packed_model.hpp).
    const std::int8_t* w = nullptr;     // rows * quads * 4 bytes
    const float* scale = nullptr;       // per row: the weights are w * scale (max |row| / 63)
    const std::int32_t* start = nullptr;  // per row: -offset * sum of its int8 weights
    // [first, end) runs of panels with a weight that is not zero (a scale
    // that is not): the products skip panels of padding rows (a tenth of
    // the LSTM's gates with 16-lane vectors), which would add exactly 0
    std::vector<std::pair<int, int>> live;
    // row r's cols_ weights at rows[r] (null: a row of zeros)
    Int8Matrix(const float* const* rows, int rows_, int cols_, InputCode input = kSignedInput);
    // Arrays packed before, as w, scale and start give them; they must
    // outlive the matrix.
    Int8Matrix(int rows_, int cols_, InputCode input, const std::int8_t* w, const float* scale,
               const std::int32_t* start);
    ~Int8Matrix();
    Int8Matrix(const Int8Matrix&) = delete;
    Int8Matrix& operator=(const Int8Matrix&) = delete;
    static std::size_t weight_bytes(int rows_, int cols_) { return std::size_t(pad8(rows_)) * std::size_t(pad8(cols_)); }

private:
    struct Storage;
    std::unique_ptr<Storage> own_;
    void find_live();
};

// x[0..n) -> u[0..pad8(n)) = q + offset with x = q * scale: scale = max |x|
// / steps, q rounded to nearest (ties to even), never below -offset (so a
// non-negative code reads a negative x as 0); the padding is q = 0.
// Returns the scale (0 when x is all zeros).
float quantize(const float* x, int n, InputCode code, std::uint8_t* u);

// acc_f[0..rows) += M x_f for frames f < frames (x_f = x + f * x_stride,
// acc_f = acc + f * acc_stride), each x_f quantised first into `scratch`
// (gemm_scratch_bytes(cols) bytes: frames go up to four at a time). Each
// frame's sums are exact integers, so a batch equals one frame at a time.
std::size_t gemm_scratch_bytes(int cols);
void gemm(const Int8Matrix& m, const float* x, int x_stride, float* acc, int acc_stride, int frames,
          std::uint8_t* scratch);

// Which integer kernel this build runs: "avx512-vnni", "avx2" or "portable".
const char* int8_kernel();

}  // namespace tactus::panel
