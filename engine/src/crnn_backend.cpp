#include "tactus/crnn_backend.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdio>
#include <map>
#include <mutex>

#include "tactus/crnn.hpp"
#include "tactus/packed_model.hpp"
#include "tactus/error.hpp"

namespace tactus {
namespace {

// The CPU ensemble: exactly what ActivationPipeline always did (sum over
// the models in order, then one multiplication), so the events stay
// bitwise the same.
class CpuEnsemble final : public CrnnBackend {
public:
    explicit CpuEnsemble(CrnnArithmetic a) : arithmetic_(a) {}
    void add(const CrnnWeightsView& w) { nets_.push_back(std::make_unique<CrnnCpu>(w, arithmetic_, scratch_)); }
    void add(std::unique_ptr<PackedModel> packed) {
        nets_.push_back(std::make_unique<CrnnCpu>(packed->image(), scratch_));
        packed_.push_back(std::move(packed));
    }
    void reset() override {
        for (auto& n : nets_) n->reset();
    }
    bool restore_silence(int frames) override {
        // every network or none: the caller primes them all otherwise
        if (packed_.size() != nets_.size()) return false;
        for (const auto& p : packed_)
            if (p->silence_frames() != frames) return false;
        for (auto& n : nets_) n->restore_image_state();
        return true;
    }
    void run(const float* features, int frames, float* probabilities) override {
        frames = std::clamp(frames, 0, kMaxFrames);
        const int values = frames * kClasses;
        if (nets_.size() == 1) {  // (0 + p) * 1 == p: the same numbers, without the copies
            nets_[0]->run(features, frames, probabilities);
            return;
        }
        std::fill(sum_, sum_ + values, 0.f);
        for (auto& net : nets_) {
            net->run(features, frames, probs_);
            for (int i = 0; i < values; ++i) sum_[i] += probs_[i];
        }
        const float inv = 1.f / float(nets_.size());
        for (int i = 0; i < values; ++i) probabilities[i] = sum_[i] * inv;
    }

private:
    CrnnArithmetic arithmetic_;
    std::shared_ptr<CrnnScratch> scratch_ = make_crnn_scratch();  // the nets run one after another
    std::vector<std::unique_ptr<CrnnCpu>> nets_;
    std::vector<std::unique_ptr<PackedModel>> packed_;  // the images some nets read in place
    float probs_[kMaxFrames * kClasses] = {};
    float sum_[kMaxFrames * kClasses] = {};
};

class CpuProvider final : public CrnnProvider {
public:
    std::unique_ptr<CrnnBackend> make(const std::vector<const CrnnWeights*>& ensemble, CrnnArithmetic a) override {
        if (ensemble.empty()) throw Error("no model given");
        auto e = std::make_unique<CpuEnsemble>(a);
        for (const CrnnWeights* w : ensemble) e->add(view_of(*w));
        return e;
    }
    std::unique_ptr<CrnnBackend> make_from_files(const std::vector<std::filesystem::path>& files,
                                                 CrnnArithmetic a) override {
        if (files.empty()) throw Error("no model given");
        auto e = std::make_unique<CpuEnsemble>(a);
        for (const auto& path : files) {
            std::string why;
            bool to_fix = false;
            if (a == CrnnArithmetic::fast)
                if (auto packed = PackedModel::open(path, &why, &to_fix)) {
                    e->add(std::move(packed));
                    continue;
                }
            if (to_fix) std::fprintf(stderr, "tactus: %s; packing the model at start instead (tactus-pack-models packs it again)\n", why.c_str());
            e->add(MappedModel(path).weights());  // packed from the mapped file
        }
        return e;
    }
    std::string describe() const override { return "CPU"; }
    bool is_gpu() const override { return false; }
};

// Written once by a static initialiser of the CUDA backend, before main().
std::atomic<CudaProviderFactory> g_cuda_factory{nullptr};

// A GPU opened once is shared by every engine of the process while any
// uses it, so that their streams are batched together.
std::shared_ptr<CrnnProvider> open_gpu(CudaProviderFactory factory, int index, std::string* why) {
    static std::mutex m;
    static std::map<int, std::weak_ptr<CrnnProvider>> open;
    std::lock_guard lock(m);
    if (auto p = open[index].lock()) return p;
    auto p = factory(index, why);
    if (p) open[index] = p;
    return p;
}

}  // namespace

std::unique_ptr<CrnnBackend> CrnnProvider::make_from_files(const std::vector<std::filesystem::path>& model_files,
                                                          CrnnArithmetic arithmetic) {
    std::vector<Model> models;
    models.reserve(model_files.size());
    for (const auto& path : model_files) models.push_back(load_model(path));
    std::vector<const CrnnWeights*> ensemble;
    for (const auto& m : models) ensemble.push_back(&m.weights);
    return make(ensemble, arithmetic);
}

std::optional<DeviceChoice> parse_device(std::string_view text) {
    if (text == "auto") return DeviceChoice{DeviceChoice::automatic, 0};
    if (text == "cpu") return DeviceChoice{DeviceChoice::cpu, 0};
    if (text == "cuda") return DeviceChoice{DeviceChoice::cuda, 0};
    if (text.starts_with("cuda:")) {
        const std::string_view n = text.substr(5);
        int index = -1;
        const auto r = std::from_chars(n.data(), n.data() + n.size(), index);
        if (r.ec == std::errc() && r.ptr == n.data() + n.size() && index >= 0 && index < 64)
            return DeviceChoice{DeviceChoice::cuda, index};
    }
    return std::nullopt;
}

std::shared_ptr<CrnnProvider> cpu_provider() {
    static const auto cpu = std::make_shared<CpuProvider>();
    return cpu;
}

void register_cuda_provider(CudaProviderFactory factory) noexcept { g_cuda_factory.store(factory); }

bool cuda_backend_linked() noexcept { return g_cuda_factory.load() != nullptr; }

std::shared_ptr<CrnnProvider> open_crnn_device(DeviceChoice choice) {
    if (choice.kind == DeviceChoice::cpu) return cpu_provider();
    const CudaProviderFactory factory = g_cuda_factory.load();
    std::string name = "cuda";
    if (choice.index != 0) name.append(":").append(std::to_string(choice.index));
    if (choice.kind == DeviceChoice::cuda) {
        if (!factory)
            throw Error("device " + name + ": this build has no CUDA backend (built with TACTUS_CUDA=OFF or without nvcc)");
        std::string why;
        if (auto gpu = open_gpu(factory, choice.index, &why)) return gpu;
        throw Error("device " + name + ": " + why);
    }
    // auto: a build without the backend has nothing to fall back from
    if (!factory) return cpu_provider();
    std::string why;
    if (auto gpu = open_gpu(factory, choice.index, &why)) return gpu;
    static std::once_flag logged;
    std::call_once(logged, [&] {
        std::fprintf(stderr, "tactus: device auto: no usable CUDA GPU (%s); the CRNN runs on the CPU\n", why.c_str());
    });
    return cpu_provider();
}

}  // namespace tactus
