// tactus-jack: the headless JACK client. Listens to a capture port, sends
// MIDI clock (and notes) on a JACK MIDI port, OSC to lights, optionally
// drives JACK transport and Ableton Link; survives the server going away.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <thread>

#include "jack_session.hpp"
#include "link_sync.hpp"
#include "monitor.hpp"
#include "options.hpp"
#include "osc_control.hpp"
#include "osc_out.hpp"
#include "tactus/engine.hpp"
#include "tactus/error.hpp"
#include "tactus/model.hpp"

namespace {

volatile std::sig_atomic_t g_quit = 0;
void on_signal(int) { g_quit = 1; }

using namespace tactus;
using namespace tactus::jack;

struct Flags {
    std::string config, preset, name;
    std::vector<std::string> osc, connect;
    bool no_connect = false, print_config = false, list_presets = false, monitor = false, transport = false,
         link = false, timetags = false;
    int channels = 0, control_port = -1;
    std::string prefix;
    std::vector<std::pair<const ParamSpec*, std::string>> params;
};

std::unique_ptr<Engine> make_engine(const Options& o, double rate) {
    EngineConfig ec;
    ec.sample_rate = rate;
    ec.params = o.params;
    ec.model_files = o.client.model_files;
    return std::make_unique<Engine>(ec);
}

int run(Options& o) {
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    std::signal(SIGPIPE, SIG_IGN);
    // the models are checked before anything else starts
    for (int id : o.params.model_ids())
        if (o.client.model_files.empty()) (void)load_model(find_model(id));
    std::unique_ptr<Engine> engine;
    std::unique_ptr<OscOut> osc;
    std::unique_ptr<OscControl> control;
    LinkPtr link;
    if (o.client.link) link = make_link(o.params.get(ParamId::bpm_override));
    const bool tty = ::isatty(STDERR_FILENO);
    bool warned = false;
    double last_line = 0;
    while (!g_quit) {
        std::unique_ptr<JackSession> session;
        try {
            session = std::make_unique<JackSession>(o.client);
        } catch (const Error& e) {
            if (!warned) std::fprintf(stderr, "tactus-jack: %s; retrying every %.0f s\n", e.what(), o.client.reconnect_s);
            warned = true;
            if (o.client.monitor && tty) std::fprintf(stderr, "\r\033[K%s", status_line({}, {}, 0, false).c_str());
            for (int i = 0; i < int(o.client.reconnect_s * 20) && !g_quit; ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            continue;
        }
        if (!engine) {
            engine = make_engine(o, session->sample_rate());
            if (!o.client.osc.empty()) {
                osc = std::make_unique<OscOut>(o.client, *engine);
                engine->set_listener(osc.get());
                osc->start();
            }
            if (o.client.osc_control_port > 0) control = std::make_unique<OscControl>(o.client, *engine);
            engine->start();
        } else {
            // a new server: maybe another rate; the old analysis is stale
            if (session->sample_rate() != engine->sample_rate()) engine->set_sample_rate(session->sample_rate());
            engine->reset();
        }
        session->activate(*engine, link.get());
        std::fprintf(stderr, "tactus-jack: running as '%s' at %.0f Hz%s%s\n", session->client_name().c_str(),
                     session->sample_rate(), control ? (", OSC control on 127.0.0.1:" + std::to_string(control->port())).c_str() : "",
                     warned ? " (reconnected)" : "");
        warned = false;
        while (!g_quit && session->alive()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            session->update_clock_offset();
            TempoSnapshot s;
            (void)engine->snapshot_rt(&s);
            session->update_transport(tracking(s));
            if (o.client.monitor) {
                const double now = monotonic_now();
                if (tty) {
                    std::fprintf(stderr, "\r\033[K%s", status_line(s, session->stats(), now, true).c_str());
                } else if (now - last_line >= 1.0) {
                    std::fprintf(stderr, "%s\n", status_line(s, session->stats(), now, true).c_str());
                    last_line = now;
                }
            }
        }
        if (!g_quit) std::fprintf(stderr, "%stactus-jack: the JACK server went away; reconnecting\n", o.client.monitor && tty ? "\n" : "");
    }
    if (o.client.monitor && tty) std::fprintf(stderr, "\n");
    if (engine) engine->stop();
    if (osc) osc->stop();
    std::fprintf(stderr, "tactus-jack: stopped\n");
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"tactus-jack: beats, tempo and MIDI clock from a JACK input, to MIDI, OSC, JACK transport and Ableton Link"};
    Flags f;
    app.add_option("--config", f.config, "JSON config file (see docs/JACK.md); flags override it");
    app.add_option("--preset", f.preset, "apply presets/NAME.json (club, wide, live-band, waltz, ...)");
    app.add_flag("--list-presets", f.list_presets, "list the presets and exit");
    app.add_flag("--print-config", f.print_config, "print the effective configuration as JSON and exit");
    app.add_option("--name", f.name, "JACK client name (default tactus)");
    app.add_option("--channels", f.channels, "audio inputs, 1 or 2 (default 2)")->check(CLI::Range(1, 2));
    app.add_option("--connect", f.connect, "capture port(s) to connect, by name or regex (repeatable)");
    app.add_flag("--no-connect", f.no_connect, "connect no input (default: the first physical capture ports)");
    app.add_option("--osc", f.osc, "send OSC to HOST:PORT (repeatable)");
    app.add_option("--osc-prefix", f.prefix, "OSC address prefix (default /tactus)");
    app.add_flag("--osc-timetags", f.timetags, "send beats ahead in bundles time-tagged with the beat's time");
    app.add_option("--osc-control-port", f.control_port, "OSC control port on 127.0.0.1 (0: off; default 9001)")
        ->check(CLI::Range(0, 65535));
    app.add_flag("--transport-master", f.transport, "drive JACK transport (BPM, bar, beat, tick)");
    app.add_flag("--link", f.link, "publish tempo and phase to an Ableton Link session");
    app.add_flag("--monitor", f.monitor, "draw a live status line on the terminal");
    auto* group = app.add_option_group("Parameters", "the engine's parameter table");
    for (const auto& spec : param_table()) {
        if (!(spec.faces & kFaceJack)) continue;
        std::string desc = spec.doc;
        if (spec.type == ParamType::choice) {
            desc += " (";
            for (const char* c : spec.choices)
                if (c) desc += std::string(desc.back() == '(' ? "" : "|") + c;
            desc += ")";
        } else if (*spec.unit) {
            desc += std::string(" [") + spec.unit + "]";
        }
        desc += "; default " + format_param_value(spec, spec.def);
        const ParamSpec* sp = &spec;
        group->add_option_function<std::string>("--" + flag_name(spec), [&f, sp](const std::string& v) { f.params.emplace_back(sp, v); }, desc);
    }
    CLI11_PARSE(app, argc, argv);
    try {
        if (f.list_presets) {
            for (const auto& n : preset_names()) std::printf("%s\n", n.c_str());
            return 0;
        }
        Options o;
        if (!f.config.empty()) load_config(f.config, o);
        if (!f.preset.empty()) apply_preset(f.preset, o);
        ClientOptions& c = o.client;
        if (!f.name.empty()) c.name = f.name;
        if (f.channels) c.channels = f.channels;
        if (!f.connect.empty()) c.connect = f.connect;
        if (f.no_connect) c.no_connect = true;
        if (!f.osc.empty()) {
            c.osc.clear();
            for (const auto& t : f.osc) c.osc.push_back(parse_osc_target(t));
        }
        if (!f.prefix.empty()) c.osc_prefix = f.prefix[0] == '/' ? f.prefix : "/" + f.prefix;
        if (f.timetags) c.osc_timetags = true;
        if (f.control_port >= 0) c.osc_control_port = f.control_port;
        if (f.transport) c.transport_master = true;
        if (f.link) c.link = true;
        if (f.monitor) c.monitor = true;
        for (const auto& [spec, text] : f.params) set_param_text(o, *spec, text, "--" + flag_name(*spec));
        if (f.print_config) {
            std::printf("%s\n", config_json(o).c_str());
            return 0;
        }
        return run(o);
    } catch (const Error& e) {
        std::fprintf(stderr, "tactus-jack: %s\n", e.what());
        return 1;
    }
}
