// tactus.lv2's cost per block, in the lilv host of the tests (the built
// bundle, as a host loads it): at 64, 256 and 1024 frames (48 kHz, a
// 120 BPM groove, the default ensemble of three models),
//  - run() with the host's worker: what the audio thread pays;
//  - work(): what the worker pays, per block on average and at most;
//  - run() analysing itself (no worker, or freewheeling).
// Prints mean, 99th percentile and maximum in microseconds, and the mean
// as a share of the block's duration.
//   tactus-bench-lv2 [seconds of audio per case (default 60)]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "audio_fixtures.hpp"
#include "host/lv2_host.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Stats {
    double mean = 0, p99 = 0, max = 0;
};

Stats stats(std::vector<double> us) {
    Stats s;
    if (us.empty()) return s;
    for (double v : us) s.mean += v;
    s.mean /= double(us.size());
    std::sort(us.begin(), us.end());
    s.p99 = us[std::min(us.size() - 1, std::size_t(0.99 * double(us.size())))];
    s.max = us.back();
    return s;
}

double micros(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

void row(const char* what, std::uint32_t block, const Stats& s, double rate) {
    const double block_us = 1e6 * block / rate;
    std::printf("%-34s %6u %10.2f %10.2f %10.2f %9.2f %%\n", what, block, s.mean, s.p99, s.max, 100.0 * s.mean / block_us);
}

}  // namespace

int main(int argc, char** argv) {
    const double seconds = argc > 1 ? std::atof(argv[1]) : 60.0;
    const double rate = 48000;
    const auto audio = tactus::test::groove(rate, 120, seconds);
    tactus::test::Lv2World world(TACTUS_LV2_PATH);
    std::printf("tactus.lv2 per block at %.0f Hz, %.0f s of audio per case (microseconds)\n", rate, seconds);
    std::printf("%-34s %6s %10s %10s %10s %10s\n", "", "frames", "mean", "p99", "max", "of block");
    for (std::uint32_t block : {64u, 256u, 1024u}) {
        // with the host's worker: run() and work() timed apart
        tactus::test::Lv2Instance inst(world, rate, tactus::test::WorkerMode::deferred);
        if (!inst.ok()) {
            std::fprintf(stderr, "tactus-bench-lv2: the plugin did not instantiate\n");
            return 1;
        }
        std::vector<double> run_us, work_us;
        for (std::size_t at = 0; at + block <= audio.size(); at += block) {
            inst.prepare(block, audio.data() + at, nullptr);
            const auto t0 = Clock::now();
            inst.run_plugin(block);
            const auto t1 = Clock::now();
            inst.finish_block(block);  // the worker's work() for this block, and reading the output
            const auto t2 = Clock::now();
            run_us.push_back(micros(t1 - t0));
            work_us.push_back(micros(t2 - t1));
        }
        row("run() with the host's worker", block, stats(run_us), rate);
        row("work() (+ host reading output)", block, stats(work_us), rate);

        // no worker: run() analyses
        tactus::test::Lv2Instance sync(world, rate, tactus::test::WorkerMode::none);
        std::vector<double> sync_us;
        for (std::size_t at = 0; at + block <= audio.size(); at += block) {
            sync.prepare(block, audio.data() + at, nullptr);
            const auto t0 = Clock::now();
            sync.run_plugin(block);
            sync_us.push_back(micros(Clock::now() - t0));
            sync.finish_block(block);
        }
        row("run() analysing (no worker)", block, stats(sync_us), rate);
        if (inst.beats.size() < 10 || sync.beats.size() < 10) {
            std::fprintf(stderr, "tactus-bench-lv2: too few beats (%zu, %zu): not a representative run\n",
                         inst.beats.size(), sync.beats.size());
            return 1;
        }
    }
    return 0;
}
