#pragma once
// The URIs of tactus.lv2: the plugin, its presets and its own vocabulary
// (the beat objects on the atom output, the parameters of the state and
// of patch:Set messages). Shared by the plugin, the TTL generator and the
// test host, so the three cannot disagree. `urn:` URIs, as Ardour's own
// plugins use: nothing pretends to be a web address that does not exist.
#include <string>
#include <string_view>

namespace tactus::lv2 {

inline constexpr const char* kPluginUri = "urn:tactus:lv2";
// The vocabulary: "urn:tactus:lv2#Beat", "urn:tactus:lv2#bpm", ...
inline constexpr const char* kNs = "urn:tactus:lv2#";
inline constexpr const char* kPresetNs = "urn:tactus:preset:";

// The beat object and its properties.
inline constexpr const char* kBeat = "urn:tactus:lv2#Beat";
inline constexpr const char* kBeatInBar = "urn:tactus:lv2#beatInBar";      // atom:Int, 1 = downbeat, 0 = unknown
inline constexpr const char* kBeatsPerBar = "urn:tactus:lv2#beatsPerBar";  // atom:Int, 0 = unknown
inline constexpr const char* kBar = "urn:tactus:lv2#bar";                  // atom:Long, running bar count
inline constexpr const char* kBeatIndex = "urn:tactus:lv2#beatIndex";      // atom:Long, running beat count
inline constexpr const char* kBpm = "urn:tactus:lv2#bpm";                  // atom:Float
inline constexpr const char* kConfidence = "urn:tactus:lv2#confidence";    // atom:Float, 0..1
inline constexpr const char* kIntensity = "urn:tactus:lv2#intensity";      // atom:Float, 0..1
inline constexpr const char* kPredicted = "urn:tactus:lv2#predicted";      // atom:Bool
inline constexpr const char* kFrame = "urn:tactus:lv2#frame";              // atom:Long, stream frame of the beat
// patch:Set on this property taps the tempo (any value).
inline constexpr const char* kTap = "urn:tactus:lv2#tap";

// A parameter's URI (state keys, patch:Set properties): the namespace and
// the parameter table's name, e.g. "urn:tactus:lv2#min_bpm".
inline std::string param_uri(std::string_view name) { return std::string(kNs) + std::string(name); }
inline std::string preset_uri(std::string_view name) { return std::string(kPresetNs) + std::string(name); }

}  // namespace tactus::lv2
