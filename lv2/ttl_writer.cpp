#include "ttl_writer.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "ports.hpp"
#include "tactus/tracker.hpp"
#include "uris.hpp"

namespace tactus::lv2 {
namespace {

constexpr const char* kPrefixes =
    "@prefix atom: <http://lv2plug.in/ns/ext/atom#> .\n"
    "@prefix bufsz: <http://lv2plug.in/ns/ext/buf-size#> .\n"
    "@prefix doap: <http://usefulinc.com/ns/doap#> .\n"
    "@prefix log: <http://lv2plug.in/ns/ext/log#> .\n"
    "@prefix lv2: <http://lv2plug.in/ns/lv2core#> .\n"
    "@prefix midi: <http://lv2plug.in/ns/ext/midi#> .\n"
    "@prefix opts: <http://lv2plug.in/ns/ext/options#> .\n"
    "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
    "@prefix patch: <http://lv2plug.in/ns/ext/patch#> .\n"
    "@prefix pprops: <http://lv2plug.in/ns/ext/port-props#> .\n"
    "@prefix pset: <http://lv2plug.in/ns/ext/presets#> .\n"
    "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n"
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    "@prefix rsz: <http://lv2plug.in/ns/ext/resize-port#> .\n"
    "@prefix state: <http://lv2plug.in/ns/ext/state#> .\n"
    "@prefix time: <http://lv2plug.in/ns/ext/time#> .\n"
    "@prefix units: <http://lv2plug.in/ns/extensions/units#> .\n"
    "@prefix urid: <http://lv2plug.in/ns/ext/urid#> .\n"
    "@prefix work: <http://lv2plug.in/ns/ext/worker#> .\n"
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n";

// A Turtle string literal.
std::string str(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out + "\"";
}

// A decimal literal (always with a point: an integer literal would be xsd:integer).
std::string num(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6f", v);
    std::string s = buf;
    while (s.size() > 1 && s.back() == '0' && s[s.size() - 2] != '.') s.pop_back();
    return s;
}

std::string uri(const std::string& u) { return "<" + u + ">"; }

// units: of the parameter table's unit names, where the LV2 units extension has one
const char* lv2_unit(const std::string& unit) {
    if (unit == "bpm") return "units:bpm";
    if (unit == "ms") return "units:ms";
    if (unit == "dB") return "units:db";
    if (unit == "bars") return "units:bar";
    return nullptr;
}

void write_param_port(std::ostringstream& o, std::uint32_t index, const ParamSpec& spec) {
    o << "[\n\t\ta lv2:InputPort , lv2:ControlPort ;\n"
      << "\t\tlv2:index " << index << " ;\n"
      << "\t\tlv2:symbol " << str(spec.name) << " ;\n"
      << "\t\tlv2:name " << str(spec.label) << " ;\n"
      << "\t\trdfs:comment " << str(spec.doc) << " ;\n"
      << "\t\tlv2:default " << num(spec.def) << " ;\n"
      << "\t\tlv2:minimum " << num(spec.min) << " ;\n"
      << "\t\tlv2:maximum " << num(spec.max);
    std::vector<std::string> props;
    if (spec.type == ParamType::integer) props.emplace_back("lv2:integer");
    if (spec.type == ParamType::toggle) props.emplace_back("lv2:toggled");
    if (spec.type == ParamType::choice) {
        props.emplace_back("lv2:integer");
        props.emplace_back("lv2:enumeration");
    }
    if (spec.restart) props.emplace_back("pprops:expensive");  // rebuilds the analysis
    if (!props.empty()) {
        o << " ;\n\t\tlv2:portProperty ";
        for (std::size_t i = 0; i < props.size(); ++i) o << (i ? " , " : "") << props[i];
    }
    if (const char* u = lv2_unit(spec.unit)) o << " ;\n\t\tunits:unit " << u;
    if (spec.type == ParamType::choice) {
        o << " ;\n\t\tlv2:scalePoint ";
        bool first = true;
        for (std::size_t i = 0; i < spec.choices.size(); ++i) {
            if (!spec.choices[i]) continue;
            o << (first ? "" : " , ") << "[\n\t\t\trdfs:label " << str(spec.choices[i]) << " ;\n\t\t\trdf:value "
              << num(double(i)) << "\n\t\t]";
            first = false;
        }
    }
    o << "\n\t]";
}

void write_output_port(std::ostringstream& o, std::uint32_t index, const OutputSpec& spec) {
    o << "[\n\t\ta lv2:OutputPort , lv2:ControlPort ;\n"
      << "\t\tlv2:index " << index << " ;\n"
      << "\t\tlv2:symbol " << str(spec.symbol) << " ;\n"
      << "\t\tlv2:name " << str(spec.name) << " ;\n"
      << "\t\trdfs:comment " << str(spec.doc) << " ;\n"
      << "\t\tlv2:minimum " << num(spec.min) << " ;\n"
      << "\t\tlv2:maximum " << num(spec.max);
    if (spec.id == OutputPort::state) {
        o << " ;\n\t\tlv2:portProperty lv2:integer , lv2:enumeration ;\n\t\tlv2:scalePoint ";
        for (int s = 0; s <= int(TrackState::silent); ++s)
            o << (s ? " , " : "") << "[\n\t\t\trdfs:label " << str(to_string(TrackState(s))) << " ;\n\t\t\trdf:value "
              << num(s) << "\n\t\t]";
    } else if (spec.integer) {
        o << " ;\n\t\tlv2:portProperty lv2:integer";
    }
    if (const char* u = lv2_unit(spec.unit)) o << " ;\n\t\tunits:unit " << u;
    o << "\n\t]";
}

}  // namespace

std::string preset_file(const Preset& preset) { return "presets/" + preset.name + ".ttl"; }

std::string manifest_ttl(const BundleInfo& info, const std::vector<Preset>& presets) {
    std::ostringstream o;
    o << "# Generated by tactus-lv2-ttl from the engine's parameter table and presets/*.json: do not edit.\n"
      << "@prefix lv2: <http://lv2plug.in/ns/lv2core#> .\n"
      << "@prefix pset: <http://lv2plug.in/ns/ext/presets#> .\n"
      << "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n\n"
      << uri(kPluginUri) << "\n\ta lv2:Plugin ;\n\tlv2:binary <" << info.binary << "> ;\n\trdfs:seeAlso <tactus.ttl> .\n";
    for (const Preset& p : presets)
        o << "\n"
          << uri(preset_uri(p.name)) << "\n\ta pset:Preset ;\n\tlv2:appliesTo " << uri(kPluginUri)
          << " ;\n\trdfs:seeAlso <" << preset_file(p) << "> .\n";
    return o.str();
}

std::string plugin_ttl(const BundleInfo& info) {
    const PortLayout& layout = port_layout();
    std::ostringstream o;
    o << "# Generated by tactus-lv2-ttl from the engine's parameter table: do not edit.\n"
      << kPrefixes << "@prefix tactus: <" << kNs << "> .\n\n";

    // the vocabulary of the atom output, the state and patch:Set
    o << "tactus:Beat\n\ta rdfs:Class ;\n\trdfs:label \"Beat\" ;\n"
      << "\trdfs:comment \"A beat (atom:Object on the events output), stamped at its sample offset.\" .\n";
    struct Prop {
        const char* uri;
        const char* range;
        const char* comment;
    };
    const Prop props[] = {
        {kBeatInBar, "atom:Int", "position of the beat in its bar: 1 on a downbeat, 0 unknown"},
        {kBeatsPerBar, "atom:Int", "beats in the current bar (0 unknown)"},
        {kBar, "atom:Long", "running bar count"},
        {kBeatIndex, "atom:Long", "running beat count"},
        {kBpm, "atom:Float", "tempo at this beat, beats per minute"},
        {kConfidence, "atom:Float", "how sure the tracker is, 0..1"},
        {kIntensity, "atom:Float", "how loud the beat is against the recent music, 0..1"},
        {kPredicted, "atom:Bool", "true: committed ahead of time and sent on the beat; false: detected after the fact"},
        {kFrame, "atom:Long", "position of the beat in the input stream, frames since activation"},
    };
    for (const Prop& p : props)
        o << "\n" << uri(p.uri) << "\n\ta rdf:Property , owl:DatatypeProperty ;\n\trdfs:domain tactus:Beat ;\n"
          << "\trdfs:range " << p.range << " ;\n\trdfs:comment " << str(p.comment) << " .\n";
    o << "\n" << uri(kTap) << "\n\ta lv2:Parameter ;\n\trdfs:label \"Tap\" ;\n\trdfs:range atom:Bool ;\n"
      << "\trdfs:comment \"patch:Set of this property (any value) is a tap: two or more set the tempo and phase.\" .\n";
    for (std::uint32_t i = 0; i < layout.param_count; ++i) {
        const ParamSpec& spec = param_spec(layout.params[i]);
        o << "\n" << uri(param_uri(spec.name)) << "\n\ta lv2:Parameter ;\n\trdfs:label " << str(spec.label)
          << " ;\n\trdfs:range atom:Float ;\n\trdfs:comment "
          << str(std::string("the ") + spec.name + " control port as a state key and patch:Set property") << " .\n";
    }

    o << "\n" << uri(kPluginUri) << "\n\ta lv2:Plugin , lv2:AnalyserPlugin ;\n"
      << "\tdoap:name \"Tactus\" ;\n"
      << "\trdfs:comment \"Real-time beat, downbeat and tempo tracking (a C++ reimplementation of BeatNet): "
         "beats as atom events and MIDI notes, MIDI clock, tempo and phase outputs.\" ;\n"
      << "\tlv2:minorVersion " << info.minor_version << " ;\n\tlv2:microVersion " << info.micro_version << " ;\n"
      << "\tlv2:requiredFeature urid:map ;\n"
      // Not lv2:hardRTCapable: with the host's worker run() never allocates,
      // locks or touches a file (tests/lv2/rt_test.cpp proves it), but a host
      // without one has run() analyse, and the engine's resampler (libsoxr)
      // allocates when a stream starts or restarts. See docs/LV2.md.
      << "\tlv2:optionalFeature work:schedule , log:log , opts:options ;\n"
      << "\topts:supportedOption bufsz:nominalBlockLength , bufsz:maxBlockLength ;\n"
      << "\tlv2:extensionData work:interface , state:interface , opts:interface ;\n"
      << "\tlv2:port ";
    o << "[\n\t\ta lv2:InputPort , lv2:AudioPort ;\n\t\tlv2:index " << kPortInLeft
      << " ;\n\t\tlv2:symbol \"in_l\" ;\n\t\tlv2:name \"Left in\"\n\t] , ";
    o << "[\n\t\ta lv2:InputPort , lv2:AudioPort ;\n\t\tlv2:index " << kPortInRight
      << " ;\n\t\tlv2:symbol \"in_r\" ;\n\t\tlv2:name \"Right in\" ;\n"
      << "\t\trdfs:comment \"optional: a mono source connects only the left input\" ;\n"
      << "\t\tlv2:portProperty lv2:connectionOptional\n\t] , ";
    o << "[\n\t\ta lv2:InputPort , atom:AtomPort ;\n\t\tatom:bufferType atom:Sequence ;\n"
      << "\t\tatom:supports time:Position , patch:Message ;\n\t\tlv2:designation lv2:control ;\n"
      << "\t\tlv2:index " << kPortControl << " ;\n\t\tlv2:symbol \"control\" ;\n\t\tlv2:name \"Control\" ;\n"
      << "\t\trdfs:comment \"host transport (time:Position) and patch:Set of parameters or tap\"\n\t] , ";
    o << "[\n\t\ta lv2:OutputPort , atom:AtomPort ;\n\t\tatom:bufferType atom:Sequence ;\n"
      << "\t\tatom:supports midi:MidiEvent , tactus:Beat ;\n"
      << "\t\tlv2:index " << kPortEvents << " ;\n\t\tlv2:symbol \"events\" ;\n\t\tlv2:name \"Beats and MIDI\" ;\n"
      << "\t\trdfs:comment \"MIDI clock (24 per beat, Start on a downbeat, Stop when lost), optional notes per beat, "
         "and tactus:Beat objects at the beats' sample offsets\" ;\n"
      << "\t\trsz:minimumSize " << kEventsBufferSize << "\n\t]";
    for (std::uint32_t i = 0; i < layout.param_count; ++i) {
        o << " , ";
        write_param_port(o, kFirstParamPort + i, param_spec(layout.params[i]));
    }
    for (std::size_t i = 0; i < kOutputCount; ++i) {
        o << " , ";
        write_output_port(o, layout.first_output + std::uint32_t(i), output_specs()[i]);
    }
    o << " , [\n\t\ta lv2:InputPort , lv2:ControlPort ;\n\t\tlv2:index " << layout.freewheel
      << " ;\n\t\tlv2:symbol \"freewheel\" ;\n\t\tlv2:name \"Freewheeling\" ;\n"
      << "\t\trdfs:comment \"set by the host while it runs faster than real time (export): the plugin then "
         "analyses inside run()\" ;\n"
      << "\t\tlv2:designation lv2:freeWheeling ;\n\t\tlv2:default 0.0 ;\n\t\tlv2:minimum 0.0 ;\n\t\tlv2:maximum 1.0 ;\n"
      << "\t\tlv2:portProperty lv2:toggled , pprops:notOnGUI\n\t] .\n";
    return o.str();
}

std::string preset_ttl(const Preset& preset) {
    const PortLayout& layout = port_layout();
    const ParamSet values = preset.full();
    std::ostringstream o;
    o << "# Generated by tactus-lv2-ttl from presets/" << preset.name << ".json: do not edit.\n"
      << "@prefix lv2: <http://lv2plug.in/ns/lv2core#> .\n"
      << "@prefix pset: <http://lv2plug.in/ns/ext/presets#> .\n"
      << "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
      << "@prefix state: <http://lv2plug.in/ns/ext/state#> .\n"
      << "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n\n"
      << uri(preset_uri(preset.name)) << "\n\ta pset:Preset ;\n\tlv2:appliesTo " << uri(kPluginUri) << " ;\n"
      << "\trdfs:label " << str(preset.label) << " ;\n";
    if (!preset.description.empty()) o << "\trdfs:comment " << str(preset.description) << " ;\n";
    // Complete: every parameter (the preset's value or the default), as port
    // values for hosts that apply those and as state for the plugin itself.
    o << "\tlv2:port ";
    for (std::uint32_t i = 0; i < layout.param_count; ++i) {
        const ParamSpec& spec = param_spec(layout.params[i]);
        o << (i ? " , " : "") << "[\n\t\tlv2:symbol " << str(spec.name) << " ;\n\t\tpset:value "
          << num(values.get(spec.id)) << "\n\t]";
    }
    o << " ;\n\tstate:state [\n";
    for (std::uint32_t i = 0; i < layout.param_count; ++i) {
        const ParamSpec& spec = param_spec(layout.params[i]);
        o << "\t\t" << uri(param_uri(spec.name)) << " \"" << num(values.get(spec.id)) << "\"^^xsd:float"
          << (i + 1 < layout.param_count ? " ;\n" : "\n");
    }
    o << "\t] .\n";
    return o.str();
}

}  // namespace tactus::lv2
