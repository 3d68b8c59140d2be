#include "analyze_file.hpp"

#include <algorithm>
#include <string>

#include "output.hpp"
#include "tactus/activations.hpp"
#include "tactus/audio_file.hpp"
#include "tactus/engine.hpp"

namespace tactus::cli {
namespace {

struct PrintActivations final : FrameSink {
    explicit PrintActivations(std::FILE* out) : out_(out) {}
    void on_frame(const FrameOutput& f) override {
        std::fprintf(out_, "%.2f\t%.6f\t%.6f\n", double(f.index) / kFps, double(f.beat), double(f.downbeat));
    }
    std::FILE* out_;
};

// Streams a file through `feed` in blocks of `block` frames, mixed to mono
// (a FLAC file by its decoder, with no interleaved copy).
// The file is read a whole number of blocks at a time (at least 16384
// frames): a read per 256-frame block made a system call every 6 ms of
// audio, 5 % of a 30 s file's CPU time.
template <class Feed>
void stream_file(AudioFile& file, std::size_t block, const ProgressFn& progress, Feed&& feed) {
    const std::size_t chunk = block * std::max<std::size_t>(1, (16384 + block - 1) / block);
    std::vector<float> mono(chunk);
    std::int64_t done = 0;
    std::size_t got;
    while ((got = file.read_mono(mono.data(), chunk)) > 0) {
        const float* m = mono.data();
        for (std::size_t at = 0; at < got; at += block) {
            const std::size_t n = std::min(block, got - at);
            feed(m + at, n);
            done += std::int64_t(n);
            if (progress) progress(double(done) / file.sample_rate(), double(file.frames()) / file.sample_rate());
        }
    }
}

void report_sanitized(const std::filesystem::path& path, std::uint64_t samples) {
    if (samples > 0)
        std::fprintf(stderr, "tactus-analyze: %s: %llu samples were NaN, Inf, denormal or out of range and were replaced\n",
                     path.c_str(), static_cast<unsigned long long>(samples));
}

}  // namespace

void analyze_file(const std::filesystem::path& path, const AnalyzeOptions& o, std::shared_ptr<CrnnProvider> device,
                  std::FILE* out, const ProgressFn& progress) {
    AudioFile file(path);  // opens and checks the header; no audio is read before the models load
    if (!device) device = open_crnn_device(o.params.device());
    if (o.activations) {
        ActivationPipeline pipe(o.models, file.sample_rate(), CrnnArithmetic::exact, device.get());
        pipe.set_batch(CrnnBackend::kMaxFrames);
        // BeatNet's activations as its own pipeline computes them (zero LSTM
        // state, no first difference), not the silence-primed start the
        // tracker uses
        PrintActivations sink(out);
        stream_file(file, o.block, progress, [&](const float* x, std::size_t n) { pipe.feed(x, n, sink); });
        pipe.finish(sink);
        report_sanitized(path, pipe.sanitized_samples());
        return;
    }
    // The live engine, run synchronously: blocks go through its FIFO and
    // are analysed on this thread.
    EngineConfig cfg;
    cfg.sample_rate = file.sample_rate();
    cfg.params = o.params;
    cfg.model_files = o.models;
    cfg.seed = o.seed;
    cfg.arithmetic = o.fp32 ? CrnnArithmetic::exact : CrnnArithmetic::fast;
    cfg.batch_frames = CrnnBackend::kMaxFrames;  // a file: batch the CRNN (the same events as live, less CPU)
    cfg.fifo_seconds = std::max(1.0, 2.0 * double(o.block) / file.sample_rate());
    cfg.device = device;
    Engine engine(cfg);
    const OutputMode mode = o.json ? OutputMode::json : o.predicted ? OutputMode::predicted : OutputMode::beats;
    EventPrinter printer(mode, file.sample_rate(), o.lead_ms / 1000.0, out);
    engine.set_listener(&printer);
    stream_file(file, o.block, progress, [&](const float* x, std::size_t n) {
        engine.push_rt(&x, 1, std::uint32_t(n));
        engine.process();
        BeatEvent drain[64];
        while (engine.pop_events_rt(drain, 64) > 0) {  // the RT ring is not read here
        }
    });
    engine.finish();
    report_sanitized(path, engine.stats().sanitized_samples);
}

}  // namespace tactus::cli
