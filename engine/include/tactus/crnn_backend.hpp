#pragma once
// Where the CRNN runs. The engine sees only these interfaces; the CPU
// implementation lives in the engine, the CUDA one in cuda/ (tactus_cuda),
// which registers itself when a program links it (target tactus_devices).
// No CUDA header is included here or anywhere in the engine.
//
//   DeviceChoice  "auto" | "cpu" | "cuda" | "cuda:N", from the parameter table
//   CrnnProvider  an opened device: makes one CrnnBackend per stream
//   CrnnBackend   one stream's network (a model or an averaged ensemble),
//                 with its LSTM state
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tactus/model.hpp"

namespace tactus {

// How the CPU multiplies; a GPU always computes in fp32.
//  exact: fp32 throughout, BeatNet's network as PyTorch computes it (to
//         ~1e-6). The golden tests, --activations and BeatNet mode use it.
//  fast:  int8 weights (a scale per row) times int8 inputs (a scale per
//         vector), summed exactly in int32 and scaled back to fp32; the
//         output layer stays fp32. Three times fewer instructions than
//         fp32 and a quarter of the bytes; the same integers on every CPU
//         (AVX2, AVX-512 VNNI or plain C++).
enum class CrnnArithmetic : std::uint8_t { exact, fast };

class CrnnBackend {
public:
    virtual ~CrnnBackend() = default;
    // Zero LSTM state, as at the start of a file.
    virtual void reset() = 0;
    // features[frames][272] -> probabilities[frames][3] (the ensemble's
    // mean). frames <= kMaxFrames. Worker-side; must not throw: a backend
    // whose device fails carries on some other way (and says so once).
    virtual void run(const float* features, int frames, float* probabilities) = 0;
    // After reset(): the state `frames` frames of silence would leave, if
    // the backend has it saved (packed_model.hpp); false, and nothing
    // changed, if not.
    virtual bool restore_silence(int frames) {
        (void)frames;
        return false;
    }
    static constexpr int kMaxFrames = 32;
};

class CrnnProvider {
public:
    virtual ~CrnnProvider() = default;
    // A new stream on this device. Throws tactus::Error.
    virtual std::unique_ptr<CrnnBackend> make(const std::vector<const CrnnWeights*>& ensemble,
                                              CrnnArithmetic arithmetic) = 0;
    // The same from model files. The default loads them all, then calls
    // make(); the CPU keeps only its packed copy of one model at a time.
    virtual std::unique_ptr<CrnnBackend> make_from_files(const std::vector<std::filesystem::path>& model_files,
                                                         CrnnArithmetic arithmetic);
    // For logs: "CPU", "CUDA device 0 (NVIDIA H100 80GB HBM3)".
    virtual std::string describe() const = 0;
    virtual bool is_gpu() const = 0;
};

struct DeviceChoice {
    enum Kind : std::uint8_t { automatic, cpu, cuda };
    Kind kind = automatic;
    int index = 0;  // CUDA device number (cuda:N; auto tries this one too)
};

// "auto", "cpu", "cuda", "cuda:N" (N = 0..63); nullopt otherwise.
std::optional<DeviceChoice> parse_device(std::string_view text);

// Which integer kernel CrnnArithmetic::fast runs in this build:
// "avx512-vnni", "avx-vnni", "avx2" or "portable".
const char* cpu_fast_arithmetic() noexcept;

// The CPU: CrnnCpu per model, probabilities averaged in model order.
std::shared_ptr<CrnnProvider> cpu_provider();

// Opens a device:
//  - cpu: the CPU;
//  - cuda[:N]: that GPU, or tactus::Error with one line saying why not;
//  - auto: the GPU when the CUDA backend is built in and a device works,
//    else the CPU, and then one line on stderr (once per process) says why.
// A GPU stays open while anything uses it; opening it again returns the
// same provider, so all engines of a process batch their streams together.
std::shared_ptr<CrnnProvider> open_crnn_device(DeviceChoice choice);

// ---- for the CUDA backend ---------------------------------------------------
// Opens CUDA device `index`; on failure returns null and sets *why_not to
// one line (no trailing period).
using CudaProviderFactory = std::shared_ptr<CrnnProvider> (*)(int index, std::string* why_not);
// Called once, from a static initialiser of the CUDA backend.
void register_cuda_provider(CudaProviderFactory factory) noexcept;
// Whether this program carries the CUDA backend.
bool cuda_backend_linked() noexcept;

}  // namespace tactus
