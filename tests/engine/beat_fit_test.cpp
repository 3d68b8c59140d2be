// BeatFit: the least-squares period of the beats detected on one grid,
// missed beats counted by their distance, the last 16 beats only.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "beat_fit.hpp"

using tactus::BeatFit;

TEST_CASE("beat fit: the period of beats jittered by whole frames, a missed beat skipped", "[tracker][beat_fit]") {
    // 132 BPM at 50 frames a second: 22.727 frames a beat, detected on whole frames
    const double period = 50.0 * 60.0 / 132.0;
    BeatFit fit;
    CHECK(fit.period() == 0);
    fit.start(std::round(100.0));
    CHECK(fit.period() == 0);  // one beat has no period
    for (int k = 1; k < 12; ++k) {
        if (k == 5) continue;  // missed
        fit.add(std::round(100.0 + k * period), 23.0);  // numbered with a rough period
    }
    CHECK(fit.beats() == 11);
    CHECK(fit.period() == Approx(period).epsilon(0.003));
}

TEST_CASE("beat fit: only the last 16 beats count, and a new grid starts afresh", "[tracker][beat_fit]") {
    BeatFit fit;
    fit.start(0);
    double t = 0;
    for (int k = 1; k < 40; ++k) fit.add(t += 25, 25);  // 120 BPM
    for (int k = 0; k < 16; ++k) fit.add(t += 20, 25);   // then 150 BPM: numbered as beats all the same
    CHECK(fit.period() == Approx(20).margin(1e-9));
    CHECK(fit.beats() == 56);

    fit.start(1000);
    CHECK(fit.beats() == 1);
    fit.add(1030, 30);
    CHECK(fit.period() == Approx(30));
    fit.clear();  // the grid is gone
    CHECK(fit.beats() == 0);
    CHECK(fit.period() == 0);
    fit.add(1060, 30);  // the first beat of the next one
    CHECK(fit.beats() == 1);
    CHECK(fit.period() == 0);
}
