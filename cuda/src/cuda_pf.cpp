#include "tactus/cuda/cuda_pf.hpp"

#include <algorithm>
#include <map>

#include "cuda_check.hpp"
#include "kernels.hpp"

namespace tactus::cuda {

struct CudaParticleFilter::Impl {
    Options opt;
    std::unique_ptr<PfTables> tables = std::make_unique<PfTables>();
    std::unique_ptr<PfStreamState> scratch = std::make_unique<PfStreamState>();
    cudaStream_t stream = nullptr;
    DeviceBuffer<PfTables> tables_d;
    DeviceBuffer<PfStreamState> states;
    DeviceBuffer<float> acts;
    DeviceBuffer<PfFrameOut> out;
    PinnedBuffer<float> acts_h;
    PinnedBuffer<PfFrameOut> out_h;
    std::map<int, cudaGraphExec_t> graphs;  // by frames per round

    ~Impl() {
        for (auto& [f, g] : graphs) cudaGraphExecDestroy(g);
        if (stream) cudaStreamDestroy(stream);
    }

    void enqueue(int frames) {
        const std::size_t n = std::size_t(opt.streams) * std::size_t(frames);
        check(cudaMemcpyAsync(acts.get(), acts_h.get(), n * 2 * sizeof(float), cudaMemcpyHostToDevice, stream),
              "copy of the activations");
        PfRound r;
        r.streams = opt.streams;
        r.frames = frames;
        r.tables = tables_d.get();
        r.states = states.get();
        r.activations = acts.get();
        r.out = out.get();
        launch_pf(r, stream);
        check(cudaGetLastError(), "particle filter launch");
        check(cudaMemcpyAsync(out_h.get(), out.get(), n * sizeof(PfFrameOut), cudaMemcpyDeviceToHost, stream),
              "copy of the decisions");
    }

    cudaGraphExec_t graph(int frames) {
        if (auto it = graphs.find(frames); it != graphs.end()) return it->second;
        cudaGraph_t g = nullptr;
        check(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal), "cudaStreamBeginCapture");
        try {
            enqueue(frames);
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
        graphs[frames] = exec;
        return exec;
    }
};

CudaParticleFilter::CudaParticleFilter(const BeatNetPfConfig& cfg, const Options& options)
    : impl_(std::make_unique<Impl>()) {
    Impl& m = *impl_;
    m.opt = options;
    m.opt.streams = std::max(1, options.streams);
    m.opt.max_frames = std::max(1, options.max_frames);
    try {
        build_pf_tables(cfg, *m.tables);
    } catch (const std::invalid_argument& e) {
        throw Error(e.what());
    }
    check(cudaSetDevice(m.opt.device), "cudaSetDevice");
    check(cudaStreamCreateWithFlags(&m.stream, cudaStreamNonBlocking), "cudaStreamCreate");
    const std::size_t n = std::size_t(m.opt.streams) * std::size_t(m.opt.max_frames);
    m.tables_d.allocate(1);
    check(cudaMemcpy(m.tables_d.get(), m.tables.get(), sizeof(PfTables), cudaMemcpyHostToDevice), "upload of the tables");
    m.states.allocate(std::size_t(m.opt.streams));
    m.acts.allocate(n * 2);
    m.out.allocate(n);
    m.acts_h.allocate(n * 2);
    m.out_h.allocate(n);
    for (int s = 0; s < m.opt.streams; ++s) reset(s, cfg.seed);
}

CudaParticleFilter::~CudaParticleFilter() = default;

const PfTables& CudaParticleFilter::tables() const { return *impl_->tables; }

double CudaParticleFilter::tempo_bpm(const PfFrameOut& o) const {
    return 60.0 * impl_->tables->fps / double(std::max<int>(1, o.interval));
}

int CudaParticleFilter::beats_per_bar(const PfFrameOut& o) const { return impl_->tables->down_interval[o.down_max]; }

void CudaParticleFilter::reset(int stream, std::uint64_t seed) {
    Impl& m = *impl_;
    if (stream < 0 || stream >= m.opt.streams) throw Error("CUDA particle filter: no stream " + std::to_string(stream));
    pf_init(*m.tables, seed, *m.scratch);
    check(cudaSetDevice(m.opt.device), "cudaSetDevice");
    check(cudaMemcpyAsync(m.states.get() + stream, m.scratch.get(), sizeof(PfStreamState), cudaMemcpyHostToDevice,
                          m.stream),
          "upload of a stream's particles");
    check(cudaStreamSynchronize(m.stream), "upload of a stream's particles");
}

void CudaParticleFilter::download(int stream, PfStreamState* state) {
    Impl& m = *impl_;
    if (stream < 0 || stream >= m.opt.streams) throw Error("CUDA particle filter: no stream " + std::to_string(stream));
    check(cudaSetDevice(m.opt.device), "cudaSetDevice");
    check(cudaMemcpy(state, m.states.get() + stream, sizeof(PfStreamState), cudaMemcpyDeviceToHost),
          "download of a stream's particles");
}

void CudaParticleFilter::run(const float* activations, int frames, PfFrameOut* out) {
    Impl& m = *impl_;
    if (frames < 1 || frames > m.opt.max_frames) throw Error("CUDA particle filter: bad frame count");
    const std::size_t n = std::size_t(m.opt.streams) * std::size_t(frames);
    std::copy_n(activations, n * 2, m.acts_h.get());
    check(cudaSetDevice(m.opt.device), "cudaSetDevice");
    if (m.opt.graphs) {
        try {
            check(cudaGraphLaunch(m.graph(frames), m.stream), "cudaGraphLaunch");
        } catch (const Error&) {
            m.opt.graphs = false;
            (void)cudaGetLastError();
            m.enqueue(frames);
        }
    } else {
        m.enqueue(frames);
    }
    check(cudaStreamSynchronize(m.stream), "particle filter round");
    std::copy_n(m.out_h.get(), n, out);
}

}  // namespace tactus::cuda
