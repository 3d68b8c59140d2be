#pragma once
// A small but real LV2 host on lilv, for the tests and the benchmark: it
// loads the built bundle (LV2_PATH), instantiates the plugin with urid:map,
// log:log and (optionally) the worker, connects every port, runs blocks of
// any size, writes time:Position and patch:Set into the control input,
// reads beat objects and MIDI from the events output, saves and restores
// state and applies presets, all through lilv as Carla or Ardour would.
#include <lilv/lilv.h>
#include <lv2/atom/atom.h>
#include <lv2/log/log.h>
#include <lv2/options/options.h>
#include <lv2/urid/urid.h>
#include <lv2/worker/worker.h>
#include <semaphore.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tactus/spsc_ring.hpp"

namespace tactus::test {

// urid:map / urid:unmap, thread-safe (hosts map from several threads).
class UridMap {
public:
    UridMap();
    LV2_URID map(const char* uri);
    const char* unmap(LV2_URID id);
    LV2_URID_Map* map_feature() { return &map_; }
    LV2_URID_Unmap* unmap_feature() { return &unmap_; }

private:
    std::mutex mutex_;
    std::map<std::string, LV2_URID> ids_;
    std::vector<std::string> uris_;
    LV2_URID_Map map_;
    LV2_URID_Unmap unmap_;
};

// The lilv world with the plugin found in LV2_PATH.
class Lv2World {
public:
    // Loads the bundles in `lv2_path` (a LV2_PATH-style list; empty: the
    // environment's LV2_PATH). Throws std::runtime_error without the plugin.
    explicit Lv2World(const std::string& lv2_path = "");
    ~Lv2World();
    Lv2World(const Lv2World&) = delete;
    Lv2World& operator=(const Lv2World&) = delete;
    LilvWorld* world() const { return world_; }
    const LilvPlugin* plugin() const { return plugin_; }
    UridMap& urids() { return urids_; }
    std::vector<std::string> preset_uris() const;

private:
    LilvWorld* world_ = nullptr;
    const LilvPlugin* plugin_ = nullptr;
    UridMap urids_;
};

struct HostBeat {
    std::int64_t frame = 0;   // host frame where it came (frames run before the block + offset)
    std::int64_t stream_frame = 0;  // the object's tactus:frame
    std::int32_t beat_in_bar = 0, beats_per_bar = 0;
    std::int64_t bar = 0, beat_index = 0;
    float bpm = 0, confidence = 0, intensity = 0;
    bool predicted = false;
};

struct HostMidi {
    std::int64_t frame = 0;
    std::uint8_t size = 0;
    std::uint8_t bytes[3] = {0, 0, 0};
};

enum class WorkerMode {
    none,      // no work:schedule feature: the plugin analyses in run()
    deferred,  // work() runs on the host thread right after run() (deterministic)
    threaded,  // work() runs on a worker thread, as in jalv, Ardour, Carla
};

class Lv2Instance {
public:
    static constexpr std::uint32_t kControlCapacity = 4096, kEventsCapacity = 16384;

    // block_length > 0: the host reports it as bufsz:nominalBlockLength
    // (options:options), as Ardour, Carla and jalv do.
    Lv2Instance(Lv2World& world, double rate, WorkerMode mode = WorkerMode::deferred, bool stereo = true,
                std::int32_t block_length = 0);
    ~Lv2Instance();
    Lv2Instance(const Lv2Instance&) = delete;
    Lv2Instance& operator=(const Lv2Instance&) = delete;

    bool ok() const { return instance_ != nullptr; }
    const std::vector<std::string>& log() const { return log_; }

    // Control ports by symbol (inputs take effect on the next block).
    void set_control(const std::string& symbol, float value);
    float control(const std::string& symbol) const;
    void set_freewheel(bool on) { set_control("freewheel", on ? 1.f : 0.f); }

    // Messages for the next block's control input (at offset 0).
    void send_patch_set(const std::string& property_uri, float value);
    void send_position(std::int64_t frame, float speed);

    // One block: the three steps below (the RT test wraps the middle one).
    void run(std::uint32_t frames, const float* left, const float* right = nullptr);
    void prepare(std::uint32_t frames, const float* left, const float* right);
    void run_plugin(std::uint32_t frames);  // lilv_instance_run, nothing else
    void finish_block(std::uint32_t frames);

    // A new nominal block length through the plugin's options interface (as
    // a host does when its buffer size changes); false if it has none.
    bool set_block_length(std::int32_t frames);

    // deactivate() and activate(), as a host does around a reconfiguration.
    void reactivate();

    // Waits until the threaded worker is idle.
    void drain_worker();

    // State through lilv (as hosts save sessions) and presets.
    LilvState* save_state();
    void restore_state(const LilvState* state);
    bool apply_preset(const std::string& uri);

    std::vector<HostBeat> beats;
    std::vector<HostMidi> midi;
    std::int64_t frames_run = 0;
    std::int64_t order_errors = 0;  // events out of order or outside their block
    std::int64_t unknown_events = 0;

private:
    friend struct HostCallbacks;
    std::uint32_t port_index(const std::string& symbol) const;
    void write_control_events();
    void read_events(std::uint32_t frames);
    LV2_Worker_Status schedule(std::uint32_t size, const void* data);
    void worker_loop();
    void run_work(std::uint32_t size, const void* data);
    void deliver_responses();

    Lv2World& world_;
    double rate_;
    WorkerMode mode_;
    bool ports_stereo_ = true;
    LilvInstance* instance_ = nullptr;
    const LV2_Worker_Interface* worker_iface_ = nullptr;
    std::map<std::string, std::uint32_t> ports_;
    std::vector<float> controls_;
    std::vector<float> silence_;
    alignas(16) std::array<std::uint8_t, kControlCapacity> control_buf_{};
    alignas(16) std::array<std::uint8_t, kEventsCapacity> events_buf_{};
    std::vector<std::vector<std::uint8_t>> pending_messages_;  // forged atoms for the next block
    std::vector<std::string> log_;
    std::mutex log_mutex_;

    // features
    LV2_Log_Log log_feature_{};
    LV2_Worker_Schedule schedule_feature_{};
    LV2_Feature f_map_, f_unmap_, f_log_, f_schedule_, f_options_;
    std::int32_t block_length_ = 0;
    std::array<LV2_Options_Option, 2> options_{};
    std::vector<const LV2_Feature*> features_;

    // worker plumbing (lock-free on the plugin's side: schedule_work is called from run())
    struct Message {
        std::uint32_t size = 0;
        std::array<std::uint8_t, 64> data{};
    };
    SpscRing<Message> requests_{256};
    SpscRing<Message> responses_{256};
    sem_t wake_;
    std::atomic<bool> quit_{false};
    std::atomic<int> in_flight_{0};
    std::thread thread_;
};

// Reads an audio file (libsndfile) to mono or stereo float at its own rate.
struct AudioData {
    double rate = 0;
    std::vector<float> left, right;
};
AudioData read_audio(const std::string& path);
void write_wav(const std::string& path, const std::vector<float>& mono, double rate);

}  // namespace tactus::test
