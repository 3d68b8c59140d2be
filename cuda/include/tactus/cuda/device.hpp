#pragma once
// Finding a CUDA device the backend can use. Robust where there is no GPU:
// the CUDA runtime is linked statically and finds the driver at run time,
// so a machine without a driver (or without a GPU) gets a clear reason,
// never a crash or a missing-library error.
#include <cstddef>
#include <string>

namespace tactus::cuda {

struct DeviceInfo {
    int index = 0;
    std::string name;
    int major = 0, minor = 0;      // compute capability
    std::size_t memory = 0;        // bytes
    int multiprocessors = 0;
};

// "" when device `index` can run the backend's kernels (it also launches a
// trivial kernel to be sure), else one line saying why not. Fills *info
// when it can.
std::string probe_device(int index, DeviceInfo* info = nullptr);

// cuDNN's version ("9.19.0") when it loads (at run time, with dlopen), else
// "" and *why_not says why. Without it the LSTM runs on the hand-written
// kernel only.
std::string cudnn_version(std::string* why_not);

// The architectures this build carries code for (CMake's notation: "90-real, 75-virtual").
const char* built_architectures();

}  // namespace tactus::cuda
