// Registers the CUDA backend with the engine before main(). Programs get
// this object through the tactus_devices target (linked as an object, since
// nothing refers to it by name).
#include "tactus/cuda/provider.hpp"

namespace {

[[maybe_unused]] const bool registered = [] {
    tactus::register_cuda_provider(&tactus::cuda::open_cuda_provider);
    return true;
}();

}  // namespace
