// The CUDA library where there may be no GPU (this machine has none): it
// links, finds cuDNN, and every entry point refuses cleanly, with one line,
// instead of crashing.
#include <catch2/catch.hpp>

#include "paths.hpp"
#include "tactus/cuda/cuda_crnn.hpp"
#include "tactus/cuda/cuda_pf.hpp"
#include "tactus/cuda/device.hpp"
#include "tactus/cuda/provider.hpp"
#include "tactus/error.hpp"

using namespace tactus;

TEST_CASE("the probe says why a device cannot be used, in one line", "[cuda][lib]") {
    cuda::DeviceInfo info;
    const std::string why = cuda::probe_device(0, &info);
    if (why.empty()) {
        WARN("CUDA device 0 is usable: " << info.name);
        CHECK(info.major * 10 + info.minor >= 75);
    } else {
        CHECK(why.find('\n') == std::string::npos);
    }
    CHECK_FALSE(cuda::probe_device(-1).empty());
    CHECK_FALSE(cuda::probe_device(63).empty());  // no machine has 64 GPUs
    CHECK(std::string(cuda::built_architectures()).find("90") != std::string::npos);
}

TEST_CASE("cuDNN 9 loads at run time (its LSTM path needs no GPU to be found)", "[cuda][lib]") {
    std::string why;
    const std::string version = cuda::cudnn_version(&why);
    INFO(why);
    REQUIRE_FALSE(version.empty());
    CHECK(version.rfind("9.", 0) == 0);
}

TEST_CASE("without a GPU the CUDA classes and the provider refuse with one line", "[cuda][lib]") {
    if (cuda::probe_device(0).empty()) return;  // a GPU: the GPU tests cover these
    std::string why;
    CHECK(cuda::open_cuda_provider(0, &why) == nullptr);
    CHECK_FALSE(why.empty());
    try {
        cuda::CudaCrnn crnn({&tactus::test::model(1).weights}, {});
        FAIL("a CudaCrnn without a GPU");
    } catch (const Error& e) {
        CHECK(std::string(e.what()).find("CUDA: ") == 0);
    }
    CHECK_THROWS_AS(cuda::CudaParticleFilter(BeatNetPfConfig{}, {}), Error);
}
