// Entry point of the tests that need a CUDA GPU: without one they skip
// (exit 77, which CTest reports as skipped). tools/gpu/check_gpu.sh runs
// them where a GPU exists.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdio>

#include "tactus/cuda/device.hpp"

int main(int argc, char** argv) {
    tactus::cuda::DeviceInfo info;
    const std::string why = tactus::cuda::probe_device(0, &info);
    if (!why.empty()) {
        std::fprintf(stderr, "SKIPPED: no usable CUDA GPU (%s)\n", why.c_str());
        return 77;
    }
    std::fprintf(stderr, "GPU: %s (compute %d.%d)\n", info.name.c_str(), info.major, info.minor);
    return Catch::Session().run(argc, argv);
}
