#include "lv2_host.hpp"

#include <lv2/atom/forge.h>
#include <lv2/buf-size/buf-size.h>
#include <lv2/atom/util.h>
#include <lv2/midi/midi.h>
#include <lv2/patch/patch.h>
#include <lv2/presets/presets.h>
#include <lv2/state/state.h>
#include <lv2/time/time.h>
#include <sndfile.h>

#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "sound_file.hpp"
#include "uris.hpp"

namespace tactus::test {

// ---- urid -------------------------------------------------------------------

UridMap::UridMap() {
    map_.handle = this;
    map_.map = [](LV2_URID_Map_Handle h, const char* uri) { return static_cast<UridMap*>(h)->map(uri); };
    unmap_.handle = this;
    unmap_.unmap = [](LV2_URID_Unmap_Handle h, LV2_URID id) { return static_cast<UridMap*>(h)->unmap(id); };
}

LV2_URID UridMap::map(const char* uri) {
    std::lock_guard lock(mutex_);
    auto [it, added] = ids_.try_emplace(uri, LV2_URID(uris_.size() + 1));
    if (added) uris_.emplace_back(uri);
    return it->second;
}

const char* UridMap::unmap(LV2_URID id) {
    std::lock_guard lock(mutex_);
    return id >= 1 && id <= uris_.size() ? uris_[id - 1].c_str() : nullptr;
}

// ---- world ------------------------------------------------------------------

Lv2World::Lv2World(const std::string& lv2_path) {
    world_ = lilv_world_new();
    if (!lv2_path.empty()) {
        LilvNode* path = lilv_new_string(world_, lv2_path.c_str());
        lilv_world_set_option(world_, LILV_OPTION_LV2_PATH, path);
        lilv_node_free(path);
    }
    lilv_world_load_all(world_);
    LilvNode* uri = lilv_new_uri(world_, tactus::lv2::kPluginUri);
    plugin_ = lilv_plugins_get_by_uri(lilv_world_get_all_plugins(world_), uri);
    lilv_node_free(uri);
    if (!plugin_) {
        lilv_world_free(world_);
        throw std::runtime_error("tactus.lv2 not found in LV2_PATH");
    }
}

Lv2World::~Lv2World() { lilv_world_free(world_); }

std::vector<std::string> Lv2World::preset_uris() const {
    std::vector<std::string> out;
    LilvNode* preset_class = lilv_new_uri(world_, LV2_PRESETS__Preset);
    LilvNodes* presets = lilv_plugin_get_related(plugin_, preset_class);
    LILV_FOREACH (nodes, i, presets) out.emplace_back(lilv_node_as_uri(lilv_nodes_get(presets, i)));
    lilv_nodes_free(presets);
    lilv_node_free(preset_class);
    return out;
}

// ---- instance ---------------------------------------------------------------

struct HostCallbacks {
    static int vprintf(LV2_Log_Handle h, LV2_URID, const char* fmt, va_list ap) {
        auto* self = static_cast<Lv2Instance*>(h);
        char buf[1024];
        const int n = std::vsnprintf(buf, sizeof buf, fmt, ap);
        std::lock_guard lock(self->log_mutex_);
        self->log_.emplace_back(buf);
        return n;
    }
    static int printf(LV2_Log_Handle h, LV2_URID type, const char* fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        const int n = vprintf(h, type, fmt, ap);
        va_end(ap);
        return n;
    }
    static LV2_Worker_Status schedule(LV2_Worker_Schedule_Handle h, std::uint32_t size, const void* data) {
        return static_cast<Lv2Instance*>(h)->schedule(size, data);
    }
    static LV2_Worker_Status respond(LV2_Worker_Respond_Handle h, std::uint32_t size, const void* data) {
        auto* self = static_cast<Lv2Instance*>(h);
        Lv2Instance::Message m;
        if (size > m.data.size()) return LV2_WORKER_ERR_NO_SPACE;
        m.size = size;
        std::memcpy(m.data.data(), data, size);
        return self->responses_.push_rt(m) ? LV2_WORKER_SUCCESS : LV2_WORKER_ERR_NO_SPACE;
    }
    static const void* get_port_value(const char* symbol, void* user, std::uint32_t* size, std::uint32_t* type) {
        auto* self = static_cast<Lv2Instance*>(user);
        const auto it = self->ports_.find(symbol);
        if (it == self->ports_.end()) return nullptr;
        *size = sizeof(float);
        *type = self->world_.urids().map(LV2_ATOM__Float);
        return &self->controls_[it->second];
    }
    static void set_port_value(const char* symbol, void* user, const void* value, std::uint32_t size, std::uint32_t type) {
        auto* self = static_cast<Lv2Instance*>(user);
        const auto it = self->ports_.find(symbol);
        if (it == self->ports_.end() || size != sizeof(float) || type != self->world_.urids().map(LV2_ATOM__Float)) return;
        std::memcpy(&self->controls_[it->second], value, sizeof(float));
    }
};

Lv2Instance::Lv2Instance(Lv2World& world, double rate, WorkerMode mode, bool stereo, std::int32_t block_length)
    : world_(world), rate_(rate), mode_(mode), block_length_(block_length) {
    sem_init(&wake_, 0, 0);
    log_feature_ = {this, HostCallbacks::printf, HostCallbacks::vprintf};
    schedule_feature_ = {this, HostCallbacks::schedule};
    f_map_ = {LV2_URID__map, world_.urids().map_feature()};
    f_unmap_ = {LV2_URID__unmap, world_.urids().unmap_feature()};
    f_log_ = {LV2_LOG__log, &log_feature_};
    f_schedule_ = {LV2_WORKER__schedule, &schedule_feature_};
    features_ = {&f_map_, &f_unmap_, &f_log_};
    if (mode_ != WorkerMode::none) features_.push_back(&f_schedule_);
    if (block_length_ > 0) {
        options_[0] = {LV2_OPTIONS_INSTANCE, 0, world_.urids().map(LV2_BUF_SIZE__nominalBlockLength), sizeof(std::int32_t),
                       world_.urids().map(LV2_ATOM__Int), &block_length_};
        options_[1] = {LV2_OPTIONS_INSTANCE, 0, 0, 0, 0, nullptr};
        f_options_ = {LV2_OPTIONS__options, options_.data()};
        features_.push_back(&f_options_);
    }
    features_.push_back(nullptr);

    const LilvPlugin* plugin = world_.plugin();
    const std::uint32_t n = lilv_plugin_get_num_ports(plugin);
    controls_.assign(n, 0.f);
    std::vector<float> defaults(n, 0.f);
    lilv_plugin_get_port_ranges_float(plugin, nullptr, nullptr, defaults.data());
    for (std::uint32_t i = 0; i < n; ++i) {
        const LilvPort* port = lilv_plugin_get_port_by_index(plugin, i);
        ports_[lilv_node_as_string(lilv_port_get_symbol(plugin, port))] = i;
        if (!std::isnan(defaults[i])) controls_[i] = defaults[i];
    }
    silence_.assign(1 << 16, 0.f);

    instance_ = lilv_plugin_instantiate(plugin, rate, features_.data());
    if (!instance_) return;
    worker_iface_ = static_cast<const LV2_Worker_Interface*>(lilv_instance_get_extension_data(instance_, LV2_WORKER__interface));
    LilvNode* control_class = lilv_new_uri(world_.world(), LV2_CORE__ControlPort);
    LilvNode* atom_class = lilv_new_uri(world_.world(), LV2_ATOM__AtomPort);
    LilvNode* input_class = lilv_new_uri(world_.world(), LV2_CORE__InputPort);
    for (std::uint32_t i = 0; i < n; ++i) {
        const LilvPort* port = lilv_plugin_get_port_by_index(plugin, i);
        if (lilv_port_is_a(plugin, port, control_class)) lilv_instance_connect_port(instance_, i, &controls_[i]);
        else if (lilv_port_is_a(plugin, port, atom_class))
            lilv_instance_connect_port(instance_, i, lilv_port_is_a(plugin, port, input_class) ? control_buf_.data() : events_buf_.data());
    }
    lilv_node_free(control_class);
    lilv_node_free(atom_class);
    lilv_node_free(input_class);
    if (!stereo) lilv_instance_connect_port(instance_, port_index("in_r"), nullptr);  // a mono host
    ports_stereo_ = stereo;
    lilv_instance_activate(instance_);
    if (mode_ == WorkerMode::threaded) thread_ = std::thread([this] { worker_loop(); });
}

Lv2Instance::~Lv2Instance() {
    if (thread_.joinable()) {
        quit_ = true;
        sem_post(&wake_);
        thread_.join();
    }
    if (instance_) {
        lilv_instance_deactivate(instance_);
        lilv_instance_free(instance_);
    }
    sem_destroy(&wake_);
}

std::uint32_t Lv2Instance::port_index(const std::string& symbol) const {
    const auto it = ports_.find(symbol);
    if (it == ports_.end()) throw std::runtime_error("no port " + symbol);
    return it->second;
}

void Lv2Instance::set_control(const std::string& symbol, float value) { controls_[port_index(symbol)] = value; }
float Lv2Instance::control(const std::string& symbol) const { return controls_[port_index(symbol)]; }

namespace {

// One atom object of `type` for the control port; `body` forges its properties.
template <class Body>
std::vector<std::uint8_t> forge_object(UridMap& u, const char* type, Body body) {
    std::vector<std::uint8_t> buf(256);
    LV2_Atom_Forge forge;
    lv2_atom_forge_init(&forge, u.map_feature());
    lv2_atom_forge_set_buffer(&forge, buf.data(), buf.size());
    LV2_Atom_Forge_Frame f;
    lv2_atom_forge_object(&forge, &f, 0, u.map(type));
    body(forge);
    lv2_atom_forge_pop(&forge, &f);
    buf.resize(forge.offset);
    return buf;
}

}  // namespace

void Lv2Instance::send_patch_set(const std::string& property_uri, float value) {
    UridMap& u = world_.urids();
    pending_messages_.push_back(forge_object(u, LV2_PATCH__Set, [&](LV2_Atom_Forge& forge) {
        lv2_atom_forge_key(&forge, u.map(LV2_PATCH__property));
        lv2_atom_forge_urid(&forge, u.map(property_uri.c_str()));
        lv2_atom_forge_key(&forge, u.map(LV2_PATCH__value));
        lv2_atom_forge_float(&forge, value);
    }));
}

void Lv2Instance::send_position(std::int64_t frame, float speed) {
    UridMap& u = world_.urids();
    pending_messages_.push_back(forge_object(u, LV2_TIME__Position, [&](LV2_Atom_Forge& forge) {
        lv2_atom_forge_key(&forge, u.map(LV2_TIME__frame));
        lv2_atom_forge_long(&forge, frame);
        lv2_atom_forge_key(&forge, u.map(LV2_TIME__speed));
        lv2_atom_forge_float(&forge, speed);
    }));
}

void Lv2Instance::write_control_events() {
    LV2_Atom_Forge forge;
    lv2_atom_forge_init(&forge, world_.urids().map_feature());
    lv2_atom_forge_set_buffer(&forge, control_buf_.data(), control_buf_.size());
    LV2_Atom_Forge_Frame seq;
    lv2_atom_forge_sequence_head(&forge, &seq, 0);
    for (const auto& m : pending_messages_) {
        lv2_atom_forge_frame_time(&forge, 0);
        lv2_atom_forge_write(&forge, m.data(), std::uint32_t(m.size()));
    }
    lv2_atom_forge_pop(&forge, &seq);
    pending_messages_.clear();
}

void Lv2Instance::prepare(std::uint32_t frames, const float* left, const float* right) {
    if (frames > silence_.size()) silence_.assign(frames, 0.f);
    lilv_instance_connect_port(instance_, port_index("in_l"), const_cast<float*>(left ? left : silence_.data()));
    if (ports_stereo_)
        lilv_instance_connect_port(instance_, port_index("in_r"), const_cast<float*>(right ? right : left ? left : silence_.data()));
    write_control_events();
    auto* out = reinterpret_cast<LV2_Atom_Sequence*>(events_buf_.data());
    out->atom.type = world_.urids().map(LV2_ATOM__Chunk);
    out->atom.size = kEventsCapacity - sizeof(LV2_Atom);
}

void Lv2Instance::run_plugin(std::uint32_t frames) { lilv_instance_run(instance_, frames); }

void Lv2Instance::finish_block(std::uint32_t frames) {
    deliver_responses();
    if (mode_ == WorkerMode::deferred) {
        Message m;
        while (requests_.pop_rt(&m)) run_work(m.size, m.data.data());
        deliver_responses();
    }
    read_events(frames);
    frames_run += frames;
}

void Lv2Instance::run(std::uint32_t frames, const float* left, const float* right) {
    prepare(frames, left, right);
    run_plugin(frames);
    finish_block(frames);
}

void Lv2Instance::read_events(std::uint32_t frames) {
    UridMap& u = world_.urids();
    const auto* seq = reinterpret_cast<const LV2_Atom_Sequence*>(events_buf_.data());
    if (seq->atom.type != u.map(LV2_ATOM__Sequence)) {
        ++order_errors;  // the plugin must always leave a sequence
        return;
    }
    const LV2_URID midi_type = u.map(LV2_MIDI__MidiEvent), beat_type = u.map(tactus::lv2::kBeat);
    std::int64_t last = 0;
    LV2_ATOM_SEQUENCE_FOREACH (seq, ev) {
        const std::int64_t t = ev->time.frames;
        if (t < last || t < 0 || t >= std::int64_t(frames)) ++order_errors;
        last = t;
        if (ev->body.type == midi_type) {
            HostMidi m;
            m.frame = frames_run + t;
            m.size = std::uint8_t(std::min<std::uint32_t>(ev->body.size, 3));
            std::memcpy(m.bytes, LV2_ATOM_BODY_CONST(&ev->body), m.size);
            midi.push_back(m);
        } else if (ev->body.type == u.map(LV2_ATOM__Object) &&
                   reinterpret_cast<const LV2_Atom_Object*>(&ev->body)->body.otype == beat_type) {
            const auto* obj = reinterpret_cast<const LV2_Atom_Object*>(&ev->body);
            const LV2_Atom *bib = nullptr, *bpb = nullptr, *bar = nullptr, *idx = nullptr, *bpm = nullptr, *conf = nullptr,
                           *inten = nullptr, *pred = nullptr, *frame = nullptr;
            lv2_atom_object_get(obj, u.map(tactus::lv2::kBeatInBar), &bib, u.map(tactus::lv2::kBeatsPerBar), &bpb,
                                u.map(tactus::lv2::kBar), &bar, u.map(tactus::lv2::kBeatIndex), &idx,
                                u.map(tactus::lv2::kBpm), &bpm, u.map(tactus::lv2::kConfidence), &conf,
                                u.map(tactus::lv2::kIntensity), &inten, u.map(tactus::lv2::kPredicted), &pred,
                                u.map(tactus::lv2::kFrame), &frame, 0);
            if (!bib || !bpb || !bar || !idx || !bpm || !conf || !inten || !pred || !frame) {
                ++unknown_events;
                continue;
            }
            HostBeat b;
            b.frame = frames_run + t;
            b.beat_in_bar = reinterpret_cast<const LV2_Atom_Int*>(bib)->body;
            b.beats_per_bar = reinterpret_cast<const LV2_Atom_Int*>(bpb)->body;
            b.bar = reinterpret_cast<const LV2_Atom_Long*>(bar)->body;
            b.beat_index = reinterpret_cast<const LV2_Atom_Long*>(idx)->body;
            b.bpm = reinterpret_cast<const LV2_Atom_Float*>(bpm)->body;
            b.confidence = reinterpret_cast<const LV2_Atom_Float*>(conf)->body;
            b.intensity = reinterpret_cast<const LV2_Atom_Float*>(inten)->body;
            b.predicted = reinterpret_cast<const LV2_Atom_Bool*>(pred)->body != 0;
            b.stream_frame = reinterpret_cast<const LV2_Atom_Long*>(frame)->body;
            beats.push_back(b);
        } else {
            ++unknown_events;
        }
    }
}

// ---- worker -----------------------------------------------------------------

LV2_Worker_Status Lv2Instance::schedule(std::uint32_t size, const void* data) {
    Message m;
    if (size > m.data.size()) return LV2_WORKER_ERR_NO_SPACE;
    m.size = size;
    std::memcpy(m.data.data(), data, size);
    if (!requests_.push_rt(m)) return LV2_WORKER_ERR_NO_SPACE;
    if (mode_ == WorkerMode::threaded) {
        in_flight_.fetch_add(1);
        sem_post(&wake_);
    }
    return LV2_WORKER_SUCCESS;
}

void Lv2Instance::run_work(std::uint32_t size, const void* data) {
    if (worker_iface_ && worker_iface_->work)
        worker_iface_->work(lilv_instance_get_handle(instance_), HostCallbacks::respond, this, size, data);
}

void Lv2Instance::worker_loop() {
    while (true) {
        sem_wait(&wake_);
        if (quit_) return;
        Message m;
        while (requests_.pop_rt(&m)) {
            run_work(m.size, m.data.data());
            in_flight_.fetch_sub(1);
        }
    }
}

bool Lv2Instance::set_block_length(std::int32_t frames) {
    const auto* iface = static_cast<const LV2_Options_Interface*>(lilv_instance_get_extension_data(instance_, LV2_OPTIONS__interface));
    if (!iface) return false;
    block_length_ = frames;
    const LV2_Options_Option opts[2] = {{LV2_OPTIONS_INSTANCE, 0, world_.urids().map(LV2_BUF_SIZE__nominalBlockLength),
                                         sizeof(std::int32_t), world_.urids().map(LV2_ATOM__Int), &block_length_},
                                        {LV2_OPTIONS_INSTANCE, 0, 0, 0, 0, nullptr}};
    return iface->set(lilv_instance_get_handle(instance_), opts) == LV2_OPTIONS_SUCCESS;
}

void Lv2Instance::reactivate() {
    drain_worker();
    lilv_instance_deactivate(instance_);
    lilv_instance_activate(instance_);
}

void Lv2Instance::drain_worker() {
    while (in_flight_.load() > 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
}

void Lv2Instance::deliver_responses() {
    Message m;
    while (responses_.pop_rt(&m))
        if (worker_iface_ && worker_iface_->work_response)
            worker_iface_->work_response(lilv_instance_get_handle(instance_), m.size, m.data.data());
    if (worker_iface_ && worker_iface_->end_run) worker_iface_->end_run(lilv_instance_get_handle(instance_));
}

// ---- state ------------------------------------------------------------------

LilvState* Lv2Instance::save_state() {
    return lilv_state_new_from_instance(world_.plugin(), instance_, world_.urids().map_feature(), nullptr, nullptr,
                                        nullptr, nullptr, HostCallbacks::get_port_value, this,
                                        LV2_STATE_IS_POD | LV2_STATE_IS_PORTABLE, features_.data());
}

void Lv2Instance::restore_state(const LilvState* state) {
    lilv_state_restore(state, instance_, HostCallbacks::set_port_value, this, 0, features_.data());
}

bool Lv2Instance::apply_preset(const std::string& uri) {
    LilvNode* node = lilv_new_uri(world_.world(), uri.c_str());
    lilv_world_load_resource(world_.world(), node);
    LilvState* state = lilv_state_new_from_world(world_.world(), world_.urids().map_feature(), node);
    lilv_node_free(node);
    if (!state) return false;
    restore_state(state);
    lilv_state_free(state);
    return true;
}

// ---- audio files ------------------------------------------------------------

AudioData read_audio(const std::string& path) {
    SF_INFO info{};
    SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
    if (!f) throw std::runtime_error("cannot read " + path);
    std::vector<float> inter(std::size_t(info.frames) * std::size_t(info.channels));
    sf_readf_float(f, inter.data(), info.frames);
    sf_close(f);
    AudioData a;
    a.rate = info.samplerate;
    a.left.resize(std::size_t(info.frames));
    a.right.resize(std::size_t(info.frames));
    for (std::size_t i = 0; i < a.left.size(); ++i) {
        a.left[i] = inter[i * std::size_t(info.channels)];
        a.right[i] = inter[i * std::size_t(info.channels) + (info.channels > 1 ? 1 : 0)];
    }
    return a;
}

void write_wav(const std::string& path, const std::vector<float>& mono, double rate) {
    tactus::test::write_sound_file(path, mono, int(rate));
}

}  // namespace tactus::test
