// The fast arithmetic's matrix products: 7-bit weights (a scale per row)
// times 7-bit inputs (a scale per vector). The kernels' sums are exact
// integers, so they must equal, to the last bit of the final scaling, a
// reference that quantises the same way in plain integer arithmetic; the
// quantisation's own error stays within its bound. The same file is built
// twice: into the unit tests (this CPU's kernel) and against the portable
// copy of the kernels, so both are held to the one reference.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "int8_matrix.hpp"

using namespace tactus::panel;

namespace {

struct Case {
    int rows, cols, frames;
};

const Case kCases[] = {{8, 4, 1},    {17, 9, 5},   {150, 262, 9}, {608, 150, 4},
                       {640, 150, 3}, {3, 150, 7}, {40, 31, 6},   {33, 5, 2}};

// What the kernels must compute, in integers: q(w) * q(x) summed exactly.
struct Reference {
    std::vector<std::int32_t> wq;  // rows x cols
    std::vector<double> wscale;    // per row
    Reference(const std::vector<float>& w, int rows, int cols) : wq(w.size()), wscale(std::size_t(rows)) {
        for (int r = 0; r < rows; ++r) {
            float top = 0.f;
            for (int c = 0; c < cols; ++c) top = std::max(top, std::abs(w[std::size_t(r * cols + c)]));
            wscale[std::size_t(r)] = top / float(kWeightSteps);
            for (int c = 0; c < cols; ++c)
                wq[std::size_t(r * cols + c)] =
                    std::int32_t(std::nearbyint(w[std::size_t(r * cols + c)] * (float(kWeightSteps) / top)));
        }
    }
};

std::vector<const float*> rows_of(const std::vector<float>& w, int rows, int cols) {
    std::vector<const float*> out;
    for (int r = 0; r < rows; ++r) out.push_back(w.data() + std::size_t(r * cols));
    return out;
}

std::vector<std::int32_t> quantised(const float* x, int n, int steps, float* scale) {
    float top = 0.f;
    for (int i = 0; i < n; ++i) top = std::max(top, std::abs(x[i]));
    *scale = top / float(steps);
    std::vector<std::int32_t> q(std::size_t(n), 0);
    if (top > 0.f)
        for (int i = 0; i < n; ++i) q[std::size_t(i)] = std::int32_t(std::nearbyint(x[i] * (float(steps) / top)));
    return q;
}

}  // namespace

TEST_CASE("int8 products are the exact integer sums of the quantised weights and inputs, scaled back", "[int8]") {
    INFO("kernel: " << int8_kernel());
    const bool nonnegative = GENERATE(false, true);
    const InputCode code = nonnegative ? kNonNegativeInput : kSignedInput;
    INFO((nonnegative ? "non-negative inputs, 127 steps" : "signed inputs, 63 steps"));
    for (const Case& k : kCases) {
        INFO(k.rows << "x" << k.cols << ", " << k.frames << " frames");
        std::mt19937 rng(std::uint32_t(k.rows * 131 + k.cols * 7 + k.frames));
        std::normal_distribution<float> d(0.f, 1.f);
        std::vector<float> w(std::size_t(k.rows * k.cols)), bias(std::size_t(k.rows));
        for (auto& v : w) v = d(rng);
        for (auto& v : bias) v = d(rng);
        const Int8Matrix m(rows_of(w, k.rows, k.cols).data(), k.rows, k.cols, code);
        const Reference ref(w, k.rows, k.cols);
        const int x_stride = k.cols + 3, acc_stride = pad8(k.rows);
        std::vector<float> x(std::size_t(k.frames * x_stride));
        for (auto& v : x) v = nonnegative ? std::abs(d(rng)) : d(rng);
        auto fresh = [&] {
            std::vector<float> acc(std::size_t(k.frames * acc_stride), 0.f);
            for (int f = 0; f < k.frames; ++f) std::copy(bias.begin(), bias.end(), acc.begin() + f * acc_stride);
            return acc;
        };
        std::vector<std::uint8_t> scratch(gemm_scratch_bytes(k.cols));
        std::vector<float> batch = fresh(), single = fresh();
        gemm(m, x.data(), x_stride, batch.data(), acc_stride, k.frames, scratch.data());
        for (int f = 0; f < k.frames; ++f)
            gemm(m, x.data() + f * x_stride, x_stride, single.data() + f * acc_stride, acc_stride, 1, scratch.data());
        CHECK(batch == single);

        double worst_vs_integers = 0, worst_excess = 0;
        for (int f = 0; f < k.frames; ++f) {
            const float* xf = x.data() + f * x_stride;
            float sx = 0.f;
            const auto xq = quantised(xf, k.cols, code.steps, &sx);
            for (int r = 0; r < k.rows; ++r) {
                std::int64_t sum = 0;
                double exact = bias[std::size_t(r)], bound = 0;
                for (int c = 0; c < k.cols; ++c) {
                    sum += std::int64_t(ref.wq[std::size_t(r * k.cols + c)]) * xq[std::size_t(c)];
                    const double wc = w[std::size_t(r * k.cols + c)], xc = xf[c];
                    exact += wc * xc;
                    // rounding each factor to half a step
                    bound += 0.5 * ref.wscale[std::size_t(r)] * std::abs(xc) + 0.5 * double(sx) * std::abs(wc) +
                             0.25 * ref.wscale[std::size_t(r)] * double(sx);
                }
                const double got = batch[std::size_t(f * acc_stride + r)];
                const double want = bias[std::size_t(r)] + double(sum) * ref.wscale[std::size_t(r)] * double(sx);
                worst_vs_integers = std::max(worst_vs_integers, std::abs(got - want) / (1.0 + std::abs(want)));
                worst_excess = std::max(worst_excess, std::abs(got - exact) - bound);
            }
        }
        INFO("worst against the integer reference " << worst_vs_integers << ", beyond the rounding bound " << worst_excess);
        CHECK(worst_vs_integers <= 1e-5);  // float scaling only
        CHECK(worst_excess <= 1e-4);
    }
}

TEST_CASE("a signed input is quantised to 7 bits, ties to even, offset by 64", "[int8]") {
    std::vector<std::uint8_t> u(8);
    const float x[5] = {-2.f, 1.f, 0.f, 2.f * 0.5f / 63.f, 2.f * 1.5f / 63.f};
    const float scale = quantize(x, 5, kSignedInput, u.data());
    CHECK(scale == Approx(2.f / 63.f));
    CHECK(u[0] == 64 - 63);  // the largest magnitude is the last step
    CHECK(u[1] == 64 + 32);  // 31.5 rounds to even
    CHECK(u[2] == 64);
    CHECK(u[3] == 64);       // 0.5 to even: 0
    CHECK(u[4] == 64 + 2);   // 1.5 to even: 2
    for (int i = 5; i < 8; ++i) CHECK(u[std::size_t(i)] == 64);  // padding (to 8) reads as zero

    const float zeros[3] = {0.f, 0.f, 0.f};
    CHECK(quantize(zeros, 3, kSignedInput, u.data()) == 0.f);
    for (int i = 0; i < 8; ++i) CHECK(u[std::size_t(i)] == 64);

    // long enough for the vector path, with its tail
    std::vector<float> ramp(70);
    for (std::size_t i = 0; i < ramp.size(); ++i) ramp[i] = float(int(i) - 35) / 35.f;
    std::vector<std::uint8_t> v(72);  // pad8(70)
    quantize(ramp.data(), int(ramp.size()), kSignedInput, v.data());
    for (std::size_t i = 0; i < ramp.size(); ++i) {
        INFO(i);
        CHECK(int(v[i]) == 64 + int(std::nearbyint(ramp[i] * 63.f)));
    }
}

TEST_CASE("a non-negative input takes all 7 bits for its magnitude, and reads a negative value as 0", "[int8]") {
    std::vector<float> x(40);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = float(i) / 39.f;
    x[3] = -0.5f;   // in the vector path
    x[38] = -1.f;   // in the tail
    std::vector<std::uint8_t> u(40);  // pad8(40)
    const float scale = quantize(x.data(), int(x.size()), kNonNegativeInput, u.data());
    CHECK(scale == Approx(1.f / 127.f));
    CHECK(u[39] == 127);
    CHECK(u[3] == 0);
    CHECK(u[38] == 0);
    CHECK(u[0] == 0);
    for (std::size_t i : {1u, 10u, 20u, 33u, 37u}) {
        INFO(i);
        CHECK(int(u[i]) == int(std::nearbyint(x[i] * 127.f)));
    }
}

TEST_CASE("an all-zero weight row, a missing row and an all-zero input add nothing", "[int8]") {
    std::vector<float> w(2 * 6, 0.f);
    for (int c = 0; c < 6; ++c) w[std::size_t(6 + c)] = float(c + 1);  // row 1 only
    const Int8Matrix m(rows_of(w, 2, 6).data(), 2, 6);
    std::vector<std::uint8_t> scratch(gemm_scratch_bytes(6));
    std::vector<float> acc(8, 0.5f);
    const float x[6] = {1, 1, 1, 1, 1, 1};
    gemm(m, x, 6, acc.data(), 8, 1, scratch.data());
    CHECK(acc[0] == 0.5f);
    CHECK(acc[1] == Approx(0.5f + 21.f).epsilon(1e-2));
    const float zero[6] = {};
    std::vector<float> again = acc;
    gemm(m, zero, 6, again.data(), 8, 1, scratch.data());
    CHECK(again == acc);
    // a null row pointer is a row of zeros (the LSTM's padding units)
    const float* rows[3] = {w.data() + 6, nullptr, w.data() + 6};
    const Int8Matrix padded(rows, 3, 6);
    std::vector<float> out(8, 0.f);
    gemm(padded, x, 6, out.data(), 8, 1, scratch.data());
    CHECK(out[1] == 0.f);
    CHECK(out[0] == out[2]);
    CHECK(out[0] == Approx(21.f).epsilon(1e-2));
}

TEST_CASE("the kernel is the one this CPU's build calls for", "[int8]") {
    const std::string kernel = int8_kernel();
#if defined(TACTUS_PORTABLE_KERNELS)  // the portable copy (tactus_portable_kernel_tests)
    CHECK(kernel == "portable");
#elif defined(__AVX512VNNI__) && defined(__AVX512VL__)
    CHECK(kernel == "avx512-vnni");
#elif defined(__AVXVNNI__)
    CHECK(kernel == "avx-vnni");
#elif defined(__AVX2__)
    CHECK(kernel == "avx2");
#else
    CHECK(kernel == "portable");
#endif
}
