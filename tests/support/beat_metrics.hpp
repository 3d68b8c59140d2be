#pragma once
// Beat-tracking scores for tests: F-measure with a +-70 ms window (as
// mir_eval.beat.f_measure), by optimal one-to-one matching of sorted lists.
#include <algorithm>
#include <cmath>
#include <vector>

namespace tactus::test {

// t minus the nearest of `beats` (seconds; 1 when there is none).
inline double offset_to_nearest(double t, const std::vector<double>& beats) {
    double best = 1;
    for (double b : beats) best = std::abs(t - b) < std::abs(best) ? t - b : best;
    return best;
}

// Matches estimated to reference beats within `window` seconds; greedy in
// time order, which is optimal when the window is under half a beat.
inline int matched_beats(const std::vector<double>& ref, const std::vector<double>& est, double window) {
    std::size_t i = 0, j = 0;
    int hits = 0;
    while (i < ref.size() && j < est.size()) {
        if (std::abs(ref[i] - est[j]) <= window) {
            ++hits;
            ++i;
            ++j;
        } else if (est[j] < ref[i]) {
            ++j;
        } else {
            ++i;
        }
    }
    return hits;
}

inline double f_measure(std::vector<double> ref, std::vector<double> est, double window = 0.07, double skip = 0.0) {
    auto trim = [&](std::vector<double>& v) { v.erase(v.begin(), std::lower_bound(v.begin(), v.end(), skip)); };
    std::sort(ref.begin(), ref.end());
    std::sort(est.begin(), est.end());
    trim(ref);
    trim(est);
    if (ref.empty() && est.empty()) return 1.0;
    if (ref.empty() || est.empty()) return 0.0;
    const double hits = matched_beats(ref, est, window);
    const double p = hits / double(est.size()), r = hits / double(ref.size());
    return p + r > 0 ? 2 * p * r / (p + r) : 0.0;
}

}  // namespace tactus::test
