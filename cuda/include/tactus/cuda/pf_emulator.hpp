#pragma once
// The GPU particle filter of one stream run on the CPU: the kernel's phases
// (pf_step.hpp) executed thread by thread, kPfThreads "threads" per phase.
// Its results are the kernel's, bit for bit; CPU tests use it to check the
// kernel's logic against BeatNet's beats, the GPU test against the kernel.
#include <memory>

#include "tactus/cuda/pf_step.hpp"

namespace tactus::cuda {

struct HostPhaseRunner {
    template <class F>
    void operator()(F&& f) const {
        for (int tid = 0; tid < kPfThreads; ++tid) f(tid, kPfThreads);
    }
};

class PfEmulator {
public:
    explicit PfEmulator(const BeatNetPfConfig& cfg)
        : tables_(std::make_unique<PfTables>()),
          state_(std::make_unique<PfStreamState>()),
          work_(std::make_unique<PfWork>()) {
        build_pf_tables(cfg, *tables_);
        reset(cfg.seed);
    }

    void reset(std::uint64_t seed) {
        pf_init(*tables_, seed, *state_);
        HostPhaseRunner run;
        pf_load(run, *work_, *tables_, *state_);
    }

    PfFrameOut step(float beat, float downbeat) {
        HostPhaseRunner run;
        PfFrameOut out{};
        pf_frame(run, *work_, *tables_, beat, downbeat, out);
        last_ = out;
        return out;
    }

    // The stream's state as the kernel would store it.
    const PfStreamState& state() {
        HostPhaseRunner run;
        pf_store(run, *work_, *tables_, *state_);
        return *state_;
    }
    const PfTables& tables() const { return *tables_; }
    std::int64_t frame() const { return work_->counter; }
    int particle_count() const { return work_->n; }
    int down_particle_count() const { return work_->dn; }
    double tempo_bpm() const { return 60.0 * tables_->fps / double(last_.interval); }
    int beats_per_bar() const { return tables_->down_interval[last_.down_max]; }

private:
    std::unique_ptr<PfTables> tables_;
    std::unique_ptr<PfStreamState> state_;
    std::unique_ptr<PfWork> work_;
    PfFrameOut last_{0, 0, 1};
};

}  // namespace tactus::cuda
