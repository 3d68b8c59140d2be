// The CRNN's fp32 matrix products against a plain double-precision
// reference, to float rounding, over odd shapes and batch sizes; a batch is
// bitwise equal to one frame at a time.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

#include "panel_matrix.hpp"

using namespace tactus::panel;

namespace {

struct Case {
    int rows, cols, frames;
};

const Case kCases[] = {{16, 16, 1}, {17, 9, 5},  {160, 262, 9}, {608, 150, 4},
                       {640, 150, 1}, {3, 150, 7}, {40, 31, 6},   {33, 5, 3}};

}  // namespace

TEST_CASE("fp32 panels multiply as a double reference does, to float rounding", "[panel]") {
    for (const Case& k : kCases) {
        INFO(k.rows << "x" << k.cols << ", " << k.frames << " frames");
        std::mt19937 rng(std::uint32_t(k.rows * 131 + k.cols * 7 + k.frames));
        std::normal_distribution<float> d(0.f, 1.f);
        std::vector<float> w(std::size_t(k.rows * k.cols)), bias(std::size_t(k.rows));
        for (auto& v : w) v = d(rng);
        for (auto& v : bias) v = d(rng);
        PanelMatrix m(k.rows, k.cols);
        for (int r = 0; r < k.rows; ++r)
            for (int c = 0; c < k.cols; ++c) m.set(r, c, w[std::size_t(r * k.cols + c)]);
        const int x_stride = k.cols + 3, acc_stride = pad_rows(k.rows);
        std::vector<float> x(std::size_t(k.frames * x_stride));
        for (auto& v : x) v = d(rng);
        auto fresh = [&] {
            std::vector<float> acc(std::size_t(k.frames * acc_stride), 0.f);
            for (int f = 0; f < k.frames; ++f) std::copy(bias.begin(), bias.end(), acc.begin() + f * acc_stride);
            return acc;
        };
        std::vector<float> batch = fresh(), single = fresh();
        gemm(m, x.data(), x_stride, batch.data(), acc_stride, k.frames);
        for (int f = 0; f < k.frames; ++f) gemm(m, x.data() + f * x_stride, x_stride, single.data() + f * acc_stride, acc_stride, 1);
        CHECK(batch == single);
        double worst = 0;
        for (int f = 0; f < k.frames; ++f)
            for (int r = 0; r < k.rows; ++r) {
                double s = bias[std::size_t(r)];
                for (int c = 0; c < k.cols; ++c)
                    s += double(w[std::size_t(r * k.cols + c)]) * double(x[std::size_t(f * x_stride + c)]);
                worst = std::max(worst, std::abs(double(batch[std::size_t(f * acc_stride + r)]) - s));
            }
        INFO("worst " << worst);
        CHECK(worst <= 1e-4 * std::sqrt(double(k.cols)));
    }
}
