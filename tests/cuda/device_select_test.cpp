// Choosing where the CRNN runs: the device parameter (auto, cpu, cuda,
// cuda:N), in process and through tactus-analyze. On a machine without a
// usable GPU (this one): cpu works, auto falls back to the CPU with one line
// on stderr, cuda fails with one clear line and a non-zero exit.
#include <catch2/catch.hpp>


#include <algorithm>

#include "audio_fixtures.hpp"
#include "paths.hpp"
#include "run.hpp"
#include "sound_file.hpp"
#include "tactus/crnn_backend.hpp"
#include "tactus/error.hpp"
#include "tactus/params.hpp"

using namespace tactus;
using namespace tactus::test;
namespace fs = std::filesystem;

#ifndef TACTUS_HAVE_CUDA
#define TACTUS_HAVE_CUDA 0
#endif

namespace {

fs::path write_clicks(const std::string& name) {
    const auto p = fs::temp_directory_path() / ("tactus-device-test-" + name);
    write_sound_file(p, clicks(22050, 120, 6.0), 22050, 1, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    return p;
}

std::string analyze() { return quote(bin_dir() / "tactus-analyze"); }

int lines(const std::string& s) { return int(std::count(s.begin(), s.end(), '\n')); }

// Whether this machine has a GPU the backend can use (then the no-GPU
// expectations below do not apply).
bool gpu_usable() {
    static const bool usable = [] {
        try {
            return open_crnn_device({DeviceChoice::cuda, 0})->is_gpu();
        } catch (const Error&) {
            return false;
        }
    }();
    return usable;
}

}  // namespace

TEST_CASE("device names parse: auto, cpu, cuda, cuda:N", "[cuda][device]") {
    CHECK(parse_device("auto")->kind == DeviceChoice::automatic);
    CHECK(parse_device("cpu")->kind == DeviceChoice::cpu);
    CHECK(parse_device("cuda")->kind == DeviceChoice::cuda);
    CHECK(parse_device("cuda")->index == 0);
    CHECK(parse_device("cuda:3")->index == 3);
    for (const char* bad : {"", "gpu", "cuda:", "cuda:x", "cuda:-1", "cuda:64", "cuda:1x", "CPU"}) {
        INFO(bad);
        CHECK_FALSE(parse_device(bad).has_value());
    }
}

TEST_CASE("the parameter table carries the device and the CUDA device number", "[cuda][device]") {
    ParamSet p;
    CHECK(p.device().kind == DeviceChoice::automatic);
    const ParamSpec& device = param_spec(ParamId::device);
    CHECK(set_param_text(p, device, "cpu") == false);
    CHECK(p.device().kind == DeviceChoice::cpu);
    CHECK(set_param_text(p, device, "cuda:2") == false);
    CHECK(p.device().kind == DeviceChoice::cuda);
    CHECK(p.device().index == 2);
    CHECK(p.get(ParamId::cuda_device) == 2.f);
    CHECK_FALSE(set_param_text(p, device, "cuda:x").has_value());
    CHECK_FALSE(set_param_text(p, device, "tpu").has_value());
    CHECK(set_param_text(p, param_spec(ParamId::cuda_device), "99") == true);  // clamped to 63
    CHECK(p.device().index == 63);
    CHECK(find_param("cuda-device") == &param_spec(ParamId::cuda_device));
}

TEST_CASE("the CPU is always there, and cuda without a usable GPU is a one-line error", "[cuda][device]") {
    const auto cpu = open_crnn_device({DeviceChoice::cpu, 0});
    CHECK_FALSE(cpu->is_gpu());
    CHECK(cpu->describe() == "CPU");
    CHECK(cuda_backend_linked() == bool(TACTUS_HAVE_CUDA));
    if (gpu_usable()) {
        WARN("a CUDA GPU is usable here: the no-GPU checks are skipped");
        return;
    }
    try {
        open_crnn_device({DeviceChoice::cuda, 1});
        FAIL("cuda:1 opened without a GPU");
    } catch (const Error& e) {
        const std::string what = e.what();
        CHECK(what.find("device cuda:1: ") == 0);
        CHECK(what.find('\n') == std::string::npos);
        if (!TACTUS_HAVE_CUDA) CHECK(what.find("no CUDA backend") != std::string::npos);
    }
    CHECK_FALSE(open_crnn_device({DeviceChoice::automatic, 0})->is_gpu());
}

TEST_CASE("tactus-analyze --device cpu gives the default analysis", "[cuda][device]") {
    const auto file = write_clicks("cpu.wav");
    const auto cpu = run(analyze() + " --device cpu " + quote(file));
    REQUIRE(cpu.status == 0);
    CHECK(lines(cpu.out) >= 8);
    CHECK(cpu.err.empty());
    const auto act = run(analyze() + " --device cpu --activations " + quote(file));
    REQUIRE(act.status == 0);
    CHECK(lines(act.out) == 300);
    if (!gpu_usable()) {  // auto is the CPU here: the same beats
        const auto def = run(analyze() + " " + quote(file));
        REQUIRE(def.status == 0);
        CHECK(def.out == cpu.out);
    }
}

TEST_CASE("tactus-analyze --device auto without a GPU uses the CPU and says so in one line", "[cuda][device]") {
    if (gpu_usable()) return;
    const auto file = write_clicks("auto.wav");
    const auto r = run(analyze() + " --device auto " + quote(file));
    REQUIRE(r.status == 0);
    CHECK(r.out == run(analyze() + " --device cpu " + quote(file)).out);
    if (TACTUS_HAVE_CUDA) {
        CHECK(lines(r.err) == 1);
        CHECK(r.err.find("tactus: device auto: no usable CUDA GPU (") == 0);
        CHECK(r.err.find("the CRNN runs on the CPU") != std::string::npos);
    } else {
        CHECK(r.err.empty());  // no CUDA backend built in: nothing to fall back from
    }
}

TEST_CASE("tactus-analyze --device cuda without a GPU fails with one clear line", "[cuda][device]") {
    if (gpu_usable()) return;
    const auto file = write_clicks("cuda.wav");
    for (const std::string device : {"cuda", "cuda:1"}) {
        for (const std::string mode : {"", "--activations "}) {
            INFO(device << " " << mode);
            const auto r = run(analyze() + " --device " + device + " " + mode + quote(file));
            CHECK(r.status == 1);
            CHECK(r.out.empty());
            CHECK(lines(r.err) == 1);
            CHECK(r.err.find("tactus-analyze: device " + device + ": ") == 0);
        }
    }
    // a batch stops before any file when its device cannot be opened
    const auto b = run(analyze() + " --device cuda " + quote(file) + " " + quote(file));
    CHECK(b.status == 1);
    CHECK(b.out.empty());
    CHECK(lines(b.err) == 1);
}

TEST_CASE("tactus-analyze refuses a device it does not know", "[cuda][device]") {
    const auto file = write_clicks("bad.wav");
    for (const char* bad : {"gpu", "cuda:x", "cuda:99"}) {
        INFO(bad);
        const auto r = run(analyze() + " --device " + bad + " " + quote(file));
        CHECK(r.status == 1);
        CHECK(r.out.empty());
        CHECK(r.err.find("tactus-analyze: --device") == 0);
    }
}
