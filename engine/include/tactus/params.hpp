#pragma once
// Every user parameter, declared once: name, type, range, default, unit and
// description. The LV2 control ports, tactus-jack's JSON config and command
// line flags, the OSC control addresses and tactus-analyze's flags are all
// generated from this table, so they cannot disagree.
//
// Values are floats on every face (LV2 control ports are floats); integer,
// boolean and enumerated parameters are rounded. Out-of-range values are
// clamped and the clamp is reported, never trusted.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "tactus/analyzer.hpp"
#include "tactus/crnn_backend.hpp"

namespace tactus {

enum class ParamType : std::uint8_t { real, integer, toggle, choice };

// Which faces show a parameter.
enum ParamFace : std::uint8_t {
    kFaceEngine = 1,   // changes the analysis (tracker, model): tactus-analyze flags
    kFaceLv2 = 2,      // an LV2 control input port
    kFaceJack = 4,     // tactus-jack config key and flag
    kFaceOsc = 8,      // settable over OSC control
    kFaceAll = 15,
};

enum class ParamId : std::uint8_t {
    inference,
    model,
    min_bpm,
    max_bpm,
    beats_per_bar,
    sensitivity,
    hold_bars,
    bpm_override,
    prediction_lead_ms,
    silence_db,
    midi_clock,
    midi_notes,
    clock_offset_ms,
    stop_clock_when_lost,
    device,
    cuda_device,
    count
};
inline constexpr std::size_t kParamCount = std::size_t(ParamId::count);

struct ParamSpec {
    ParamId id;
    const char* name;       // snake_case: JSON key, OSC address leaf, LV2 symbol; CLI flag with dashes
    const char* label;      // for humans (LV2 port name)
    ParamType type;
    float min, max, def;
    const char* unit;       // "bpm", "ms", "dB", "bars", "" ...
    const char* doc;
    std::array<const char*, 4> choices;  // labels of a choice parameter, value = index
    std::uint8_t faces;
    bool restart;           // changing it rebuilds the analysis (not just retunes it)
};

std::span<const ParamSpec> param_table();
const ParamSpec& param_spec(ParamId id);
const ParamSpec* find_param(std::string_view name);
// "min_bpm" -> "min-bpm"
std::string flag_name(const ParamSpec& spec);

// Parses a value given as text: a number, or for choices and toggles also a
// label ("ensemble", "on", "off", "true", "false"). nullopt when unreadable.
std::optional<float> parse_param_value(const ParamSpec& spec, std::string_view text);
std::string format_param_value(const ParamSpec& spec, float value);

struct ClampResult {
    float value;
    bool clamped;
};
// Range-limits (and rounds, for integral types) a value; NaN becomes the default.
ClampResult clamp_param(const ParamSpec& spec, float value);

// A full set of values, defaults first.
class ParamSet {
public:
    ParamSet();
    float get(ParamId id) const { return values_[std::size_t(id)]; }
    // Clamps and stores; returns whether it had to clamp.
    bool set(ParamId id, float value);
    const std::array<float, kParamCount>& values() const { return values_; }

    // The analysis configuration these values describe. `min_lead_s`: the
    // least prediction lead the outputs need (two host periods), whatever
    // prediction_lead_ms says.
    AnalyzerConfig analyzer_config(double sample_rate, double min_lead_s = 0) const;
    // Model ids to load: {1, 2, 3} for the ensemble, else the one chosen.
    std::vector<int> model_ids() const;
    // Where the CRNN runs: device and cuda_device.
    DeviceChoice device() const;

private:
    std::array<float, kParamCount> values_;
};

// Sets a parameter from text (parse_param_value, then clamp). For `device`
// the text may also be "cuda:N", which sets cuda_device to N too. Returns
// nullopt when the text is unreadable, else whether a value was clamped.
std::optional<bool> set_param_text(ParamSet& set, const ParamSpec& spec, std::string_view text);

}  // namespace tactus
