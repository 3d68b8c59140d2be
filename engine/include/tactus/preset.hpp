#pragma once
// The JSON presets in presets/ (shared with tactus-jack's --preset):
//   {"name": "club", "label": "Club 4/4, 115-135 BPM", "description": "...",
//    "params": {"min_bpm": 115, "beats_per_bar": 4, "model": "ensemble"}}
// Keys of "params" are parameter-table names; values numbers, or labels for
// choices and toggles. Read by the LV2 TTL generator, which turns them into
// LV2 presets, and by tactus-jack's --preset: anything unknown or out of
// range is an error in both, so a bad preset fails the build or the start
// instead of being half applied.
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "tactus/params.hpp"

namespace tactus {

struct Preset {
    std::string name, label, description;
    std::vector<std::pair<ParamId, float>> values;  // by key name (JSON objects are unordered)
    // every parameter: the preset's value, or the default
    ParamSet full() const;
};

// Throws tactus::Error naming the file and the problem.
Preset load_preset(const std::filesystem::path& file);

}  // namespace tactus
