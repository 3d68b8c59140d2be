#pragma once
// The port layout of tactus.lv2, derived from the engine's parameter table:
//   0, 1      audio in (left, right; a mono host connects the left one)
//   2         atom in: control (time:Position, patch:Set)
//   3         atom out: MIDI (clock, notes) and beat objects
//   4 ...     one control input per parameter with the LV2 face, in table order
//   then      the control outputs (OutputPort below), then the freewheel input
// The plugin and the TTL generator both read it from here.
#include <array>
#include <cstdint>
#include <span>

#include "tactus/params.hpp"

namespace tactus::lv2 {

inline constexpr std::uint32_t kPortInLeft = 0, kPortInRight = 1, kPortControl = 2, kPortEvents = 3;
inline constexpr std::uint32_t kFirstParamPort = 4;

enum class OutputPort : std::uint8_t { bpm, confidence, phase, beat_in_bar, bar, state, count };
inline constexpr std::size_t kOutputCount = std::size_t(OutputPort::count);

struct OutputSpec {
    OutputPort id;
    const char* symbol;
    const char* name;
    float min, max;
    const char* unit;  // as in the parameter table: "bpm", "" ...
    bool integer;
    const char* doc;
};
std::span<const OutputSpec> output_specs();

struct PortLayout {
    std::uint32_t param_count = 0;               // LV2 control inputs
    std::array<ParamId, kParamCount> params{};   // port kFirstParamPort + i -> parameter
    std::uint32_t first_output = 0;
    std::uint32_t freewheel = 0;
    std::uint32_t count = 0;                     // ports in all
};
// Built once from param_table().
const PortLayout& port_layout();

// The atom output's minimum buffer size (rsz:minimumSize), bytes.
inline constexpr std::uint32_t kEventsBufferSize = 16384;

}  // namespace tactus::lv2
