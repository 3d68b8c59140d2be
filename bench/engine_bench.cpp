// Real-time engine figures:
//  - push_rt cost per 64/256/1024-frame stereo block (Google Benchmark);
//  - starting an engine (model 1, ensemble): loading and packing the
//    weights and priming the network with silence, the fixed cost of every
//    file tactus-analyze reads and of every plugin instance;
//  - worker CPU per second of audio (model 1, ensemble);
//  - end-to-end delay, real-time paced: from the push of the block holding
//    the audio an event depends on to the event being available to the
//    audio thread, and the algorithmic latency of detections.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "../tests/support/audio_fixtures.hpp"
#include "tactus/engine.hpp"
#include "tactus/model.hpp"

namespace {

using Clock = std::chrono::steady_clock;

tactus::EngineConfig config(double rate, const char* model) {
    tactus::EngineConfig c;
    c.sample_rate = rate;
    c.params.set(tactus::ParamId::model, *tactus::parse_param_value(tactus::param_spec(tactus::ParamId::model), model));
    return c;
}

void BM_PushRt(benchmark::State& state) {
    const auto frames = std::uint32_t(state.range(0));
    tactus::Engine engine(config(48000, "1"));
    const auto left = tactus::test::groove(48000, 120, 10);
    const auto right = left;
    const std::size_t blocks_per_round = (48000 * 2) / frames;
    std::size_t at = 0, pushed = 0;
    for (auto _ : state) {
        const float* ch[2] = {left.data() + at, right.data() + at};
        engine.push_rt(ch, 2, frames);
        at = (at + frames) % (left.size() - frames);
        if (++pushed % blocks_per_round == 0) {
            state.PauseTiming();
            engine.process();  // empty the FIFO outside the timing
            state.ResumeTiming();
        }
    }
    state.SetItemsProcessed(std::int64_t(pushed));
    state.counters["dropped"] = double(engine.stats().dropped_frames);
}
BENCHMARK(BM_PushRt)->Arg(64)->Arg(256)->Arg(1024);

void BM_EngineStart(benchmark::State& state) {
    const char* model = state.range(0) == 1 ? "1" : "ensemble";
    for (auto _ : state) {
        tactus::Engine engine(config(44100, model));
        benchmark::DoNotOptimize(&engine);
    }
    state.SetLabel(model);
}
BENCHMARK(BM_EngineStart)->Arg(1)->Arg(3)->Unit(benchmark::kMillisecond);

void worker_cpu(const char* model) {
    tactus::Engine engine(config(48000, model));
    const double seconds = 60;
    const auto audio = tactus::test::groove(48000, 124, seconds);
    engine.start();
    tactus::BeatEvent ev[64];
    for (std::size_t at = 0; at < audio.size(); at += 512) {
        const float* ch = audio.data() + at;
        engine.push_rt(&ch, 1, std::uint32_t(std::min<std::size_t>(512, audio.size() - at)));
        while (engine.pop_events_rt(ev, 64) > 0) {
        }
        while (engine.stats().pushed_frames - engine.stats().processed_frames > 48000)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    while (engine.stats().processed_frames + std::int64_t(tactus::Engine::kQuantum) < engine.stats().pushed_frames)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    engine.stop();
    const double cpu = engine.stats().worker_cpu_s;
    std::printf("| worker CPU, model %-8s | %8.4f s per s of audio | %5.2f %% of a core |\n", model, cpu / seconds,
                100 * cpu / seconds);
}

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, std::size_t(p * double(v.size() - 1) + 0.5))];
}

void end_to_end(const char* model) {
    const double rate = 48000;
    const std::uint32_t block = 256;
    tactus::Engine engine(config(rate, model));
    const auto audio = tactus::test::groove(rate, 124, 20);
    std::vector<Clock::time_point> pushed_at(audio.size() / block + 2);
    engine.start();
    std::vector<double> processing_ms, algorithmic_ms;
    tactus::BeatEvent ev[64];
    const auto t0 = Clock::now();
    for (std::size_t b = 0; b * block + block <= audio.size(); ++b) {
        std::this_thread::sleep_until(t0 + std::chrono::nanoseconds(std::int64_t(double(b * block) / rate * 1e9)));
        const float* ch = audio.data() + b * block;
        engine.push_rt(&ch, 1, block);
        pushed_at[b] = Clock::now();
        const std::size_t n = engine.pop_events_rt(ev, 64);
        const auto now = Clock::now();
        for (std::size_t i = 0; i < n; ++i) {
            if (ev[i].predicted) continue;
            const std::size_t holding = std::size_t(std::max<std::int64_t>(ev[i].committed_frame - 1, 0)) / block;
            if (holding <= b)
                processing_ms.push_back(std::chrono::duration<double, std::milli>(now - pushed_at[holding]).count());
            algorithmic_ms.push_back(1000.0 * double(ev[i].committed_frame - ev[i].frame) / rate);
        }
    }
    engine.stop();
    std::printf("| delay, model %-8s       | processing median %6.2f ms, p99 %6.2f ms | detection latency median %6.1f ms, p99 %6.1f ms |\n",
                model, percentile(processing_ms, 0.5), percentile(processing_ms, 0.99), percentile(algorithmic_ms, 0.5),
                percentile(algorithmic_ms, 0.99));
}

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    std::printf("\n");
    worker_cpu("1");
    worker_cpu("ensemble");
    end_to_end("1");
    end_to_end("ensemble");
    return 0;
}
