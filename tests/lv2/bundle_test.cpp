// The built bundle as a host sees it: the ports are the parameter table's,
// the presets are the JSON files, state survives a save and restore, and
// a bundle without its models (or a rate out of range) fails to
// instantiate with a message instead of crashing the host.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "audio_fixtures.hpp"
#include "lv2_support.hpp"
#include "ports.hpp"
#include "tactus/params.hpp"
#include "uris.hpp"

using namespace tactus;
using namespace tactus::test;

TEST_CASE("the bundle's ports are the parameter table's LV2 face", "[lv2]") {
    Lv2World world(built_lv2_path());
    const LilvPlugin* plugin = world.plugin();
    const auto& layout = tactus::lv2::port_layout();
    REQUIRE(lilv_plugin_get_num_ports(plugin) == layout.count);
    std::vector<float> mins(layout.count), maxs(layout.count), defs(layout.count);
    lilv_plugin_get_port_ranges_float(plugin, mins.data(), maxs.data(), defs.data());
    std::size_t lv2_params = 0;
    for (const ParamSpec& spec : param_table()) {
        if (!(spec.faces & kFaceLv2)) {
            LilvNode* sym = lilv_new_string(world.world(), spec.name);
            CHECK(lilv_plugin_get_port_by_symbol(plugin, sym) == nullptr);  // not an LV2 port
            lilv_node_free(sym);
            continue;
        }
        ++lv2_params;
        LilvNode* sym = lilv_new_string(world.world(), spec.name);
        const LilvPort* port = lilv_plugin_get_port_by_symbol(plugin, sym);
        lilv_node_free(sym);
        INFO(spec.name);
        REQUIRE(port != nullptr);
        const auto i = lilv_port_get_index(plugin, port);
        CHECK(mins[i] == spec.min);
        CHECK(maxs[i] == spec.max);
        CHECK(defs[i] == spec.def);
        if (spec.type == ParamType::choice) {
            LilvScalePoints* points = lilv_port_get_scale_points(plugin, port);
            std::size_t n = 0;
            for (const char* c : spec.choices) n += c != nullptr;
            CHECK(lilv_scale_points_size(points) == n);
            lilv_scale_points_free(points);
        }
    }
    CHECK(lv2_params == layout.param_count);
    // one atom input with the control designation, one atom output
    LilvNode* atom_port = lilv_new_uri(world.world(), LV2_ATOM__AtomPort);
    LilvNode* input = lilv_new_uri(world.world(), LV2_CORE__InputPort);
    LilvNode* audio = lilv_new_uri(world.world(), LV2_CORE__AudioPort);
    LilvNode* output = lilv_new_uri(world.world(), LV2_CORE__OutputPort);
    CHECK(lilv_plugin_get_num_ports_of_class(plugin, atom_port, input, nullptr) == 1);
    CHECK(lilv_plugin_get_num_ports_of_class(plugin, atom_port, output, nullptr) == 1);
    CHECK(lilv_plugin_get_num_ports_of_class(plugin, audio, input, nullptr) == 2);
    CHECK(lilv_plugin_get_num_ports_of_class(plugin, audio, output, nullptr) == 0);
    CHECK_FALSE(lilv_plugin_has_latency(plugin));
    LilvNode* control = lilv_new_uri(world.world(), LV2_CORE__control);
    CHECK(lilv_plugin_get_port_by_designation(plugin, input, control) != nullptr);
    for (LilvNode* n : {atom_port, input, audio, output, control}) lilv_node_free(n);
    // bounded blocks are never required
    LilvNodes* required = lilv_plugin_get_required_features(plugin);
    LILV_FOREACH (nodes, i, required)
        CHECK(std::string(lilv_node_as_uri(lilv_nodes_get(required, i))) == LV2_URID__map);
    lilv_nodes_free(required);
}

TEST_CASE("every JSON preset is an LV2 preset that sets the ports and the state", "[lv2]") {
    Lv2World world(built_lv2_path());
    const auto uris = world.preset_uris();
    std::size_t json_presets = 0;
    for (const auto& entry : std::filesystem::directory_iterator(source_dir() / "presets")) {
        if (entry.path().extension() != ".json") continue;
        ++json_presets;
        std::ifstream in(entry.path());
        const auto j = nlohmann::json::parse(in);
        const std::string uri = tactus::lv2::preset_uri(j["name"].get<std::string>());
        INFO(uri);
        CHECK(std::find(uris.begin(), uris.end(), uri) != uris.end());

        // a fresh instance, the preset applied through lilv as a host does
        Lv2Instance inst(world, 48000);
        REQUIRE(inst.ok());
        REQUIRE(inst.apply_preset(uri));
        for (const ParamSpec& spec : param_table()) {
            if (!(spec.faces & kFaceLv2)) continue;
            float want = spec.def;
            if (j["params"].contains(spec.name)) {
                const auto& v = j["params"][spec.name];
                want = v.is_string() ? *parse_param_value(spec, v.get<std::string>()) : v.get<float>();
            }
            INFO(spec.name);
            CHECK(inst.control(spec.name) == Approx(want));
        }
        // and the plugin's own state holds the same values
        LilvState* state = inst.save_state();
        REQUIRE(state);
        const char* text = lilv_state_to_string(world.world(), world.urids().map_feature(),
                                                world.urids().unmap_feature(), state, "urn:test:state", nullptr);
        const std::string ttl = text;
        lilv_free(const_cast<char*>(text));
        lilv_state_free(state);
        for (const auto& [name, value] : j["params"].items()) {
            if (!(find_param(name)->faces & kFaceLv2)) continue;
            CHECK(ttl.find(tactus::lv2::param_uri(name)) != std::string::npos);
        }
    }
    CHECK(json_presets >= 4);
    CHECK(uris.size() == json_presets);
}

TEST_CASE("state survives a save and a restore into another instance", "[lv2]") {
    Lv2World world(built_lv2_path());
    Lv2Instance a(world, 44100);
    REQUIRE(a.ok());
    // through the ports and through patch:Set (which no port shows)
    a.set_control("min_bpm", 90);
    a.set_control("beats_per_bar", 3);
    a.send_patch_set(tactus::lv2::param_uri("hold_bars"), 12);
    a.send_patch_set(tactus::lv2::param_uri("sensitivity"), 0.8f);
    const auto audio = groove(44100, 120, 1);
    run_fixed(a, audio, 512);
    LilvState* state = a.save_state();
    REQUIRE(state);
    CHECK(lilv_state_get_num_properties(state) == tactus::lv2::port_layout().param_count);

    Lv2Instance b(world, 44100);
    REQUIRE(b.ok());
    b.restore_state(state);
    CHECK(b.control("min_bpm") == 90.f);
    CHECK(b.control("beats_per_bar") == 3.f);
    run_fixed(b, audio, 512);
    LilvState* again = b.save_state();
    REQUIRE(again);
    // the patch:Set values (not on any port) came back through the plugin's state
    CHECK(lilv_state_equals(state, again));
    const char* text = lilv_state_to_string(world.world(), world.urids().map_feature(), world.urids().unmap_feature(),
                                            again, "urn:test:state", nullptr);
    const std::string ttl = text;
    lilv_free(const_cast<char*>(text));
    INFO(ttl);
    CHECK(ttl.find("hold_bars> \"12") != std::string::npos);
    lilv_state_free(state);
    lilv_state_free(again);
}

TEST_CASE("a bundle without its models fails to instantiate with a message", "[lv2]") {
    const auto dir = std::filesystem::temp_directory_path() / ("tactus-lv2-nomodels-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    std::filesystem::copy(binary_dir() / "lv2" / "tactus.lv2", dir / "tactus.lv2", std::filesystem::copy_options::recursive);
    std::filesystem::remove_all(dir / "tactus.lv2" / "models");
    {
        Lv2World world(dir.string());
        Lv2Instance inst(world, 48000);
        CHECK_FALSE(inst.ok());
        REQUIRE(inst.log().size() == 1);
        CHECK(inst.log()[0].find("beatnet-model-1.safetensors") != std::string::npos);
        CHECK(inst.log()[0].find("missing") != std::string::npos);
    }
    {
        // a corrupt model file: the loader's error, not a crash
        std::filesystem::create_directories(dir / "tactus.lv2" / "models");
        for (int id : {1, 2, 3}) std::ofstream(dir / "tactus.lv2" / "models" / tactus::model_file_name(id)) << "not a model";
        Lv2World world(dir.string());
        Lv2Instance inst(world, 48000);
        CHECK_FALSE(inst.ok());
        REQUIRE(inst.log().size() == 1);
        CHECK(inst.log()[0].find("tactus.lv2: ") == 0);
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("sample rates from 8 to 192 kHz instantiate and others fail cleanly", "[lv2]") {
    Lv2World world(built_lv2_path());
    for (double rate : {8000.0, 11025.0, 22050.0, 44100.0, 88200.0, 192000.0}) {
        INFO(rate);
        Lv2Instance inst(world, rate);
        CHECK(inst.ok());
        CHECK(inst.log().empty());
    }
    for (double rate : {0.0, 4000.0, 384000.0, -48000.0}) {
        INFO(rate);
        Lv2Instance inst(world, rate);
        CHECK_FALSE(inst.ok());
        REQUIRE(inst.log().size() == 1);
        CHECK(inst.log()[0].find("sample rate") != std::string::npos);
    }
}
