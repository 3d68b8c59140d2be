#pragma once
// tactus-jack's settings: the client's own (name, ports, OSC, transport,
// Link) and the engine's parameter table, from a JSON config, a preset and
// command-line flags (in that order; later wins).
#include <filesystem>
#include <string>
#include <vector>

#include "tactus/params.hpp"

namespace tactus::jack {

struct OscTarget {
    std::string host;
    int port = 0;
    std::string text() const { return host + ":" + std::to_string(port); }
};

// Value mappings for common OSC receivers, besides the core messages.
enum OscMapping : unsigned { kMapBpm = 1, kMapPulse = 2, kMapSpeed = 4, kMapAll = 7 };

struct ClientOptions {
    std::string name = "tactus";            // JACK client name
    int channels = 2;                        // audio inputs: 1 or 2
    std::vector<std::string> connect;        // capture ports to connect, by name or regex
    bool no_connect = false;                 // connect nothing (default: first physical capture ports)
    std::vector<OscTarget> osc;              // where OSC goes
    std::string osc_prefix = "/tactus";
    bool osc_timetags = false;               // send beats early in bundles stamped with the beat time
    unsigned osc_mappings = kMapAll;
    int osc_control_port = 9001;             // OSC control on 127.0.0.1; 0: off
    bool transport_master = false;           // JACK transport timebase master
    bool link = false;                       // Ableton Link
    bool monitor = false;                    // live status line on the terminal
    double reconnect_s = 2.0;                // retry period when the JACK server is gone
    std::vector<std::filesystem::path> model_files;  // empty: found by the parameter table
};

struct Options {
    ClientOptions client;
    ParamSet params;
    std::string preset;  // name applied (for --print-config)
};

// Reads a JSON config into `o` (see docs/JACK.md for the shape). Unknown
// keys, wrong types and unreadable files raise tactus::Error with one line.
void load_config(const std::filesystem::path& path, Options& o);
// Applies presets/<name>.json (looked up in $TACTUS_PRESET_DIR, next to the
// executable, the install prefix and the source tree). Throws tactus::Error.
void apply_preset(const std::string& name, Options& o);
std::vector<std::string> preset_names();
// The effective configuration as JSON (the config file's shape).
std::string config_json(const Options& o);
// "host:port" -> target; throws tactus::Error.
OscTarget parse_osc_target(const std::string& text);
// Sets a parameter from text ("on", "ensemble", "120"); throws on a bad
// value, warns on stderr when the value was clamped.
void set_param_text(Options& o, const ParamSpec& spec, const std::string& text, const std::string& where);

}  // namespace tactus::jack
