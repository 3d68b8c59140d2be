#include "tactus/preset.hpp"

#include <fstream>
#include <nlohmann/json.hpp>

#include "tactus/error.hpp"

namespace tactus {

ParamSet Preset::full() const {
    ParamSet p;
    for (const auto& [id, v] : values) p.set(id, v);
    return p;
}

Preset load_preset(const std::filesystem::path& file) {
    const std::string where = file.string() + ": ";
    std::ifstream in(file);
    if (!in) throw Error(where + "cannot open");
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw Error(where + "not valid JSON (" + e.what() + ")");
    }
    if (!j.is_object()) throw Error(where + "must hold a JSON object");
    Preset p;
    auto text = [&](const char* key, bool required) -> std::string {
        if (!j.contains(key)) {
            if (required) throw Error(where + "\"" + key + "\" is missing");
            return {};
        }
        if (!j[key].is_string()) throw Error(where + "\"" + key + "\" must be a string");
        return j[key].get<std::string>();
    };
    p.name = text("name", true);
    p.label = text("label", true);
    p.description = text("description", false);
    if (p.name.empty() || p.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_") != std::string::npos)
        throw Error(where + "\"name\" must be lower-case letters, digits, '-' or '_'");
    if (file.stem() != p.name) throw Error(where + "\"name\" must match the file name (" + file.stem().string() + ")");
    if (!j.contains("params") || !j["params"].is_object()) throw Error(where + "\"params\" must be an object");
    for (const auto& [key, value] : j["params"].items()) {
        const ParamSpec* spec = find_param(key);
        if (!spec || key != spec->name) throw Error(where + "unknown parameter \"" + key + "\"");
        std::optional<float> v;
        if (value.is_number()) v = value.get<float>();
        else if (value.is_boolean()) v = value.get<bool>() ? 1.f : 0.f;
        else if (value.is_string()) v = parse_param_value(*spec, value.get<std::string>());
        if (!v) throw Error(where + "\"" + key + "\": " + value.dump() + " is not a valid value");
        if (clamp_param(*spec, *v).clamped)
            throw Error(where + "\"" + key + "\": " + value.dump() + " is out of range or not " +
                        (spec->type == ParamType::real ? "a number" : "a whole value"));
        p.values.emplace_back(spec->id, *v);
    }
    return p;
}

}  // namespace tactus
