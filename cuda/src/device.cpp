#include "tactus/cuda/device.hpp"

#include "cuda_check.hpp"
#include "kernels.hpp"

namespace tactus::cuda {

std::string probe_device(int index, DeviceInfo* info) {
    int count = 0;
    cudaError_t e = cudaGetDeviceCount(&count);
    if (e != cudaSuccess) {
        (void)cudaGetLastError();  // clear it: later calls must not see a stale error
        if (e == cudaErrorNoDevice) return "no CUDA device found";
        if (e == cudaErrorInsufficientDriver) {
            int v = 0;
            cudaRuntimeGetVersion(&v);
            return "no NVIDIA driver able to run CUDA " + std::to_string(v / 1000) + "." +
                   std::to_string(v % 1000 / 10) + " is loaded";
        }
        return std::string("cudaGetDeviceCount: ") + cudaGetErrorString(e);
    }
    if (count <= 0) return "no CUDA device found";
    if (index < 0 || index >= count)
        return "there is no CUDA device " + std::to_string(index) + " (" + std::to_string(count) + " found)";
    cudaDeviceProp p{};
    if ((e = cudaGetDeviceProperties(&p, index)) != cudaSuccess) {
        (void)cudaGetLastError();
        return std::string("cudaGetDeviceProperties: ") + cudaGetErrorString(e);
    }
    const std::string name = p.name;
    if (p.major * 10 + p.minor < 75)
        return name + " has compute capability " + std::to_string(p.major) + "." + std::to_string(p.minor) +
               "; this build needs 7.5 or newer";
    // A trivial kernel proves that the driver runs this build's code.
    if (const std::string why = run_probe_kernel(index); !why.empty()) return name + ": " + why;
    if (info) {
        info->index = index;
        info->name = name;
        info->major = p.major;
        info->minor = p.minor;
        info->memory = p.totalGlobalMem;
        info->multiprocessors = p.multiProcessorCount;
    }
    return {};
}

const char* built_architectures() { return TACTUS_CUDA_ARCHS; }

}  // namespace tactus::cuda
