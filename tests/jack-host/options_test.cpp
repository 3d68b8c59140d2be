// tactus-jack's configuration: JSON config, presets and flags, in that
// order; every mistake a clear one-line error.
#include <catch2/catch.hpp>

#include <fstream>

#include "options.hpp"
#include "paths.hpp"
#include "run.hpp"
#include "tactus/error.hpp"

using namespace tactus;
using namespace tactus::jack;
namespace fs = std::filesystem;

namespace {

fs::path write(const std::string& name, const std::string& text) {
    const auto p = fs::temp_directory_path() / ("tactus-jack-test-" + name);
    std::ofstream(p) << text;
    return p;
}

std::string error_of(const std::string& json) {
    Options o;
    try {
        load_config(write("cfg.json", json), o);
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

std::string tj() { return tactus::test::quote(tactus::test::bin_dir() / "tactus-jack"); }

}  // namespace

TEST_CASE("a config sets client options and any parameter of the table", "[jack-options]") {
    Options o;
    load_config(write("good.json", R"({
        "audio": {"client_name": "lights", "channels": 1, "connect": ["system:capture_[12]"]},
        "beat_detection": {"min_bpm": 90, "max_bpm": 180, "beats_per_bar": 4, "model": "2"},
        "midi": {"midi_clock": "off", "clock_offset_ms": 12},
        "osc": {"targets": ["127.0.0.1:7000", "10.0.0.5:9000"], "prefix": "/lights", "timetags": true,
                "mappings": ["pulse"], "control_port": 0},
        "transport": {"master": true},
        "link": {"enabled": true}
    })"),
                o);
    CHECK(o.client.name == "lights");
    CHECK(o.client.channels == 1);
    CHECK(o.client.connect == std::vector<std::string>{"system:capture_[12]"});
    CHECK(o.params.get(ParamId::min_bpm) == 90);
    CHECK(o.params.get(ParamId::model) == 2);
    CHECK(o.params.get(ParamId::midi_clock) == 0);
    CHECK(o.params.get(ParamId::clock_offset_ms) == 12);
    REQUIRE(o.client.osc.size() == 2);
    CHECK(o.client.osc[1].host == "10.0.0.5");
    CHECK(o.client.osc[1].port == 9000);
    CHECK(o.client.osc_prefix == "/lights");
    CHECK(o.client.osc_timetags);
    CHECK(o.client.osc_mappings == kMapPulse);
    CHECK(o.client.osc_control_port == 0);
    CHECK(o.client.transport_master);
    CHECK(o.client.link);
}

TEST_CASE("bad configs are refused with one clear line", "[jack-options]") {
    CHECK(error_of("{not json").find("not valid JSON") != std::string::npos);
    CHECK(error_of("[1,2]").find("must be a JSON object") != std::string::npos);
    CHECK(error_of(R"({"audio": {"chanels": 2}})").find("unknown key 'chanels'") != std::string::npos);
    CHECK(error_of(R"({"sound": {}})").find("unknown section 'sound'") != std::string::npos);
    CHECK(error_of(R"({"audio": {"channels": "two"}})").find("wrong type") != std::string::npos);
    CHECK(error_of(R"({"audio": {"channels": 3}})").find("1 or 2") != std::string::npos);
    CHECK(error_of(R"({"osc": {"targets": ["localhost"]}})").find("host:port") != std::string::npos);
    CHECK(error_of(R"({"osc": {"targets": ["h:99999"]}})").find("out of range") != std::string::npos);
    CHECK(error_of(R"({"beat_detection": {"model": "7"}})").find("not a valid value") != std::string::npos);
    CHECK(error_of(R"({"osc": {"mappings": ["rainbow"]}})").find("unknown OSC mapping") != std::string::npos);
    for (const auto& msg : {error_of("{"), error_of(R"({"x":1})")}) CHECK(msg.find('\n') == std::string::npos);
    Options o;
    CHECK_THROWS_AS(load_config("/nonexistent/config.json", o), Error);
}

TEST_CASE("presets apply parameters, an unknown preset names the known ones, a bad one is an error", "[jack-options]") {
    const auto dir = fs::temp_directory_path() / "tactus-jack-test-presets";
    fs::create_directories(dir);
    std::ofstream(dir / "fast.json") << R"({"name": "fast", "label": "Fast", "params": {"min_bpm": 140, "max_bpm": 200, "beats_per_bar": 4}})";
    std::ofstream(dir / "broken.json") << R"({"name": "broken", "label": "Broken", "params": {"speed": 3}})";
    std::ofstream(dir / "too-fast.json") << R"({"name": "too-fast", "label": "Too fast", "params": {"max_bpm": 900}})";
    ::setenv("TACTUS_PRESET_DIR", dir.c_str(), 1);
    Options o;
    apply_preset("fast", o);
    CHECK(o.params.get(ParamId::min_bpm) == 140);
    CHECK(o.preset == "fast");
    try {
        apply_preset("nope", o);
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(std::string(e.what()).find("fast") != std::string::npos);
    }
    CHECK_THROWS_AS(apply_preset("broken", o), Error);
    // as in the LV2 bundle, a value out of range is an error, not clamped
    try {
        apply_preset("too-fast", o);
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(std::string(e.what()).find("max_bpm") != std::string::npos);
    }
    CHECK(o.params.get(ParamId::max_bpm) == 200);  // nothing of it applied
    CHECK_THROWS_AS(apply_preset("../etc/passwd", o), Error);
    ::unsetenv("TACTUS_PRESET_DIR");
}

TEST_CASE("flags win over the config, --print-config prints what would run and reads back", "[jack-options]") {
    const auto cfg = write("flags.json", R"({"beat_detection": {"min_bpm": 90, "hold_bars": 2}, "audio": {"client_name": "a"}})");
    const auto r = tactus::test::run(tj() + " --config " + tactus::test::quote(cfg) +
                                     " --min-bpm 100 --name b --osc 127.0.0.1:7777 --print-config");
    REQUIRE(r.status == 0);
    CHECK(r.out.find("\"min_bpm\": 100.0") != std::string::npos);
    CHECK(r.out.find("\"hold_bars\": 2") != std::string::npos);
    CHECK(r.out.find("\"client_name\": \"b\"") != std::string::npos);
    CHECK(r.out.find("127.0.0.1:7777") != std::string::npos);
    // the printed config is itself a valid config giving the same output
    const auto again = tactus::test::run(tj() + " --config " + tactus::test::quote(write("printed.json", r.out)) + " --print-config");
    REQUIRE(again.status == 0);
    CHECK(again.out == r.out);
}

TEST_CASE("bad flags and values end with a clear message and a non-zero exit", "[jack-options]") {
    const auto a = tactus::test::run(tj() + " --min-bpm fast --print-config");
    CHECK(a.status == 1);
    CHECK(a.err.find("not a valid value") != std::string::npos);
    const auto b = tactus::test::run(tj() + " --osc nowhere --print-config");
    CHECK(b.status == 1);
    CHECK(b.err.find("host:port") != std::string::npos);
    const auto c = tactus::test::run(tj() + " --max-bpm 999 --print-config");
    CHECK(c.status == 0);
    CHECK(c.err.find("out of range") != std::string::npos);
    CHECK(c.out.find("\"max_bpm\": 300.0") != std::string::npos);
    const auto d = tactus::test::run(tj() + " --config /nonexistent.json");
    CHECK(d.status == 1);
    CHECK(d.err.find("cannot read config") != std::string::npos);
}
