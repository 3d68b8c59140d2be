#pragma once
// Every URID the plugin uses, mapped once at instantiation (the map may
// lock or allocate: never from run()).
#include <lv2/atom/atom.h>
#include <lv2/midi/midi.h>
#include <lv2/patch/patch.h>
#include <lv2/time/time.h>
#include <lv2/urid/urid.h>

#include <array>

#include "tactus/params.hpp"
#include "uris.hpp"

namespace tactus::lv2 {

struct Urids {
    LV2_URID atom_Blank, atom_Bool, atom_Double, atom_Float, atom_Int, atom_Long, atom_Object, atom_Sequence,
        atom_URID;
    LV2_URID midi_MidiEvent;
    LV2_URID patch_Set, patch_property, patch_value;
    LV2_URID time_Position, time_frame, time_speed;
    LV2_URID beat, beat_in_bar, beats_per_bar, bar, beat_index, bpm, confidence, intensity, predicted, frame, tap;
    std::array<LV2_URID, kParamCount> params;  // parameter URIs, by ParamId

    explicit Urids(LV2_URID_Map* map) {
        auto m = [map](const char* uri) { return map->map(map->handle, uri); };
        atom_Blank = m(LV2_ATOM__Blank);
        atom_Bool = m(LV2_ATOM__Bool);
        atom_Double = m(LV2_ATOM__Double);
        atom_Float = m(LV2_ATOM__Float);
        atom_Int = m(LV2_ATOM__Int);
        atom_Long = m(LV2_ATOM__Long);
        atom_Object = m(LV2_ATOM__Object);
        atom_Sequence = m(LV2_ATOM__Sequence);
        atom_URID = m(LV2_ATOM__URID);
        midi_MidiEvent = m(LV2_MIDI__MidiEvent);
        patch_Set = m(LV2_PATCH__Set);
        patch_property = m(LV2_PATCH__property);
        patch_value = m(LV2_PATCH__value);
        time_Position = m(LV2_TIME__Position);
        time_frame = m(LV2_TIME__frame);
        time_speed = m(LV2_TIME__speed);
        beat = m(kBeat);
        beat_in_bar = m(kBeatInBar);
        beats_per_bar = m(kBeatsPerBar);
        bar = m(kBar);
        beat_index = m(kBeatIndex);
        bpm = m(kBpm);
        confidence = m(kConfidence);
        intensity = m(kIntensity);
        predicted = m(kPredicted);
        frame = m(kFrame);
        tap = m(kTap);
        for (const ParamSpec& spec : param_table()) params[std::size_t(spec.id)] = m(param_uri(spec.name).c_str());
    }

    // The parameter a URID names, or nullptr.
    const ParamSpec* param_of(LV2_URID urid) const {
        for (std::size_t i = 0; i < kParamCount; ++i)
            if (params[i] == urid) return &param_spec(ParamId(i));
        return nullptr;
    }
};

// A number from an atom of any numeric type (patch:Set values, state).
inline bool atom_number(const LV2_Atom* a, const Urids& u, float* out) {
    if (!a) return false;
    if (a->type == u.atom_Float && a->size >= sizeof(float)) *out = reinterpret_cast<const LV2_Atom_Float*>(a)->body;
    else if (a->type == u.atom_Double && a->size >= sizeof(double)) *out = float(reinterpret_cast<const LV2_Atom_Double*>(a)->body);
    else if (a->type == u.atom_Int && a->size >= sizeof(std::int32_t)) *out = float(reinterpret_cast<const LV2_Atom_Int*>(a)->body);
    else if (a->type == u.atom_Long && a->size >= sizeof(std::int64_t)) *out = float(reinterpret_cast<const LV2_Atom_Long*>(a)->body);
    else if (a->type == u.atom_Bool && a->size >= sizeof(std::int32_t)) *out = reinterpret_cast<const LV2_Atom_Bool*>(a)->body ? 1.f : 0.f;
    else return false;
    return true;
}

}  // namespace tactus::lv2
