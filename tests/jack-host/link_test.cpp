// Ableton Link: tactus-jack publishes the tracked tempo and beat phase to
// a Link session that a peer (this test) joins.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include <ableton/Link.hpp>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <thread>

#include "audio_fixtures.hpp"
#include "jack_peers.hpp"
#include "paths.hpp"
#include "tactus_jack_peer.hpp"

using namespace tactus::test;
using namespace std::chrono_literals;

TEST_CASE("a Link peer sees the tracked tempo and beats on the music's beats", "[jack][link]") {
    const std::string server = server_name("link");
    JackServer jackd(server, 48000, 256);
    ableton::Link peer(90.0);
    peer.enable(true);
    Child tj(tactus_jack("tjl", {"--link"}), env_for(server));
    wait_for_port(server, "tjl:in_1", tj);
    for (int i = 0; i < 50 && peer.numPeers() == 0; ++i) std::this_thread::sleep_for(100ms);
    REQUIRE(peer.numPeers() == 1);
    Player player(server, "player", groove(48000, 128, 20, 0.4));
    player.connect("tjl:in_1");
    player.start();
    // From 10 s on, twice a second: the peer's session tempo, and its beat
    // grid at the groove's next beat (Link's timeline is extrapolated from
    // now, so look only a beat ahead). JACK's clock and Link's are both
    // CLOCK_MONOTONIC_RAW here: compare in microseconds, through the
    // player's cycles (under load the audio falls behind the wall clock).
    int near = 0, checked = 0;
    double tempo = 0;
    std::vector<double> offs;
    std::string shown;
    const auto until = std::chrono::steady_clock::now() + 60s;
    while (!player.done() && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(500ms);
        if (player.start_usecs() == 0) continue;
        const auto state = peer.captureAppSessionState();
        const auto now = peer.clock().micros();
        const double audio_now = player.audio_time(player.to_monotonic(std::uint64_t(now.count())));
        if (audio_now < 10 || audio_now > 19) continue;
        tempo = state.tempo();
        const double period = 60.0 / 128.0;
        const double next = 0.4 + period * std::ceil((audio_now - 0.4) / period);
        const auto at = std::chrono::microseconds(std::int64_t(player.usecs_at_audio_time(next)));
        const double phase = state.phaseAtTime(at, 1.0);
        const double off = std::min(phase, 1.0 - phase) * period;
        shown += std::to_string(int(off * 1000)) + " ";
        offs.push_back(off);
        ++checked;
        // the tracker places beats on its 20 ms analysis frames, so at
        // 128 BPM (23.4 frames a beat) each beat lands up to a frame off
        // the music's, on top of its constant lead of about 17 ms
        near += off < 0.05 ? 1 : 0;
    }
    REQUIRE_FALSE(player.shut_down());
    REQUIRE(player.done());
    INFO("Link's beat grid off the groove's beats (ms): " << shown);
    CHECK(tempo == Approx(128).epsilon(0.01));
    CHECK(checked >= 10);
    CHECK(near >= checked - 1);
    REQUIRE_FALSE(offs.empty());
    std::sort(offs.begin(), offs.end());
    CHECK(offs[offs.size() / 2] < 0.04);
    CHECK(tj.terminate() == 0);
}
