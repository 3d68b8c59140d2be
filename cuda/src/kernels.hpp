#pragma once
// Launchers of the CUDA kernels (defined in the .cu files), callable from
// host C++ compiled without nvcc. Internal to cuda/src.
#include <cuda_runtime.h>

#include <string>

#include "tactus/cuda/pf_step.hpp"

namespace tactus::cuda {

// "" when a trivial kernel runs on device `index`, else why not.
std::string run_probe_kernel(int index);

// Device buffers of one CRNN round: `slots` streams, up to T frames each.
struct CrnnRound {
    int slots = 0, T = 0, models = 0;
    const float* weights = nullptr;        // [models][CrnnPack::size]
    const float* features = nullptr;       // [slots][T][272]
    const int* frames = nullptr;           // [slots]: frames of each stream in this round (0: not in it)
    const int* lstm_frames = nullptr;      // [slots]: frames the hand-written LSTM runs (0: not its job)
    const int* reset = nullptr;            // [slots]: 1 to zero the state first
    const int* cudnn_done = nullptr;       // [slots]: 1 where cuDNN ran the LSTM (take its final state)
    float* x0 = nullptr;                   // [models][T][slots][150]: LSTM input (seq-major, as cuDNN wants)
    float* h1 = nullptr;                   // [models][T][slots][150]: LSTM output
    float* h_state = nullptr;              // [models][2][slots][150]
    float* c_state = nullptr;              // [models][2][slots][150]
    const float* hy = nullptr;             // [models][2][slots][150]: cuDNN's final state
    const float* cy = nullptr;
    float* probs = nullptr;                // [slots][T][3]
};

void launch_reset(const CrnnRound& r, cudaStream_t s);
void launch_front(const CrnnRound& r, cudaStream_t s);   // conv + ReLU + pool + linear0, all models
void launch_lstm(const CrnnRound& r, cudaStream_t s);    // hand-written: streams with lstm_frames > 0
void launch_take_cudnn_state(const CrnnRound& r, cudaStream_t s);
void launch_output(const CrnnRound& r, cudaStream_t s);  // linear + softmax + ensemble mean

// The particle filter: `streams` streams, `frames` frames each.
struct PfRound {
    int streams = 0, frames = 0;
    const PfTables* tables = nullptr;      // device
    PfStreamState* states = nullptr;       // [streams]
    const float* activations = nullptr;    // [streams][frames][2]: beat, downbeat
    PfFrameOut* out = nullptr;             // [streams][frames]
};
void launch_pf(const PfRound& r, cudaStream_t s);

}  // namespace tactus::cuda
