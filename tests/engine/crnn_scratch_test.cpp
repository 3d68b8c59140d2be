// Networks that share one set of batch buffers (an ensemble's, run one
// after another) compute what each computes with its own: nothing of one
// network's batch carries into the next network's.
#include <catch2/catch.hpp>

#include <random>
#include <vector>

#include "paths.hpp"
#include "tactus/crnn.hpp"

using namespace tactus;

TEST_CASE("networks sharing a scratch give bitwise what each gives with its own", "[crnn]") {
    const CrnnArithmetic a = GENERATE(CrnnArithmetic::fast, CrnnArithmetic::exact);
    INFO((a == CrnnArithmetic::fast ? "int8" : "fp32"));
    auto shared = make_crnn_scratch();
    std::vector<std::unique_ptr<CrnnCpu>> together, apart;
    for (int id = 1; id <= 3; ++id) {
        together.push_back(std::make_unique<CrnnCpu>(view_of(test::model(id).weights), a, shared));
        apart.push_back(std::make_unique<CrnnCpu>(view_of(test::model(id).weights), a));
    }
    std::mt19937 rng(4);
    std::uniform_real_distribution<float> u(0.f, 1.5f);
    // frames alike (silence: the layers before the recurrence run once for
    // the batch) and frames that differ, in batches of every kind of size
    struct Batch {
        int frames;
        bool silent;
    };
    const Batch batches[] = {{1, true}, {32, false}, {7, false}, {32, true}, {1, false}, {3, true}, {32, false}};
    std::vector<float> features(std::size_t(CrnnCpu::kMaxBatch) * kFeatureSize);
    std::vector<float> got(std::size_t(CrnnCpu::kMaxBatch) * kClasses), want(got.size());
    for (const auto& [n, silent] : batches) {
        for (auto& v : features) v = silent ? 0.f : u(rng);
        for (std::size_t m = 0; m < together.size(); ++m) {
            together[m]->run(features.data(), n, got.data());
            apart[m]->run(features.data(), n, want.data());
            INFO("model " << m + 1 << ", a batch of " << n);
            REQUIRE(got == want);
        }
    }
}
