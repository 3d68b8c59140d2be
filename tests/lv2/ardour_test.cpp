// Ardour runs the built bundle: its headless Lua session tool (ardour7-lua
// on Debian 12), on its own Dummy backend, creates a session at 132 BPM,
// inserts "urn:tactus:lv2" on a mono bus fed by Ardour's metronome, and
// Ardour's MIDI monitor after it, rolls the transport and prints the
// plugin's control outputs and the MIDI counts ten times a second.
// Beats per bar is set to 4, then to 3, through Ardour's parameter API; in
// between, a relocation of the rolling transport restarts the analysis. At
// the end the session is saved, closed and loaded again, and the plugin
// must come back with the last setting.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "child_process.hpp"
#include "lv2_support.hpp"
#include "spawn.hpp"

using namespace tactus;
using namespace tactus::test;

namespace {

// Ardour's Lua session tool on PATH (the major version is in its name).
std::string ardour_lua() {
    for (const char* name : {"ardour8-lua", "ardour7-lua", "ardour6-lua"})
        if (!find_program(name).empty()) return name;
    return {};
}

// The session script. Control parameters are found by their labels; every
// line the test reads starts with a tag of its own.
std::string session_script(const std::filesystem::path& dir) {
    std::string s = R"LUA(
local dir = "@DIR@"
local function say(s) print(s); io.stdout:flush() end
assert(not AudioEngine:set_backend("None (Dummy)", "", ""):isnil(), "Ardour has no Dummy backend")
assert(AudioEngine:start(false) == 0, "Ardour cannot start its Dummy backend")
assert(create_session(dir, "tactus", 48000), "Ardour cannot create a session")
local tm = Temporal.TempoMap.fetch_writable()
tm:set_tempo(Temporal.Tempo(132, 132, 4), Temporal.timepos_t(0))
Temporal.TempoMap.update(tm)
local bus = Session:new_audio_route(1, 1, nil, 1, "tactus", ARDOUR.PresentationInfo.Flag.AudioBus,
                                    ARDOUR.PresentationInfo.max_order):front()
local proc = ARDOUR.LuaAPI.new_plugin(Session, "urn:tactus:lv2", ARDOUR.PluginType.LV2, "")
assert(not proc:isnil(), "Ardour cannot load urn:tactus:lv2")
assert(bus:add_processor_by_index(proc, 0, nil, true) == 0, "Ardour cannot add the plugin to the bus")
local plugin = proc:to_insert():plugin(0)
local index = {}
for n = 0, 63 do
  local port, args = plugin:nth_parameter(n, false)
  if not args[2] then break end
  index[plugin:parameter_label(port)] = n
end
local function get(p, label) return (ARDOUR.LuaAPI.get_processor_param(p, index[label], false)) end
assert(ARDOUR.LuaAPI.set_processor_param(proc, index["MIDI notes"], 1), "cannot switch the notes on")
-- Ardour's MIDI monitor after the plugin: the last 60 events it passed on,
-- three bytes each, in a ring whose position it publishes
local monitor = ARDOUR.LuaAPI.new_luaproc(Session, "ACE MIDI Monitor")
assert(not monitor:isnil(), "Ardour has no MIDI monitor")
assert(bus:add_processor_by_index(monitor, 1, nil, true) == 0, "Ardour cannot add the MIDI monitor after the plugin")
local ring = monitor:to_insert():plugin(0):to_luaproc():shmem()
local seen, clock, notes, starts = ring:atomic_get_int(0), 0, 0, 0
local function count_midi()
  local pos, events = ring:atomic_get_int(0), ring:to_int(1):array()
  for k = 1, (pos - seen) % 60 do
    local slot = (seen + k - 1) % 60
    local status, velocity = events[slot * 3 + 1], events[slot * 3 + 3]
    if status == 0xF8 then clock = clock + 1
    elseif status == 0xFA then starts = starts + 1
    elseif status >= 0x90 and status < 0xA0 and velocity > 0 then notes = notes + 1 end
  end
  seen = pos
end
local function set_meter(n)
  assert(ARDOUR.LuaAPI.set_processor_param(proc, index["Beats per bar"], n), "cannot set beats per bar")
  say("METER " .. n)
end
local function watch(seconds)
  for i = 1, seconds * 10 do
    ARDOUR.LuaAPI.usleep(100000)
    count_midi()
    say(string.format("TICK tempo=%.3f confidence=%.3f beat_in_bar=%d bar=%d state=%d clock=%d notes=%d starts=%d",
        get(proc, "Tempo"), get(proc, "Confidence"), get(proc, "Beat in bar"), get(proc, "Bar"), get(proc, "State"),
        clock, notes, starts))
  end
end
set_meter(4)
assert(AudioEngine:connect("Click/audio_out 1", bus:input():audio(0):name()) == 0, "cannot connect the metronome")
ARDOUR.config():set_clicking(true)
Session:request_roll(ARDOUR.TransportRequestSource.TRS_UI)
watch(12)
Session:request_locate(0, false, ARDOUR.LocateTransportDisposition.MustRoll, ARDOUR.TransportRequestSource.TRS_UI)
say("LOCATE")
watch(10)
set_meter(3)
watch(12)
Session:request_stop(false, false, ARDOUR.TransportRequestSource.TRS_UI)
assert(Session:save_state("", false, false, false, false, false) == 0, "Ardour cannot save the session")
close_session()
assert(load_session(dir, "tactus"), "Ardour cannot load the saved session")
local again = Session:route_by_name("tactus"):nth_plugin(0)
assert(not again:isnil(), "the reloaded session lost the plugin")
say(string.format("RELOADED beats_per_bar=%d", get(again, "Beats per bar")))
close_session()
say("DONE")
)LUA";
    s.replace(s.find("@DIR@"), 5, dir.string());
    return s;
}

struct Tick {
    double tempo = 0, confidence = 0;
    int beat_in_bar = 0, bar = 0, state = 0;
    int clock = 0, notes = 0, starts = 0;  // MIDI the monitor has seen so far
    bool after_meter = false, after_locate = false;
};

}  // namespace

TEST_CASE("Ardour runs tactus.lv2 on a bus: tempo, beats and state from its metronome, parameters through Ardour, "
          "a saved session",
          "[lv2][ardour]") {
    const std::string lua = ardour_lua();
    skip_unless_host_runs(!lua.empty(), "Ardour (ardour7-lua)", "Ardour");
    const auto work = std::filesystem::temp_directory_path() / ("tactus-ardour-" + std::to_string(::getpid()));
    std::filesystem::remove_all(work);
    std::filesystem::create_directories(work / "config");
    const auto script = work / "session.lua";
    std::ofstream(script) << session_script(work / "session");

    // Ardour's settings go to a folder of the test's, not the user's.
    ChildProcess ardour({lua, script.string()},
                        {"LV2_PATH=" + built_lv2_path(), "XDG_CONFIG_HOME=" + (work / "config").string()},
                        work / "ardour.log");
    const bool exited = ardour.wait(std::chrono::seconds(120));
    const std::string out = ardour.output();
    INFO(out);
    REQUIRE(exited);
    CHECK(ardour.exit_code() == 0);
    REQUIRE(out.find("DONE") != std::string::npos);

    std::vector<Tick> ticks;
    const std::regex tick_line(
        R"(TICK tempo=([0-9.]+) confidence=([0-9.]+) beat_in_bar=(\d+) bar=(\d+) state=(\d+) clock=(\d+) notes=(\d+) starts=(\d+))");
    bool after_meter = false, after_locate = false;
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);) {
        if (line.find("METER 3") != std::string::npos) after_meter = true;
        if (line.find("LOCATE") != std::string::npos) after_locate = true;
        std::smatch m;
        if (!std::regex_search(line, m, tick_line)) continue;
        ticks.push_back({std::stod(m[1]), std::stod(m[2]), std::stoi(m[3]), std::stoi(m[4]), std::stoi(m[5]),
                         std::stoi(m[6]), std::stoi(m[7]), std::stoi(m[8]), after_meter, after_locate});
    }
    REQUIRE(ticks.size() == 340);  // 34 s at ten a second

    // Four beats per bar at first: locked at the metronome's 132 BPM, beats 1
    // to 4, bars counting.
    std::map<int, int> beats_before, beats_after;
    int locked_before = 0, first_bar = -1, last_bar = -1;
    double tempo = 0;
    for (const Tick& t : ticks) {
        if (t.after_locate) continue;
        if (t.state != int(TrackState::locked)) continue;
        ++locked_before;
        tempo = t.tempo;
        ++beats_before[t.beat_in_bar];
        if (first_bar < 0) first_bar = t.bar;
        last_bar = t.bar;
        CHECK(t.confidence > 0.0);
        CHECK(t.confidence <= 1.0);
    }
    CHECK(locked_before >= 60);  // locked for at least half of the first 12 s
    CHECK(tempo == Approx(132).margin(1));
    for (int b = 1; b <= 4; ++b) CHECK(beats_before[b] > 0);
    CHECK(last_bar - first_bar >= 3);

    // Its MIDI output reaches the next processor in Ardour's chain: one
    // Start, then 24 clock ticks and a note to each beat, at 132 BPM (over
    // the locked stretch, less its first two seconds; Ardour's 0.1 s sleeps
    // time it only roughly).
    std::size_t from = 0, to = 0;
    for (std::size_t i = 0; i < ticks.size() && !ticks[i].after_locate; ++i)
        if (ticks[i].state == int(TrackState::locked)) {
            if (from == 0) from = i + 20;
            to = i;
        }
    REQUIRE(to > from + 30);
    const double beats = double(ticks[to].notes - ticks[from].notes), seconds = double(to - from) / 10.0;
    INFO("from " << from << " to " << to << ": " << beats << " notes, " << ticks[to].clock - ticks[from].clock << " clock ticks");
    CHECK(ticks[to].starts == 1);
    CHECK(double(ticks[to].clock - ticks[from].clock) / beats == Approx(24).margin(1));
    CHECK(beats / seconds * 60 == Approx(132).epsilon(0.1));

    // The transport relocated while rolling: the analysis starts over within
    // a second (no longer locked), then locks on the metronome again.
    std::vector<Tick> relocated;
    for (const Tick& t : ticks)
        if (t.after_locate && !t.after_meter) relocated.push_back(t);
    REQUIRE(relocated.size() == 100);
    bool restarted = false;
    for (std::size_t i = 0; i < 10; ++i) restarted = restarted || relocated[i].state != int(TrackState::locked);
    CHECK(restarted);
    CHECK(relocated.back().state == int(TrackState::locked));
    CHECK(relocated.back().tempo == Approx(132).margin(1));

    // Three beats per bar, set through Ardour: after a second to take effect,
    // the beats run 1 to 3 and never reach 4.
    std::size_t changed_at = ticks.size();
    for (std::size_t i = 0; i < ticks.size(); ++i)
        if (ticks[i].after_meter) {
            changed_at = i;
            break;
        }
    REQUIRE(changed_at < ticks.size());
    for (std::size_t i = changed_at + 10; i < ticks.size(); ++i)
        if (ticks[i].state == int(TrackState::locked)) ++beats_after[ticks[i].beat_in_bar];
    for (int b = 1; b <= 3; ++b) CHECK(beats_after[b] > 0);
    CHECK(beats_after[4] == 0);

    // the saved session restores the plugin with its setting
    CHECK(out.find("RELOADED beats_per_bar=3") != std::string::npos);
    std::filesystem::remove_all(work);
}
