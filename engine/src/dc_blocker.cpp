#include "dc_blocker.hpp"

#include <cmath>

#include "simd.hpp"

namespace tactus {
namespace {

struct Powers {
    simd::vf col[simd::kLanes];  // col[i][j] = p^(j - i), 0 above the diagonal
    simd::vf carry;              // p^(j + 1)
    Powers() {
        for (int i = 0; i < simd::kLanes; ++i)
            for (int j = 0; j < simd::kLanes; ++j) col[i][j] = j < i ? 0.f : float(std::pow(double(DcBlocker::kPole), j - i));
        for (int j = 0; j < simd::kLanes; ++j) carry[j] = float(std::pow(double(DcBlocker::kPole), j + 1));
    }
};

}  // namespace

void DcBlocker::run(const float* in, std::size_t n, float* out) {
    static const Powers pw;  // built on first use (no allocation)
    constexpr int L = simd::kLanes;
    float px = x_, py = y_;
    std::size_t i = 0;
    for (; i + L <= n; i += L) {
        float d[L];
        bool silent = false;
        for (int j = 0; j < L; ++j) {
            const float prev = j == 0 ? px : in[i + std::size_t(j) - 1];
            d[j] = in[i + std::size_t(j)] - prev;
            silent |= in[i + std::size_t(j)] == 0.f && prev == 0.f;
        }
        if (silent) {
            for (int j = 0; j < L; ++j) {
                const float v = in[i + std::size_t(j)];
                py = v == 0.f && px == 0.f ? 0.f : v - px + kPole * py;
                px = v;
                out[i + std::size_t(j)] = py;
            }
            continue;
        }
        // four partial sums: the chain from block to block is the carry alone
        simd::vf s0 = pw.carry * py, s1{}, s2{}, s3{};
        for (int j = 0; j < L; j += 4) {
            s0 += pw.col[j] * d[j];
            s1 += pw.col[j + 1] * d[j + 1];
            s2 += pw.col[j + 2] * d[j + 2];
            s3 += pw.col[j + 3] * d[j + 3];
        }
        const simd::vf yb = (s0 + s1) + (s2 + s3);
        simd::store(out + i, yb);
        px = in[i + L - 1];
        py = yb[L - 1];
    }
    for (; i < n; ++i) {
        const float v = in[i];
        py = v == 0.f && px == 0.f ? 0.f : v - px + kPole * py;
        px = v;
        out[i] = py;
    }
    x_ = px;
    y_ = py;
}

}  // namespace tactus
