#include "tactus/params.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace tactus {
namespace {

constexpr std::array<ParamSpec, kParamCount> kTable = {{
    {ParamId::inference, "inference", "Inference", ParamType::choice, 0, 1, 0, "",
     "tactus: Tactus's tracker (grid beats, predictions, hold, silence); beatnet: BeatNet's particle filter as published",
     {"tactus", "beatnet", nullptr, nullptr}, kFaceAll, true},
    {ParamId::model, "model", "Model", ParamType::choice, 0, 3, 0, "",
     "CRNN weights: the ensemble of BeatNet models 1-3 (averaged), or one of them",
     {"ensemble", "1", "2", "3"}, kFaceAll, true},
    {ParamId::min_bpm, "min_bpm", "Minimum tempo", ParamType::real, 40, 200, 55, "bpm",
     "slowest tempo the tracker considers", {}, kFaceAll, true},
    {ParamId::max_bpm, "max_bpm", "Maximum tempo", ParamType::real, 60, 300, 215, "bpm",
     "fastest tempo the tracker considers", {}, kFaceAll, true},
    {ParamId::beats_per_bar, "beats_per_bar", "Beats per bar", ParamType::integer, 0, 12, 0, "",
     "0: detect 2, 3 or 4 beats per bar; else that many", {}, kFaceAll, true},
    {ParamId::sensitivity, "sensitivity", "Sensitivity", ParamType::real, 0, 1, 0.5f, "",
     "how periodic the music must be before beats are reported: higher locks on weaker beats, "
     "lower stays silent longer on noise and speech",
     {}, kFaceAll, false},
    {ParamId::hold_bars, "hold_bars", "Hold", ParamType::integer, 0, 64, 4, "bars",
     "bars the last tempo and phase are carried through a break before the state becomes lost", {}, kFaceAll, false},
    {ParamId::bpm_override, "bpm_override", "BPM override", ParamType::real, 0, 300, 0, "bpm",
     "0: off; else the tempo is pinned to this value (phase still follows the music; free-running without it)",
     {}, kFaceAll, false},
    {ParamId::prediction_lead_ms, "prediction_lead_ms", "Prediction lead", ParamType::real, 0, 500, 80, "ms",
     "predicted beats are committed this long before they happen (tactus-jack and the plugin raise it to two host periods "
     "where it is shorter, so every beat reaches its audio block in time)", {}, kFaceAll, false},
    {ParamId::silence_db, "silence_db", "Silence threshold", ParamType::real, -90, -20, -60, "dB",
     "input quieter than this (2 s peak, dBFS) is silence", {}, kFaceAll, false},
    {ParamId::midi_clock, "midi_clock", "MIDI clock", ParamType::toggle, 0, 1, 1, "",
     "send MIDI clock (24 per quarter note), Start on lock and Stop", {}, kFaceLv2 | kFaceJack | kFaceOsc, false},
    {ParamId::midi_notes, "midi_notes", "MIDI notes", ParamType::toggle, 0, 1, 0, "",
     "send a note per beat (C3, D3 on downbeats) for triggering", {}, kFaceLv2 | kFaceJack | kFaceOsc, false},
    {ParamId::clock_offset_ms, "clock_offset_ms", "Output offset", ParamType::real, -200, 200, 0, "ms",
     "shift every output (clock, notes, OSC time tags) later (+) or earlier (-) to match the latency downstream "
     "(earlier: beats are committed that much further ahead)",
     {}, kFaceLv2 | kFaceJack | kFaceOsc, false},
    {ParamId::stop_clock_when_lost, "stop_clock_when_lost", "Stop clock when lost", ParamType::toggle, 0, 1, 1, "",
     "send MIDI Stop when tracking is lost (off: the clock keeps running at the last tempo)", {},
     kFaceLv2 | kFaceJack | kFaceOsc, false},
    {ParamId::device, "device", "Device", ParamType::choice, 0, 2, 0, "",
     "where the CRNN runs: auto (a CUDA GPU when present, else the CPU, saying so once), cpu, or cuda "
     "(an error without a usable GPU); cuda:N also sets cuda_device",
     {"auto", "cpu", "cuda", nullptr}, kFaceEngine | kFaceJack, true},
    {ParamId::cuda_device, "cuda_device", "CUDA device", ParamType::integer, 0, 63, 0, "",
     "number of the CUDA GPU that device cuda (and auto) uses", {}, kFaceEngine | kFaceJack, true},
}};

}  // namespace

std::span<const ParamSpec> param_table() { return kTable; }

const ParamSpec& param_spec(ParamId id) { return kTable[std::size_t(id)]; }

const ParamSpec* find_param(std::string_view name) {
    for (const auto& p : kTable) {
        if (name == p.name || name == flag_name(p)) return &p;
    }
    return nullptr;
}

std::string flag_name(const ParamSpec& spec) {
    std::string s = spec.name;
    std::replace(s.begin(), s.end(), '_', '-');
    return s;
}

std::optional<float> parse_param_value(const ParamSpec& spec, std::string_view text) {
    if (spec.type == ParamType::choice)
        for (std::size_t i = 0; i < spec.choices.size(); ++i)
            if (spec.choices[i] && text == spec.choices[i]) return float(i);
    if (spec.type == ParamType::toggle) {
        if (text == "on" || text == "true" || text == "yes") return 1.f;
        if (text == "off" || text == "false" || text == "no") return 0.f;
    }
    // a choice whose labels are numbers ("1") was matched above; plain numbers here
    if (spec.type == ParamType::choice) return std::nullopt;
    float v = 0;
    const auto* end = text.data() + text.size();
    const auto r = std::from_chars(text.data(), end, v);
    if (r.ec != std::errc() || r.ptr != end) return std::nullopt;
    return v;
}

std::string format_param_value(const ParamSpec& spec, float value) {
    if (spec.type == ParamType::choice) {
        const auto i = std::size_t(std::clamp(int(std::lround(value)), 0, int(spec.choices.size()) - 1));
        return spec.choices[i] ? spec.choices[i] : "?";
    }
    if (spec.type == ParamType::toggle) return value >= 0.5f ? "on" : "off";
    char buf[32];
    if (spec.type == ParamType::integer) std::snprintf(buf, sizeof buf, "%d", int(std::lround(value)));
    else std::snprintf(buf, sizeof buf, "%g", double(value));
    return buf;
}

ClampResult clamp_param(const ParamSpec& spec, float value) {
    if (std::isnan(value)) return {spec.def, true};
    float v = std::clamp(value, spec.min, spec.max);
    if (spec.type != ParamType::real) v = std::round(v);
    if (spec.type == ParamType::toggle) v = v >= 0.5f ? 1.f : 0.f;
    return {v, v != value};
}

ParamSet::ParamSet() {
    for (const auto& p : kTable) values_[std::size_t(p.id)] = p.def;
}

bool ParamSet::set(ParamId id, float value) {
    const auto r = clamp_param(param_spec(id), value);
    values_[std::size_t(id)] = r.value;
    return r.clamped;
}

AnalyzerConfig ParamSet::analyzer_config(double sample_rate, double min_lead_s) const {
    AnalyzerConfig c;
    c.sample_rate = sample_rate;
    c.inference = get(ParamId::inference) >= 0.5f ? Inference::beatnet : Inference::tactus;
    TrackerParams& t = c.tracker;
    t.min_bpm = get(ParamId::min_bpm);
    t.max_bpm = std::max(get(ParamId::max_bpm), float(t.min_bpm * 1.25));
    t.beats_per_bar = int(get(ParamId::beats_per_bar));
    // sensitivity 0..1 -> the clarity needed to lock, 0.55..0.15 (0.5 -> 0.35)
    t.lock_clarity = 0.55 - 0.4 * double(get(ParamId::sensitivity));
    t.release_clarity = t.lock_clarity - 0.15;
    t.hold_bars = int(get(ParamId::hold_bars));
    t.bpm_override = get(ParamId::bpm_override);
    // Outputs moved earlier (a light rig behind the speakers) need their
    // beats that much sooner: committed the lead plus the advance ahead.
    t.prediction_lead_s = std::max(get(ParamId::prediction_lead_ms) / 1000.0, min_lead_s) +
                          std::max(0.f, -get(ParamId::clock_offset_ms)) / 1000.0;
    t.silence_db = get(ParamId::silence_db);
    return c;
}

DeviceChoice ParamSet::device() const {
    DeviceChoice d;
    d.kind = DeviceChoice::Kind(std::clamp(int(get(ParamId::device)), 0, 2));
    d.index = int(get(ParamId::cuda_device));
    return d;
}

std::optional<bool> set_param_text(ParamSet& set, const ParamSpec& spec, std::string_view text) {
    if (spec.id == ParamId::device && text.starts_with("cuda:")) {
        const auto d = parse_device(text);
        if (!d) return std::nullopt;
        set.set(ParamId::device, float(DeviceChoice::cuda));
        return set.set(ParamId::cuda_device, float(d->index));
    }
    const auto v = parse_param_value(spec, text);
    if (!v) return std::nullopt;
    return set.set(spec.id, *v);
}

std::vector<int> ParamSet::model_ids() const {
    const int m = int(get(ParamId::model));
    if (m == 0) return {1, 2, 3};
    return {m};
}

}  // namespace tactus
