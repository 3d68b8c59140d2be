#pragma once
// BeatNet's cascade particle filter for many streams on a CUDA GPU: one
// thread block per stream, every stream and every frame of a round in one
// launch (pf_step.hpp's phases; Philox random numbers), replayed from a
// CUDA graph when rounds repeat. For a seed, each stream gives exactly
// what PfEmulator gives on the CPU.
#include <cstdint>
#include <memory>

#include "tactus/beatnet_pf.hpp"
#include "tactus/cuda/pf_step.hpp"

namespace tactus::cuda {

class CudaParticleFilter {
public:
    struct Options {
        int device = 0;
        int streams = 1;
        int max_frames = 32;   // frames per round at most
        bool graphs = true;
    };
    // Every stream starts reset with cfg.seed. Throws tactus::Error.
    CudaParticleFilter(const BeatNetPfConfig& cfg, const Options& options);
    ~CudaParticleFilter();
    CudaParticleFilter(const CudaParticleFilter&) = delete;
    CudaParticleFilter& operator=(const CudaParticleFilter&) = delete;

    void reset(int stream, std::uint64_t seed);
    // activations[streams][frames][2] (beat, downbeat) -> out[streams][frames].
    // Waits for the results. Throws tactus::Error.
    void run(const float* activations, int frames, PfFrameOut* out);
    // A stream's state as it is now on the device (for tests).
    void download(int stream, PfStreamState* state);

    const PfTables& tables() const;
    double tempo_bpm(const PfFrameOut& o) const;
    int beats_per_bar(const PfFrameOut& o) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace tactus::cuda
