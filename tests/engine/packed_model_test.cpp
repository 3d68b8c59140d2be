// Packed model files (tactus/packed_model.hpp) are a cache of what every
// start computes: a network read from one is bitwise the network packed
// from the model file and primed with silence, and a file that is damaged,
// stale or from another build is passed over (saying why) for the model
// file, never trusted and never fatal.
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <random>

#include "audio_fixtures.hpp"
#include "paths.hpp"
#include "tactus/activations.hpp"
#include "tactus/analyzer.hpp"
#include "tactus/crnn.hpp"
#include "tactus/error.hpp"
#include "tactus/packed_model.hpp"

using namespace tactus;
namespace fs = std::filesystem;

namespace {

constexpr int kSilence = Analyzer::kSilenceFrames;

// A folder of its own with copies of the three model files.
fs::path model_dir(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / ("tactus-packed-test-" + name);
    fs::remove_all(dir);
    fs::create_directories(dir);
    for (int id = 1; id <= 3; ++id) fs::copy_file(test::model_path(id), dir / model_file_name(id));
    return dir;
}
std::vector<fs::path> files_in(const fs::path& dir) {
    return {dir / model_file_name(1), dir / model_file_name(2), dir / model_file_name(3)};
}

std::vector<std::uint8_t> slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}
void spit(const fs::path& p, const std::vector<std::uint8_t>& b) {
    std::ofstream(p, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
}

std::vector<float> random_features(int frames, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(0.f, 1.5f);
    std::vector<float> f(std::size_t(frames) * kFeatureSize);
    for (auto& v : f) v = u(rng);
    return f;
}

std::vector<float> run(CrnnCpu& net, const std::vector<float>& features) {
    const int frames = int(features.size() / kFeatureSize);
    std::vector<float> p(std::size_t(frames) * kClasses);
    net.run(features.data(), frames, p.data());
    return p;
}

void prime(CrnnCpu& net, int frames) { run(net, std::vector<float>(std::size_t(frames) * kFeatureSize, 0.f)); }

struct Frames final : FrameSink {
    std::vector<float> beat, down;
    void on_frame(const FrameOutput& f) override {
        beat.push_back(f.beat);
        down.push_back(f.downbeat);
    }
};

struct PipelineRun {
    Frames frames;
    bool restored;
};
PipelineRun run_pipeline(const fs::path& dir, CrnnArithmetic a = CrnnArithmetic::fast) {
    ActivationPipeline pipe(files_in(dir), 44100, a, cpu_provider().get());
    pipe.set_silence_before(kSilence);
    pipe.set_batch(32);
    const auto audio = test::groove(44100, 120, 6);
    PipelineRun r;
    r.restored = pipe.silence_restored();
    pipe.feed(audio.data(), audio.size(), r.frames);
    pipe.finish(r.frames);
    return r;
}

}  // namespace

TEST_CASE("a packed model is bitwise the network packed from its model file and primed with silence", "[packed]") {
    const fs::path dir = model_dir("bitwise");
    for (int id = 1; id <= 3; ++id) {
        INFO("model " << id);
        const fs::path written = write_packed_model(dir / model_file_name(id), kSilence);
        CHECK(written == dir / ("beatnet-model-" + std::to_string(id) + ".packed"));
        std::string why;
        const auto packed = PackedModel::open(dir / model_file_name(id), &why);
        REQUIRE(packed);
        CHECK(why.empty());
        CHECK(packed->silence_frames() == kSilence);
        CrnnCpu from_file(packed->image());
        CrnnCpu from_weights(view_of(test::model(id).weights), CrnnArithmetic::fast);
        prime(from_weights, kSilence);
        const auto features = random_features(70, unsigned(id));
        CHECK(run(from_file, features) == run(from_weights, features));
        // a reset zeroes the state; the image's state comes back on request
        from_file.reset();
        from_weights.reset();
        CHECK(from_file.restore_image_state());
        CHECK_FALSE(from_weights.restore_image_state());
        prime(from_weights, kSilence);
        CHECK(run(from_file, features) == run(from_weights, features));
    }
}

TEST_CASE("a pipeline starts from packed models, with the activations it computes without them", "[packed]") {
    const fs::path plain = model_dir("plain"), packed = model_dir("pipeline");
    for (const auto& f : files_in(packed)) write_packed_model(f, kSilence);
    const PipelineRun without = run_pipeline(plain), with = run_pipeline(packed);
    CHECK_FALSE(without.restored);
    CHECK(with.restored);
    REQUIRE(with.frames.beat.size() > 250);
    CHECK(with.frames.beat == without.frames.beat);
    CHECK(with.frames.down == without.frames.down);
    // the exact arithmetic (golden tests, BeatNet mode) never reads them
    CHECK_FALSE(run_pipeline(packed, CrnnArithmetic::exact).restored);
}

TEST_CASE("a packed model primed otherwise leaves the priming to the pipeline", "[packed]") {
    const fs::path plain = model_dir("plain-2"), dir = model_dir("other-silence");
    for (const auto& f : files_in(dir)) write_packed_model(f, kSilence / 2);
    const PipelineRun with = run_pipeline(dir), without = run_pipeline(plain);
    CHECK_FALSE(with.restored);
    CHECK(with.frames.beat == without.frames.beat);
}

TEST_CASE("damaged, stale or foreign packed models are passed over, saying why", "[packed]") {
    const fs::path dir = model_dir("bad"), plain = model_dir("plain-3");
    const fs::path model = dir / model_file_name(1), packed_path = dir / "beatnet-model-1.packed";
    std::string why;
    bool to_fix = true;
    SECTION("none: nothing to say") {
        CHECK_FALSE(PackedModel::open(model, &why, &to_fix));
        CHECK(why.empty());
        CHECK_FALSE(to_fix);
        return;
    }
    write_packed_model(model, kSilence);
    std::vector<std::uint8_t> bytes = slurp(packed_path);
    REQUIRE(bytes.size() == 256 + CrnnCpu::image_bytes());
    std::string expect;
    bool fault = true;         // worth saying: the file needs making again
    bool model_intact = true;  // whether the pipeline still reads model 1 as it is
    SECTION("truncated") {
        bytes.resize(bytes.size() - 100);
        spit(packed_path, bytes);
        expect = "truncated";
    }
    SECTION("empty") {
        spit(packed_path, {});
        expect = "truncated";
    }
    SECTION("a weight changed") {
        bytes[256 + 5000] ^= 0x10;
        spit(packed_path, bytes);
        expect = "corrupt";
    }
    SECTION("not a packed model") {
        bytes[0] = 'X';
        spit(packed_path, bytes);
        expect = "not a packed Tactus model";
    }
    SECTION("made by another build") {
        bytes[64] ^= 1;  // inside the build string
        spit(packed_path, bytes);
        expect = "another build";
        fault = false;  // several builds may share a folder
    }
    SECTION("made from another version of the model") {
        fs::copy_file(test::model_path(2), model, fs::copy_options::overwrite_existing);
        expect = "another version of beatnet-model-1.safetensors";
        model_intact = false;
    }
    SECTION("its model file is damaged") {
        std::vector<std::uint8_t> m = slurp(model);
        m.resize(4);
        spit(model, m);
        expect = "truncated";
        model_intact = false;
    }
    CHECK_FALSE(PackedModel::open(model, &why, &to_fix));
    INFO(why);
    CHECK(to_fix == fault);
    CHECK(why.find(expect) != std::string::npos);
    CHECK(why.find('\n') == std::string::npos);
    if (model_intact) {
        // the pipeline packs that model file at start instead (the others
        // from their packed files): the same activations
        for (int id = 2; id <= 3; ++id) write_packed_model(dir / model_file_name(id), kSilence);
        const PipelineRun r = run_pipeline(dir), want = run_pipeline(plain);
        CHECK_FALSE(r.restored);
        CHECK(r.frames.beat == want.frames.beat);
        CHECK(r.frames.down == want.frames.down);
    }
}

TEST_CASE("packing needs a readable model and a folder it can write", "[packed]") {
    const fs::path dir = fs::temp_directory_path() / "tactus-packed-test-missing";
    fs::remove_all(dir);
    CHECK_THROWS_AS(write_packed_model(dir / model_file_name(1), kSilence), Error);
    CHECK_FALSE(fs::exists(dir));
}
