#include "tactus/cuda/cuda_crnn.hpp"

#include <algorithm>
#include <map>

#include "cuda_check.hpp"
#include "cudnn_lstm.hpp"
#include "kernels.hpp"
#include "tactus/cuda/crnn_layout.hpp"
#include "tactus/features.hpp"

namespace tactus::cuda {

struct CudaCrnn::Impl {
    Options opt;
    int models = 0;
    cudaStream_t stream = nullptr;
    // device
    DeviceBuffer<float> weights, features, x0, h1, h_state, c_state, hy, cy, probs;
    DeviceBuffer<int> flags;  // frames, lstm_frames, reset, cudnn_done: [4][slots]
    // host, page-locked (graphs copy from and to these fixed addresses)
    PinnedBuffer<float> features_h, probs_h;
    PinnedBuffer<int> flags_h;
    std::vector<char> pending_reset;
    std::unique_ptr<CudnnLstm> cudnn;
    std::string cudnn_why;
    std::map<int, cudaGraphExec_t> graphs;  // by frames per round

    ~Impl() {
        for (auto& [t, g] : graphs) cudaGraphExecDestroy(g);
        if (stream) cudaStreamDestroy(stream);
    }

    int* frames_h() const { return flags_h.get(); }
    int* lstm_frames_h() const { return flags_h.get() + opt.slots; }
    int* reset_h() const { return flags_h.get() + 2 * opt.slots; }
    int* cudnn_done_h() const { return flags_h.get() + 3 * opt.slots; }

    CrnnRound round(int T) const {
        CrnnRound r;
        r.slots = opt.slots;
        r.T = T;
        r.models = models;
        r.weights = weights.get();
        r.features = features.get();
        r.frames = flags.get();
        r.lstm_frames = flags.get() + opt.slots;
        r.reset = flags.get() + 2 * opt.slots;
        r.cudnn_done = flags.get() + 3 * opt.slots;
        r.x0 = x0.get();
        r.h1 = h1.get();
        r.h_state = h_state.get();
        r.c_state = c_state.get();
        r.hy = hy.get();
        r.cy = cy.get();
        r.probs = probs.get();
        return r;
    }

    // Everything a round does, enqueued on the stream. Features and
    // probabilities are copied for slots [0, used) only (graphs: all).
    void enqueue(int T, bool with_cudnn, int used) {
        const std::size_t S = std::size_t(opt.slots), U = std::size_t(used);
        check(cudaMemcpyAsync(features.get(), features_h.get(), U * std::size_t(T) * kFeatures * sizeof(float),
                              cudaMemcpyHostToDevice, stream),
              "copy of the features");
        check(cudaMemcpyAsync(flags.get(), flags_h.get(), 4 * S * sizeof(int), cudaMemcpyHostToDevice, stream),
              "copy of the round's flags");
        const CrnnRound r = round(T);
        launch_reset(r, stream);
        launch_front(r, stream);
        if (with_cudnn) {
            const std::size_t seq = std::size_t(T) * S * kHidden, st = std::size_t(kLstmLayers) * S * kHidden;
            for (int m = 0; m < models; ++m)
                cudnn->forward(m, x0.get() + m * seq, h1.get() + m * seq, h_state.get() + m * st, c_state.get() + m * st,
                               hy.get() + m * st, cy.get() + m * st);
            launch_take_cudnn_state(r, stream);
        }
        launch_lstm(r, stream);
        launch_output(r, stream);
        check(cudaGetLastError(), "kernel launch");
        check(cudaMemcpyAsync(probs_h.get(), probs.get(), U * std::size_t(T) * kClasses * sizeof(float),
                              cudaMemcpyDeviceToHost, stream),
              "copy of the probabilities");
    }

    // The round for T frames as a CUDA graph, captured on first use: one
    // launch replaces two copies in, five kernels and a copy out.
    cudaGraphExec_t graph(int T) {
        if (auto it = graphs.find(T); it != graphs.end()) return it->second;
        cudaGraph_t g = nullptr;
        check(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal), "cudaStreamBeginCapture");
        try {
            enqueue(T, false, opt.slots);
        } catch (...) {
            cudaStreamEndCapture(stream, &g);
            if (g) cudaGraphDestroy(g);
            throw;
        }
        check(cudaStreamEndCapture(stream, &g), "cudaStreamEndCapture");
        cudaGraphExec_t exec = nullptr;
        const cudaError_t e = cudaGraphInstantiate(&exec, g, 0);
        cudaGraphDestroy(g);
        check(e, "cudaGraphInstantiate");
        graphs[T] = exec;
        return exec;
    }
};

CudaCrnn::CudaCrnn(const std::vector<const CrnnWeights*>& ensemble, const Options& options)
    : impl_(std::make_unique<Impl>()) {
    Impl& m = *impl_;
    m.opt = options;
    m.opt.slots = std::clamp(options.slots, 1, 4096);
    m.opt.chunk = std::clamp(options.chunk, 1, 1024);
    if (ensemble.empty()) throw Error("no model given");
    m.models = int(ensemble.size());
    std::vector<float> packed;
    try {
        for (const CrnnWeights* w : ensemble) pack_crnn(*w, packed);
    } catch (const std::invalid_argument& e) {
        throw Error(e.what());
    }
    check(cudaSetDevice(m.opt.device), "cudaSetDevice");
    check(cudaStreamCreateWithFlags(&m.stream, cudaStreamNonBlocking), "cudaStreamCreate");
    const std::size_t S = std::size_t(m.opt.slots), T = std::size_t(m.opt.chunk), M = std::size_t(m.models);
    m.weights.allocate(packed.size());
    check(cudaMemcpy(m.weights.get(), packed.data(), packed.size() * sizeof(float), cudaMemcpyHostToDevice),
          "upload of the weights");
    m.features.allocate(S * T * kFeatures);
    m.x0.allocate(M * T * S * kHidden);
    m.h1.allocate(M * T * S * kHidden);
    for (auto* b : {&m.h_state, &m.c_state, &m.hy, &m.cy}) b->allocate(M * kLstmLayers * S * kHidden);
    m.probs.allocate(S * T * kClasses);
    m.flags.allocate(4 * S);
    m.features_h.allocate(S * T * kFeatures);
    m.probs_h.allocate(S * T * kClasses);
    m.flags_h.allocate(4 * S);
    m.pending_reset.assign(S, 0);
    if (m.opt.cudnn) m.cudnn = CudnnLstm::create(ensemble, m.opt.slots, m.opt.chunk, m.stream, &m.cudnn_why);
    else m.cudnn_why = "not asked for";
}

CudaCrnn::~CudaCrnn() = default;

const CudaCrnn::Options& CudaCrnn::options() const { return impl_->opt; }

std::string CudaCrnn::lstm_path() const {
    return impl_->cudnn ? impl_->cudnn->describe() + " for full chunks, hand-written kernel for the rest"
                        : "hand-written kernel (no cuDNN: " + impl_->cudnn_why + ")";
}

void CudaCrnn::reset(int slot) {
    if (slot >= 0 && slot < impl_->opt.slots) impl_->pending_reset[std::size_t(slot)] = 1;
}

void CudaCrnn::run(std::span<const CrnnRequest> requests) {
    Impl& m = *impl_;
    const int S = m.opt.slots;
    int T = 0, used = 0;
    for (const auto& r : requests) {
        if (r.slot < 0 || r.slot >= S || r.frames < 1 || r.frames > m.opt.chunk || !r.features || !r.probabilities)
            throw Error("CUDA CRNN: bad request");
        T = std::max(T, r.frames);
        used = std::max(used, r.slot + 1);
    }
    if (T == 0) return;
    std::fill(m.flags_h.get(), m.flags_h.get() + 4 * S, 0);
    for (int s = 0; s < S; ++s) m.reset_h()[s] = m.pending_reset[std::size_t(s)];
    // cuDNN runs all slots with one shape (so a stream's numbers never
    // depend on the others); it serves the streams that bring a full chunk.
    bool with_cudnn = false;
    for (const auto& r : requests) {
        if (m.frames_h()[r.slot] != 0) throw Error("CUDA CRNN: a slot appears twice in one round");
        m.frames_h()[r.slot] = r.frames;
        std::copy_n(r.features, std::size_t(r.frames) * kFeatures,
                    m.features_h.get() + std::size_t(r.slot) * std::size_t(T) * kFeatures);
        if (m.cudnn && T == m.opt.chunk && r.frames == m.opt.chunk) {
            m.cudnn_done_h()[r.slot] = 1;
            with_cudnn = true;
        } else {
            m.lstm_frames_h()[r.slot] = r.frames;
        }
    }
    check(cudaSetDevice(m.opt.device), "cudaSetDevice");
    if (!with_cudnn && m.opt.graphs && (T == 1 || T == m.opt.chunk)) {
        try {
            check(cudaGraphLaunch(m.graph(T), m.stream), "cudaGraphLaunch");
        } catch (const Error&) {
            m.opt.graphs = false;  // capture is not available here: plain launches from now on
            (void)cudaGetLastError();
            m.enqueue(T, false, used);
        }
    } else {
        m.enqueue(T, with_cudnn, used);
    }
    check(cudaStreamSynchronize(m.stream), "CRNN round");
    std::fill(m.pending_reset.begin(), m.pending_reset.end(), 0);
    for (const auto& r : requests)
        std::copy_n(m.probs_h.get() + std::size_t(r.slot) * std::size_t(T) * kClasses, std::size_t(r.frames) * kClasses,
                    r.probabilities);
}

}  // namespace tactus::cuda
