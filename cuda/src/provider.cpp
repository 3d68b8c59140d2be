#include "tactus/cuda/provider.hpp"

#include <cstdio>
#include <map>
#include <mutex>

#include "crnn_service.hpp"
#include "tactus/cuda/device.hpp"
#include "tactus/error.hpp"

namespace tactus::cuda {
namespace {

constexpr int kSlotsPerService = 64;
// How long a round's leader waits for the other streams: long enough to
// gather the files of a batch, short against a live frame (20 ms).
constexpr std::chrono::microseconds kLinger{500};

// FNV-1a over the weights: streams of the same models share a service.
std::uint64_t fingerprint(const std::vector<const CrnnWeights*>& ensemble) {
    std::uint64_t h = 1469598103934665603ull;
    auto mix = [&](const std::vector<float>& v) {
        const auto* p = reinterpret_cast<const unsigned char*>(v.data());
        for (std::size_t i = 0; i < v.size() * sizeof(float); ++i) h = (h ^ p[i]) * 1099511628211ull;
        h = (h ^ v.size()) * 1099511628211ull;
    };
    for (const CrnnWeights* w : ensemble) {
        for (const auto* v : {&w->conv_w, &w->conv_b, &w->linear0_w, &w->linear0_b, &w->out_w, &w->out_b}) mix(*v);
        for (const auto& l : w->lstm)
            for (const auto* v : {&l.w_ih, &l.w_hh, &l.b_ih, &l.b_hh}) mix(*v);
    }
    return h;
}

// One stream: a slot of a service. If the device fails mid-stream the
// stream goes on with the CPU CRNN (from a zero state) and says so once.
class CudaStream final : public CrnnBackend {
public:
    CudaStream(std::shared_ptr<CrnnService> service, int slot) : service_(std::move(service)), slot_(slot) {}
    ~CudaStream() override { service_->release(slot_); }

    void reset() override {
        if (fallback_) fallback_->reset();
        else service_->reset(slot_);
    }

    void run(const float* features, int frames, float* probabilities) override {
        if (!fallback_) {
            try {
                service_->run(slot_, features, frames, probabilities);
                return;
            } catch (const std::exception& e) {
                static std::once_flag logged;
                std::call_once(logged, [&] {
                    std::fprintf(stderr, "tactus: the CUDA device failed (%s); the CRNN goes on on the CPU\n", e.what());
                });
                fallback_ = cpu_provider()->make(service_->weights(), CrnnArithmetic::exact);
            }
        }
        fallback_->run(features, frames, probabilities);
    }

private:
    std::shared_ptr<CrnnService> service_;
    int slot_;
    std::unique_ptr<CrnnBackend> fallback_;
};

class CudaProvider final : public CrnnProvider {
public:
    explicit CudaProvider(const DeviceInfo& info) : info_(info) {}

    // fp32 whatever the arithmetic asked for (it chooses the CPU's)
    std::unique_ptr<CrnnBackend> make(const std::vector<const CrnnWeights*>& ensemble, CrnnArithmetic) override {
        if (ensemble.empty()) throw Error("no model given");
        const std::uint64_t key = fingerprint(ensemble);
        std::lock_guard lock(m_);
        auto [first, last] = services_.equal_range(key);
        for (auto it = first; it != last; ++it)
            if (const int slot = it->second->acquire(); slot >= 0) return std::make_unique<CudaStream>(it->second, slot);
        // Services of other models with no streams left go (a model change).
        for (auto it = services_.begin(); it != services_.end();)
            it = it->first != key && it->second->active() == 0 ? services_.erase(it) : std::next(it);
        CudaCrnn::Options o;
        o.device = info_.index;
        o.slots = kSlotsPerService;
        o.chunk = CrnnBackend::kMaxFrames;
        auto service = std::make_shared<CrnnService>(ensemble, o, kLinger);
        services_.emplace(key, service);
        return std::make_unique<CudaStream>(service, service->acquire());
    }

    std::string describe() const override {
        return "CUDA device " + std::to_string(info_.index) + " (" + info_.name + ", compute " +
               std::to_string(info_.major) + "." + std::to_string(info_.minor) + ")";
    }
    bool is_gpu() const override { return true; }

private:
    DeviceInfo info_;
    std::mutex m_;
    std::multimap<std::uint64_t, std::shared_ptr<CrnnService>> services_;
};

}  // namespace

std::shared_ptr<CrnnProvider> open_cuda_provider(int index, std::string* why_not) {
    DeviceInfo info;
    std::string why = probe_device(index, &info);
    if (!why.empty()) {
        if (why_not) *why_not = why;
        return nullptr;
    }
    return std::make_shared<CudaProvider>(info);
}

}  // namespace tactus::cuda
