#pragma once
// One CudaCrnn shared by many streams on many threads (engines of a batch
// analysis, or the inputs of a venue): each thread asks for its frames and
// waits; the first waiting thread gathers what the others ask for meanwhile
// (until every active stream has asked, or a short linger has passed) and
// runs them all as one round. Internal to cuda/src.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "tactus/cuda/cuda_crnn.hpp"

namespace tactus::cuda {

class CrnnService {
public:
    CrnnService(const std::vector<const CrnnWeights*>& ensemble, const CudaCrnn::Options& options,
                std::chrono::microseconds linger);

    // A free slot with zero state, or -1 when all are taken.
    int acquire();
    void release(int slot);
    int active() const;
    void reset(int slot);
    // Runs `frames` frames of `slot` (with whatever else is waiting).
    // Throws tactus::Error when the device fails.
    void run(int slot, const float* features, int frames, float* probabilities);
    // The weights, kept on the host for a CPU fallback.
    std::vector<const CrnnWeights*> weights() const;
    std::string lstm_path() const { return crnn_.lstm_path(); }

private:
    struct Pending {
        CrnnRequest request;
        bool done = false;
        std::exception_ptr error;
    };

    std::vector<CrnnWeights> host_weights_;
    CudaCrnn crnn_;
    std::chrono::microseconds linger_;
    mutable std::mutex m_;
    std::condition_variable cv_;
    std::vector<char> used_;
    std::vector<char> reset_;  // resets asked for, handed to crnn_ by the next round's leader
    int active_ = 0;
    std::vector<Pending*> pending_;
    std::vector<CrnnRequest> batch_;
    bool busy_ = false;
};

}  // namespace tactus::cuda
