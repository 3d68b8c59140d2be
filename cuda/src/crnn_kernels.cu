// The CRNN's kernels. Each output element is computed by the functions of
// crnn_math.hpp, in their order, so the CPU tests of those functions cover
// the arithmetic; what is here is the mapping onto threads and shared memory.
#include "kernels.hpp"
#include "tactus/cuda/crnn_math.hpp"

namespace tactus::cuda {
namespace {

constexpr int kUnitsThreads = 160;     // >= 150 hidden units, whole warps
constexpr int kFrontItems = 8;         // frames (stream x time) per front block: linear0 weights read once per 8
constexpr int kStreamsPerBlock = 4;    // streams per LSTM block: LSTM weights read once per 4 per step

__device__ inline std::size_t seq_index(int t, int slot, int slots) {  // [T][slots][150]
    return (std::size_t(t) * std::size_t(slots) + std::size_t(slot)) * kHidden;
}

__global__ void probe_kernel(int* out) { *out = 42; }

__global__ void reset_kernel(CrnnRound r) {
    const int slot = blockIdx.x, m = blockIdx.y;
    if (!r.reset[slot]) return;
    for (int l = 0; l < kLstmLayers; ++l) {
        const std::size_t at = ((std::size_t(m) * kLstmLayers + l) * std::size_t(r.slots) + slot) * kHidden;
        for (int u = threadIdx.x; u < kHidden; u += blockDim.x) r.h_state[at + u] = r.c_state[at + u] = 0.f;
    }
}

// conv1d + ReLU + max-pool + linear0 for kFrontItems frames of any streams.
__global__ void __launch_bounds__(kUnitsThreads) front_kernel(CrnnRound r) {
    const int m = blockIdx.y;
    const float* pack = r.weights + std::size_t(m) * CrnnPack::size;
    __shared__ float feat[kFrontItems][kFeatureSize];
    __shared__ float pooled[kFrontItems][kLinear0In];
    __shared__ int slot_of[kFrontItems], t_of[kFrontItems], valid[kFrontItems];
    const int tid = threadIdx.x;
    if (tid < kFrontItems) {
        const int item = blockIdx.x * kFrontItems + tid;  // item = slot * T + t
        const int slot = item / r.T, t = item - slot * r.T;
        slot_of[tid] = slot;
        t_of[tid] = t;
        valid[tid] = slot < r.slots && t < r.frames[slot];
    }
    __syncthreads();
    for (int i = tid; i < kFrontItems * kFeatureSize; i += blockDim.x) {
        const int g = i / kFeatureSize, j = i - g * kFeatureSize;
        feat[g][j] = valid[g] ? r.features[(std::size_t(slot_of[g]) * r.T + t_of[g]) * kFeatureSize + j] : 0.f;
    }
    __syncthreads();
    for (int i = tid; i < kFrontItems * kLinear0In; i += blockDim.x) {
        const int g = i / kLinear0In, j = i - g * kLinear0In;
        pooled[g][j] = conv_pool(feat[g], pack, j);
    }
    __syncthreads();
    const int u = tid;
    if (u >= kHidden) return;
    // linear0_unit() for every item at once: same order (bias, k ascending)
    const float* w = pack + CrnnPack::w0t;
    float acc[kFrontItems];
    for (int g = 0; g < kFrontItems; ++g) acc[g] = pack[CrnnPack::b0 + u];
    for (int k = 0; k < kLinear0In; ++k) {
        const float wk = w[k * kHidden + u];
        for (int g = 0; g < kFrontItems; ++g) acc[g] = fmaf(wk, pooled[g][k], acc[g]);
    }
    float* x0 = r.x0 + std::size_t(m) * r.T * r.slots * kHidden;
    for (int g = 0; g < kFrontItems; ++g)
        if (valid[g]) x0[seq_index(t_of[g], slot_of[g], r.slots) + u] = acc[g];
}

// One block runs kStreamsPerBlock whole streams through both layers for
// all their frames, one step after the other: no grid-wide dependency, so
// a single launch covers any number of streams and frames. Thread u owns
// unit u of every stream (its four gates and its cell state).
__global__ void __launch_bounds__(kUnitsThreads) lstm_kernel(CrnnRound r) {
    constexpr int SB = kStreamsPerBlock;
    const int m = blockIdx.y;
    const float* pack = r.weights + std::size_t(m) * CrnnPack::size;
    __shared__ float x[SB][kHidden];
    __shared__ float h[kLstmLayers][SB][kHidden];
    __shared__ int frames[SB];
    const int tid = threadIdx.x, u = tid;
    const int slot0 = blockIdx.x * SB;
    const float* x0 = r.x0 + std::size_t(m) * r.T * r.slots * kHidden;
    float* h1 = r.h1 + std::size_t(m) * r.T * r.slots * kHidden;
    auto state_at = [&](int l, int slot) {
        return ((std::size_t(m) * kLstmLayers + l) * std::size_t(r.slots) + slot) * kHidden;
    };
    if (tid < SB) frames[tid] = slot0 + tid < r.slots ? r.lstm_frames[slot0 + tid] : 0;
    float c[kLstmLayers][SB] = {};
    if (u < kHidden) {
#pragma unroll
        for (int s = 0; s < SB; ++s)
#pragma unroll
            for (int l = 0; l < kLstmLayers; ++l) {
                const bool live = slot0 + s < r.slots;
                h[l][s][u] = live ? r.h_state[state_at(l, slot0 + s) + u] : 0.f;
                c[l][s] = live ? r.c_state[state_at(l, slot0 + s) + u] : 0.f;
            }
    }
    __syncthreads();
    int steps = 0;
#pragma unroll
    for (int s = 0; s < SB; ++s) steps = max(steps, frames[s]);
    if (steps == 0) return;  // uniform across the block
    for (int t = 0; t < steps; ++t) {
#pragma unroll
        for (int s = 0; s < SB; ++s)
            if (u < kHidden) x[s][u] = t < frames[s] ? x0[seq_index(t, slot0 + s, r.slots) + u] : 0.f;
        __syncthreads();
#pragma unroll
        for (int l = 0; l < kLstmLayers; ++l) {
            const float(*in)[kHidden] = l == 0 ? x : h[0];
            float gates[SB][4];
            if (u < kHidden) {
                // lstm_gates() for SB streams at once: bias, input k ascending, then recurrent k ascending
                const float* wt = pack + CrnnPack::layer(l) + CrnnPack::layer_wt;
                const float* b = pack + CrnnPack::layer(l) + CrnnPack::layer_b;
#pragma unroll
                for (int s = 0; s < SB; ++s)
#pragma unroll
                    for (int q = 0; q < 4; ++q) gates[s][q] = b[q * kHidden + u];
                for (int k = 0; k < kHidden; ++k) {
                    float w[4];
#pragma unroll
                    for (int q = 0; q < 4; ++q) w[q] = wt[k * kGates + q * kHidden + u];
#pragma unroll
                    for (int s = 0; s < SB; ++s)
#pragma unroll
                        for (int q = 0; q < 4; ++q) gates[s][q] = fmaf(w[q], in[s][k], gates[s][q]);
                }
                for (int k = 0; k < kHidden; ++k) {
                    float w[4];
#pragma unroll
                    for (int q = 0; q < 4; ++q) w[q] = wt[(kHidden + k) * kGates + q * kHidden + u];
#pragma unroll
                    for (int s = 0; s < SB; ++s)
#pragma unroll
                        for (int q = 0; q < 4; ++q) gates[s][q] = fmaf(w[q], h[l][s][k], gates[s][q]);
                }
            }
            __syncthreads();  // every thread has read h[l]: it may change now
            if (u < kHidden) {
#pragma unroll
                for (int s = 0; s < SB; ++s)
                    if (t < frames[s]) h[l][s][u] = lstm_cell(gates[s], c[l][s]);
            }
            __syncthreads();
        }
        if (u < kHidden) {
#pragma unroll
            for (int s = 0; s < SB; ++s)
                if (t < frames[s]) h1[seq_index(t, slot0 + s, r.slots) + u] = h[1][s][u];
        }
    }
    if (u >= kHidden) return;
#pragma unroll
    for (int s = 0; s < SB; ++s) {
        if (frames[s] == 0) continue;  // not this kernel's stream in this round: its state stays
#pragma unroll
        for (int l = 0; l < kLstmLayers; ++l) {
            r.h_state[state_at(l, slot0 + s) + u] = h[l][s][u];
            r.c_state[state_at(l, slot0 + s) + u] = c[l][s];
        }
    }
}

__global__ void take_cudnn_state_kernel(CrnnRound r) {
    const int slot = blockIdx.x, m = blockIdx.y;
    if (!r.cudnn_done[slot]) return;
    for (int l = 0; l < kLstmLayers; ++l) {
        const std::size_t at = ((std::size_t(m) * kLstmLayers + l) * std::size_t(r.slots) + slot) * kHidden;
        for (int u = threadIdx.x; u < kHidden; u += blockDim.x) {
            r.h_state[at + u] = r.hy[at + u];
            r.c_state[at + u] = r.cy[at + u];
        }
    }
}

// Output layer, softmax and the ensemble's mean: one thread per frame.
__global__ void output_kernel(CrnnRound r) {
    const int item = blockIdx.x * blockDim.x + threadIdx.x;
    const int slot = item / r.T, t = item - slot * r.T;
    if (slot >= r.slots || t >= r.frames[slot]) return;
    float sum[kClasses] = {0.f, 0.f, 0.f};
    for (int m = 0; m < r.models; ++m) {
        const float* h = r.h1 + std::size_t(m) * r.T * r.slots * kHidden + seq_index(t, slot, r.slots);
        float p[kClasses];
        output_softmax(h, r.weights + std::size_t(m) * CrnnPack::size, p);
        for (int k = 0; k < kClasses; ++k) sum[k] += p[k];
    }
    const float inv = 1.f / float(r.models);
    for (int k = 0; k < kClasses; ++k) r.probs[(std::size_t(slot) * r.T + t) * kClasses + k] = sum[k] * inv;
}

}  // namespace

std::string run_probe_kernel(int index) {
    cudaError_t e = cudaSetDevice(index);
    int* d = nullptr;
    int got = 0;
    if (e == cudaSuccess) e = cudaMalloc(&d, sizeof(int));
    if (e == cudaSuccess) {
        probe_kernel<<<1, 1>>>(d);
        e = cudaGetLastError();
    }
    if (e == cudaSuccess) e = cudaMemcpy(&got, d, sizeof(int), cudaMemcpyDeviceToHost);
    if (d) cudaFree(d);
    if (e != cudaSuccess) {
        (void)cudaGetLastError();
        return cudaGetErrorString(e);
    }
    return got == 42 ? "" : "a test kernel gave a wrong result";
}

void launch_reset(const CrnnRound& r, cudaStream_t s) { reset_kernel<<<dim3(r.slots, r.models), 32, 0, s>>>(r); }

void launch_front(const CrnnRound& r, cudaStream_t s) {
    const int items = r.slots * r.T;
    front_kernel<<<dim3((items + kFrontItems - 1) / kFrontItems, r.models), kUnitsThreads, 0, s>>>(r);
}

void launch_lstm(const CrnnRound& r, cudaStream_t s) {
    lstm_kernel<<<dim3((r.slots + kStreamsPerBlock - 1) / kStreamsPerBlock, r.models), kUnitsThreads, 0, s>>>(r);
}

void launch_take_cudnn_state(const CrnnRound& r, cudaStream_t s) {
    take_cudnn_state_kernel<<<dim3(r.slots, r.models), 32, 0, s>>>(r);
}

void launch_output(const CrnnRound& r, cudaStream_t s) {
    const int items = r.slots * r.T;
    output_kernel<<<(items + 127) / 128, 128, 0, s>>>(r);
}

}  // namespace tactus::cuda
