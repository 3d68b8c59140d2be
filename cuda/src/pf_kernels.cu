// The particle filter kernel: one block per stream, kPfThreads threads,
// the stream's working set in shared memory, all frames of the round in
// one launch. The phases are pf_step.hpp's; a barrier follows each.
#include "kernels.hpp"

namespace tactus::cuda {
namespace {

struct DevicePhaseRunner {
    template <class F>
    __device__ void operator()(F&& f) const {
        f(int(threadIdx.x), int(blockDim.x));
        __syncthreads();
    }
};

__global__ void __launch_bounds__(kPfThreads) pf_kernel(PfRound r) {
    __shared__ PfWork w;
    __shared__ PfFrameOut out;
    const int stream = blockIdx.x;
    const PfTables& t = *r.tables;
    PfStreamState& state = r.states[stream];
    DevicePhaseRunner run;
    pf_load(run, w, t, state);
    for (int f = 0; f < r.frames; ++f) {
        const float* a = r.activations + (std::size_t(stream) * r.frames + f) * 2;
        pf_frame(run, w, t, a[0], a[1], out);
        if (threadIdx.x == 0) r.out[std::size_t(stream) * r.frames + f] = out;
    }
    pf_store(run, w, t, state);
}

}  // namespace

void launch_pf(const PfRound& r, cudaStream_t s) {
    if (r.streams > 0 && r.frames > 0) pf_kernel<<<r.streams, kPfThreads, 0, s>>>(r);
}

}  // namespace tactus::cuda
