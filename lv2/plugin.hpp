#pragma once
// One tactus.lv2 instance: the engine, its real-time side in run(), the
// worker that analyses, the state. The C entry points are in descriptor.cpp.
//
// Threads, the LV2 way (no threads of our own):
//  - run() (audio thread) mixes the input into the engine's FIFO, asks the
//    host's worker to analyse (work:schedule), collects the engine's events
//    and writes beats, notes and clock at their sample offsets;
//  - work() (the host's worker thread) runs Engine::process(): features,
//    CRNN, tracker, and parameter changes that rebuild the analysis;
//  - while the host freewheels (offline export), or when it offers no
//    worker, run() analyses itself, so every block's events are there in
//    time. Without a worker and outside freewheeling, parameters that
//    rebuild the analysis (and load model files) wait for the next
//    activate(), so run() never touches the disk.
#include <lv2/atom/atom.h>
#include <lv2/core/lv2.h>
#include <lv2/options/options.h>
#include <lv2/state/state.h>
#include <lv2/urid/urid.h>
#include <lv2/worker/worker.h>

#include <array>
#include <atomic>
#include <filesystem>
#include <memory>

#include "event_writer.hpp"
#include "tactus/beat_note.hpp"
#include "ports.hpp"
#include "tactus/engine.hpp"
#include "tactus/midi_clock.hpp"
#include "tactus/rt.hpp"
#include "urids.hpp"

namespace tactus::lv2 {

class Plugin {
public:
    // Throws tactus::Error (missing feature, unsupported rate, model files).
    Plugin(double sample_rate, const std::filesystem::path& bundle, const LV2_Feature* const* features);

    TACTUS_RT void connect_rt(std::uint32_t port, void* data) noexcept;
    void activate();
    TACTUS_RT void run_rt(std::uint32_t frames) noexcept;

    LV2_Worker_Status work(std::uint32_t size, const void* data);
    // The host's block length (bufsz:nominalBlockLength, else
    // bufsz:maxBlockLength), at instantiation and from the options
    // interface: the engine keeps the predictions' lead at two blocks.
    void set_options(const LV2_Options_Option* options);
    LV2_State_Status save(LV2_State_Store_Function store, LV2_State_Handle handle);
    LV2_State_Status restore(LV2_State_Retrieve_Function retrieve, LV2_State_Handle handle);


private:
    enum class WorkKind : std::uint32_t { process = 1, reset = 2 };
    struct WorkMessage {
        WorkKind kind;
    };

    TACTUS_RT void read_params_rt(bool defer_restart) noexcept;
    TACTUS_RT void apply_param_rt(ParamId id, float value, bool defer_restart) noexcept;
    TACTUS_RT void apply_local_rt(ParamId id) noexcept;
    TACTUS_RT void read_control_rt(std::int64_t start, bool defer_restart) noexcept;
    TACTUS_RT void on_patch_set_rt(const LV2_Atom_Object* obj, std::int64_t at, bool defer_restart) noexcept;
    TACTUS_RT void on_position_rt(const LV2_Atom_Object* obj, std::int64_t offset) noexcept;
    TACTUS_RT void push_audio_rt(std::uint32_t frames) noexcept;
    TACTUS_RT void analyse_in_run_rt(bool freewheel) noexcept;
    TACTUS_RT void request_work_rt(std::int64_t now) noexcept;
    TACTUS_RT void request_reset_rt() noexcept;
    TACTUS_RT void collect_events_rt() noexcept;
    TACTUS_RT void emit_rt(std::int64_t start, std::uint32_t frames, const TempoSnapshot& snap) noexcept;
    TACTUS_RT void emit_beat_rt(std::int64_t chunk_start, std::uint32_t offset, const BeatEvent& e) noexcept;
    TACTUS_RT void add_note_rt(std::int64_t chunk_start, const NoteMessage& m) noexcept;
    TACTUS_RT void write_outputs_rt(std::int64_t end, const TempoSnapshot& snap) noexcept;
    void process_guarded(bool wait);

    double rate_;
    LV2_URID_Map* map_ = nullptr;
    LV2_Worker_Schedule* schedule_ = nullptr;
    Urids urids_;
    const PortLayout& layout_;
    std::unique_ptr<Engine> engine_;
    MidiClock clock_;
    BeatScheduler scheduler_;
    EventWriter writer_;

    // ports
    const float* in_[2] = {nullptr, nullptr};
    const LV2_Atom_Sequence* control_ = nullptr;
    LV2_Atom_Sequence* events_ = nullptr;
    std::array<const float*, kParamCount> param_ports_{};  // by ParamId
    std::array<float*, kOutputCount> outputs_{};
    const float* freewheel_ = nullptr;

    // Parameter values as run() applies them (atomic: save() may read them
    // while run() writes), the port value last seen (NaN: none yet), and
    // rebuild changes held back while run() must not rebuild.
    std::array<std::atomic<float>, kParamCount> values_;
    std::array<float, kParamCount> port_seen_{};
    std::array<bool, kParamCount> deferred_{};
    std::array<bool, kParamCount> adopt_port_{};  // restored: the next port value is not a change
    bool any_deferred_ = false;

    // worker
    std::atomic<bool> work_pending_{false};
    std::int64_t work_requested_at_ = 0;
    std::atomic<bool> busy_{false};  // someone is inside Engine::process()
    bool reset_wanted_ = false;

    // transport (time:Position)
    bool transport_known_ = false;
    bool relocated_ = false;  // the host's position jumped: the cut comes when the transport rolls
    double host_frame_ = 0, host_speed_ = 0;

    // output state
    static constexpr std::size_t kMaxImmediate = 16;
    BeatEvent immediate_[kMaxImmediate];  // detections sent as they come (beatnet inference)
    std::size_t immediate_count_ = 0;
    TempoSnapshot last_snapshot_{};
    std::uint32_t previous_frames_ = 0;
    BeatNoteVoice voice_;
    bool stop_pending_ = false;  // a clock that ran before activate() gets its Stop
    std::int32_t last_beat_in_bar_ = 0;
    std::int64_t last_bar_ = 0;
};

}  // namespace tactus::lv2
