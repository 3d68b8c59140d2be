// tactus-lv2-ttl: writes the Turtle of tactus.lv2 at build time.
//   tactus-lv2-ttl BUNDLE_DIR BINARY_NAME MINOR MICRO [PRESET.json ...]
// writes BUNDLE_DIR/manifest.ttl, tactus.ttl and presets/<name>.ttl.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "tactus/preset.hpp"
#include "tactus/error.hpp"
#include "ttl_writer.hpp"

namespace {

void write_file(const std::filesystem::path& path, const std::string& text) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out) throw tactus::Error("cannot write " + path.string());
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 5) {
        std::fprintf(stderr, "usage: %s BUNDLE_DIR BINARY_NAME MINOR MICRO [PRESET.json ...]\n", argv[0]);
        return 2;
    }
    try {
        const std::filesystem::path bundle = argv[1];
        tactus::lv2::BundleInfo info;
        info.binary = argv[2];
        info.minor_version = std::atoi(argv[3]);
        info.micro_version = std::atoi(argv[4]);
        std::vector<tactus::Preset> presets;
        std::set<std::string> names;
        for (int i = 5; i < argc; ++i) {
            presets.push_back(tactus::load_preset(argv[i]));
            if (!names.insert(presets.back().name).second)
                throw tactus::Error(std::string(argv[i]) + ": a second preset named \"" + presets.back().name + "\"");
        }
        write_file(bundle / "manifest.ttl", tactus::lv2::manifest_ttl(info, presets));
        write_file(bundle / "tactus.ttl", tactus::lv2::plugin_ttl(info));
        for (const auto& p : presets) write_file(bundle / tactus::lv2::preset_file(p), tactus::lv2::preset_ttl(p));
    } catch (const tactus::Error& e) {
        std::fprintf(stderr, "tactus-lv2-ttl: %s\n", e.what());
        return 1;
    }
    return 0;
}
