// tactus-analyze on the GPU (needs a CUDA device): activations within 1e-4
// of the CPU's, the same beats, and a GPU batch equal to GPU single runs.
#include <catch2/catch.hpp>


#include <sstream>

#include "audio_fixtures.hpp"
#include "paths.hpp"
#include "run.hpp"
#include "sound_file.hpp"

using namespace tactus::test;
namespace fs = std::filesystem;

namespace {

fs::path write_groove(const std::string& name, double bpm, double seconds) {
    const auto p = fs::temp_directory_path() / ("tactus-gpu-test-" + name);
    write_sound_file(p, groove(44100, bpm, seconds), 44100);
    return p;
}

// "# <file>\n", the line before each file's output (built with append:
// GCC 12 warns falsely about "literal" + std::string here).
std::string header(const fs::path& f) { return std::string("# ").append(f.string()).append("\n"); }

std::string analyze() { return quote(bin_dir() / "tactus-analyze"); }

std::vector<double> numbers(const std::string& s) {
    std::istringstream in(s);
    std::vector<double> v;
    double x;
    while (in >> x) v.push_back(x);
    return v;
}

}  // namespace

TEST_CASE("GPU: tactus-analyze --device cuda gives the CPU's activations (1e-4) and beats", "[gpu][analyze]") {
    const auto file = write_groove("one.wav", 117, 20);
    for (const std::string model : {"1", "ensemble"}) {
        INFO(model);
        const auto gpu = run(analyze() + " --device cuda --activations --model " + model + " " + quote(file));
        const auto cpu = run(analyze() + " --device cpu --activations --model " + model + " " + quote(file));
        REQUIRE(gpu.status == 0);
        REQUIRE(cpu.status == 0);
        const auto g = numbers(gpu.out), c = numbers(cpu.out);
        REQUIRE(g.size() == c.size());
        double worst = 0;
        for (std::size_t i = 0; i < g.size(); ++i) worst = std::max(worst, std::abs(g[i] - c[i]));
        CHECK(worst <= 1.5e-4);  // 1e-4 plus the 6 decimals printed
    }
    // the GPU computes in fp32: the CPU's fp32 gives the same beats
    const auto gpu = run(analyze() + " --device cuda " + quote(file));
    const auto cpu = run(analyze() + " --device cpu --fp32 " + quote(file));
    CHECK(gpu.out == cpu.out);
}

TEST_CASE("GPU: a batch on the GPU equals single GPU runs", "[gpu][analyze]") {
    std::vector<fs::path> files;
    for (int i = 0; i < 6; ++i) files.push_back(write_groove("batch-" + std::to_string(i) + ".wav", 90 + 10 * i, 12));
    std::string args, expect;
    for (const auto& f : files) {
        args.append(" ").append(quote(f));
        expect += header(f) + run(analyze() + " --device cuda " + quote(f)).out;
    }
    const auto r = run(analyze() + " --device cuda --jobs 6" + args);
    CHECK(r.status == 0);
    CHECK(r.out == expect);
}
