#pragma once
// The engine both front ends use (tactus-jack, tactus.lv2) and
// tactus-analyze runs synchronously.
//
//   audio callback (RT)                 worker (a thread, or the caller)
//   push_rt(block) --> audio FIFO --> Analyzer (features, CRNN, tracker)
//   pop_events_rt() <-- event ring <--+--> listener (worker thread)
//   snapshot_rt()   <-- seqlock   <--+
//
// The RT side never blocks, allocates or locks: a full FIFO drops the
// block and counts it (the worker restarts the analysis after the gap, so
// stream positions stay exact). The worker reads the FIFO in whole quanta
// of kQuantum samples, so the analysis sees the same chunks whatever the
// host's block sizes: the threaded and the synchronous engine give
// identical events for the same input.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <semaphore.h>
#include <thread>
#include <vector>

#include "tactus/analyzer.hpp"
#include "tactus/events.hpp"
#include "tactus/params.hpp"
#include "tactus/rt.hpp"
#include "tactus/seqlock.hpp"
#include "tactus/spsc_ring.hpp"

namespace tactus {

struct EngineConfig {
    double sample_rate = 48000;
    ParamSet params;
    // Model files; empty: the ones `params` names, found with find_model()
    // or, when model_dir is set, in that folder (the LV2 bundle's models:
    // then a change of the `model` parameter loads the right files).
    std::vector<std::filesystem::path> model_files;
    std::filesystem::path model_dir;
    double fifo_seconds = 4.0;         // audio FIFO capacity at this rate
    std::size_t event_capacity = 1024;
    int batch_frames = 1;              // CRNN batch (1 live; files may batch)
    std::uint64_t seed = 1;            // --inference beatnet
    // How the CPU computes the CRNN in tactus mode (BeatNet mode: exact).
    CrnnArithmetic arithmetic = CrnnArithmetic::fast;
    // Where the CRNN runs. Null: the device the parameters name (device,
    // cuda_device), opened by the engine. Engines given the same provider
    // share it (on a GPU: their streams are batched together).
    std::shared_ptr<CrnnProvider> device;
};

struct EngineStats {
    std::int64_t pushed_frames = 0;    // stream position: every frame pushed, kept or dropped
    std::int64_t dropped_frames = 0;   // frames refused by a full FIFO
    std::int64_t gaps = 0;             // times the analysis restarted after drops
    std::int64_t dropped_events = 0;   // events the RT side did not collect in time
    std::int64_t processed_frames = 0;  // frames the worker has analysed
    std::uint64_t sanitized_samples = 0;
    double worker_cpu_s = 0;           // CPU time of the worker thread (threaded mode)
    std::int64_t restarts = 0;         // analyser rebuilds (parameter or rate changes)
};

class Engine {
public:
    static constexpr std::size_t kQuantum = 128;  // samples per analysis chunk

    // Loads the models and builds the analysis. Throws tactus::Error.
    explicit Engine(EngineConfig config);
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    // ---- real-time side: one audio thread ---------------------------------
    // Mixes a block to mono into the FIFO (no channels: silence). host_time_ns:
    // CLOCK_MONOTONIC time of the block's first frame (0: unknown), used to
    // stamp events.
    TACTUS_RT void push_rt(const float* const* channels, int num_channels, std::uint32_t frames,
                           std::int64_t host_time_ns = 0) noexcept;
    TACTUS_RT std::size_t pop_events_rt(BeatEvent* out, std::size_t max) noexcept;
    // Latest tracker state; false only if none could be read this instant.
    TACTUS_RT bool snapshot_rt(TempoSnapshot* out) const noexcept;
    TACTUS_RT std::int64_t stream_position_rt() const noexcept {
        return stream_pos_.load(std::memory_order_relaxed);
    }
    // Parameter changes and taps from the audio thread (LV2 control ports).
    TACTUS_RT bool set_param_rt(ParamId id, float value) noexcept;
    TACTUS_RT void tap_rt() noexcept { tap_at_rt(stream_position_rt()); }
    TACTUS_RT void tap_at_rt(std::int64_t stream_frame) noexcept;

    // ---- control side: any other thread -----------------------------------
    // Clamps, stores and returns whether it clamped. Reaches the worker
    // through atomics (no locks anywhere).
    bool set_param(ParamId id, float value) { return set_param_rt(id, value); }
    float param(ParamId id) const { return params_[std::size_t(id)].load(std::memory_order_relaxed); }
    ParamSet params() const;
    // The analysis restarts at the current position (tempo, phase, meter forgotten).
    void reset();
    // The host now runs at another rate; takes effect at the FIFO position
    // of this call.
    void set_sample_rate(double rate);
    // The host's audio period in frames (0: unknown; tactus-analyze never
    // sets it). A prediction reaches the audio thread a period or two after
    // it is committed, so the lead is kept at least two periods (at most
    // 1 s) whatever prediction_lead_ms says: with 4096-frame periods beats
    // still go out on their sample.
    void set_host_period(std::uint32_t frames);
    // Taps from a control thread: use either tap() or tap_rt(), not both.
    void tap() { tap_rt(); }
    EngineStats stats() const;
    double sample_rate() const { return worker_rate_.load(std::memory_order_relaxed); }
    // FIFO content (samples) that wakes the worker: 5 ms at the newest rate.
    std::size_t wake_samples() const { return wake_samples_.load(std::memory_order_relaxed); }

    // Worker-thread callback for every event (tactus-analyze, OSC senders).
    // Set before start()/process(). Called on the worker thread.
    void set_listener(EventSink* sink) { listener_ = sink; }

    // ---- worker -------------------------------------------------------------
    void start();  // runs the worker on its own thread
    void stop();
    bool running() const { return thread_.joinable(); }
    // Synchronous use (files, LV2 without a worker): processes what is
    // waiting in the FIFO on this thread; returns the frames taken.
    std::size_t process();
    // End of stream: processes the rest and flushes the analysis.
    void finish();

private:
    struct Gap {
        std::uint64_t at;    // FIFO sample count where frames went missing
        std::int64_t frames;  // how many
    };
    struct Anchor {
        std::int64_t frame = 0;
        std::int64_t time_ns = 0;
    };
    class Dispatch;

    void worker_loop();
    std::size_t drain(bool everything);
    void apply_controls();
    void rebuild(double rate);
    void restart_at(std::int64_t stream_frame);
    void publish_snapshot();

    EngineConfig cfg_;
    // RT <-> worker
    SpscRing<float> fifo_;
    SpscRing<Gap> gaps_;
    SpscRing<BeatEvent> events_;
    SpscRing<std::int64_t> taps_;
    Seqlock<TempoSnapshot> snapshot_;
    Seqlock<Anchor> anchor_;
    std::atomic<std::int64_t> stream_pos_{0};
    std::atomic<std::int64_t> dropped_frames_{0}, pending_drop_{0};
    std::atomic<std::uint64_t> fifo_written_{0};  // samples written (RT stores, others read)
    std::atomic<std::size_t> wake_samples_{kQuantum};  // FIFO content that wakes the worker
    std::array<std::atomic<float>, kParamCount> params_;
    std::atomic<std::uint32_t> param_gen_{0}, reset_gen_{0};
    std::atomic<std::uint32_t> host_period_{0};
    std::atomic<double> rate_request_{0};
    std::atomic<std::uint64_t> rate_request_at_{0};
    std::atomic<std::uint32_t> rate_gen_{0};
    // worker-owned
    std::shared_ptr<CrnnProvider> device_;  // opened from the parameters
    DeviceChoice device_choice_;
    std::unique_ptr<Analyzer> analyzer_;
    std::unique_ptr<Dispatch> dispatch_;
    EventSink* listener_ = nullptr;
    std::vector<float> chunk_;
    std::uint64_t fifo_read_ = 0;
    std::optional<Gap> pending_gap_;
    std::int64_t worker_stream_ = 0;   // stream frame of the next sample the worker reads
    std::int64_t analyzer_base_ = 0;   // stream frame of the analyzer's first sample
    std::uint32_t seen_param_gen_ = 0, seen_reset_gen_ = 0, seen_rate_gen_ = 0;
    std::atomic<double> worker_rate_{0};
    std::array<float, kParamCount> applied_{};
    std::uint32_t applied_period_ = 0;
    ParamSet applied_params() const;
    AnalyzerConfig analysis_config(double rate) const;  // from applied_ and the host period
    std::atomic<std::int64_t> gaps_seen_{0}, dropped_events_{0}, processed_{0}, restarts_{0};
    std::atomic<double> worker_cpu_{0};
    std::atomic<std::uint64_t> sanitized_{0};
    std::uint64_t sanitized_base_ = 0;
    // thread
    sem_t wake_;
    std::atomic<bool> quit_{false};
    std::atomic<bool> worker_{false};  // whether a worker thread waits on wake_
    std::thread thread_;
};

}  // namespace tactus
