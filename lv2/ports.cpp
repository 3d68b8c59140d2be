#include "ports.hpp"

namespace tactus::lv2 {
namespace {

constexpr std::array<OutputSpec, kOutputCount> kOutputs = {{
    {OutputPort::bpm, "bpm", "Tempo", 0, 300, "bpm", false, "tracked tempo (the last one while lost, 0 before the first lock)"},
    {OutputPort::confidence, "confidence", "Confidence", 0, 1, "", false, "how sure the tracker is of the beat, 0..1"},
    {OutputPort::phase, "phase", "Beat phase", 0, 1, "", false, "position in the current beat at the end of the block, 0..1 (0 on the beat)"},
    {OutputPort::beat_in_bar, "beat_in_bar", "Beat in bar", 0, 16, "", true, "the last beat sent: 1 on a downbeat, 0 while not tracking"},
    {OutputPort::bar, "bar", "Bar", 0, 1e7f, "", true, "running count of the bars sent"},
    {OutputPort::state, "state", "State", 0, 4, "", true, "listening, locked, hold, lost or silent"},
}};

PortLayout build() {
    PortLayout l;
    for (const ParamSpec& spec : param_table()) {
        if (!(spec.faces & kFaceLv2)) continue;
        l.params[l.param_count] = spec.id;
        ++l.param_count;
    }
    l.first_output = kFirstParamPort + l.param_count;
    l.freewheel = l.first_output + std::uint32_t(kOutputCount);
    l.count = l.freewheel + 1;
    return l;
}

}  // namespace

std::span<const OutputSpec> output_specs() { return kOutputs; }

const PortLayout& port_layout() {
    static const PortLayout layout = build();
    return layout;
}

}  // namespace tactus::lv2
