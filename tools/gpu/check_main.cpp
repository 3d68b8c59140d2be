// tactus-cuda-check: the GPU checks of tools/gpu/check_gpu.sh. Prints one
// table (measure, CPU, GPU, verdict); exits 1 if an accuracy check fails,
// 77 without a usable GPU.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "check.hpp"
#include "tactus/cuda/device.hpp"
#include "tactus/error.hpp"

namespace tactus::gpucheck {

std::string fmt(const char* format, double value) {
    char buf[64];
    std::snprintf(buf, sizeof buf, format, value);
    return buf;
}

void Report::print() const {
    std::size_t w0 = 7, w1 = 3, w2 = 3;
    for (const auto& r : rows) {
        w0 = std::max(w0, r.what.size());
        w1 = std::max(w1, r.cpu.size());
        w2 = std::max(w2, r.gpu.size());
    }
    std::printf("%-*s  %-*s  %-*s  %s\n", int(w0), "measure", int(w1), "CPU", int(w2), "GPU", "verdict");
    for (const auto& r : rows)
        std::printf("%-*s  %-*s  %-*s  %s\n", int(w0), r.what.c_str(), int(w1), r.cpu.c_str(), int(w2), r.gpu.c_str(),
                    r.verdict.c_str());
}

}  // namespace tactus::gpucheck

int main(int argc, char** argv) {
    CLI::App app{"tactus-cuda-check: the CUDA backend against the CPU and the golden arrays, and its throughput"};
    std::string reference = "../shared/reference";
    int device = 0;
    std::vector<int> streams = {1, 16, 64, 256, 1024};
    bool no_speed = false;
    app.add_option("--reference", reference, "folder of the golden arrays")->capture_default_str();
    app.add_option("--device", device, "CUDA device number")->capture_default_str();
    app.add_option("--streams", streams, "stream counts for the throughput table")->delimiter(',');
    app.add_flag("--no-speed", no_speed, "accuracy only");
    CLI11_PARSE(app, argc, argv);
    tactus::cuda::DeviceInfo info;
    if (const std::string why = tactus::cuda::probe_device(device, &info); !why.empty()) {
        std::fprintf(stderr, "tactus-cuda-check: no usable CUDA GPU: %s\n", why.c_str());
        return 77;
    }
    std::string cudnn_why;
    const std::string cudnn = tactus::cuda::cudnn_version(&cudnn_why);
    std::printf("device %d: %s, compute %d.%d, %d SMs, %.1f GiB; code: %s; cuDNN: %s\n\n", device, info.name.c_str(),
                info.major, info.minor, info.multiprocessors, double(info.memory) / (1u << 30),
                tactus::cuda::built_architectures(), cudnn.empty() ? cudnn_why.c_str() : cudnn.c_str());
    tactus::gpucheck::Report report;
    try {
        tactus::gpucheck::check_accuracy(reference, device, report);
        if (!no_speed) tactus::gpucheck::check_speed(device, streams, report);
    } catch (const std::exception& e) {
        report.print();
        std::fprintf(stderr, "tactus-cuda-check: %s\n", e.what());
        return 1;
    }
    report.print();
    return report.failed ? 1 : 0;
}
