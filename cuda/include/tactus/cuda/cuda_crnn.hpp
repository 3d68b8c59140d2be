#pragma once
// BeatNet's CRNN on a CUDA GPU for many streams at once. Each stream has a
// slot (its LSTM state lives on the device); a round takes a batch of
// frames from any set of slots and runs, in one go:
//   front  conv1d + ReLU + max-pool + linear0, fused, over frames x streams
//   LSTM   cuDNN's RNN (cudnnRNNForward) for slots with a full chunk of
//          frames (files), the hand-written kernel for the others (live
//          streams, one frame per round, and the ends of files)
//   output linear + softmax + the ensemble's mean
// Rounds without cuDNN are replayed from CUDA graphs (one per frame count),
// so a streaming step costs one graph launch for all streams.
//
// A stream's numbers depend only on its own frames: the other slots in a
// round change nothing (cuDNN always runs on all slots with one shape).
// Not thread-safe: one thread at a time (CrnnService batches threads).
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "tactus/model.hpp"

namespace tactus::cuda {

struct CrnnRequest {
    int slot = 0;
    int frames = 0;                    // 1..chunk
    const float* features = nullptr;   // [frames][272]
    float* probabilities = nullptr;    // [frames][3], the ensemble's mean
};

class CudaCrnn {
public:
    struct Options {
        int device = 0;
        int slots = 64;          // streams at most
        int chunk = 32;          // frames per stream per round at most
        bool cudnn = true;       // use cuDNN for full chunks when it loads
        bool graphs = true;      // replay rounds from CUDA graphs
    };
    // Uploads the weights. Throws tactus::Error.
    CudaCrnn(const std::vector<const CrnnWeights*>& ensemble, const Options& options);
    ~CudaCrnn();
    CudaCrnn(const CudaCrnn&) = delete;
    CudaCrnn& operator=(const CudaCrnn&) = delete;

    // Zero the slot's LSTM state (applied at its next round).
    void reset(int slot);
    // One round; waits for the results. Throws tactus::Error (bad request,
    // CUDA failure).
    void run(std::span<const CrnnRequest> requests);

    const Options& options() const;
    // "cuDNN 9.19 (persistent)", "cuDNN 9.19", or why cuDNN is not used.
    std::string lstm_path() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace tactus::cuda
