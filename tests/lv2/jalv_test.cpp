// jalv runs the built bundle as a JACK client under a private jackd (dummy
// backend, a server name of its own so parallel tests cannot collide). A
// JACK client of ours plays a 120 BPM groove into jalv's input and listens
// to its MIDI output: clock at 24 per beat, notes on the groove's beats,
// tempo on jalv's printed control outputs; a preset applied through jalv's
// console reaches the ports; jalv exits cleanly. jackd and jalv are always
// stopped at the end.
#include <catch2/catch.hpp>
#include <jack/jack.h>
#include <jack/midiport.h>

#include <atomic>
#include <cstdlib>
#include <regex>
#include <unistd.h>

#include "audio_fixtures.hpp"
#include "child_process.hpp"
#include "lv2_support.hpp"

using namespace tactus;
using namespace tactus::test;

namespace {

// Our JACK client: plays `audio` once `play` is set, records MIDI input.
struct Player {
    static constexpr std::size_t kMaxMidi = 1 << 16;
    jack_client_t* client = nullptr;
    jack_port_t* out = nullptr;
    jack_port_t* midi_in = nullptr;
    const std::vector<float>* audio = nullptr;
    std::atomic<bool> play{false};
    std::atomic<std::int64_t> played{0};       // frames of `audio` written
    std::atomic<std::int64_t> start_frame{-1};  // JACK frame time of the first one
    HostMidi midi[kMaxMidi];
    std::atomic<std::size_t> midi_count{0};

    static int process(jack_nframes_t n, void* arg) {
        auto* self = static_cast<Player*>(arg);
        auto* buf = static_cast<float*>(jack_port_get_buffer(self->out, n));
        const jack_nframes_t now = jack_last_frame_time(self->client);
        std::int64_t at = self->played.load();
        for (jack_nframes_t i = 0; i < n; ++i) {
            buf[i] = 0.f;
            if (self->play.load() && at < std::int64_t(self->audio->size())) {
                if (at == 0) self->start_frame.store(std::int64_t(now + i));
                buf[i] = (*self->audio)[std::size_t(at++)];
            }
        }
        self->played.store(at);
        void* in = jack_port_get_buffer(self->midi_in, n);
        const jack_nframes_t count = jack_midi_get_event_count(in);
        for (jack_nframes_t k = 0; k < count; ++k) {
            jack_midi_event_t ev;
            if (jack_midi_event_get(&ev, in, k) != 0 || ev.size == 0) continue;
            const std::size_t c = self->midi_count.load();
            if (c == kMaxMidi) break;
            HostMidi& m = self->midi[c];
            m.frame = std::int64_t(now) + ev.time;
            m.size = std::uint8_t(std::min<std::size_t>(ev.size, 3));
            std::memcpy(m.bytes, ev.buffer, m.size);
            self->midi_count.store(c + 1);
        }
        return 0;
    }
};

jack_client_t* open_client(const std::string& name, const std::string& server) {
    jack_status_t status;
    return jack_client_open(name.c_str(), jack_options_t(JackNoStartServer | JackServerName), &status, server.c_str());
}

}  // namespace

TEST_CASE("jalv runs tactus.lv2 under jackd: clock and notes and tempo and presets", "[lv2][jalv]") {
    skip_unless_host_runs(!find_program("jackd").empty() && !find_program("jalv").empty(), "jackd or jalv", "jalv");
    const std::string tag = "tactus-lv2-" + std::to_string(::getpid());
    const auto tmp = std::filesystem::temp_directory_path();
    ChildProcess jackd({"jackd", "--no-realtime", "-t", "5000", "-n", tag, "-d", "dummy", "-r", "48000", "-p", "256"},
                       {"JACK_NO_AUDIO_RESERVATION=1"}, tmp / (tag + "-jackd.log"), SIGTERM);
    jack_client_t* probe = nullptr;
    for (int i = 0; i < 100 && !probe && jackd.running(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        probe = open_client("probe", tag);
    }
    INFO(jackd.output());
    REQUIRE(probe);
    jack_client_close(probe);

    Player player;
    const auto audio = groove(48000, 120, 16, 0.25, 5);
    player.audio = &audio;
    player.client = open_client("player", tag);
    REQUIRE(player.client);
    player.out = jack_port_register(player.client, "out", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0);
    player.midi_in = jack_port_register(player.client, "midi_in", JACK_DEFAULT_MIDI_TYPE, JackPortIsInput, 0);
    jack_set_process_callback(player.client, Player::process, &player);
    REQUIRE(jack_activate(player.client) == 0);

    const std::string jalv_name = tag + "-jalv";
    // Predictions 300 ms ahead: the host's worker thread is not real-time,
    // and this machine may be busy with other tests; it must still deliver.
    ChildProcess jalv({"jalv", "-n", jalv_name, "-x", "-p", "-c", "midi_notes=1", "-c", "prediction_lead_ms=300",
                       "urn:tactus:lv2"},
                      {"LV2_PATH=" + built_lv2_path(), "JACK_DEFAULT_SERVER=" + tag}, tmp / (tag + "-jalv.log"));
    const std::string in_port = jalv_name + ":in_l", events_port = jalv_name + ":events";
    for (int i = 0; i < 150 && jalv.running() && !jack_port_by_name(player.client, events_port.c_str()); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    INFO(jalv.output());
    REQUIRE(jack_port_by_name(player.client, in_port.c_str()));
    REQUIRE(jack_port_by_name(player.client, events_port.c_str()));
    REQUIRE(jack_connect(player.client, "player:out", in_port.c_str()) == 0);
    REQUIRE(jack_connect(player.client, events_port.c_str(), "player:midi_in") == 0);
    player.play = true;
    for (int i = 0; i < 400 && player.played.load() < std::int64_t(audio.size()); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    REQUIRE(player.played.load() == std::int64_t(audio.size()));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    jalv.write("monitors\n");  // the control outputs, as jalv sees them
    std::this_thread::sleep_for(std::chrono::milliseconds(300));

    // a preset through jalv's console (it loads the presets when listing them)
    jalv.write("presets\n");
    jalv.write("preset urn:tactus:preset:waltz\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    jalv.write("controls\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    jalv.close_stdin();  // jalv quits at the end of its input
    const bool exited = jalv.wait(std::chrono::seconds(10));
    jack_deactivate(player.client);
    jack_client_close(player.client);
    jackd.stop(SIGTERM, std::chrono::seconds(5));

    const std::string out = jalv.output();
    INFO(out);
    CHECK(exited);
    CHECK(jalv.exit_code() == 0);

    // what came out of jalv's MIDI port, relative to the first sample played
    const std::int64_t t0 = player.start_frame.load();
    std::vector<HostMidi> midi(player.midi, player.midi + player.midi_count.load());
    for (auto& m : midi) m.frame -= t0;
    const auto starts = midi_frames(midi, 0xFA), ticks = midi_frames(midi, 0xF8);
    REQUIRE(starts.size() == 1);
    REQUIRE(ticks.size() >= 24 * 10);
    std::vector<double> gaps;
    for (std::size_t i = 1; i < ticks.size(); ++i) gaps.push_back(double(ticks[i] - ticks[i - 1]));
    std::nth_element(gaps.begin(), gaps.begin() + std::ptrdiff_t(gaps.size() / 2), gaps.end());
    CHECK(gaps[gaps.size() / 2] == Approx(48000 * 0.5 / 24).epsilon(0.02));  // 120 BPM

    // notes on the groove's beats (0.25 s + k/2 s); jalv's output reaches us one period later
    std::vector<std::int64_t> notes, beats;
    for (const auto& m : midi)
        if (m.bytes[0] == 0x90) notes.push_back(m.frame - 256);
    for (double t = 0.25; t < 16; t += 0.5) beats.push_back(std::int64_t(t * 48000));
    REQUIRE(notes.size() >= 10);
    std::string lateness;
    for (auto n : notes) {
        const double t = double(n) / 48000;
        lateness += std::to_string(int(std::lround((t - (0.25 + std::round((t - 0.25) * 2) / 2)) * 1000))) + " ";
    }
    INFO("notes against the groove's beats, ms: " << lateness);
    CHECK(matched(notes, beats, std::int64_t(0.03 * 48000)) >= int(0.85 * double(notes.size())));

    // the control outputs jalv printed: tempo 120, locked; the preset set 3 beats per bar
    const std::regex bpm_line(R"((^|\n)(> )?bpm = ([0-9.]+))"), state_line(R"((^|\n)(> )?state = ([0-9.]+))");
    std::smatch m;
    REQUIRE(std::regex_search(out, m, bpm_line));
    CHECK(std::stod(m[3]) == Approx(120).margin(1));
    REQUIRE(std::regex_search(out, m, state_line));
    CHECK(std::stod(m[3]) == float(TrackState::locked));
    CHECK(out.find("beats_per_bar = 3.000000") != std::string::npos);
    CHECK(out.find("min_bpm = 80.000000") != std::string::npos);
    std::filesystem::remove(tmp / (tag + "-jackd.log"));
    std::filesystem::remove(tmp / (tag + "-jalv.log"));
}
