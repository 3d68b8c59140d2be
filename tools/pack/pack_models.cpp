// tactus-pack-models [DIR]: packs BeatNet models 1-3 (in DIR, or where
// tactus-analyze finds them) for this build's CPU network, primed with the
// silence every stream starts with, into <model>.packed beside each.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <string>

#include "tactus/analyzer.hpp"
#include "tactus/error.hpp"
#include "tactus/model.hpp"
#include "tactus/packed_model.hpp"

int main(int argc, char** argv) {
    CLI::App app{"Packs the BeatNet models for this build's CPU network (<model>.packed beside each): "
                 "tactus-analyze, tactus-jack and the plugin then start without packing them."};
    std::string dir;
    app.add_option("DIR", dir, "folder of beatnet-model-{1,2,3}.safetensors (default: where tactus-analyze finds them)");
    CLI11_PARSE(app, argc, argv);
    try {
        for (int id = 1; id <= 3; ++id) {
            const std::filesystem::path model =
                dir.empty() ? tactus::find_model(id) : std::filesystem::path(dir) / tactus::model_file_name(id);
            const auto out = tactus::write_packed_model(model, tactus::Analyzer::kSilenceFrames);
            std::printf("%s\n", out.string().c_str());
        }
    } catch (const tactus::Error& e) {
        std::fprintf(stderr, "tactus-pack-models: %s\n", e.what());
        return 1;
    }
    return 0;
}
