// tactus-analyze: the engine run over audio files.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "tactus/activations.hpp"
#include "tactus/audio_file.hpp"
#include "tactus/error.hpp"
#include "tactus/model.hpp"

namespace {

struct PrintActivations final : tactus::FrameSink {
    void on_frame(const tactus::FrameOutput& f) override {
        std::printf("%.2f\t%.6f\t%.6f\n", double(f.index) / tactus::kFps, double(f.beat), double(f.downbeat));
    }
};

int run_activations(const std::string& path, const tactus::Model& model) {
    tactus::AudioFile file(path);
    tactus::ActivationPipeline pipe(model.weights, file.sample_rate());
    PrintActivations sink;
    const std::size_t block = 4096;
    std::vector<float> inter(block * std::size_t(file.channels())), mono(block);
    std::size_t n;
    while ((n = file.read(inter.data(), block)) > 0) {
        tactus::mix_to_mono(inter.data(), n, file.channels(), mono.data());
        pipe.feed(mono.data(), n, sink);
    }
    pipe.finish(sink);
    if (pipe.sanitized_samples() > 0)
        std::fprintf(stderr, "tactus-analyze: %s: %llu samples were NaN, Inf, denormal or out of range and were replaced\n",
                     path.c_str(), static_cast<unsigned long long>(pipe.sanitized_samples()));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"tactus-analyze: beats, downbeats and tempo of audio files"};
    std::string file;
    int model_id = 1;
    std::string model_path;
    bool activations = false;
    app.add_option("file", file, "audio file (anything libsndfile reads: wav, flac, ogg, mp3)")->required();
    app.add_option("--model", model_id, "BeatNet model 1, 2 or 3")->check(CLI::Range(1, 3));
    app.add_option("--model-file", model_path, "path of a model file (overrides --model)");
    app.add_flag("--activations", activations, "print time_s, beat and downbeat activation per frame");
    CLI11_PARSE(app, argc, argv);
    try {
        const tactus::Model model = tactus::load_model(model_path.empty() ? tactus::find_model(model_id) : std::filesystem::path(model_path));
        if (activations) return run_activations(file, model);
        std::fprintf(stderr, "tactus-analyze: beat tracking is not built yet; use --activations\n");
        return 2;
    } catch (const tactus::Error& e) {
        std::fprintf(stderr, "tactus-analyze: %s\n", e.what());
        return 1;
    }
}
