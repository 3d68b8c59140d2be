// The C entry points of tactus.lv2: the descriptor, the worker and state
// interfaces. They only translate to Plugin (plugin.hpp); nothing throws
// across them.
#include <lv2/core/lv2.h>
#include <lv2/core/lv2_util.h>
#include <lv2/log/logger.h>
#include <lv2/options/options.h>
#include <lv2/state/state.h>
#include <lv2/worker/worker.h>

#include <cstdio>
#include <cstring>
#include <exception>
#include <new>

#include "plugin.hpp"
#include "tactus/error.hpp"
#include "uris.hpp"

namespace {

using tactus::lv2::Plugin;

Plugin* self(LV2_Handle h) { return static_cast<Plugin*>(h); }

// The host's log when it has one, stderr when not.
void log_error(const LV2_Feature* const* features, const char* what) {
    LV2_URID_Map* map = nullptr;
    LV2_Log_Log* log = nullptr;
    if (features) lv2_features_query(features, LV2_URID__map, &map, false, LV2_LOG__log, &log, false, nullptr);
    LV2_Log_Logger logger{};
    if (map) lv2_log_logger_init(&logger, map, log);
    if (logger.log) lv2_log_error(&logger, "tactus.lv2: %s\n", what);
    else std::fprintf(stderr, "tactus.lv2: %s\n", what);
}

LV2_Handle instantiate(const LV2_Descriptor*, double rate, const char* bundle, const LV2_Feature* const* features) {
    try {
        return new Plugin(rate, bundle ? bundle : ".", features);
    } catch (const tactus::Error& e) {
        log_error(features, e.what());
    } catch (const std::bad_alloc&) {
        log_error(features, "out of memory");
    } catch (const std::exception& e) {
        log_error(features, e.what());
    }
    return nullptr;
}

void connect_port(LV2_Handle h, uint32_t port, void* data) { self(h)->connect_rt(port, data); }
void activate(LV2_Handle h) { self(h)->activate(); }
void run(LV2_Handle h, uint32_t frames) { self(h)->run_rt(frames); }
void deactivate(LV2_Handle) {}
void cleanup(LV2_Handle h) { delete self(h); }

LV2_Worker_Status work(LV2_Handle h, LV2_Worker_Respond_Function, LV2_Worker_Respond_Handle, uint32_t size,
                       const void* data) {
    try {
        return self(h)->work(size, data);
    } catch (const std::exception&) {
        return LV2_WORKER_ERR_UNKNOWN;  // e.g. a rebuild out of memory: the running analysis goes on
    }
}
LV2_Worker_Status work_response(LV2_Handle, uint32_t, const void*) { return LV2_WORKER_SUCCESS; }

LV2_State_Status save(LV2_Handle h, LV2_State_Store_Function store, LV2_State_Handle handle, uint32_t,
                      const LV2_Feature* const*) {
    return self(h)->save(store, handle);
}
LV2_State_Status restore(LV2_Handle h, LV2_State_Retrieve_Function retrieve, LV2_State_Handle handle, uint32_t,
                         const LV2_Feature* const*) {
    return self(h)->restore(retrieve, handle);
}

// Options the host reports: only the block length is read (Plugin::set_options).
uint32_t options_get(LV2_Handle, LV2_Options_Option*) { return LV2_OPTIONS_ERR_UNKNOWN; }
uint32_t options_set(LV2_Handle h, const LV2_Options_Option* options) {
    try {
        self(h)->set_options(options);
    } catch (const std::exception&) {
        return LV2_OPTIONS_ERR_UNKNOWN;
    }
    return LV2_OPTIONS_SUCCESS;
}

const void* extension_data(const char* uri) {
    static const LV2_Worker_Interface worker = {work, work_response, nullptr};
    static const LV2_State_Interface state = {save, restore};
    static const LV2_Options_Interface options = {options_get, options_set};
    if (!std::strcmp(uri, LV2_OPTIONS__interface)) return &options;
    if (!std::strcmp(uri, LV2_WORKER__interface)) return &worker;
    if (!std::strcmp(uri, LV2_STATE__interface)) return &state;
    return nullptr;
}

const LV2_Descriptor kDescriptor = {
    tactus::lv2::kPluginUri, instantiate, connect_port, activate, run, deactivate, cleanup, extension_data,
};

}  // namespace

extern "C" LV2_SYMBOL_EXPORT const LV2_Descriptor* lv2_descriptor(uint32_t index) {
    return index == 0 ? &kDescriptor : nullptr;
}
