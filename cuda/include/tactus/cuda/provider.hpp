#pragma once
// The CUDA backend as the engine sees it: a CrnnProvider whose streams share
// one CudaCrnn per model set and device (more when one fills its slots), so
// that engines on many threads are batched into common rounds.
#include <memory>
#include <string>

#include "tactus/crnn_backend.hpp"

namespace tactus::cuda {

// Opens device `index`, or returns null with *why_not set (one line).
// This is the factory the backend registers with the engine.
std::shared_ptr<CrnnProvider> open_cuda_provider(int index, std::string* why_not);

}  // namespace tactus::cuda
