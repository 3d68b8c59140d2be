#pragma once
// The LSTM through cuDNN's RNN API (cudnnRNNForward), for rounds where
// streams bring whole chunks of frames (files). cuDNN is loaded at run time
// (dlopen), so a program built with it still starts, and still runs on the
// hand-written kernel, where cuDNN is missing. Internal to cuda/src.
#include <cuda_runtime.h>

#include <memory>
#include <string>
#include <vector>

#include "tactus/cuda/device.hpp"
#include "tactus/model.hpp"

namespace tactus::cuda {

class CudnnLstm {
public:
    // All models of the ensemble, `slots` sequences of `seq` frames per
    // call, on `stream` (of the current device). Null, with *why set, when
    // cuDNN is missing or refuses the network.
    static std::unique_ptr<CudnnLstm> create(const std::vector<const CrnnWeights*>& ensemble, int slots, int seq,
                                             cudaStream_t stream, std::string* why);
    ~CudnnLstm();
    CudnnLstm(const CudnnLstm&) = delete;
    CudnnLstm& operator=(const CudnnLstm&) = delete;

    // Enqueues model m: x[seq][slots][150] -> y[seq][slots][150], initial
    // state hx, cx [2][slots][150] -> final state hy, cy. Throws tactus::Error.
    void forward(int m, const float* x, float* y, const float* hx, const float* cx, float* hy, float* cy);
    // "cuDNN 9.19.0, persistent kernels" or "cuDNN 9.19.0, standard"
    std::string describe() const;

    struct Impl;

private:
    explicit CudnnLstm(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace tactus::cuda
