// The particle filter's parallel building blocks against the sequential
// code they replace: CDF draws, the stratified resampling search, removal
// of injected particles, and the tables built for the GPU.
#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <random>
#include <vector>

#include "tactus/cuda/pf_step.hpp"

using namespace tactus;
using namespace tactus::cuda;

TEST_CASE("draw_index picks what BeatNetParticleFilter's draw picks", "[cuda][pf]") {
    std::mt19937 rng(3);
    std::uniform_real_distribution<double> w(0.0, 1.0);
    for (int trial = 0; trial < 200; ++trial) {
        const int n = 1 + int(rng() % 50);
        std::vector<double> cdf(static_cast<std::size_t>(n));
        double acc = 0;
        for (auto& c : cdf) c = acc += trial % 3 == 0 && rng() % 4 == 0 ? 0.0 : w(rng);  // some zero steps
        for (double u : {0.0, w(rng), w(rng), 0.999999}) {
            // beatnet_pf.cpp: upper_bound of u * total, clamped to the last
            const double x = u * cdf.back();
            const auto want = std::min<std::size_t>(std::size_t(std::upper_bound(cdf.begin(), cdf.end(), x) - cdf.begin()),
                                                    cdf.size() - 1);
            CHECK(draw_index(cdf.data(), n, u) == int(want));
        }
    }
}

TEST_CASE("the resampling search finds the particle BeatNet's sequential merge finds", "[cuda][pf]") {
    std::mt19937 rng(5);
    std::uniform_real_distribution<double> w(0.0, 1.0);
    for (int trial = 0; trial < 100; ++trial) {
        const int n = 2 + int(rng() % 1500);
        std::vector<double> cdf(static_cast<std::size_t>(n));
        double total = 0;
        for (auto& c : cdf) c = total += rng() % 5 == 0 ? 0.03 : w(rng);
        std::size_t i = 0;
        for (int j = 0; j < n; ++j) {
            const double u = (w(rng) / double(n) + double(j) / double(n)) * total;
            while (i + 1 < std::size_t(n) && cdf[i] < u) ++i;  // beatnet_pf.cpp's resample()
            REQUIRE(resample_search(cdf.data(), n, u) == int(i));
        }
    }
}

TEST_CASE("erase_position turns one-by-one removals into the original indices", "[cuda][pf]") {
    std::mt19937 rng(9);
    for (int trial = 0; trial < 500; ++trial) {
        const int k = 1 + int(rng() % 16);   // injected
        const int keep = 20 + int(rng() % 100);
        const int n = keep + k;
        std::vector<int> v(static_cast<std::size_t>(n));
        for (int i = 0; i < n; ++i) v[std::size_t(i)] = i;
        int32_t removed[32];
        for (int q = 0; q < k; ++q) {
            const int at = int(rng() % std::uint32_t(keep - q));  // below(keep - q), as FIX 1 draws it
            const int orig = erase_position(at, removed, q);
            REQUIRE(orig == v[std::size_t(at)]);
            v.erase(v.begin() + at);
        }
        REQUIRE(std::is_sorted(removed, removed + k));
        for (int q = 0; q < k; ++q) CHECK(std::find(v.begin(), v.end(), removed[q]) == v.end());
    }
}

TEST_CASE("the GPU tables hold madmom's state spaces and transitions", "[cuda][pf]") {
    auto t = std::make_unique<PfTables>();
    const BeatNetPfConfig cfg;
    build_pf_tables(cfg, *t);
    CHECK(t->num_states == 1449);  // 42 intervals, 14..55 frames
    CHECK(t->num_tempi == 42);
    CHECK(t->first_states[0] == 0);
    CHECK(t->interval[0] == 14);
    CHECK(t->interval[1448] == 55);
    CHECK(t->last_index[13] == 0);
    CHECK(t->last_index[1448] == 41);
    CHECK(t->last_index[12] == -1);
    CHECK(t->tempo_first[20] == 14);
    CHECK(t->near_frames == 4);
    for (int j = 0; j < t->num_tempi; ++j) {
        INFO(j);
        REQUIRE(t->next_count[j] > 0);
        CHECK(t->next_cdf[j][t->next_count[j] - 1] == Approx(1.0).epsilon(1e-12));
        for (int k = 0; k < t->next_count[j]; ++k) CHECK(t->is_first[t->next_state[j][k]] == 1);
    }
    // meters 2, 3, 4: states [0, 1], [2, 3, 4], [5 .. 8]
    CHECK(t->meters == 3);
    CHECK(t->down_num_states == 9);
    CHECK(t->down_first[1] == 2);
    CHECK(t->down_interval[4] == 3);
    CHECK(t->down_beat_in_bar[4] == 3);
    CHECK(t->down_beat_in_bar[5] == 1);
    CHECK(t->down_cdf[0][0] == Approx(0.9));
    CHECK(t->down_cdf[2][2] == Approx(1.0));
    BeatNetPfConfig huge;
    huge.particles = 100000;
    CHECK_THROWS(build_pf_tables(huge, *t));
}

TEST_CASE("reset draws sorted particles over every state, the same for a seed", "[cuda][pf]") {
    auto t = std::make_unique<PfTables>();
    build_pf_tables(BeatNetPfConfig{}, *t);
    auto a = std::make_unique<PfStreamState>(), b = std::make_unique<PfStreamState>();
    pf_init(*t, 1, *a);
    pf_init(*t, 1, *b);
    CHECK(std::equal(a->particles, a->particles + t->particles, b->particles));
    CHECK(std::is_sorted(a->particles, a->particles + t->particles));
    CHECK(std::is_sorted(a->down_particles, a->down_particles + t->down_particles));
    CHECK(a->particles[0] >= 0);
    CHECK(a->particles[t->particles - 1] < t->num_states);
    CHECK(a->counter == -1);
    pf_init(*t, 2, *b);
    CHECK_FALSE(std::equal(a->particles, a->particles + t->particles, b->particles));
}
