#pragma once
// The least-squares period of the beats detected on one grid: the last
// kCapacity detections, numbered by their distance on the grid (a missed
// beat skips a number), fitted with a line. Unlike the grid's loop, which
// moves its period a little with each beat's error so that a steady tempo
// reads steady, it has no memory of where the period started.
#include <array>
#include <cstdint>

namespace tactus {

class BeatFit {
public:
    static constexpr int kCapacity = 16;

    // A new grid, its first beat at `frame`.
    void start(double frame);
    // The grid is gone: the next add() starts a new one.
    void clear() { size_ = 0; beats_ = 0; }
    // The next detection; `period` (frames) numbers it after the last one.
    void add(double frame, double period);

    // Beats since start(), counting the first.
    std::int64_t beats() const { return beats_; }
    // Frames per beat from the kept detections; 0 with fewer than two.
    double period() const;

private:
    std::array<double, kCapacity> frame_{}, number_{};
    int size_ = 0;
    std::int64_t beats_ = 0;
};

}  // namespace tactus
