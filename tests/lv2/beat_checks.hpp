#pragma once
// Checks shared by the tests that run audio through the plugin: its beats
// against tactus-analyze's, their timing, and the MIDI clock against them.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>
#include <vector>

#include "lv2_support.hpp"

namespace tactus::test {

inline std::string example() { return (source_dir() / "examples" / "groove-120bpm.flac").string(); }

inline std::vector<double> reference_beats(const std::string& beats_file) {
    std::vector<double> out;
    std::ifstream in(beats_file);
    double t;
    int b;
    while (in >> t >> b) out.push_back(t);
    return out;
}

// The plugin's beats against tactus-analyze's predictions (the same engine
// events: the plugin sends predictions on their beat). `tol` in seconds.
inline void check_matches_analyze(const std::vector<HostBeat>& beats, const std::vector<AnalyzeEvent>& ref, double rate,
                           double audio_seconds, double tol = 0.030) {
    std::vector<std::int64_t> got, want;
    for (const auto& b : beats) got.push_back(b.stream_frame);
    for (const auto& e : ref)
        if (e.time < audio_seconds - 0.2) want.push_back(e.frame);  // the last ones may lie past the end
    REQUIRE(want.size() >= 5);
    const auto tol_frames = std::int64_t(tol * rate);
    const int hits = matched(want, got, tol_frames);
    INFO("plugin beats " << got.size() << ", tactus-analyze predictions " << want.size() << ", matched " << hits);
    CHECK(hits >= int(0.95 * double(want.size())));
    CHECK(hits >= int(0.95 * double(got.size())) - 1);
    // beat in bar and bar of the matched ones
    int same = 0, compared = 0;
    for (const auto& b : beats)
        for (const auto& e : ref)
            if (std::llabs(e.frame - b.stream_frame) <= tol_frames) {
                ++compared;
                same += e.beat_in_bar == b.beat_in_bar && e.bar == b.bar;
                break;
            }
    CHECK(same >= int(0.95 * compared));
}

// Beats come at their sample offsets: never early, and on time unless
// their prediction could not reach run() in time (a block longer than the
// prediction lead): then at the start of the next block, late by less than
// a block and 100 ms.
inline void check_on_time(const std::vector<HostBeat>& beats, double rate, double min_on_time) {
    int on_time = 0;
    for (const auto& b : beats) {
        CHECK(b.frame >= b.stream_frame);
        CHECK(b.frame - b.stream_frame <= std::int64_t(8192 + 0.1 * rate));
        on_time += b.frame == b.stream_frame;
    }
    CHECK(on_time >= int(min_on_time * double(beats.size())));
}

// 24 clock ticks per beat, Start on a downbeat, ticks in step with the
// beats. Against where the beats are (a late one is sent after its place),
// and over any gap between the beats sent (the engine may skip the
// prediction of a beat: 24 per beat in between).
inline void check_clock(const Lv2Instance& inst, double rate) {
    const auto starts = midi_frames(inst.midi, 0xFA);
    const auto ticks = midi_frames(inst.midi, 0xF8);
    REQUIRE(starts.size() == 1);
    REQUIRE(ticks.size() > 24 * 8);
    const std::int64_t start = starts.front();
    CHECK(ticks.front() == start);  // the first tick comes with Start
    // Start on a downbeat: a whole number of bars from the nearest downbeat sent (within a tick)
    const HostBeat* down = nullptr;
    for (const auto& b : inst.beats)
        if (b.beat_in_bar == 1 && b.beats_per_bar > 0 && (!down || std::llabs(b.stream_frame - start) < std::llabs(down->stream_frame - start)))
            down = &b;
    REQUIRE(down);
    const double bars = double(start - down->stream_frame) / (rate * 60.0 / down->bpm) / down->beats_per_bar;
    CHECK(std::abs(bars - std::round(bars)) * down->beats_per_bar < 1.0 / 24);
    // ticks between the beats sent, once the clock has settled (two beats after Start)
    int intervals = 0, good = 0;
    for (std::size_t i = 1; i < inst.beats.size(); ++i) {
        const auto a = inst.beats[i - 1].stream_frame, b = inst.beats[i].stream_frame;
        const double period = rate * 60.0 / inst.beats[i].bpm;
        if (a < start + std::int64_t(2 * period)) continue;
        const auto n = std::count_if(ticks.begin(), ticks.end(), [&](std::int64_t t) { return t >= a && t < b; });
        ++intervals;
        const double beats = double(b - a) / period;
        good += std::abs(double(n) - 24.0 * beats) <= 1.5 * std::max(1.0, beats);
    }
    REQUIRE(intervals >= 4);
    CHECK(good >= int(0.85 * intervals));
    // tick spacing: the beat's 24th part
    std::vector<double> gaps;
    for (std::size_t i = 1; i < ticks.size(); ++i) gaps.push_back(double(ticks[i] - ticks[i - 1]));
    std::nth_element(gaps.begin(), gaps.begin() + std::ptrdiff_t(gaps.size() / 2), gaps.end());
    const double bpm = inst.beats.back().bpm;
    CHECK(gaps[gaps.size() / 2] == Approx(rate * 60.0 / bpm / 24.0).epsilon(0.03));
    // every 24th tick from Start lies on a beat sent: within 60 ms while the
    // clock's loop pulls in its tempo and phase (it moves them gently, by at
    // most 1 % per beat), within 30 ms once it has (the second half)
    std::vector<std::int64_t> beat_ticks, beat_frames, late_ticks, late_frames;
    for (std::size_t i = 0; i < ticks.size(); i += 24) beat_ticks.push_back(ticks[i]);
    const std::int64_t settled = (start + ticks.back()) / 2;
    for (auto t : beat_ticks)
        if (t >= settled) late_ticks.push_back(t);
    for (const auto& b : inst.beats) {
        if (b.stream_frame >= start) beat_frames.push_back(b.stream_frame);
        if (b.stream_frame >= settled) late_frames.push_back(b.stream_frame);
    }
    CHECK(matched(beat_frames, beat_ticks, std::int64_t(0.06 * rate)) >= int(0.9 * double(beat_frames.size())));
    CHECK(matched(late_frames, late_ticks, std::int64_t(0.03 * rate)) >= int(0.85 * double(late_frames.size())));
}


}  // namespace tactus::test
