#pragma once
// The Turtle of the bundle, written from the parameter table (ports.hpp)
// and the JSON presets: manifest.ttl, tactus.ttl (the plugin) and one
// file per preset under presets/.
#include <string>
#include <vector>

#include "tactus/preset.hpp"

namespace tactus::lv2 {

struct BundleInfo {
    std::string binary;      // the plugin's file name, e.g. "tactus.so"
    int minor_version = 0;   // lv2:minorVersion, lv2:microVersion
    int micro_version = 0;
};

std::string manifest_ttl(const BundleInfo& info, const std::vector<Preset>& presets);
std::string plugin_ttl(const BundleInfo& info);
std::string preset_ttl(const Preset& preset);
// Where preset_ttl() goes in the bundle: "presets/<name>.ttl".
std::string preset_file(const Preset& preset);

}  // namespace tactus::lv2
