// tactus-analyze: the engine run over audio files, through the same
// streaming path as the live clients (blocks of --block frames at the
// file's own rate, pushed one after the other). One file prints its beats;
// several files (or folders) are analysed as one batch (see batch.hpp).
#include <CLI/CLI.hpp>
#include <malloc.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "analyze_file.hpp"
#include "batch.hpp"
#include "progress.hpp"
#include "tactus/error.hpp"
#include "tactus/model.hpp"
#include "tactus/params.hpp"

namespace {

using namespace tactus::cli;

struct Options {
    std::vector<std::string> inputs;
    std::string model_file;
    std::string out_dir;
    int jobs = 0;
    AnalyzeOptions analyze;
    std::map<std::string, std::string> params;  // from the parameter table's flags
};

std::vector<std::filesystem::path> model_files(const Options& o, const tactus::ParamSet& params) {
    if (!o.model_file.empty()) return {o.model_file};
    std::vector<std::filesystem::path> files;
    for (int id : params.model_ids()) files.push_back(tactus::find_model(id));
    return files;
}

int run(Options& o) {
    tactus::ParamSet& params = o.analyze.params;
    for (const auto& [name, text] : o.params) {
        const tactus::ParamSpec* spec = tactus::find_param(name);
        const auto clamped = tactus::set_param_text(params, *spec, text);
        if (!clamped) throw tactus::Error("--" + name + ": '" + text + "' is not a valid value");
        if (*clamped)
            std::fprintf(stderr, "tactus-analyze: --%s %s is out of range; using %s\n", name.c_str(), text.c_str(),
                         tactus::format_param_value(*spec, params.get(spec->id)).c_str());
    }
    // --activations prints one network's output: model 1 unless asked
    if (o.analyze.activations && !o.params.count("model")) params.set(tactus::ParamId::model, 1);
    params.set(tactus::ParamId::prediction_lead_ms, float(o.analyze.lead_ms));
    o.analyze.models = model_files(o, params);

    const bool single = o.inputs.size() == 1 && o.out_dir.empty() && !std::filesystem::is_directory(o.inputs[0]);
    if (single) {
        const std::string& file = o.inputs[0];
        std::unique_ptr<Progress> bar;
        tactus::cli::analyze_file(file, o.analyze, nullptr, stdout, [&](double done_s, double total_s) {
            // a bar (in milliseconds) for files over a minute
            if (!bar) bar = std::make_unique<Progress>(file, total_s > 60 ? std::int64_t(total_s * 1000) : 0);
            bar->update(std::int64_t(done_s * 1000));
        });
        return 0;
    }
    BatchOptions batch;
    batch.out_dir = o.out_dir;
    batch.jobs = o.jobs;
    const auto inputs = collect_inputs(o.inputs);
    if (inputs.empty()) throw tactus::Error("no audio files found");
    return run_batch(inputs, o.analyze, batch) > 0 ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
    // A short-lived process: memory freed (a model's fp32 weights once
    // packed, the next model's file) is kept for the next allocation rather
    // than returned to the kernel and faulted in afresh, which costs more
    // than the work itself on some VMs (a 30 s clip: 2390 page faults, 1680
    // with this). 32 MiB is glibc's largest mmap threshold: mallopt refuses
    // anything above it and changes nothing.
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    CLI::App app{"tactus-analyze: beats, downbeats and tempo of audio files, as the live engine finds them.\n"
                 "Prints one line per beat: time_s<TAB>beat_in_bar (1 = downbeat). With several files or a\n"
                 "folder, each file's lines follow a '# <file>' header, or go to --out-dir."};
    Options o;
    AnalyzeOptions& a = o.analyze;
    app.add_option("files", o.inputs,
                   "audio files (anything libsndfile reads: wav, flac, ogg, mp3) or folders (searched recursively)")
        ->required();
    app.add_flag("--activations", a.activations, "print time_s, beat and downbeat activation per frame instead (model 1 unless --model)");
    app.add_flag("--predicted", a.predicted, "print the beats as committed in advance, at least --lead ms before they happened");
    app.add_option("--lead", a.lead_ms, "lead of committed predictions, ms")->check(CLI::Range(0.0, 500.0))->capture_default_str();
    app.add_flag("--json", a.json, "print JSON lines with every field of every event (beats and predictions)");
    app.add_flag("--fp32", a.fp32,
                 "compute the network on the CPU in fp32, as PyTorch does (the default multiplies 7-bit weights and "
                 "inputs: a third of the time, the same accuracy; a GPU and --activations always use fp32)");
    app.add_option("--block", a.block, "frames per push at the file's rate")->check(CLI::Range(1, 1 << 20))->capture_default_str();
    app.add_option("--model-file", o.model_file, "a model file to use instead of --model");
    app.add_option("--seed", a.seed, "random seed of --inference beatnet")->capture_default_str();
    app.add_option("--out-dir", o.out_dir,
                   "write each file's output to DIR/<name>.beats (.json with --json, .activations with --activations); "
                   "folders keep their structure below DIR");
    app.add_option("--jobs", o.jobs, "files analysed at once (default: one per CPU core; more with a GPU)")
        ->check(CLI::Range(1, 4096));
    auto* group = app.add_option_group("Parameters", "the engine's parameter table");
    for (const auto& spec : tactus::param_table()) {
        if (!(spec.faces & tactus::kFaceEngine) || spec.id == tactus::ParamId::prediction_lead_ms) continue;
        std::string desc = spec.doc;
        if (spec.type == tactus::ParamType::choice) {
            desc += " (";
            for (const char* c : spec.choices)
                if (c) desc += std::string(desc.back() == '(' ? "" : "|") + c;
            if (spec.id == tactus::ParamId::device) desc += "|cuda:N";
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
        return run(o);
    } catch (const tactus::Error& e) {
        std::fprintf(stderr, "tactus-analyze: %s\n", e.what());
        return 1;
    }
}
