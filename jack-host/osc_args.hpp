#pragma once
// Reading liblo's message arguments. liblo places them at 4-byte offsets,
// below lo_arg's 8-byte alignment, so reading a member through the union
// is undefined (UBSan stops on it): the bytes are copied out instead.
#include <lo/lo.h>

#include <cstring>

namespace tactus::jack {

template <class T>
T osc_arg_as(const lo_arg* a) {
    T v;
    std::memcpy(&v, a, sizeof v);
    return v;
}

inline const char* osc_arg_string(const lo_arg* a) { return reinterpret_cast<const char*>(a); }

}  // namespace tactus::jack
