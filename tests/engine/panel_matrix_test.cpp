// The CRNN's matrix products against a plain double-precision reference:
// fp32 panels to float rounding, bf16 panels to the products of the
// bf16-rounded weights and inputs, over odd widths, column offsets and
// batch sizes, a batch always bitwise equal to one frame at a time.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

#include "panel_matrix.hpp"

using namespace tactus::panel;

namespace {

struct Case {
    int rows, cols, c0, c1, frames;
};

float bf16_value(float x) {
    const std::uint32_t u = std::uint32_t(to_bf16(x)) << 16;
    float y;
    std::memcpy(&y, &u, sizeof y);
    return y;
}

// acc_f[r] = bias[r] + sum_c w[r][c] x_f[c - c0], in double; `round` maps
// weights and inputs first
std::vector<double> reference(const std::vector<float>& w, const std::vector<float>& bias, const std::vector<float>& x,
                              const Case& k, int x_stride, float (*round)(float)) {
    std::vector<double> out(std::size_t(k.frames * k.rows));
    for (int f = 0; f < k.frames; ++f)
        for (int r = 0; r < k.rows; ++r) {
            double s = bias[std::size_t(r)];
            for (int c = k.c0; c < k.c1; ++c)
                s += double(round(w[std::size_t(r * k.cols + c)])) * double(round(x[std::size_t(f * x_stride + c - k.c0)]));
            out[std::size_t(f * k.rows + r)] = s;
        }
    return out;
}

float same(float x) { return x; }

template <class M, class Run>
void check(const Case& k, float (*round)(float), double tolerance, Run run) {
    std::mt19937 rng(std::uint32_t(k.rows * 131 + k.cols * 7 + k.c0 + k.frames));
    std::normal_distribution<float> d(0.f, 1.f);
    std::vector<float> w(std::size_t(k.rows * k.cols)), bias(std::size_t(k.rows));
    for (auto& v : w) v = d(rng);
    for (auto& v : bias) v = d(rng);
    M m(k.rows, k.cols);
    for (int r = 0; r < k.rows; ++r)
        for (int c = 0; c < k.cols; ++c) m.set(r, c, w[std::size_t(r * k.cols + c)]);
    const int x_stride = k.c1 - k.c0 + 3, acc_stride = pad16(k.rows);
    std::vector<float> x(std::size_t(k.frames * x_stride));
    for (auto& v : x) v = d(rng);
    auto fresh = [&] {
        std::vector<float> acc(std::size_t(k.frames * acc_stride), 0.f);
        for (int f = 0; f < k.frames; ++f)
            for (int r = 0; r < k.rows; ++r) acc[std::size_t(f * acc_stride + r)] = bias[std::size_t(r)];
        return acc;
    };
    std::vector<float> batch = fresh(), single = fresh();
    run(m, x.data(), x_stride, batch.data(), acc_stride, k.frames);
    for (int f = 0; f < k.frames; ++f)
        run(m, x.data() + f * x_stride, x_stride, single.data() + f * acc_stride, acc_stride, 1);
    CHECK(batch == single);
    const auto ref = reference(w, bias, x, k, x_stride, round);
    double worst = 0;
    for (int f = 0; f < k.frames; ++f)
        for (int r = 0; r < k.rows; ++r)
            worst = std::max(worst, std::abs(double(batch[std::size_t(f * acc_stride + r)]) - ref[std::size_t(f * k.rows + r)]));
    INFO("worst " << worst);
    CHECK(worst <= tolerance);
}

const Case kCases[] = {
    {16, 16, 0, 16, 1}, {17, 9, 0, 9, 5}, {160, 262, 0, 262, 9}, {640, 300, 0, 150, 4}, {640, 300, 150, 300, 1},
    {3, 150, 0, 150, 7}, {40, 31, 2, 31, 6}, {33, 17, 4, 5, 3},
};

}  // namespace

TEST_CASE("fp32 panels multiply as a double reference does, to float rounding", "[panel]") {
    for (const Case& k : kCases) {
        INFO(k.rows << "x" << k.cols << " columns " << k.c0 << ".." << k.c1 << ", " << k.frames << " frames");
        check<PanelMatrix>(k, same, 1e-4 * std::sqrt(double(k.c1 - k.c0)),
                           [&](const PanelMatrix& m, const float* x, int xs, float* acc, int as, int frames) {
                               gemm(m, k.c0, k.c1, x, xs, acc, as, frames);
                           });
    }
}

#if TACTUS_HAVE_BF16
TEST_CASE("bf16 panels multiply the bf16-rounded weights and inputs exactly, summing in fp32", "[panel]") {
    for (const Case& k : kCases) {
        INFO(k.rows << "x" << k.cols << " columns " << k.c0 << ".." << k.c1 << ", " << k.frames << " frames");
        std::vector<std::uint16_t> scratch(std::size_t(k.frames * pad2(k.c1 - k.c0)));
        check<PanelMatrixBf16>(k, bf16_value, 1e-4 * std::sqrt(double(k.c1 - k.c0)),
                               [&](const PanelMatrixBf16& m, const float* x, int xs, float* acc, int as, int frames) {
                                   gemm(m, k.c0, k.c1, x, xs, acc, as, frames, scratch.data());
                               });
    }
}

TEST_CASE("bf16 rounding is to nearest, ties to even", "[panel]") {
    CHECK(to_bf16(1.0f) == 0x3f80);
    // 7 stored mantissa bits: neighbours 1/128 apart above 1
    CHECK(bf16_value(1.0f + 1.0f / 256) == 1.0f);               // a tie: the even neighbour, down
    CHECK(bf16_value(1.0f + 3.0f / 256) == 1.0f + 4.0f / 256);  // a tie: the even neighbour, up
    CHECK(bf16_value(1.0f + 1.5f / 256) == 1.0f + 2.0f / 256);  // above half way: up
    CHECK(bf16_value(1.0f + 0.9f / 256) == 1.0f);               // below: down
    CHECK(bf16_value(-2.5f) == -2.5f);
}
#else
TEST_CASE("bf16 panels: this build has no AVX-512 BF16 and uses fp32", "[panel]") { SUCCEED(); }
#endif
