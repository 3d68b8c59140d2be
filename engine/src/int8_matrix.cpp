// GCC 12 warns that the AVX-512 intrinsics' own undefined pass-through
// values are uninitialised (fixed in GCC 13); the warning points into the
// header, so it is silenced there, before anything includes it.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#if defined(__AVX2__)
#include <immintrin.h>
#endif
#pragma GCC diagnostic pop

#include "int8_matrix.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace tactus::panel {
namespace {

constexpr int kGroupBytes = kI8Rows * 4;  // one panel's 4 columns
constexpr int kMaxFrames = 4;  // frames a batch's products take at a time

// Up to kMaxFrames frames' quantised inputs (as inputs() reads them), their
// scales and their sums.
struct Frames {
    const std::uint8_t* u[kMaxFrames];
    float sx[kMaxFrames];
    float* acc[kMaxFrames];
};

#if defined(__AVX2__)

// The panel loops below take two column groups (8 columns) a step; each
// instruction set gives them its own registers:
//  - Sums: a panel's int32 sums so far; row_sums() folds them to 8 rows;
//  - Groups: two groups' inputs (x) or weights (g);
//  - add_products(acc, x, g): acc + the products, row by row.
#if defined(__AVX512VNNI__) && defined(__AVX512BW__) && defined(__AVX512VL__)
#define TACTUS_INT8_KERNEL "avx512-vnni"
// One 512-bit register holds both groups (64 contiguous bytes): the lower
// half sums group k, the upper k + 1, added together at the end. The same
// layout and integers as 256 bits, half the instructions.
using Sums = __m512i;
using Groups = __m512i;
inline Sums start_sums(const Int8Matrix& m, int panel) {
    return _mm512_zextsi256_si512(_mm256_load_si256(reinterpret_cast<const __m256i*>(m.start + panel * kI8Rows)));
}
inline Groups weights(const std::int8_t* w, int k) {
    return _mm512_load_si512(reinterpret_cast<const void*>(w + std::size_t(k) * kGroupBytes));
}
// A frame's inputs as add_products takes them, written once per frame: for
// each pair of groups k, k + 1, u[4k..4k+3] in the lower 8 lanes and
// u[4k+4..4k+7] in the upper (quads * 32 bytes). Read back by plain loads,
// they leave the shuffle port to vpdpbusd, which shares it.
inline const std::uint8_t* spread_inputs(const std::uint8_t* u, int quads, std::uint8_t* out) {
    const __m512i lanes = _mm512_setr_epi32(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1);
    for (int k = 0; k < quads; k += 2)
        _mm512_store_si512(reinterpret_cast<void*>(out + std::size_t(k) * 32),
                           _mm512_permutexvar_epi32(lanes, _mm512_broadcastq_epi64(_mm_loadl_epi64(
                                                                 reinterpret_cast<const __m128i*>(u + 4 * k)))));
    return out;
}
inline constexpr int kSpreadFactor = 8;  // spread inputs take 8 bytes per input byte
inline Groups inputs(const std::uint8_t* x, int k) {
    return _mm512_load_si512(reinterpret_cast<const void*>(x + std::size_t(k) * 32));
}
inline Sums add_products(Sums acc, Groups x, Groups g) { return _mm512_dpbusd_epi32(acc, x, g); }
inline __m256i row_sums(Sums a) { return _mm256_add_epi32(_mm512_castsi512_si256(a), _mm512_extracti64x4_epi64(a, 1)); }
#else
using Sums = __m256i;
struct Groups {
    __m256i k0, k1;
};
inline Sums start_sums(const Int8Matrix& m, int panel) {
    return _mm256_load_si256(reinterpret_cast<const __m256i*>(m.start + panel * kI8Rows));
}
inline __m256i group(const std::int8_t* w, int k) {
    return _mm256_load_si256(reinterpret_cast<const __m256i*>(w + std::size_t(k) * kGroupBytes));
}
inline Groups weights(const std::int8_t* w, int k) { return {group(w, k), group(w, k + 1)}; }
inline __m256i four_inputs(const std::uint8_t* u, int k) {
    std::int32_t four;
    std::memcpy(&four, u + 4 * k, sizeof four);
    return _mm256_set1_epi32(four);
}
// vpbroadcastd from memory takes no shuffle: the inputs are read as they are
inline const std::uint8_t* spread_inputs(const std::uint8_t* u, int, std::uint8_t*) { return u; }
inline constexpr int kSpreadFactor = 0;
inline Groups inputs(const std::uint8_t* u, int k) { return {four_inputs(u, k), four_inputs(u, k + 1)}; }
inline __m256i row_sums(Sums a) { return a; }
#if defined(__AVXVNNI__)
#define TACTUS_INT8_KERNEL "avx-vnni"
inline Sums add_products(Sums acc, Groups x, Groups g) {
    return _mm256_dpbusd_avx_epi32(_mm256_dpbusd_avx_epi32(acc, x.k0, g.k0), x.k1, g.k1);
}
#else
#define TACTUS_INT8_KERNEL "avx2"
inline Sums add_products(Sums acc, Groups x, Groups g) {
    // each group's pair sums are at most 2 * 127 * 63 = 16002: the two
    // groups' add up in 16 bits, and one vpmaddwd widens both
    const __m256i s = _mm256_add_epi16(_mm256_maddubs_epi16(x.k0, g.k0), _mm256_maddubs_epi16(x.k1, g.k1));
    return _mm256_add_epi32(acc, _mm256_madd_epi16(s, _mm256_set1_epi16(1)));
}
#endif
#endif

// acc[8 rows] += sum * row scale * sx
inline void scale_into(const Int8Matrix& m, int panel, Sums sum, float sx, float* acc) {
    float* out = acc + panel * kI8Rows;
    const __m256 rs = _mm256_mul_ps(_mm256_load_ps(m.scale + panel * kI8Rows), _mm256_set1_ps(sx));
    _mm256_storeu_ps(out, _mm256_fmadd_ps(_mm256_cvtepi32_ps(row_sums(sum)), rs, _mm256_loadu_ps(out)));
}

// PG panels (8 PG rows) of F frames: int32 sums over every column group,
// two groups at a time (quads is even), then scaled into each frame's acc.
// Each weight load feeds all F frames: a batch's products read the weights
// from L2 a quarter as often with F = 4 as one frame at a time, which the
// L2's bandwidth, not vpdpbusd, otherwise bounds.
template <int F, int PG>
inline void panels(const Int8Matrix& m, int p0, const Frames& x) {
    const std::size_t panel_stride = std::size_t(m.quads) * kGroupBytes;
    const std::int8_t* w0 = m.w + std::size_t(p0) * panel_stride;
    Sums a[F][PG];
#pragma GCC unroll 8
    for (int p = 0; p < PG; ++p) {
        a[0][p] = start_sums(m, p0 + p);
#pragma GCC unroll 8
        for (int f = 1; f < F; ++f) a[f][p] = a[0][p];
    }
    for (int k = 0; k < m.quads; k += 2) {
        Groups in[F];
#pragma GCC unroll 8
        for (int f = 0; f < F; ++f) in[f] = inputs(x.u[f], k);
#pragma GCC unroll 8
        for (int p = 0; p < PG; ++p) {
            const Groups g = weights(w0 + std::size_t(p) * panel_stride, k);
#pragma GCC unroll 8
            for (int f = 0; f < F; ++f) a[f][p] = add_products(a[f][p], in[f], g);
        }
    }
#pragma GCC unroll 8
    for (int p = 0; p < PG; ++p)
#pragma GCC unroll 8
        for (int f = 0; f < F; ++f) scale_into(m, p0 + p, a[f][p], x.sx[f], x.acc[f]);
}

// All live panels, for F frames: as many panels at a time as registers
// hold (F * PG sums).
template <int F>
void products(const Int8Matrix& m, const Frames& x) {
    constexpr int PG = F == 1 ? 8 : 4;
    for (const auto& [first, end] : m.live) {
        int p = first;
        for (; p + PG <= end; p += PG) panels<F, PG>(m, p, x);
        if constexpr (PG > 4)
            for (; p + 4 <= end; p += 4) panels<F, 4>(m, p, x);
        for (; p < end; ++p) panels<F, 1>(m, p, x);
    }
}

#if defined(__AVX512F__) && defined(__AVX512BW__)
// 16 lanes, the tail by a masked load (zeros, which change no maximum)
float largest_magnitude(const float* x, int n) {
    __m512 top = _mm512_setzero_ps(), top2 = _mm512_setzero_ps();
    int i = 0;
    for (; i + 32 <= n; i += 32) {
        top = _mm512_max_ps(top, _mm512_abs_ps(_mm512_loadu_ps(x + i)));
        top2 = _mm512_max_ps(top2, _mm512_abs_ps(_mm512_loadu_ps(x + i + 16)));
    }
    top = _mm512_max_ps(top, top2);
    for (; i + 16 <= n; i += 16) top = _mm512_max_ps(top, _mm512_abs_ps(_mm512_loadu_ps(x + i)));
    if (i < n) top = _mm512_max_ps(top, _mm512_abs_ps(_mm512_maskz_loadu_ps(__mmask16((1u << (n - i)) - 1u), x + i)));
    return _mm512_reduce_max_ps(top);
}

// 16 values at a time: round (cvtps rounds to nearest even, as nearbyint
// does in the tail), add the offset, take anything below 0 to 0, and keep
// each value's low byte (the codes are at most 127)
int quantize_simd(const float* x, int n, float inv, int code_offset, std::uint8_t* u) {
    const __m512 s = _mm512_set1_ps(inv);
    const __m512i offset = _mm512_set1_epi32(code_offset), zero = _mm512_setzero_si512();
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m512i q = _mm512_add_epi32(_mm512_cvtps_epi32(_mm512_mul_ps(_mm512_loadu_ps(x + i), s)), offset);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(u + i), _mm512_maskz_cvtepi32_epi8(0xffff, _mm512_max_epi32(q, zero)));
    }
    return i;
}
#else
float largest_magnitude(const float* x, int n) {
    const __m256 magnitude = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
    // two chains of maxima: one waits on vmaxps's latency at every step
    __m256 top = _mm256_setzero_ps(), top2 = _mm256_setzero_ps();
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        top = _mm256_max_ps(top, _mm256_and_ps(_mm256_loadu_ps(x + i), magnitude));
        top2 = _mm256_max_ps(top2, _mm256_and_ps(_mm256_loadu_ps(x + i + 8), magnitude));
    }
    top = _mm256_max_ps(top, top2);
    for (; i + 8 <= n; i += 8) top = _mm256_max_ps(top, _mm256_and_ps(_mm256_loadu_ps(x + i), magnitude));
    float lanes[8];
    _mm256_storeu_ps(lanes, top);
    float m = *std::max_element(lanes, lanes + 8);
    for (; i < n; ++i) m = std::max(m, std::abs(x[i]));
    return m;
}

// 32 values at a time: round (cvtps rounds to nearest even, as nearbyint
// does in the tail), add the offset, pack (packus takes anything below 0 to
// 0), undo the packs' lane order
int quantize_simd(const float* x, int n, float inv, int code_offset, std::uint8_t* u) {
    const __m256 s = _mm256_set1_ps(inv);
    const __m256i offset = _mm256_set1_epi32(code_offset);
    const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    auto round = [&](const float* p) { return _mm256_add_epi32(_mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(p), s)), offset); };
    int i = 0;
    for (; i + 32 <= n; i += 32) {
        const __m256i bytes = _mm256_packus_epi16(_mm256_packs_epi32(round(x + i), round(x + i + 8)),
                                                  _mm256_packs_epi32(round(x + i + 16), round(x + i + 24)));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(u + i), _mm256_permutevar8x32_epi32(bytes, order));
    }
    for (; i + 8 <= n; i += 8) {  // the rest 8 at a time (150 inputs: 128, then 16, then 6 one by one)
        const __m256i r = round(x + i);
        const __m128i words = _mm_packs_epi32(_mm256_castsi256_si128(r), _mm256_extracti128_si256(r, 1));
        _mm_storel_epi64(reinterpret_cast<__m128i*>(u + i), _mm_packus_epi16(words, words));
    }
    return i;
}
#endif

// The same for weights: signed bytes, no offset (|q| <= 63)
int round_weights_simd(const float* x, int n, float inv, std::int8_t* q) {
    const __m256 s = _mm256_set1_ps(inv);
    const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    auto round = [&](const float* p) { return _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(p), s)); };
    int i = 0;
    for (; i + 32 <= n; i += 32) {
        const __m256i bytes = _mm256_packs_epi16(_mm256_packs_epi32(round(x + i), round(x + i + 8)),
                                                 _mm256_packs_epi32(round(x + i + 16), round(x + i + 24)));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(q + i), _mm256_permutevar8x32_epi32(bytes, order));
    }
    for (; i + 8 <= n; i += 8) {
        const __m256i r = round(x + i);
        const __m128i words = _mm_packs_epi32(_mm256_castsi256_si128(r), _mm256_extracti128_si256(r, 1));
        _mm_storel_epi64(reinterpret_cast<__m128i*>(q + i), _mm_packs_epi16(words, words));
    }
    return i;
}

#else  // no AVX2: plain C++, the same integers

#define TACTUS_INT8_KERNEL "portable"

inline const std::uint8_t* spread_inputs(const std::uint8_t* u, int, std::uint8_t*) { return u; }
inline constexpr int kSpreadFactor = 0;

void frame(const Int8Matrix& m, const std::uint8_t* u, float sx, float* acc) {
    const std::size_t panel_stride = std::size_t(m.quads) * kGroupBytes;
    for (const auto& [first, end] : m.live)
        for (int p = first; p < end; ++p)
            for (int r = 0; r < kI8Rows; ++r) {
                const int row = p * kI8Rows + r;
                std::int32_t sum = m.start[row];
                const std::int8_t* w = m.w + std::size_t(p) * panel_stride + std::size_t(r) * 4;
                for (int c = 0; c < 4 * m.quads; ++c)
                    sum += std::int32_t(w[std::size_t(c / 4) * kGroupBytes + std::size_t(c % 4)]) * std::int32_t(u[c]);
                acc[row] = std::fma(float(sum), m.scale[row] * sx, acc[row]);
            }
}

template <int F>
void products(const Int8Matrix& m, const Frames& x) {
    for (int f = 0; f < F; ++f) frame(m, x.u[f], x.sx[f], x.acc[f]);
}

float largest_magnitude(const float* x, int n) {
    float m = 0.f;
    for (int i = 0; i < n; ++i) m = std::max(m, std::abs(x[i]));
    return m;
}

int quantize_simd(const float*, int, float, int, std::uint8_t*) { return 0; }
int round_weights_simd(const float*, int, float, std::int8_t*) { return 0; }

#endif

}  // namespace

struct Int8Matrix::Storage {
    Aligned<std::int8_t> w;
    Buffer scale;
    Aligned<std::int32_t> start;
    Storage(int rows, int cols) : w(Int8Matrix::weight_bytes(rows, cols)), scale(std::size_t(rows)), start(std::size_t(rows)) {}
};

Int8Matrix::~Int8Matrix() = default;

Int8Matrix::Int8Matrix(const float* const* row_weights, int rows_, int cols_, InputCode input_)
    : rows(pad8(rows_)),
      cols(cols_),
      panels(pad8(rows_) / kI8Rows),
      quads(pad8(cols_) / 4),
      input(input_),
      own_(std::make_unique<Storage>(pad8(rows_), cols_)) {
    std::int8_t* packed = own_->w.p;
    float* scales = own_->scale.p;
    std::int32_t* starts = own_->start.p;
    w = packed;
    scale = scales;
    start = starts;
    std::vector<std::int8_t> q(std::size_t(pad8(cols_)), 0);
    for (int r = 0; r < rows_; ++r) {
        const float* row = row_weights[r];
        if (!row) continue;
        const float top = largest_magnitude(row, cols_);
        if (!(top > 0.f)) continue;  // an all-zero row stays zero
        scales[r] = top / float(kWeightSteps);
        // x * inv is within [-63, 63] up to rounding, which the rounding to
        // an integer absorbs
        const float inv = float(kWeightSteps) / top;
        for (int c = round_weights_simd(row, cols_, inv, q.data()); c < cols_; ++c)
            q[std::size_t(c)] = std::int8_t(std::nearbyint(row[c] * inv));
        std::int8_t* lane = packed + std::size_t(r / kI8Rows) * std::size_t(quads) * kGroupBytes + std::size_t(r % kI8Rows) * 4;
        std::int32_t sum = 0;
        for (int k = 0; k < quads; ++k) std::memcpy(lane + std::size_t(k) * kGroupBytes, q.data() + 4 * k, 4);
        for (int c = 0; c < cols_; ++c) sum += q[std::size_t(c)];
        starts[r] = -input.offset * sum;
    }
    find_live();
}

Int8Matrix::Int8Matrix(int rows_, int cols_, InputCode input_, const std::int8_t* w_, const float* scale_,
                       const std::int32_t* start_)
    : rows(pad8(rows_)),
      cols(cols_),
      panels(pad8(rows_) / kI8Rows),
      quads(pad8(cols_) / 4),
      input(input_),
      w(w_),
      scale(scale_),
      start(start_) {
    find_live();
}

void Int8Matrix::find_live() {
    for (int p = 0; p < panels; ++p) {
        const bool zero = std::all_of(scale + p * kI8Rows, scale + (p + 1) * kI8Rows, [](float s) { return s == 0.f; });
        if (zero) continue;
        if (!live.empty() && live.back().second == p) ++live.back().second;
        else live.emplace_back(p, p + 1);
    }
}

float quantize(const float* x, int n, InputCode code, std::uint8_t* u) {
    const float top = largest_magnitude(x, n);
    const auto zero = std::uint8_t(code.offset);
    if (!(top > 0.f)) {
        std::fill(u, u + pad8(n), zero);
        return 0.f;
    }
    const float inv = float(code.steps) / top;
    // x * inv is within [-steps, steps] up to rounding, which the rounding
    // to an integer absorbs
    for (int i = quantize_simd(x, n, inv, code.offset, u); i < n; ++i)
        u[i] = std::uint8_t(std::max(std::nearbyint(x[i] * inv) + float(code.offset), 0.f));
    std::fill(u + n, u + pad8(n), zero);
    return top / float(code.steps);
}

std::size_t gemm_scratch_bytes(int cols) {
    const std::size_t in = std::size_t(pad8(cols));
    return kMaxFrames * in * std::size_t(1 + kSpreadFactor) + 64;
}

void gemm(const Int8Matrix& m, const float* x, int x_stride, float* acc, int acc_stride, int frames,
          std::uint8_t* scratch) {
    const std::size_t in = std::size_t(pad8(m.cols));
    // the spread copies after the quantised inputs, 64-byte aligned
    std::uint8_t* spread = scratch + kMaxFrames * in;
    spread += (64 - reinterpret_cast<std::uintptr_t>(spread) % 64) % 64;
    auto load = [&](Frames& b, int n, int f0) {
        for (int j = 0; j < n; ++j) {
            std::uint8_t* u = scratch + std::size_t(j) * in;
            b.sx[j] = quantize(x + (f0 + j) * x_stride, m.cols, m.input, u);
            b.u[j] = spread_inputs(u, m.quads, spread + std::size_t(j) * in * std::size_t(kSpreadFactor));
            b.acc[j] = acc + (f0 + j) * acc_stride;
        }
    };
    Frames b{};
    int f = 0;
    for (; f + 4 <= frames; f += 4) {
        load(b, 4, f);
        products<4>(m, b);
    }
    if (f + 2 <= frames) {
        load(b, 2, f);
        products<2>(m, b);
        f += 2;
    }
    if (f < frames) {
        load(b, 1, f);
        products<1>(m, b);
    }
}

const char* int8_kernel() { return TACTUS_INT8_KERNEL; }

}  // namespace tactus::panel
