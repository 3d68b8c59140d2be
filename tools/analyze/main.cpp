// tactus-analyze: the engine run over audio files, through the same
// streaming path as the live clients (blocks of --block frames at the
// file's own rate, pushed one after the other).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "output.hpp"
#include "progress.hpp"
#include "tactus/activations.hpp"
#include "tactus/analyzer.hpp"
#include "tactus/audio_file.hpp"
#include "tactus/engine.hpp"
#include "tactus/error.hpp"
#include "tactus/model.hpp"
#include "tactus/params.hpp"

namespace {

using tactus::cli::OutputMode;

struct PrintActivations final : tactus::FrameSink {
    void on_frame(const tactus::FrameOutput& f) override {
        std::printf("%.2f\t%.6f\t%.6f\n", double(f.index) / tactus::kFps, double(f.beat), double(f.downbeat));
    }
};

struct Options {
    std::string file;
    std::string model_file;
    bool activations = false, predicted = false, json = false;
    double lead_ms = 20;
    std::size_t block = 256;
    std::uint64_t seed = 1;
    std::map<std::string, std::string> params;  // from the parameter table's flags
};

// Streams a file through `feed` in blocks, mixed to mono.
template <class Feed>
void stream_file(tactus::AudioFile& file, std::size_t block, const std::string& label, Feed&& feed) {
    tactus::cli::Progress progress(label, file.frames() > 60 * std::int64_t(file.sample_rate()) ? file.frames() : 0);
    std::vector<float> inter(block * std::size_t(file.channels())), mono(block);
    std::int64_t done = 0;
    std::size_t n;
    while ((n = file.read(inter.data(), block)) > 0) {
        tactus::mix_to_mono(inter.data(), n, file.channels(), mono.data());
        feed(mono.data(), n);
        progress.update(done += std::int64_t(n));
    }
}

std::vector<std::filesystem::path> model_files(const Options& o, const tactus::ParamSet& params) {
    if (!o.model_file.empty()) return {o.model_file};
    std::vector<std::filesystem::path> files;
    for (int id : params.model_ids()) files.push_back(tactus::find_model(id));
    return files;
}

void report_sanitized(const std::string& path, const tactus::ActivationPipeline& pipe) {
    if (pipe.sanitized_samples() > 0)
        std::fprintf(stderr, "tactus-analyze: %s: %llu samples were NaN, Inf, denormal or out of range and were replaced\n",
                     path.c_str(), static_cast<unsigned long long>(pipe.sanitized_samples()));
}

int run(const Options& o, tactus::ParamSet params) {
    for (const auto& [name, text] : o.params) {
        const tactus::ParamSpec* spec = tactus::find_param(name);
        const auto v = tactus::parse_param_value(*spec, text);
        if (!v) throw tactus::Error("--" + name + ": '" + text + "' is not a valid value");
        if (params.set(spec->id, *v))
            std::fprintf(stderr, "tactus-analyze: --%s %s is out of range; using %s\n", name.c_str(), text.c_str(),
                         tactus::format_param_value(*spec, params.get(spec->id)).c_str());
    }
    // --activations prints one network's output: model 1 unless asked
    if (o.activations && !o.params.count("model")) params.set(tactus::ParamId::model, 1);
    params.set(tactus::ParamId::prediction_lead_ms, float(o.lead_ms));

    const auto models = model_files(o, params);
    tactus::AudioFile file(o.file);  // opens and checks the header; no audio is read before the models load
    if (o.activations) {
        tactus::ActivationPipeline pipe(models, file.sample_rate());
        pipe.set_batch(32);
        PrintActivations sink;
        stream_file(file, o.block, o.file, [&](const float* x, std::size_t n) { pipe.feed(x, n, sink); });
        pipe.finish(sink);
        report_sanitized(o.file, pipe);
        return 0;
    }
    // The live engine, run synchronously: blocks go through its FIFO and
    // are analysed on this thread.
    tactus::EngineConfig cfg;
    cfg.sample_rate = file.sample_rate();
    cfg.params = params;
    cfg.model_files = models;
    cfg.seed = o.seed;
    cfg.batch_frames = 32;  // a file: batch the CRNN (the same events as live, less CPU)
    cfg.fifo_seconds = std::max(1.0, 2.0 * double(o.block) / file.sample_rate());
    tactus::Engine engine(cfg);
    const OutputMode mode = o.json ? OutputMode::json : o.predicted ? OutputMode::predicted : OutputMode::beats;
    tactus::cli::EventPrinter printer(mode, file.sample_rate(), o.lead_ms / 1000.0);
    engine.set_listener(&printer);
    stream_file(file, o.block, o.file, [&](const float* x, std::size_t n) {
        engine.push_rt(&x, 1, std::uint32_t(n));
        engine.process();
        tactus::BeatEvent drain[64];
        while (engine.pop_events_rt(drain, 64) > 0) {  // the RT ring is not read here
        }
    });
    engine.finish();
    const auto stats = engine.stats();
    if (stats.sanitized_samples > 0)
        std::fprintf(stderr, "tactus-analyze: %s: %llu samples were NaN, Inf, denormal or out of range and were replaced\n",
                     o.file.c_str(), static_cast<unsigned long long>(stats.sanitized_samples));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"tactus-analyze: beats, downbeats and tempo of an audio file, as the live engine finds them.\n"
                 "Prints one line per beat: time_s<TAB>beat_in_bar (1 = downbeat)."};
    Options o;
    app.add_option("file", o.file, "audio file (anything libsndfile reads: wav, flac, ogg, mp3)")->required();
    app.add_flag("--activations", o.activations, "print time_s, beat and downbeat activation per frame instead (model 1 unless --model)");
    app.add_flag("--predicted", o.predicted, "print the beats as committed in advance, at least --lead ms before they happened");
    app.add_option("--lead", o.lead_ms, "lead of committed predictions, ms")->check(CLI::Range(0.0, 500.0))->capture_default_str();
    app.add_flag("--json", o.json, "print JSON lines with every field of every event (beats and predictions)");
    app.add_option("--block", o.block, "frames per push at the file's rate")->check(CLI::Range(1, 1 << 20))->capture_default_str();
    app.add_option("--model-file", o.model_file, "a model file to use instead of --model");
    app.add_option("--seed", o.seed, "random seed of --inference beatnet")->capture_default_str();
    auto* group = app.add_option_group("Parameters", "the engine's parameter table");
    tactus::ParamSet defaults;
    for (const auto& spec : tactus::param_table()) {
        if (!(spec.faces & tactus::kFaceEngine) || spec.id == tactus::ParamId::prediction_lead_ms) continue;
        std::string desc = spec.doc;
        if (spec.type == tactus::ParamType::choice) {
            desc += " (";
            for (const char* c : spec.choices)
                if (c) desc += std::string(desc.back() == '(' ? "" : "|") + c;
            desc += ")";
        } else if (*spec.unit) {
            desc += std::string(" [") + spec.unit + "]";
        }
        desc += "; default " + tactus::format_param_value(spec, spec.def);
        const std::string name = tactus::flag_name(spec);
        group->add_option_function<std::string>("--" + name, [&o, name](const std::string& v) { o.params[name] = v; }, desc);
    }
    CLI11_PARSE(app, argc, argv);
    try {
        return run(o, defaults);
    } catch (const tactus::Error& e) {
        std::fprintf(stderr, "tactus-analyze: %s\n", e.what());
        return 1;
    }
}
