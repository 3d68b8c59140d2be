// The GPU particle filter's random numbers: Philox4x32-10 against the
// published known-answer vectors (Random123's kat_vectors), and the
// uniform and integer draws made from it.
#include <catch2/catch.hpp>

#include <set>
#include <vector>

#include "tactus/cuda/philox.hpp"

using namespace tactus::cuda;

TEST_CASE("Philox4x32-10 gives Random123's known answers", "[cuda][philox]") {
    struct Kat {
        Philox4 ctr;
        uint32_t k0, k1;
        Philox4 want;
    };
    const Kat kats[] = {
        {{{0, 0, 0, 0}}, 0, 0, {{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}}},
        {{{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}}, 0xffffffff, 0xffffffff,
         {{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}}},
        {{{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}}, 0xa4093822, 0x299f31d0,
         {{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}}},
    };
    for (const auto& k : kats) {
        const Philox4 got = philox4x32_10(k.ctr, k.k0, k.k1);
        for (int i = 0; i < 4; ++i) CHECK(got.v[i] == k.want.v[i]);
    }
}

TEST_CASE("uniform draws lie in 0 <= u < 1 with the right mean, and purposes do not share numbers", "[cuda][philox]") {
    double sum = 0;
    const int n = 100000;
    for (int i = 0; i < n; ++i) {
        const double u = philox_uniform(philox_draw(7, 3, Draw::move_beat, uint32_t(i)));
        REQUIRE(u >= 0.0);
        REQUIRE(u < 1.0);
        sum += u;
    }
    CHECK(sum / n == Approx(0.5).margin(0.005));
    // the same index under another purpose, frame or seed gives other numbers
    const double a = philox_uniform(philox_draw(7, 3, Draw::move_beat, 5));
    CHECK(a != philox_uniform(philox_draw(7, 3, Draw::move_meter, 5)));
    CHECK(a != philox_uniform(philox_draw(7, 4, Draw::move_beat, 5)));
    CHECK(a != philox_uniform(philox_draw(8, 3, Draw::move_beat, 5)));
    CHECK(a == philox_uniform(philox_draw(7, 3, Draw::move_beat, 5)));  // a pure function
}

TEST_CASE("integer draws are in range and cover it evenly", "[cuda][philox]") {
    for (uint32_t range : {1u, 4u, 9u, 1449u}) {
        std::vector<int> count(range, 0);
        const int n = 20000 * int(range < 100 ? 1 : 10);
        for (int i = 0; i < n; ++i) {
            const uint32_t v = philox_below(1, -1, Draw::init_beat, uint32_t(i), range);
            REQUIRE(v < range);
            ++count[v];
        }
        const double expect = double(n) / range;
        for (int c : count) CHECK(std::abs(c - expect) < 6 * std::sqrt(expect) + 1);
    }
}
