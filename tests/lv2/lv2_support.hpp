#pragma once
// Helpers of the tactus.lv2 tests: the built bundle, random block sizes,
// tactus-analyze's events for the same audio, MIDI clock bookkeeping.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "host/lv2_host.hpp"
#include "tactus/tracker.hpp"
#include "paths.hpp"
#include "run.hpp"

namespace tactus::test {

// How much faster than real time a test may play to a plugin whose worker
// is a thread: sanitizer builds analyse several times slower.
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
inline constexpr double kHostPaceSpeedup = 1.0;
#else
inline constexpr double kHostPaceSpeedup = 4.0;
#endif

// LV2_PATH of the built bundle (build/lv2), never an installed one.
inline std::string built_lv2_path() { return (binary_dir() / "lv2").string(); }

// Block sizes that add up to `total`: mostly ordinary host periods, and
// stretches of 0- and 1-frame blocks and of very large ones.
inline std::vector<std::uint32_t> random_blocks(std::size_t total, std::uint32_t seed, std::uint32_t max_block = 8192) {
    std::mt19937 rng(seed);
    std::vector<std::uint32_t> out;
    std::size_t done = 0;
    while (done < total) {
        const int kind = int(rng() % 10);
        std::uint32_t n;
        if (kind == 0) {  // a stretch of tiny blocks
            const int count = 50 + int(rng() % 500);
            for (int i = 0; i < count && done < total; ++i) {
                n = (rng() % 3 == 0) ? 0 : 1;
                out.push_back(n);
                done += n;
            }
            continue;
        }
        if (kind == 1) n = 0;
        else if (kind < 5) n = 1 + rng() % 64;
        else if (kind < 9) n = 64 + rng() % 1024;
        else n = 1024 + rng() % 7169;  // up to 8192
        n = std::min(n, max_block);
        n = std::uint32_t(std::min<std::size_t>(n, total - done));
        out.push_back(n);
        done += n;
    }
    return out;
}

// Runs audio through an instance in the given blocks (right: nullptr = the left again).
inline void run_blocks(Lv2Instance& inst, const std::vector<float>& left, const std::vector<std::uint32_t>& blocks,
                       const std::vector<float>* right = nullptr) {
    std::size_t at = 0;
    for (std::uint32_t n : blocks) {
        inst.run(n, left.data() + at, right ? right->data() + at : nullptr);
        at += n;
    }
}

inline void run_fixed(Lv2Instance& inst, const std::vector<float>& audio, std::uint32_t block) {
    for (std::size_t at = 0; at < audio.size(); at += block)
        inst.run(std::uint32_t(std::min<std::size_t>(block, audio.size() - at)), audio.data() + at);
}

// An event as tactus-analyze --json prints it.
struct AnalyzeEvent {
    bool predicted = false;
    std::int64_t frame = 0;
    double time = 0;
    int beat_in_bar = 0, beats_per_bar = 0;
    std::int64_t bar = 0;
    double bpm = 0;
};

// tactus-analyze on a file (the real binary), with extra flags.
inline std::vector<AnalyzeEvent> analyze(const std::string& file, const std::string& flags = "--lead 80") {
    const auto r = run((bin_dir() / "tactus-analyze").string() + " --json " + flags + " " + quote(file));
    if (r.status != 0) throw std::runtime_error("tactus-analyze failed: " + r.err);
    std::vector<AnalyzeEvent> out;
    std::istringstream in(r.out);
    std::string line;
    while (std::getline(in, line)) {
        const auto j = nlohmann::json::parse(line);
        AnalyzeEvent e;
        e.predicted = j["kind"] == "prediction";
        e.frame = j["frame"];
        e.time = j["time"];
        e.beat_in_bar = j["beat_in_bar"];
        e.beats_per_bar = j["beats_per_bar"];
        e.bar = j["bar"];
        e.bpm = j["bpm"];
        out.push_back(e);
    }
    return out;
}

inline std::vector<AnalyzeEvent> predictions_of(const std::vector<AnalyzeEvent>& events) {
    std::vector<AnalyzeEvent> out;
    for (const auto& e : events)
        if (e.predicted) out.push_back(e);
    return out;
}

// Frames of the MIDI messages whose status byte is `status`.
inline std::vector<std::int64_t> midi_frames(const std::vector<HostMidi>& midi, std::uint8_t status) {
    std::vector<std::int64_t> out;
    for (const auto& m : midi)
        if (m.size >= 1 && m.bytes[0] == status) out.push_back(m.frame);
    return out;
}

// How many of `a` have a partner in `b` within `tol` (both sorted; one to one).
inline int matched(const std::vector<std::int64_t>& a, const std::vector<std::int64_t>& b, std::int64_t tol) {
    std::size_t i = 0, j = 0;
    int hits = 0;
    while (i < a.size() && j < b.size()) {
        if (std::llabs(a[i] - b[j]) <= tol) {
            ++hits;
            ++i;
            ++j;
        } else if (a[i] < b[j]) {
            ++i;
        } else {
            ++j;
        }
    }
    return hits;
}

}  // namespace tactus::test
