// The presets in presets/ and how a preset file is read: the same reader
// for the LV2 bundle and tactus-jack, strict about every value.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "error_text.hpp"
#include "paths.hpp"
#include "tactus/error.hpp"
#include "tactus/preset.hpp"

using namespace tactus;
namespace fs = std::filesystem;

namespace {

fs::path write_preset(const std::string& name, const std::string& text) {
    const auto dir = fs::temp_directory_path() / "tactus-preset-test";
    fs::create_directories(dir);
    const auto path = dir / (name + ".json");
    std::ofstream(path) << text;
    return path;
}

std::string error_of(const fs::path& path) {
    return tactus::test::error_text([&] { load_preset(path); });
}

}  // namespace

TEST_CASE("every shipped preset loads", "[preset]") {
    int n = 0;
    for (const auto& entry : fs::directory_iterator(tactus::test::source_dir() / "presets")) {
        INFO(entry.path());
        const Preset p = load_preset(entry.path());
        CHECK(p.name == entry.path().stem().string());
        CHECK_FALSE(p.label.empty());
        CHECK_FALSE(p.values.empty());
        ++n;
    }
    CHECK(n >= 4);
}

TEST_CASE("a preset takes numbers and labels, and the rest keeps its defaults", "[preset]") {
    const Preset p = load_preset(write_preset(
        "fast", R"({"name": "fast", "label": "Fast", "params": {"max_bpm": 200, "model": "1", "beats_per_bar": 4}})"));
    REQUIRE(p.values.size() == 3);
    CHECK(p.values[0] == std::pair{ParamId::beats_per_bar, 4.f});  // by name
    CHECK(p.values[1] == std::pair{ParamId::max_bpm, 200.f});
    CHECK(p.values[2].first == ParamId::model);
    const ParamSet full = p.full();
    CHECK(full.get(ParamId::max_bpm) == 200);
    CHECK(full.get(ParamId::beats_per_bar) == 4);
    CHECK(full.get(ParamId::min_bpm) == ParamSet{}.get(ParamId::min_bpm));
}

TEST_CASE("a bad preset is an error naming the file and the problem", "[preset]") {
    CHECK_THAT(error_of(write_preset("notjson", "{\"name\": ")), Catch::Contains("notjson.json") && Catch::Contains("JSON"));
    CHECK_THAT(error_of(write_preset("other", R"({"name": "x", "label": "X", "params": {}})")),
               Catch::Contains("file name"));
    CHECK_THAT(error_of(write_preset("nolabel", R"({"name": "nolabel", "params": {}})")), Catch::Contains("label"));
    CHECK_THAT(error_of(write_preset("unknown", R"({"name": "unknown", "label": "U", "params": {"speed": 3}})")),
               Catch::Contains("speed"));
    CHECK_THAT(error_of(write_preset("range", R"({"name": "range", "label": "R", "params": {"min_bpm": 10}})")),
               Catch::Contains("out of range"));
    CHECK_THAT(error_of(write_preset("whole", R"({"name": "whole", "label": "W", "params": {"beats_per_bar": 2.5}})")),
               Catch::Contains("whole value"));
    CHECK_THAT(error_of(write_preset("label", R"({"name": "label", "label": "L", "params": {"model": "huge"}})")),
               Catch::Contains("not a valid value"));
    CHECK_THAT(error_of(fs::temp_directory_path() / "tactus-preset-test" / "missing.json"), Catch::Contains("cannot open"));
}
