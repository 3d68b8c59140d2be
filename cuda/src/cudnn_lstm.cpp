#include "cudnn_lstm.hpp"

#include <dlfcn.h>

#include <algorithm>

#include "cuda_check.hpp"

#if __has_include(<cudnn.h>)
#include <cudnn.h>
#define TACTUS_HAVE_CUDNN_H 1
#else
#define TACTUS_HAVE_CUDNN_H 0
#endif

namespace tactus::cuda {

#if TACTUS_HAVE_CUDNN_H
namespace {

// The cuDNN functions used here, resolved from libcudnn.so.9 at run time.
// Their types come from cudnn.h, so a mismatch fails to compile.
#define TACTUS_CUDNN_FUNCTIONS(X)                                                                            \
    X(cudnnGetVersion) X(cudnnGetErrorString) X(cudnnCreate) X(cudnnDestroy) X(cudnnSetStream)            \
    X(cudnnCreateRNNDescriptor) X(cudnnDestroyRNNDescriptor) X(cudnnSetRNNDescriptor_v8)                   \
    X(cudnnCreateRNNDataDescriptor) X(cudnnDestroyRNNDataDescriptor) X(cudnnSetRNNDataDescriptor)          \
    X(cudnnCreateTensorDescriptor) X(cudnnDestroyTensorDescriptor) X(cudnnSetTensorNdDescriptor)           \
    X(cudnnGetTensorNdDescriptor) X(cudnnCreateDropoutDescriptor) X(cudnnDestroyDropoutDescriptor)         \
    X(cudnnSetDropoutDescriptor) X(cudnnGetRNNWeightSpaceSize) X(cudnnGetRNNWeightParams)                  \
    X(cudnnGetRNNTempSpaceSizes) X(cudnnRNNForward)

struct Api {
    bool ok = false;
    std::string why, version;
#define TACTUS_DECLARE(name) decltype(&::name) name = nullptr;
    TACTUS_CUDNN_FUNCTIONS(TACTUS_DECLARE)
#undef TACTUS_DECLARE
};

const Api& api() {
    static const Api loaded = [] {
        Api a;
        void* lib = dlopen("libcudnn.so.9", RTLD_NOW | RTLD_LOCAL);
        if (!lib) lib = dlopen("libcudnn.so", RTLD_NOW | RTLD_LOCAL);
        if (!lib) {
            const char* e = dlerror();
            a.why = std::string("cuDNN 9 is not installed (") + (e ? e : "libcudnn.so.9 not found") + ")";
            return a;
        }
        // never closed: the functions are used for the life of the process
#define TACTUS_RESOLVE(name)                                                     \
    a.name = reinterpret_cast<decltype(a.name)>(dlsym(lib, #name));             \
    if (!a.name) {                                                               \
        a.why = "the cuDNN library lacks " #name;                                \
        return a;                                                                \
    }
        TACTUS_CUDNN_FUNCTIONS(TACTUS_RESOLVE)
#undef TACTUS_RESOLVE
        const std::size_t v = a.cudnnGetVersion();
        a.version = std::to_string(v / 10000) + "." + std::to_string(v / 100 % 100) + "." + std::to_string(v % 100);
        if (v < 90000) {
            a.why = "cuDNN " + a.version + " is older than 9";
            return a;
        }
        a.ok = true;
        return a;
    }();
    return loaded;
}

}  // namespace

struct CudnnLstm::Impl {
    const Api& a = api();
    cudaStream_t stream = nullptr;
    int slots = 0, seq = 0;
    bool persistent = false;
    cudnnHandle_t handle = nullptr;
    cudnnDropoutDescriptor_t dropout = nullptr;
    cudnnRNNDescriptor_t rnn = nullptr;
    cudnnRNNDataDescriptor_t xd = nullptr, yd = nullptr;
    cudnnTensorDescriptor_t hd = nullptr, cd = nullptr;
    std::size_t weight_bytes = 0, work_bytes = 0;
    std::vector<std::unique_ptr<DeviceBuffer<char>>> weights;
    DeviceBuffer<char> work;
    DeviceBuffer<int> seq_lengths;

    ~Impl() {
        if (xd) a.cudnnDestroyRNNDataDescriptor(xd);
        if (yd) a.cudnnDestroyRNNDataDescriptor(yd);
        if (hd) a.cudnnDestroyTensorDescriptor(hd);
        if (cd) a.cudnnDestroyTensorDescriptor(cd);
        if (rnn) a.cudnnDestroyRNNDescriptor(rnn);
        if (dropout) a.cudnnDestroyDropoutDescriptor(dropout);
        if (handle) a.cudnnDestroy(handle);
    }

    // One line for a failed call.
    bool ok(cudnnStatus_t s, const char* what, std::string* why) const {
        if (s == CUDNN_STATUS_SUCCESS) return true;
        *why = std::string(what) + ": " + a.cudnnGetErrorString(s);
        return false;
    }

    bool setup(std::string* why) {
        if (!ok(a.cudnnCreate(&handle), "cudnnCreate", why) || !ok(a.cudnnSetStream(handle, stream), "cudnnSetStream", why))
            return false;
        if (!ok(a.cudnnCreateDropoutDescriptor(&dropout), "cudnnCreateDropoutDescriptor", why) ||
            !ok(a.cudnnSetDropoutDescriptor(dropout, handle, 0.f, nullptr, 0, 0), "cudnnSetDropoutDescriptor", why) ||
            !ok(a.cudnnCreateRNNDescriptor(&rnn), "cudnnCreateRNNDescriptor", why) ||
            !ok(a.cudnnCreateRNNDataDescriptor(&xd), "cudnnCreateRNNDataDescriptor", why) ||
            !ok(a.cudnnCreateRNNDataDescriptor(&yd), "cudnnCreateRNNDataDescriptor", why) ||
            !ok(a.cudnnCreateTensorDescriptor(&hd), "cudnnCreateTensorDescriptor", why) ||
            !ok(a.cudnnCreateTensorDescriptor(&cd), "cudnnCreateTensorDescriptor", why))
            return false;
        // Every sequence has `seq` frames: the packed sequence-major layout
        // is then the plain [seq][slots][150] array the front kernel writes.
        const std::vector<int> lengths(std::size_t(slots), seq);
        if (!ok(a.cudnnSetRNNDataDescriptor(xd, CUDNN_DATA_FLOAT, CUDNN_RNN_DATA_LAYOUT_SEQ_MAJOR_PACKED, seq, slots,
                                            kHidden, lengths.data(), nullptr),
                "cudnnSetRNNDataDescriptor", why) ||
            !ok(a.cudnnSetRNNDataDescriptor(yd, CUDNN_DATA_FLOAT, CUDNN_RNN_DATA_LAYOUT_SEQ_MAJOR_PACKED, seq, slots,
                                            kHidden, lengths.data(), nullptr),
                "cudnnSetRNNDataDescriptor", why))
            return false;
        const int dims[3] = {kLstmLayers, slots, kHidden};
        const int strides[3] = {slots * kHidden, kHidden, 1};
        if (!ok(a.cudnnSetTensorNdDescriptor(hd, CUDNN_DATA_FLOAT, 3, dims, strides), "cudnnSetTensorNdDescriptor", why) ||
            !ok(a.cudnnSetTensorNdDescriptor(cd, CUDNN_DATA_FLOAT, 3, dims, strides), "cudnnSetTensorNdDescriptor", why))
            return false;
        seq_lengths.allocate(std::size_t(slots));
        check(cudaMemcpy(seq_lengths.get(), lengths.data(), lengths.size() * sizeof(int), cudaMemcpyHostToDevice),
              "cudaMemcpy");
        return true;
    }

    // The network with `algo`; FMA maths, no tensor cores: TF32 would cost
    // the 1e-4 agreement with the CPU.
    bool configure(cudnnRNNAlgo_t algo, const std::vector<const CrnnWeights*>& ensemble, std::string* why) {
        if (!ok(a.cudnnSetRNNDescriptor_v8(rnn, algo, CUDNN_LSTM, CUDNN_RNN_DOUBLE_BIAS, CUDNN_UNIDIRECTIONAL,
                                           CUDNN_LINEAR_INPUT, CUDNN_DATA_FLOAT, CUDNN_DATA_FLOAT, CUDNN_FMA_MATH, kHidden,
                                           kHidden, kHidden, kLstmLayers, dropout, 0),
                "cudnnSetRNNDescriptor_v8", why) ||
            !ok(a.cudnnGetRNNWeightSpaceSize(handle, rnn, &weight_bytes), "cudnnGetRNNWeightSpaceSize", why))
            return false;
        std::size_t reserve = 0;
        if (!ok(a.cudnnGetRNNTempSpaceSizes(handle, rnn, CUDNN_FWD_MODE_INFERENCE, xd, &work_bytes, &reserve),
                "cudnnGetRNNTempSpaceSizes", why))
            return false;
        work.allocate(work_bytes);
        weights.clear();
        for (const CrnnWeights* w : ensemble) {
            weights.push_back(std::make_unique<DeviceBuffer<char>>(weight_bytes));
            if (!upload(*w, weights.back()->get(), why)) return false;
        }
        persistent = algo != CUDNN_RNN_ALGO_STANDARD;
        return true;
    }

    // Copies PyTorch's tensors into cuDNN's weight space: per layer, the
    // input matrices and biases of gates i, f, g, o (linear layers 0-3),
    // then the recurrent ones (4-7), each [150][150] row-major, as PyTorch
    // itself copies them.
    bool upload(const CrnnWeights& w, char* space, std::string* why) {
        std::vector<float> host(weight_bytes / sizeof(float), 0.f);
        cudnnTensorDescriptor_t md = nullptr, bd = nullptr;
        a.cudnnCreateTensorDescriptor(&md);
        a.cudnnCreateTensorDescriptor(&bd);
        bool good = true;
        for (int l = 0; l < kLstmLayers && good; ++l)
            for (int id = 0; id < 8 && good; ++id) {
                void *m_addr = nullptr, *b_addr = nullptr;
                good = ok(a.cudnnGetRNNWeightParams(handle, rnn, l, weight_bytes, space, id, md, &m_addr, bd, &b_addr),
                          "cudnnGetRNNWeightParams", why);
                if (!good) break;
                cudnnDataType_t type;
                int n = 0, dims[8], strides[8];
                a.cudnnGetTensorNdDescriptor(md, 8, &type, &n, dims, strides);
                int m_count = 1;
                for (int k = 0; k < n; ++k) m_count *= dims[k];
                a.cudnnGetTensorNdDescriptor(bd, 8, &type, &n, dims, strides);
                int b_count = 1;
                for (int k = 0; k < n; ++k) b_count *= dims[k];
                if (m_count != kHidden * kHidden || b_count != kHidden || !m_addr || !b_addr) {
                    *why = "cuDNN lays the LSTM weights out unexpectedly";
                    good = false;
                    break;
                }
                const LstmLayerWeights& lw = w.lstm[l];
                const std::vector<float>& m_src = id < 4 ? lw.w_ih : lw.w_hh;
                const std::vector<float>& b_src = id < 4 ? lw.b_ih : lw.b_hh;
                const std::size_t gate = std::size_t(id % 4);
                const std::size_t m_at = std::size_t(static_cast<char*>(m_addr) - space) / sizeof(float);
                const std::size_t b_at = std::size_t(static_cast<char*>(b_addr) - space) / sizeof(float);
                std::copy_n(m_src.begin() + std::ptrdiff_t(gate * kHidden * kHidden), kHidden * kHidden, host.begin() + std::ptrdiff_t(m_at));
                std::copy_n(b_src.begin() + std::ptrdiff_t(gate * kHidden), kHidden, host.begin() + std::ptrdiff_t(b_at));
            }
        a.cudnnDestroyTensorDescriptor(md);
        a.cudnnDestroyTensorDescriptor(bd);
        if (good) check(cudaMemcpy(space, host.data(), weight_bytes, cudaMemcpyHostToDevice), "cudaMemcpy");
        return good;
    }

    cudnnStatus_t forward(int m, const float* x, float* y, const float* hx, const float* cx, float* hy, float* cy) {
        return a.cudnnRNNForward(handle, rnn, CUDNN_FWD_MODE_INFERENCE, seq_lengths.get(), xd, x, yd, y, hd, hx, hy, cd,
                                 cx, cy, weight_bytes, weights[std::size_t(m)]->get(), work_bytes, work.get(), 0, nullptr);
    }

    // One forward pass on zeros, waited for: an algorithm cuDNN accepts at
    // set-up may still refuse to run.
    bool trial(std::string* why) {
        const std::size_t seq_values = std::size_t(seq) * std::size_t(slots) * kHidden;
        const std::size_t state_values = std::size_t(kLstmLayers) * std::size_t(slots) * kHidden;
        DeviceBuffer<float> x(seq_values), y(seq_values), h(state_values), c(state_values), h2(state_values),
            c2(state_values);
        if (!ok(forward(0, x.get(), y.get(), h.get(), c.get(), h2.get(), c2.get()), "cudnnRNNForward", why)) return false;
        const cudaError_t e = cudaStreamSynchronize(stream);
        if (e != cudaSuccess) {
            *why = std::string("cudnnRNNForward: ") + cudaGetErrorString(e);
            return false;
        }
        return true;
    }
};

std::string cudnn_version(std::string* why) {
    const Api& a = api();
    if (!a.ok) {
        *why = a.why;
        return {};
    }
    return a.version;
}

std::unique_ptr<CudnnLstm> CudnnLstm::create(const std::vector<const CrnnWeights*>& ensemble, int slots, int seq,
                                             cudaStream_t stream, std::string* why) {
    if (!api().ok) {
        *why = api().why;
        return nullptr;
    }
    // Persistent kernels keep the recurrent weights on chip across time
    // steps where cuDNN supports them; the standard algorithm otherwise.
    for (const cudnnRNNAlgo_t algo : {CUDNN_RNN_ALGO_PERSIST_STATIC, CUDNN_RNN_ALGO_STANDARD}) {
        auto impl = std::make_unique<Impl>();
        impl->stream = stream;
        impl->slots = slots;
        impl->seq = seq;
        std::string reason;
        try {
            if (impl->setup(&reason) && impl->configure(algo, ensemble, &reason) && impl->trial(&reason))
                return std::unique_ptr<CudnnLstm>(new CudnnLstm(std::move(impl)));
        } catch (const Error& e) {
            reason = e.what();
        }
        (void)cudaGetLastError();
        *why = reason;
    }
    return nullptr;
}

CudnnLstm::CudnnLstm(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CudnnLstm::~CudnnLstm() = default;

void CudnnLstm::forward(int m, const float* x, float* y, const float* hx, const float* cx, float* hy, float* cy) {
    const cudnnStatus_t s = impl_->forward(m, x, y, hx, cx, hy, cy);
    if (s != CUDNN_STATUS_SUCCESS) throw Error(std::string("cudnnRNNForward: ") + impl_->a.cudnnGetErrorString(s));
}

std::string CudnnLstm::describe() const {
    return "cuDNN " + impl_->a.version + (impl_->persistent ? ", persistent kernels" : ", standard kernels");
}

#else  // built without cudnn.h: the hand-written kernel does all the LSTM work

struct CudnnLstm::Impl {};

std::string cudnn_version(std::string* why) {
    *why = "built without cuDNN headers";
    return {};
}

std::unique_ptr<CudnnLstm> CudnnLstm::create(const std::vector<const CrnnWeights*>&, int, int, cudaStream_t,
                                             std::string* why) {
    *why = "built without cuDNN headers";
    return nullptr;
}

CudnnLstm::CudnnLstm(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CudnnLstm::~CudnnLstm() = default;
void CudnnLstm::forward(int, const float*, float*, const float*, const float*, float*, float*) {}
std::string CudnnLstm::describe() const { return {}; }

#endif

}  // namespace tactus::cuda
