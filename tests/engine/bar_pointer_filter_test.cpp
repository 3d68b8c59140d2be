// BarPointerFilter: spread(share) gives every allowed state an equal part
// (after a break the music may be a new song, and the posterior cannot reach
// an unrelated tempo or phase by its own transitions); a beat's observation
// range does not grow past an activation peak's width at slow tempi; a fast
// tempo between two whole frames, drifting, stays itself.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>
#include <random>
#include <vector>

#include "bar_pointer_filter.hpp"

using namespace tactus;

namespace {

// A filter that has followed a beat every 25 frames (120 BPM) for 20 s.
BarPointerFilter settled_at_25() {
    BarPointerFilter f({2, 3, 4}, 14, 55, 100.0, 16);
    for (int t = 0; t < 1000; ++t) f.step(t % 25 == 0 ? 0.9f : 0.02f, 0.01f);
    return f;
}

double mass(const BarPointerFilter& f, int lo, int hi) {
    double m = 0;
    for (int i = lo; i <= hi; ++i) m += f.tempo()[std::size_t(i - f.min_interval())];
    return m;
}

}  // namespace

TEST_CASE("bar-pointer filter: spread gives every allowed state an equal part of the posterior", "[tracker][filter]") {
    auto f = settled_at_25();
    REQUIRE(mass(f, 24, 26) > 0.99);
    REQUIRE(mass(f, 35, 37) < 1e-6);  // 85 BPM: out of reach
    f.spread(0.1f);
    // the states of an interval L number L per beat: its share is L / (sum of L)
    double states = 0;
    for (int L = 14; L <= 55; ++L) states += L;
    CHECK(mass(f, 35, 37) == Approx(0.1 * (35 + 36 + 37) / states).epsilon(0.01));
    CHECK(mass(f, 24, 26) == Approx(0.9 + 0.1 * (24 + 25 + 26) / states).epsilon(0.01));
    const auto& since = f.since_beat();
    CHECK(std::accumulate(since.begin(), since.end(), 0.0) == Approx(1.0).epsilon(1e-4));
}

TEST_CASE("bar-pointer filter: spread leaves tempi outside a restriction empty", "[tracker][filter]") {
    auto f = settled_at_25();
    f.restrict_tempo(20, 30);
    f.spread(0.5f);
    CHECK(mass(f, 14, 19) == 0.0);
    CHECK(mass(f, 31, 55) == 0.0);
    CHECK(mass(f, 20, 30) == Approx(1.0).epsilon(1e-4));
}

TEST_CASE("bar-pointer filter: smeared beats at 110 BPM are not taken for 55 BPM", "[tracker][filter]") {
    // A room's reverb widens each activation peak to four frames over a
    // raised floor. Every state at 55 BPM (54 frames) then saw a whole peak
    // on its beat range of four frames, the true tempo's (27 frames) half of
    // one, and the slow tempo won; the beat range stops at three frames.
    BarPointerFilter f({2, 3, 4}, 14, 55, 100.0, 16);
    double slow = 0, fast = 0;
    for (int t = 0; t < 1500; ++t) {
        const int k = t % 27;
        f.step(k < 4 ? 0.6f : 0.15f, 0.01f);
        if (t >= 1000) {  // a beat's worth of frames at a time: the marginals swing within a beat
            slow += mass(f, 51, 55);
            fast += mass(f, 25, 29);
        }
    }
    INFO("mass near 27 frames " << fast / 500 << ", near 54 " << slow / 500);
    CHECK(fast > 2 * slow);
}

TEST_CASE("bar-pointer filter: a fast tempo between two whole frames, drifting, is not taken for its half", "[tracker][filter]") {
    // 180 BPM is 16.7 frames a beat, so the posterior must alternate between
    // 16 and 17; a band drifting by 2 % over 30 s moves it further. When a
    // one-frame hop cost exp(-100 / 16) the slower level (33-34 frames, a
    // hop there exp(-3)), fed by the strong beats, fitted better and won:
    // it led in all but 44 of these 2500 frames.
    BarPointerFilter f({2, 3, 4}, 14, 55, 100.0, 16);
    double beat = 0.3;  // seconds
    int n = 0, held = 0, frames = 0;
    for (int t = 0; t < 3000; ++t) {
        const double now = t / 50.0;
        const bool on_beat = std::abs(now - beat) < 0.01;
        // every other beat weaker, as music's backbeat is
        const float a = on_beat ? (n % 2 == 0 ? 0.9f : 0.3f) : 0.02f;
        if (now > beat + 0.01) {
            beat += 60.0 / (180.0 * (1.0 + 0.02 * std::sin(2 * std::numbers::pi * beat / 30.0)));
            ++n;
        }
        f.step(a, 0.01f);
        if (t < 500) continue;
        ++frames;
        held += mass(f, 15, 18) > mass(f, 31, 36) ? 1 : 0;
    }
    INFO("frames with the fast level ahead of its half: " << held << " of " << frames);
    CHECK(held >= frames * 95 / 100);
}

namespace {

// Activations with beats every `period` frames over a noisy floor
// (deterministic).
struct Pulse {
    int period;
    unsigned seed = 12345;
    float noise() {
        seed = seed * 1664525u + 1013904223u;
        return float(seed >> 8) / float(1u << 24);
    }
    void step(BarPointerFilter& f, int t) {
        const bool beat = t % period == 0;
        f.step(beat ? 0.5f + 0.4f * noise() : 0.05f * noise(), beat && t % (4 * period) == 0 ? 0.6f : 0.02f * noise());
    }
};

void require_same_posterior(const BarPointerFilter& a, const BarPointerFilter& b, double tolerance) {
    const auto sa = a.since_beat(), sb = b.since_beat();
    const auto ua = a.until_beat(), ub = b.until_beat();
    for (std::size_t k = 0; k < sa.size(); ++k) REQUIRE(sa[k] == Approx(sb[k]).margin(tolerance));
    for (std::size_t k = 0; k < ua.size(); ++k) REQUIRE(ua[k] == Approx(ub[k]).margin(tolerance));
    for (std::size_t i = 0; i < a.tempo().size(); ++i) REQUIRE(a.tempo()[i] == Approx(b.tempo()[i]).margin(tolerance));
    const auto ma = a.meter_mass(), mb = b.meter_mass();
    for (std::size_t m = 0; m < ma.size(); ++m) REQUIRE(ma[m] == Approx(mb[m]).margin(tolerance));
    for (int k = 0; k < 20; ++k) {
        int meter_a, beat_a, meter_b, beat_b;
        double mass_a, mass_b;
        a.beat_in_bar_at(k, &meter_a, &beat_a, &mass_a);
        b.beat_in_bar_at(k, &meter_b, &beat_b, &mass_b);
        REQUIRE(mass_a == Approx(mass_b).margin(tolerance));
        if (std::abs(mass_a - mass_b) > 1e-3) {  // a clear winner is the same
            REQUIRE(meter_a == meter_b);
            REQUIRE(beat_a == beat_b);
        }
    }
}

}  // namespace

TEST_CASE("bar-pointer filter: a posterior kept in rotating rings reads as one in plain order", "[tracker][filter]") {
    // step() moves each tempo block's ring instead of its states and keeps
    // them unnormalised; spread(0) brings them back to plain order and
    // scale (as every operation that rewrites states does) and must change
    // nothing a reader sees, then or later.
    BarPointerFilter ring({2, 3, 4}, 14, 55, 100.0, 16), plain({2, 3, 4}, 14, 55, 100.0, 16);
    Pulse a{23}, b{23};
    for (int t = 0; t < 337; ++t) {
        a.step(ring, t);
        b.step(plain, t);
    }
    plain.spread(0.f);
    require_same_posterior(ring, plain, 1e-6);
    for (int t = 337; t < 900; ++t) {
        a.step(ring, t);
        b.step(plain, t);
    }
    require_same_posterior(ring, plain, 1e-5);
    double sum = 0;
    for (float v : ring.since_beat()) sum += v;
    CHECK(sum == Approx(1.0).margin(1e-5));
}

TEST_CASE("bar-pointer filter: an hour of beats, silence and noise keeps the posterior finite, normalised and tracking", "[tracker][filter]") {
    // The stored states drift by every frame's likelihood (a strong beat on
    // a beat state multiplies them by a hundred); step() rescales them
    // before a float runs out of range.
    BarPointerFilter f({2, 3, 4}, 14, 55, 100.0, 16);
    Pulse pulse{25};
    for (int t = 0; t < 50 * 3660; ++t) {  // an hour, then a minute of beats
        const int minute = t / 3000;
        if (minute % 3 == 0) pulse.step(f, t);
        else if (minute % 3 == 1) f.step(1e-4f, 1e-4f);  // silence
        else f.step(0.3f * pulse.noise(), 0.1f * pulse.noise());
        if (t % 997 == 0) {
            REQUIRE(std::isfinite(f.last_step_scale()));
            double tempo = 0;
            for (float v : f.tempo()) tempo += v;
            REQUIRE(tempo == Approx(1.0).margin(1e-4));
        }
    }
    double since = 0;
    for (float v : f.since_beat()) since += v;
    CHECK(since == Approx(1.0).margin(1e-4));
    CHECK(mass(f, 24, 26) > 0.5);  // the last minute's beats: 120 BPM
}

TEST_CASE("first_max finds the first largest value, as std::max_element does", "[bar_pointer]") {
    std::mt19937 rng(11);
    for (int n = 1; n <= 70; ++n)
        for (int rep = 0; rep < 20; ++rep) {
            // few distinct values, so the largest is often tied
            std::uniform_int_distribution<int> level(0, rep % 2 ? 3 : 1000);
            std::vector<float> x(static_cast<std::size_t>(n), 0.f);
            for (auto& v : x) v = float(level(rng)) * 0.01f;
            INFO("n " << n << ", rep " << rep);
            CHECK(first_max(x.data(), n) == int(std::max_element(x.begin(), x.end()) - x.begin()));
        }
}
