#include "dc_blocker.hpp"

#include <cmath>
#include <utility>

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
        // the differences and the silence test in lanes too: sample by
        // sample they had become the loop's largest cost
        const simd::vf cur = simd::load(in + i);
        simd::vf prev;  // in[i - 1 .. i + L - 2]
        if (i > 0) {
            prev = simd::load(in + i - 1);
        } else {
            prev[0] = px;
            for (int j = 1; j < L; ++j) prev[j] = in[j - 1];
        }
        const simd::vf dv = cur - prev;
        const simd::vi both_zero = (cur == 0.f) & (prev == 0.f);
        if (simd::any(both_zero)) {
            for (int j = 0; j < L; ++j) {
                const float v = in[i + std::size_t(j)];
                py = v == 0.f && px == 0.f ? 0.f : v - px + kPole * py;
                px = v;
                out[i + std::size_t(j)] = py;
            }
            continue;
        }
        // four partial sums: the chain from block to block is the carry alone
        // (column j's lane broadcast by a shuffle, not through memory)
        simd::vf s[4] = {pw.carry * py, simd::vf{}, simd::vf{}, simd::vf{}};
        [&]<int... J>(std::integer_sequence<int, J...>) {
            ((s[J % 4] += pw.col[J] * simd::lane<J>(dv)), ...);
        }(std::make_integer_sequence<int, L>{});
        const simd::vf yb = (s[0] + s[1]) + (s[2] + s[3]);
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
