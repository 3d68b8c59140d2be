// tactus.lv2's state (the LV2 state extension): every parameter with an
// LV2 port, saved under its URI as an atom:Float, restored into the engine.
#include <cstring>

#include "plugin.hpp"

namespace tactus::lv2 {

LV2_State_Status Plugin::save(LV2_State_Store_Function store, LV2_State_Handle handle) {
    for (std::uint32_t i = 0; i < layout_.param_count; ++i) {
        const ParamId id = layout_.params[i];
        const float v = values_[std::size_t(id)].load(std::memory_order_relaxed);
        const LV2_State_Status st = store(handle, urids_.params[std::size_t(id)], &v, sizeof v, urids_.atom_Float,
                                          LV2_STATE_IS_POD | LV2_STATE_IS_PORTABLE);
        if (st != LV2_STATE_SUCCESS) return st;
    }
    return LV2_STATE_SUCCESS;
}

LV2_State_Status Plugin::restore(LV2_State_Retrieve_Function retrieve, LV2_State_Handle handle) {
    // Not concurrent with run() (the Instantiation class). Keys that are
    // missing keep their value. Hosts set the ports after this (lilv does),
    // to the values saved with the state: the first port values run() sees
    // are taken as they are, so a port that was stale when the state was
    // saved (the value had come by patch:Set) does not undo the restore.
    // Later port changes apply as usual.
    for (std::uint32_t i = 0; i < layout_.param_count; ++i) {
        const ParamId id = layout_.params[i];
        std::size_t size = 0;
        std::uint32_t type = 0, flags = 0;
        const void* data = retrieve(handle, urids_.params[std::size_t(id)], &size, &type, &flags);
        if (!data) continue;
        // as an atom: the body follows a header of its size and type
        alignas(8) std::uint8_t buf[sizeof(LV2_Atom) + 8] = {};
        if (size > 8) continue;
        auto* atom = reinterpret_cast<LV2_Atom*>(buf);
        atom->size = std::uint32_t(size);
        atom->type = type;
        std::memcpy(buf + sizeof(LV2_Atom), data, size);
        float v = 0;
        if (!atom_number(atom, urids_, &v)) continue;
        v = clamp_param(param_spec(id), v).value;
        values_[std::size_t(id)].store(v, std::memory_order_relaxed);
        engine_->set_param(id, v);
        deferred_[std::size_t(id)] = false;
        apply_local_rt(id);
        adopt_port_[std::size_t(id)] = true;
    }
    return LV2_STATE_SUCCESS;
}

}  // namespace tactus::lv2
