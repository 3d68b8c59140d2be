#include "options.hpp"

#include <nlohmann/json.hpp>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>

#include "tactus/error.hpp"
#include "tactus/preset.hpp"

#ifndef TACTUS_SOURCE_PRESET_DIR
#define TACTUS_SOURCE_PRESET_DIR ""
#endif
#ifndef TACTUS_INSTALL_PRESET_DIR
#define TACTUS_INSTALL_PRESET_DIR ""
#endif

namespace tactus::jack {
namespace {

using nlohmann::json;

std::filesystem::path exe_dir() {
    char buf[4096];
    const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    return n > 0 ? std::filesystem::path(std::string(buf, std::size_t(n))).parent_path() : std::filesystem::path{};
}

std::vector<std::filesystem::path> preset_dirs() {
    std::vector<std::filesystem::path> dirs;
    if (const char* env = std::getenv("TACTUS_PRESET_DIR"); env && *env) dirs.emplace_back(env);
    const auto exe = exe_dir();
    if (!exe.empty()) {
        dirs.push_back(exe / "presets");
        dirs.push_back(exe / ".." / "share" / "tactus" / "presets");
    }
    if (*TACTUS_INSTALL_PRESET_DIR) dirs.emplace_back(TACTUS_INSTALL_PRESET_DIR);
    if (*TACTUS_SOURCE_PRESET_DIR) dirs.emplace_back(TACTUS_SOURCE_PRESET_DIR);
    return dirs;
}

std::string value_text(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// Parameter-table keys, accepted in any section.
bool take_param(Options& o, const std::string& key, const json& value, const std::string& where) {
    const ParamSpec* spec = find_param(key);
    if (!spec) return false;
    if (!(value.is_number() || value.is_string() || value.is_boolean()))
        throw Error(where + ": '" + key + "' must be a number or a label");
    set_param_text(o, *spec, value.is_boolean() ? (value.get<bool>() ? "on" : "off") : value_text(value), where);
    return true;
}

template <class T>
T get_as(const json& v, const std::string& where, const char* what) {
    try {
        return v.get<T>();
    } catch (const json::exception&) {
        throw Error(where + ": '" + what + "' has the wrong type (" + std::string(v.type_name()) + ")");
    }
}

void read_section(Options& o, const std::string& section, const json& obj, const std::string& file) {
    const std::string where = file + ": " + section;
    if (!obj.is_object()) throw Error(where + " must be an object");
    ClientOptions& c = o.client;
    for (const auto& [key, v] : obj.items()) {
        if (section == "audio" && key == "client_name") c.name = get_as<std::string>(v, where, "client_name");
        else if (section == "audio" && key == "channels") c.channels = get_as<int>(v, where, "channels");
        else if (section == "audio" && key == "connect") c.connect = get_as<std::vector<std::string>>(v, where, "connect");
        else if (section == "audio" && key == "no_connect") c.no_connect = get_as<bool>(v, where, "no_connect");
        else if (section == "audio" && key == "reconnect_s") c.reconnect_s = get_as<double>(v, where, "reconnect_s");
        else if (section == "osc" && key == "targets") {
            c.osc.clear();
            for (const auto& t : get_as<std::vector<std::string>>(v, where, "targets")) c.osc.push_back(parse_osc_target(t));
        } else if (section == "osc" && key == "prefix") c.osc_prefix = get_as<std::string>(v, where, "prefix");
        else if (section == "osc" && key == "timetags") c.osc_timetags = get_as<bool>(v, where, "timetags");
        else if (section == "osc" && key == "control_port") c.osc_control_port = get_as<int>(v, where, "control_port");
        else if (section == "osc" && key == "mappings") {
            c.osc_mappings = 0;
            for (const auto& m : get_as<std::vector<std::string>>(v, where, "mappings")) {
                if (m == "bpm") c.osc_mappings |= kMapBpm;
                else if (m == "pulse") c.osc_mappings |= kMapPulse;
                else if (m == "speed") c.osc_mappings |= kMapSpeed;
                else throw Error(where + ": unknown OSC mapping '" + m + "' (bpm, pulse, speed)");
            }
        } else if (section == "transport" && key == "master") c.transport_master = get_as<bool>(v, where, "master");
        else if (section == "link" && key == "enabled") c.link = get_as<bool>(v, where, "enabled");
        else if (section == "model" && key == "files") {
            c.model_files.clear();
            for (const auto& f : get_as<std::vector<std::string>>(v, where, "files")) c.model_files.emplace_back(f);
        } else if (!take_param(o, key, v, where))
            throw Error(where + ": unknown key '" + key + "'");
    }
    if (c.channels != 1 && c.channels != 2) throw Error(where + ": channels must be 1 or 2");
    if (c.osc_control_port < 0 || c.osc_control_port > 65535) throw Error(where + ": control_port must be 0-65535");
}

}  // namespace

OscTarget parse_osc_target(const std::string& text) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
        throw Error("OSC target '" + text + "' is not host:port");
    OscTarget t;
    t.host = text.substr(0, colon);
    try {
        std::size_t used = 0;
        t.port = std::stoi(text.substr(colon + 1), &used);
        if (used != text.size() - colon - 1) throw std::invalid_argument("trailing");
    } catch (const std::exception&) {
        throw Error("OSC target '" + text + "': the port is not a number");
    }
    if (t.port < 1 || t.port > 65535) throw Error("OSC target '" + text + "': port out of range");
    return t;
}

void set_param_text(Options& o, const ParamSpec& spec, const std::string& text, const std::string& where) {
    const auto v = parse_param_value(spec, text);
    if (!v) throw Error(where + ": '" + text + "' is not a valid value for " + spec.name);
    if (o.params.set(spec.id, *v))
        std::fprintf(stderr, "tactus-jack: %s: %s = %s is out of range; using %s\n", where.c_str(), spec.name,
                     text.c_str(), format_param_value(spec, o.params.get(spec.id)).c_str());
}

void load_config(const std::filesystem::path& path, Options& o) {
    std::ifstream in(path);
    if (!in) throw Error("cannot read config " + path.string());
    json j;
    try {
        j = json::parse(in);
    } catch (const json::parse_error& e) {
        throw Error("config " + path.string() + " is not valid JSON (byte " + std::to_string(e.byte) + ")");
    }
    if (!j.is_object()) throw Error("config " + path.string() + " must be a JSON object");
    static const std::set<std::string> sections = {"audio", "beat_detection", "midi", "osc", "transport", "link", "model"};
    for (const auto& [key, v] : j.items()) {
        if (!sections.count(key)) {
            if (!take_param(o, key, v, path.string()))
                throw Error("config " + path.string() + ": unknown section '" + key + "'");
            continue;
        }
        read_section(o, key, v, path.string());
    }
}

std::vector<std::string> preset_names() {
    std::set<std::string> names;
    for (const auto& d : preset_dirs()) {
        std::error_code ec;
        for (const auto& e : std::filesystem::directory_iterator(d, ec))
            if (e.path().extension() == ".json") names.insert(e.path().stem().string());
    }
    return {names.begin(), names.end()};
}

void apply_preset(const std::string& name, Options& o) {
    if (name.find('/') != std::string::npos) throw Error("preset names have no '/': " + name);
    for (const auto& d : preset_dirs()) {
        const auto path = d / (name + ".json");
        std::error_code ec;
        if (!std::filesystem::is_regular_file(path, ec)) continue;
        // the LV2 bundle's reader: a preset out of range is an error, not clamped
        const Preset preset = load_preset(path);
        for (const auto& [id, v] : preset.values) o.params.set(id, v);
        o.preset = name;
        return;
    }
    std::string known;
    for (const auto& n : preset_names()) known += (known.empty() ? "" : ", ") + n;
    throw Error("no preset '" + name + "'" + (known.empty() ? std::string() : " (known: " + known + ")"));
}

std::string config_json(const Options& o) {
    const ClientOptions& c = o.client;
    json j;
    j["audio"] = {{"client_name", c.name}, {"channels", c.channels}, {"connect", c.connect}, {"no_connect", c.no_connect},
                  {"reconnect_s", c.reconnect_s}};
    json bd = json::object(), midi = json::object();
    for (const auto& spec : param_table()) {
        const float v = o.params.get(spec.id);
        json value;
        if (spec.type == ParamType::choice || spec.type == ParamType::toggle) value = format_param_value(spec, v);
        else if (spec.type == ParamType::integer) value = int(v);
        else value = v;
        const bool is_midi = std::string(spec.name).rfind("midi", 0) == 0 || spec.id == ParamId::clock_offset_ms ||
                             spec.id == ParamId::stop_clock_when_lost;
        (is_midi ? midi : bd)[spec.name] = value;
    }
    j["beat_detection"] = bd;
    j["midi"] = midi;
    std::vector<std::string> targets, mappings;
    for (const auto& t : c.osc) targets.push_back(t.text());
    if (c.osc_mappings & kMapBpm) mappings.push_back("bpm");
    if (c.osc_mappings & kMapPulse) mappings.push_back("pulse");
    if (c.osc_mappings & kMapSpeed) mappings.push_back("speed");
    j["osc"] = {{"targets", targets}, {"prefix", c.osc_prefix}, {"timetags", c.osc_timetags},
                {"mappings", mappings}, {"control_port", c.osc_control_port}};
    j["transport"] = {{"master", c.transport_master}};
    j["link"] = {{"enabled", c.link}};
    if (!c.model_files.empty()) {
        std::vector<std::string> files;
        for (const auto& f : c.model_files) files.push_back(f.string());
        j["model"] = {{"files", files}};
    }
    return j.dump(2);
}

}  // namespace tactus::jack
