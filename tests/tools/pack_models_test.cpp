// tactus-pack-models as setup runs it, and tactus-analyze starting from
// what it writes: the same beats, packed or not; a damaged packed file is
// named on stderr and the analysis goes on from the model file.
#include <catch2/catch.hpp>

#include <fstream>

#include "audio_fixtures.hpp"
#include "paths.hpp"
#include "run.hpp"
#include "sound_file.hpp"
#include "tactus/model.hpp"

using namespace tactus::test;
namespace fs = std::filesystem;

namespace {

fs::path folder(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / ("tactus-pack-test-" + name);
    fs::remove_all(dir);
    fs::create_directories(dir);
    for (int id = 1; id <= 3; ++id) fs::copy_file(model_path(id), dir / tactus::model_file_name(id));
    return dir;
}

std::string pack() { return quote(bin_dir() / "tactus-pack-models"); }

RunResult analyze(const fs::path& models, const fs::path& audio) {
    return run("TACTUS_MODEL_DIR=" + quote(models) + " " + quote(bin_dir() / "tactus-analyze") + " --device cpu " +
               quote(audio));
}

}  // namespace

TEST_CASE("tactus-pack-models packs the three models, and tactus-analyze gives the same beats from them", "[pack]") {
    const fs::path plain = folder("plain"), packed = folder("packed");
    const auto r = run(pack() + " " + quote(packed));
    INFO(r.err);
    REQUIRE(r.status == 0);
    for (int id = 1; id <= 3; ++id) {
        const fs::path p = packed / ("beatnet-model-" + std::to_string(id) + ".packed");
        CHECK(r.out.find(p.string()) != std::string::npos);
        CHECK(fs::file_size(p) > 400000);
    }
    const fs::path audio = fs::temp_directory_path() / "tactus-pack-test-groove.wav";
    write_sound_file(audio, groove(44100, 124, 10), 44100);
    const RunResult from_models = analyze(plain, audio), from_packed = analyze(packed, audio);
    REQUIRE(from_models.status == 0);
    REQUIRE(from_packed.status == 0);
    CHECK(std::count(from_packed.out.begin(), from_packed.out.end(), '\n') >= 15);
    CHECK(from_packed.out == from_models.out);
    CHECK(from_packed.err.find("packing the model at start") == std::string::npos);

    // damaged: said on stderr, and the beats are the same all the same
    {
        std::fstream f(packed / "beatnet-model-2.packed", std::ios::binary | std::ios::in | std::ios::out);
        f.seekp(100000);
        f.put('\x5a');
    }
    const RunResult damaged = analyze(packed, audio);
    REQUIRE(damaged.status == 0);
    CHECK(damaged.out == from_models.out);
    CHECK(damaged.err.find("beatnet-model-2.packed is corrupt") != std::string::npos);
}

TEST_CASE("tactus-pack-models without the models says so in one line", "[pack]") {
    const fs::path empty = fs::temp_directory_path() / "tactus-pack-test-empty";
    fs::remove_all(empty);
    fs::create_directories(empty);
    const auto r = run(pack() + " " + quote(empty));
    CHECK(r.status == 1);
    CHECK(r.err.find("tactus-pack-models: ") == 0);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK(fs::is_empty(empty));
}
