// tactus-jack's real-time figures, in-process against our own jackd
// (dummy backend, 48 kHz): the process callback's time per period at
// 64/256/1024 frames (and the DSP load it means), the worker's CPU per
// second of audio, and the peak RSS of the whole client (ensemble models).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include "../tests/jack-host/jack_peers.hpp"
#include "../tests/support/audio_fixtures.hpp"
#include "jack_session.hpp"
#include "tactus/engine.hpp"

namespace {

long status_kb(int pid, const char* key) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(key, 0) == 0) return std::stol(line.substr(std::string(key).size()));
    return 0;
}

}  // namespace

int main() {
    std::printf("| period | callback mean | callback p99 | callback max | DSP load of the callback | JACK DSP load | worker CPU |\n");
    std::printf("|---|---|---|---|---|---|---|\n");
    for (int period : {64, 256, 1024}) {
        const std::string server = "tactus-bench-" + std::to_string(::getpid()) + "-" + std::to_string(period);
        tactus::test::JackServer jackd(server, 48000, period);
        ::setenv("JACK_DEFAULT_SERVER", server.c_str(), 1);
        tactus::EngineConfig ec;
        ec.sample_rate = 48000;
        tactus::Engine engine(ec);  // outlives the session, whose callback feeds it
        tactus::jack::ClientOptions opt;
        opt.name = "tactus";
        opt.no_connect = true;
        tactus::jack::JackSession session(opt);
        engine.start();
        session.activate(engine, nullptr);
        tactus::test::Player player(server, "player", tactus::test::groove(48000, 124, 14));
        player.connect("tactus:in_1");
        player.connect("tactus:in_2");
        player.start();
        std::vector<double> samples;
        double worst = 0, jack_load = 0;
        int loads = 0;
        std::this_thread::sleep_for(std::chrono::seconds(2));
        (void)session.stats();
        const double cpu0 = engine.stats().worker_cpu_s;  // the 12 s measured below, after the warm-up
        while (!player.done()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            const auto s = session.stats();
            samples.push_back(s.callback_us);
            worst = std::max(worst, s.callback_max_us);
            jack_load += s.dsp_load;
            ++loads;
        }
        const double cpu = engine.stats().worker_cpu_s - cpu0;
        engine.stop();
        std::sort(samples.begin(), samples.end());
        double mean = 0;
        for (double v : samples) mean += v;
        mean /= double(samples.size());
        const double period_us = 1e6 * period / 48000.0;
        std::printf("| %4d | %7.1f us | %7.1f us | %7.1f us | %5.2f %% | %5.2f %% | %6.4f s/s |\n", period, mean,
                    samples[std::size_t(0.99 * double(samples.size() - 1))], worst, 100.0 * mean / period_us,
                    jack_load / loads, cpu / 12.0);
    }
    // tactus-jack itself, running with OSC, playing nothing (memory does not
    // grow with audio): its own memory, and JACK's shared segment, which
    // every client of a server maps (jack_midi_clock shows the same).
    const std::string server = "tactus-bench-rss-" + std::to_string(::getpid());
    tactus::test::JackServer jackd(server, 48000, 256);
    tactus::test::Child tj({TACTUS_JACK_PATH, "--name", "tj", "--no-connect", "--osc", "127.0.0.1:9", "--osc-control-port", "0"},
                           {"JACK_DEFAULT_SERVER=" + server});
    for (int i = 0; i < 100 && tj.stderr_text().find("running as") == std::string::npos; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::this_thread::sleep_for(std::chrono::seconds(2));
    const int pid = tj.pid();
    if (tj.stderr_text().find("running as") == std::string::npos) std::printf("tactus-jack did not start: %s\n", tj.stderr_text().c_str());
    const long anon = status_kb(pid, "RssAnon:"), file = status_kb(pid, "RssFile:"), shm = status_kb(pid, "RssShmem:");
    std::printf("\ntactus-jack (ensemble): RSS %ld kB of its own (%ld heap + %ld code), plus %ld kB of jackd's shared memory\n",
                anon + file, anon, file, shm);
    return 0;
}
