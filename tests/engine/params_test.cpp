// The parameter table: one declaration per parameter, from which every
// face is generated; values are parsed, formatted, clamped and reported.
#include <catch2/catch.hpp>

#include <set>

#include <fstream>
#include <sstream>

#include "paths.hpp"
#include "tactus/params.hpp"

using namespace tactus;

TEST_CASE("every parameter is declared once, with a sane range and default", "[params]") {
    std::set<std::string> names;
    std::size_t i = 0;
    for (const auto& p : param_table()) {
        INFO(p.name);
        CHECK(std::size_t(p.id) == i++);  // the table is indexed by id
        CHECK(names.insert(p.name).second);
        CHECK(p.min < p.max);
        CHECK(p.def >= p.min);
        CHECK(p.def <= p.max);
        CHECK(std::string(p.doc).size() > 10);
        CHECK(find_param(p.name) == &p);
        CHECK(find_param(flag_name(p)) == &p);
        if (p.type == ParamType::choice)
            for (int v = int(p.min); v <= int(p.max); ++v) CHECK(p.choices[std::size_t(v)] != nullptr);
    }
    CHECK(i == kParamCount);
}

TEST_CASE("values parse from numbers and labels, and print back", "[params]") {
    const auto& model = param_spec(ParamId::model);
    CHECK(parse_param_value(model, "ensemble") == 0.f);
    CHECK(parse_param_value(model, "3") == 3.f);
    CHECK_FALSE(parse_param_value(model, "7").has_value());
    CHECK(format_param_value(model, 2) == "2");
    const auto& clock = param_spec(ParamId::midi_clock);
    CHECK(parse_param_value(clock, "off") == 0.f);
    CHECK(parse_param_value(clock, "true") == 1.f);
    CHECK(format_param_value(clock, 1) == "on");
    const auto& bpm = param_spec(ParamId::min_bpm);
    CHECK(parse_param_value(bpm, "72.5") == 72.5f);
    CHECK_FALSE(parse_param_value(bpm, "fast").has_value());
    CHECK_FALSE(parse_param_value(bpm, "72x").has_value());
}

TEST_CASE("out-of-range values are clamped and the clamp is reported", "[params]") {
    ParamSet p;
    CHECK(p.set(ParamId::min_bpm, 10.f));
    CHECK(p.get(ParamId::min_bpm) == param_spec(ParamId::min_bpm).min);
    CHECK_FALSE(p.set(ParamId::min_bpm, 80.f));
    CHECK(p.get(ParamId::min_bpm) == 80.f);
    CHECK(p.set(ParamId::hold_bars, 2.6f));
    CHECK(p.get(ParamId::hold_bars) == 3.f);
    CHECK(p.set(ParamId::midi_clock, 0.7f));
    CHECK(p.get(ParamId::midi_clock) == 1.f);
    CHECK(p.set(ParamId::sensitivity, std::numeric_limits<float>::infinity()));
    CHECK(p.get(ParamId::sensitivity) == 1.f);
}

TEST_CASE("the parameter set describes the analysis", "[params]") {
    ParamSet p;
    CHECK(p.model_ids() == std::vector<int>{1, 2, 3});
    p.set(ParamId::model, 2);
    CHECK(p.model_ids() == std::vector<int>{2});
    p.set(ParamId::min_bpm, 90);
    p.set(ParamId::max_bpm, 100);  // narrower than the tracker allows: widened
    p.set(ParamId::beats_per_bar, 3);
    p.set(ParamId::inference, 1);
    const AnalyzerConfig c = p.analyzer_config(44100);
    CHECK(c.sample_rate == 44100);
    CHECK(c.inference == Inference::beatnet);
    CHECK(c.tracker.min_bpm == 90);
    CHECK(c.tracker.max_bpm >= 112.5);
    CHECK(c.tracker.beats_per_bar == 3);
    p.set(ParamId::sensitivity, 1.f);
    const double eager = p.analyzer_config(44100).tracker.lock_clarity;
    p.set(ParamId::sensitivity, 0.f);
    CHECK(p.analyzer_config(44100).tracker.lock_clarity > eager);
}

TEST_CASE("the README's parameter table lists every parameter with its range and default", "[params]") {
    std::ifstream in(tactus::test::source_dir() / "README.md");
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string readme = ss.str();
    for (const auto& p : param_table()) {
        INFO(p.name);
        const auto row = readme.find(std::string("| `") + p.name + "` |");
        REQUIRE(row != std::string::npos);
        const std::string line = readme.substr(row, readme.find('\n', row) - row);
        CHECK(line.find(format_param_value(p, p.def)) != std::string::npos);
    }
}
