#include "tactus/engine.hpp"

#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <optional>

#include "tactus/error.hpp"
#include "tactus/model.hpp"

namespace tactus {

// Turns the analyzer's events (positions relative to its own start) into
// stream events, stamps host time, hands them to the RT ring and the listener.
class Engine::Dispatch final : public EventSink {
public:
    explicit Dispatch(Engine& e) : e_(e) {}
    void on_event(const BeatEvent& local) override {
        BeatEvent ev = local;
        ev.frame += e_.analyzer_base_;
        ev.committed_frame += e_.analyzer_base_;
        const double rate = e_.worker_rate_.load(std::memory_order_relaxed);
        ev.time = base_time_ + local.time;
        Anchor a;
        if (e_.anchor_.try_load(&a) && a.time_ns != 0)
            ev.wall_time = double(a.time_ns) * 1e-9 + double(ev.frame - a.frame) / rate;
        if (!e_.events_.push_rt(ev)) e_.dropped_events_.fetch_add(1, std::memory_order_relaxed);
        if (e_.listener_) e_.listener_->on_event(ev);
    }
    double base_time_ = 0;

private:
    Engine& e_;
};

namespace {

double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

// 5 ms of audio: with small periods a post per block would wake the worker
// hundreds of times a second for nothing.
std::size_t wake_threshold(double rate) { return std::max<std::size_t>(Engine::kQuantum, std::size_t(rate / 200)); }

std::size_t fifo_samples(const EngineConfig& c) {
    return std::size_t(std::max(c.sample_rate, 48000.0) * std::max(c.fifo_seconds, 0.1));
}

}  // namespace

Engine::Engine(EngineConfig config)
    : cfg_(std::move(config)),
      fifo_(fifo_samples(cfg_)),
      gaps_(256),
      events_(std::max<std::size_t>(cfg_.event_capacity, 16)),
      taps_(64),
      chunk_(kQuantum * 64) {
    for (std::size_t i = 0; i < kParamCount; ++i) {
        params_[i].store(cfg_.params.values()[i], std::memory_order_relaxed);
        applied_[i] = cfg_.params.values()[i];
    }
    if (sem_init(&wake_, 0, 0) != 0) throw Error("cannot create the worker semaphore");
    wake_samples_.store(wake_threshold(cfg_.sample_rate), std::memory_order_relaxed);
    dispatch_ = std::make_unique<Dispatch>(*this);
    rebuild(cfg_.sample_rate);
    restarts_.store(0, std::memory_order_relaxed);
    publish_snapshot();
}

Engine::~Engine() {
    stop();
    sem_destroy(&wake_);
}

ParamSet Engine::params() const {
    ParamSet p;
    for (std::size_t i = 0; i < kParamCount; ++i) p.set(ParamId(i), params_[i].load(std::memory_order_relaxed));
    return p;
}

// ---- real-time side ---------------------------------------------------------

void Engine::push_rt(const float* const* channels, int num_channels, std::uint32_t frames,
                     std::int64_t host_time_ns) noexcept {
    const std::int64_t pos = stream_pos_.load(std::memory_order_relaxed);
    if (host_time_ns != 0) anchor_.store(Anchor{pos, host_time_ns});
    stream_pos_.store(pos + frames, std::memory_order_relaxed);
    if (frames == 0) return;
    // A block that does not fit is dropped whole; a gap record, written
    // before the next block that fits, tells the worker where and how long.
    std::int64_t pending = pending_drop_.load(std::memory_order_relaxed);
    SpscRing<float>::Span span;
    if (!fifo_.reserve_rt(frames, &span) ||
        (pending > 0 && !gaps_.push_rt(Gap{fifo_written_.load(std::memory_order_relaxed), pending}))) {
        pending_drop_.store(pending + frames, std::memory_order_relaxed);
        dropped_frames_.fetch_add(frames, std::memory_order_relaxed);
        return;
    }
    pending_drop_.store(0, std::memory_order_relaxed);
    // mix to mono straight into the ring (no channels: silence, time passes)
    const float gain = num_channels > 0 ? 1.f / float(num_channels) : 0.f;
    auto mix = [&](float* dst, std::size_t offset, std::size_t n) {
        const float* a = num_channels >= 1 && channels[0] ? channels[0] + offset : nullptr;
        const float* b = num_channels == 2 && channels[1] ? channels[1] + offset : nullptr;
        if (num_channels == 1 && a) {  // the common cases as plain loops (vectorised)
            for (std::size_t i = 0; i < n; ++i) dst[i] = (0.f + a[i]) * gain;
            return;
        }
        if (num_channels == 2 && a && b) {
            for (std::size_t i = 0; i < n; ++i) dst[i] = (0.f + a[i] + b[i]) * gain;
            return;
        }
        for (std::size_t i = 0; i < n; ++i) {
            float s = 0.f;
            for (int c = 0; c < num_channels; ++c) s += channels[c] ? channels[c][offset + i] : 0.f;
            dst[i] = s * gain;
        }
    };
    mix(span.first, 0, span.first_size);
    mix(span.second, span.first_size, span.second_size);
    fifo_.commit_rt(frames);
    fifo_written_.store(fifo_written_.load(std::memory_order_relaxed) + frames, std::memory_order_relaxed);
    // (no worker, as when tactus-analyze drains the FIFO itself: no post)
    if (worker_.load(std::memory_order_relaxed) && fifo_.read_available_rt() >= wake_samples_.load(std::memory_order_relaxed))
        sem_post(&wake_);
}

std::size_t Engine::pop_events_rt(BeatEvent* out, std::size_t max) noexcept { return events_.pop_rt(out, max); }

bool Engine::snapshot_rt(TempoSnapshot* out) const noexcept { return snapshot_.try_load(out); }

bool Engine::set_param_rt(ParamId id, float value) noexcept {
    const auto r = clamp_param(param_spec(id), value);
    if (params_[std::size_t(id)].load(std::memory_order_relaxed) != r.value) {
        params_[std::size_t(id)].store(r.value, std::memory_order_relaxed);
        param_gen_.fetch_add(1, std::memory_order_release);
    }
    return r.clamped;
}

void Engine::tap_at_rt(std::int64_t stream_frame) noexcept { (void)taps_.push_rt(stream_frame); }

// ---- control side -----------------------------------------------------------

void Engine::reset() { reset_gen_.fetch_add(1, std::memory_order_release); }

void Engine::set_host_period(std::uint32_t frames) { host_period_.store(frames, std::memory_order_relaxed); }

void Engine::set_sample_rate(double rate) {
    if (!(rate >= kMinSampleRate && rate <= kMaxSampleRate))
        throw Error("unsupported sample rate " + std::to_string(rate) + " Hz");
    wake_samples_.store(wake_threshold(rate), std::memory_order_relaxed);
    rate_request_.store(rate, std::memory_order_relaxed);
    rate_request_at_.store(fifo_written_.load(std::memory_order_relaxed), std::memory_order_relaxed);
    rate_gen_.fetch_add(1, std::memory_order_release);
}

EngineStats Engine::stats() const {
    EngineStats s;
    s.pushed_frames = stream_pos_.load(std::memory_order_relaxed);
    s.dropped_frames = dropped_frames_.load(std::memory_order_relaxed);
    s.gaps = gaps_seen_.load(std::memory_order_relaxed);
    s.dropped_events = dropped_events_.load(std::memory_order_relaxed);
    s.processed_frames = processed_.load(std::memory_order_relaxed);
    s.worker_cpu_s = worker_cpu_.load(std::memory_order_relaxed);
    s.restarts = restarts_.load(std::memory_order_relaxed);
    s.sanitized_samples = sanitized_.load(std::memory_order_relaxed);
    return s;
}

// ---- worker -----------------------------------------------------------------

ParamSet Engine::applied_params() const {
    ParamSet p;
    for (std::size_t i = 0; i < kParamCount; ++i) p.set(ParamId(i), applied_[i]);
    return p;
}

AnalyzerConfig Engine::analysis_config(double rate) const {
    return applied_params().analyzer_config(rate, std::min(1.0, 2.0 * double(applied_period_) / rate));
}

void Engine::rebuild(double rate) {
    const ParamSet p = applied_params();
    AnalyzerConfig ac = analysis_config(rate);
    ac.batch_frames = cfg_.batch_frames;
    ac.beatnet.seed = cfg_.seed;
    ac.arithmetic = cfg_.arithmetic;
    ac.device = cfg_.device;
    if (!ac.device) {  // opened again only when the device parameters change
        const DeviceChoice want = p.device();
        if (!device_ || want.kind != device_choice_.kind || want.index != device_choice_.index) {
            device_ = open_crnn_device(want);  // may throw: the old analysis stays
            device_choice_ = want;
        }
        ac.device = device_;
    }
    std::vector<std::filesystem::path> files = cfg_.model_files;
    if (files.empty())
        for (int id : p.model_ids())
            files.push_back(cfg_.model_dir.empty() ? find_model(id) : cfg_.model_dir / model_file_name(id));
    auto next = std::make_unique<Analyzer>(files, ac);  // may throw: the old analysis stays
    if (analyzer_) sanitized_base_ += analyzer_->pipeline().sanitized_samples();
    // the stream time where the new analysis starts, at the old rate
    if (analyzer_)
        dispatch_->base_time_ += double(worker_stream_ - analyzer_base_) / worker_rate_.load(std::memory_order_relaxed);
    analyzer_base_ = worker_stream_;
    analyzer_ = std::move(next);
    worker_rate_.store(rate, std::memory_order_relaxed);
    restarts_.fetch_add(1, std::memory_order_relaxed);
    if (applied_[std::size_t(ParamId::bpm_override)] > 0)
        analyzer_->set_bpm_override(applied_[std::size_t(ParamId::bpm_override)]);
}

void Engine::restart_at(std::int64_t stream_frame) {
    dispatch_->base_time_ += double(stream_frame - analyzer_base_) / worker_rate_.load(std::memory_order_relaxed);
    analyzer_base_ = stream_frame;
    analyzer_->reset();
    if (applied_[std::size_t(ParamId::bpm_override)] > 0)
        analyzer_->set_bpm_override(applied_[std::size_t(ParamId::bpm_override)]);
}

void Engine::apply_controls() {
    bool rebuild_needed = false, retune = false;
    const std::uint32_t period = host_period_.load(std::memory_order_relaxed);
    if (period != applied_period_) {
        applied_period_ = period;
        retune = true;
    }
    const std::uint32_t gen = param_gen_.load(std::memory_order_acquire);
    if (gen != seen_param_gen_) {
        seen_param_gen_ = gen;
        for (std::size_t i = 0; i < kParamCount; ++i) {
            const float v = params_[i].load(std::memory_order_relaxed);
            if (v == applied_[i]) continue;
            applied_[i] = v;
            // Any other change retunes (a few assignments): outputs' own
            // parameters reach the analysis too, as an earlier output offset
            // has the beats committed earlier (ParamSet::analyzer_config).
            (param_spec(ParamId(i)).restart ? rebuild_needed : retune) = true;
        }
    }
    if (rebuild_needed) {
        try {
            rebuild(worker_rate_.load(std::memory_order_relaxed));
            retune = false;  // the new analysis has every value
        } catch (const Error&) {
            // e.g. a model file that went missing: the running analysis goes on
        }
    }
    if (retune) analyzer_->retune(analysis_config(worker_rate_.load(std::memory_order_relaxed)).tracker);
    const std::uint32_t rgen = reset_gen_.load(std::memory_order_acquire);
    if (rgen != seen_reset_gen_) {
        seen_reset_gen_ = rgen;
        restart_at(worker_stream_);
    }
    std::int64_t tap;
    while (taps_.pop_rt(&tap)) analyzer_->tap(tap - analyzer_base_);
}

void Engine::publish_snapshot() {
    TempoSnapshot s = analyzer_->snapshot();
    if (s.frame >= 0) s.frame += analyzer_base_;
    if (s.next_beat_frame >= 0) s.next_beat_frame += analyzer_base_;
    if (s.next_downbeat_frame >= 0) s.next_downbeat_frame += analyzer_base_;
    snapshot_.store(s);
}

std::size_t Engine::drain(bool everything) {
    std::size_t taken = 0;
    while (true) {
        // per chunk: a worker that is behind (a file, a stall) still takes
        // parameters, resets and taps within a chunk of audio
        apply_controls();
        // Samples first: a gap recorded before them is then visible too.
        std::uint64_t limit = fifo_read_ + fifo_.read_available_rt();
        if (!pending_gap_) {
            Gap g;
            if (gaps_.pop_rt(&g)) pending_gap_ = g;
        }
        if (pending_gap_ && pending_gap_->at <= fifo_read_) {
            // frames were dropped here: skip them in the stream, start over
            worker_stream_ += pending_gap_->frames;
            pending_gap_.reset();
            gaps_seen_.fetch_add(1, std::memory_order_relaxed);
            restart_at(worker_stream_);
            continue;
        }
        const bool rate_pending = rate_gen_.load(std::memory_order_acquire) != seen_rate_gen_;
        if (rate_pending && rate_request_at_.load(std::memory_order_relaxed) <= fifo_read_) {
            seen_rate_gen_ = rate_gen_.load(std::memory_order_acquire);
            try {
                rebuild(rate_request_.load(std::memory_order_relaxed));
            } catch (const Error&) {
            }
            continue;
        }
        // Stop at a gap or a rate change; up to there every sample counts.
        std::uint64_t boundary = ~std::uint64_t(0);
        if (pending_gap_) boundary = pending_gap_->at;
        if (rate_pending) boundary = std::min<std::uint64_t>(boundary, rate_request_at_.load(std::memory_order_relaxed));
        const bool to_boundary = boundary <= limit;
        limit = std::min(limit, boundary);
        std::size_t n = std::min<std::size_t>(std::size_t(limit - fifo_read_), chunk_.size());
        // whole quanta, so the chunks are the same whatever the host's blocks
        if (!everything && !(to_boundary && n == limit - fifo_read_)) n -= n % kQuantum;
        if (n == 0) break;
        fifo_.pop_rt(chunk_.data(), n);
        fifo_read_ += n;
        for (std::size_t at = 0; at < n; at += kQuantum)
            analyzer_->feed(chunk_.data() + at, std::min(kQuantum, n - at), *dispatch_);
        worker_stream_ += std::int64_t(n);
        taken += n;
        sanitized_.store(sanitized_base_ + analyzer_->pipeline().sanitized_samples(), std::memory_order_relaxed);
        processed_.fetch_add(std::int64_t(n), std::memory_order_relaxed);
        publish_snapshot();
    }
    return taken;
}

std::size_t Engine::process() { return drain(false); }

void Engine::finish() {
    drain(true);
    analyzer_->finish(*dispatch_);
    publish_snapshot();
}

void Engine::worker_loop() {
    const double cpu0 = thread_cpu_seconds();
    while (!quit_.load(std::memory_order_acquire)) {
        timespec deadline{};
        clock_gettime(CLOCK_REALTIME, &deadline);
        deadline.tv_nsec += 20'000'000;  // wake at least every 20 ms (controls, quit)
        if (deadline.tv_nsec >= 1'000'000'000) {
            deadline.tv_sec += 1;
            deadline.tv_nsec -= 1'000'000'000;
        }
        while (sem_timedwait(&wake_, &deadline) != 0 && errno == EINTR) {
        }
        while (sem_trywait(&wake_) == 0) {  // one drain serves every post
        }
        drain(false);
        worker_cpu_.store(thread_cpu_seconds() - cpu0, std::memory_order_relaxed);
    }
}

void Engine::start() {
    if (thread_.joinable()) return;
    quit_.store(false, std::memory_order_release);
    worker_.store(true, std::memory_order_relaxed);  // a post missed before this: the worker wakes every 20 ms
    thread_ = std::thread([this] { worker_loop(); });
}

void Engine::stop() {
    if (!thread_.joinable()) return;
    quit_.store(true, std::memory_order_release);
    sem_post(&wake_);
    thread_.join();
    worker_.store(false, std::memory_order_relaxed);
}

}  // namespace tactus
