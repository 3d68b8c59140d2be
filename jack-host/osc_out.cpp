#include "osc_out.hpp"

#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace tactus::jack {
namespace {

constexpr double kPulseLength = 0.05;
constexpr double kTempoPeriod = 0.1, kPhasePeriod = 0.02, kLevelPeriod = 0.1, kStatusPeriod = 1.0;

double clock_s(clockid_t id) {
    timespec ts{};
    clock_gettime(id, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

}  // namespace

double monotonic_now() { return clock_s(CLOCK_MONOTONIC); }

lo_timetag to_timetag(double monotonic_s) {
    const double unix_s = clock_s(CLOCK_REALTIME) - monotonic_now() + monotonic_s;
    lo_timetag t;
    const double whole = std::floor(unix_s);
    t.sec = std::uint32_t(std::uint64_t(whole) + 2208988800ULL);  // 1900 -> 1970
    t.frac = std::uint32_t((unix_s - whole) * 4294967296.0);
    return t;
}

OscOut::OscOut(const ClientOptions& options, Engine& engine)
    : opt_(options), engine_(engine), prefix_(options.osc_prefix) {
    if (!prefix_.empty() && prefix_.back() == '/') prefix_.pop_back();
    for (const auto& t : opt_.osc) {
        lo_address a = lo_address_new(t.host.c_str(), std::to_string(t.port).c_str());
        if (!a) {
            std::fprintf(stderr, "tactus-jack: OSC target %s is not usable\n", t.text().c_str());
            continue;
        }
        targets_.push_back(a);
    }
}

OscOut::~OscOut() {
    stop();
    for (lo_address a : targets_) lo_address_free(a);
}

void OscOut::start() {
    if (targets_.empty() || thread_.joinable()) return;
    quit_ = false;
    thread_ = std::thread([this] { loop(); });
}

void OscOut::stop() {
    {
        std::lock_guard l(m_);
        quit_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void OscOut::on_event(const BeatEvent& e) {
    if (!e.predicted || targets_.empty()) return;
    const double now = monotonic_now();
    const double offset = double(engine_.param(ParamId::clock_offset_ms)) / 1000.0;
    const double at = e.wall_time > 0 ? e.wall_time + offset : now;
    {
        std::lock_guard l(m_);
        if (queue_.size() > 256) queue_.pop_front();  // a consumer this far behind loses the oldest
        // the prediction goes out at once; the beat on time (or at once,
        // time-tagged); the pulse's fall 50 ms after the beat
        queue_.push_back(Pending{now, e, Pending::next_beat});
        queue_.push_back(Pending{opt_.osc_timetags ? now : at, e, Pending::on_beat});
        if (opt_.osc_mappings & kMapPulse) queue_.push_back(Pending{at + kPulseLength, e, Pending::pulse_off});
    }
    cv_.notify_all();
}

void OscOut::send(const char* leaf, lo_message m) {
    const std::string p = path(leaf);
    for (lo_address a : targets_) lo_send_message(a, p.c_str(), m);
    lo_message_free(m);
    sent_.fetch_add(1, std::memory_order_relaxed);
}

void OscOut::send_bundle(lo_bundle b) {
    for (lo_address a : targets_) lo_send_bundle(a, b);
    lo_bundle_free_recursive(b);
    sent_.fetch_add(1, std::memory_order_relaxed);
}

void OscOut::send_beat(const BeatEvent& e) {
    auto beat = [&] {
        lo_message m = lo_message_new();
        lo_message_add_int32(m, e.beat_in_bar);
        lo_message_add_int32(m, std::int32_t(e.bar));
        lo_message_add_float(m, e.bpm);
        lo_message_add_float(m, e.confidence);
        lo_message_add_float(m, e.intensity);
        lo_message_add_int32(m, e.beats_per_bar);
        lo_message_add_timetag(m, to_timetag(e.wall_time > 0 ? e.wall_time : monotonic_now()));
        return m;
    };
    auto downbeat = [&] {
        lo_message m = lo_message_new();
        lo_message_add_int32(m, std::int32_t(e.bar));
        lo_message_add_float(m, e.bpm);
        return m;
    };
    auto pulse = [&] {
        lo_message m = lo_message_new();
        lo_message_add_float(m, 1.f);
        return m;
    };
    if (opt_.osc_timetags) {
        const double offset = double(engine_.param(ParamId::clock_offset_ms)) / 1000.0;
        lo_bundle b = lo_bundle_new(to_timetag(e.wall_time > 0 ? e.wall_time + offset : monotonic_now()));
        const std::string pb = path("/beat"), pd = path("/downbeat"), pp = path("/pulse");
        lo_bundle_add_message(b, pb.c_str(), beat());
        if (e.beat_in_bar == 1) lo_bundle_add_message(b, pd.c_str(), downbeat());
        if (opt_.osc_mappings & kMapPulse) lo_bundle_add_message(b, pp.c_str(), pulse());
        send_bundle(b);
        return;
    }
    send("/beat", beat());
    if (e.beat_in_bar == 1) send("/downbeat", downbeat());
    if (opt_.osc_mappings & kMapPulse) send("/pulse", pulse());
}

void OscOut::send_periodic(double now) {
    TempoSnapshot s;
    if (!engine_.snapshot_rt(&s)) return;
    const double rate = engine_.sample_rate();
    if (now >= next_tempo_ || (last_bpm_ >= 0 && std::abs(s.bpm - last_bpm_) >= 0.5)) {
        next_tempo_ = now + kTempoPeriod;
        last_bpm_ = s.bpm;
        lo_message m = lo_message_new();
        lo_message_add_float(m, float(s.bpm));
        lo_message_add_float(m, s.confidence);
        send("/tempo", m);
        if (opt_.osc_mappings & kMapBpm) {
            lo_message b = lo_message_new();
            lo_message_add_float(b, float(s.bpm));
            send("/bpm", b);
        }
        if (opt_.osc_mappings & kMapSpeed) {
            const double lo = engine_.param(ParamId::min_bpm), hi = engine_.param(ParamId::max_bpm);
            lo_message sp = lo_message_new();
            lo_message_add_float(sp, s.bpm > 0 ? float(std::clamp((s.bpm - lo) / (hi - lo), 0.0, 1.0)) : 0.f);
            send("/speed", sp);
        }
    }
    if (now >= next_phase_) {
        next_phase_ = now + kPhasePeriod;
        float beat_phase = 0, bar_phase = 0;
        if (s.bpm > 0 && s.next_beat_frame >= 0) {
            const double period = 60.0 / s.bpm * rate;
            const double to_next = double(s.next_beat_frame - engine_.stream_position_rt()) / period;
            beat_phase = float(1.0 - (to_next - std::floor(to_next)));
            if (beat_phase >= 1.f) beat_phase = 0.f;
            if (s.beats_per_bar > 0 && s.beat_in_bar > 0)
                bar_phase = (float(s.beat_in_bar - 1) + beat_phase) / float(s.beats_per_bar);
        }
        lo_message m = lo_message_new();
        lo_message_add_float(m, beat_phase);
        lo_message_add_float(m, bar_phase);
        send("/phase", m);
    }
    if (now >= next_level_) {
        next_level_ = now + kLevelPeriod;
        lo_message m = lo_message_new();
        lo_message_add_float(m, s.level_db);
        send("/level", m);
    }
    if (now >= next_status_ || int(s.state) != last_state_) {
        next_status_ = now + kStatusPeriod;
        last_state_ = int(s.state);
        lo_message m = lo_message_new();
        lo_message_add_string(m, to_string(s.state));
        lo_message_add_float(m, float(s.bpm));
        lo_message_add_float(m, s.confidence);
        send("/status", m);
    }
}

void OscOut::loop() {
    std::unique_lock l(m_);
    while (!quit_) {
        const double now = monotonic_now();
        // due messages, oldest first
        std::stable_sort(queue_.begin(), queue_.end(), [](const Pending& a, const Pending& b) { return a.at < b.at; });
        while (!queue_.empty() && queue_.front().at <= now) {
            const Pending p = queue_.front();
            queue_.pop_front();
            l.unlock();
            if (p.kind == Pending::next_beat) {
                lo_message m = lo_message_new();
                lo_message_add_timetag(m, to_timetag(p.event.wall_time));
                lo_message_add_float(m, float(std::max(0.0, p.event.wall_time - now)));
                lo_message_add_int32(m, p.event.beat_in_bar);
                send("/next", m);
            } else if (p.kind == Pending::pulse_off) {
                lo_message m = lo_message_new();
                lo_message_add_float(m, 0.f);
                send("/pulse", m);
            } else {
                send_beat(p.event);
            }
            l.lock();
        }
        l.unlock();
        send_periodic(now);
        l.lock();
        double wake = now + kPhasePeriod;
        if (!queue_.empty()) wake = std::min(wake, queue_.front().at);
        cv_.wait_for(l, std::chrono::duration<double>(std::max(0.0, wake - monotonic_now())));
    }
}

}  // namespace tactus::jack
