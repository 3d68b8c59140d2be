#pragma once
// --monitor: a one-line live status on the terminal.
#include <string>

#include "jack_session.hpp"
#include "tactus/events.hpp"

namespace tactus::jack {

// "128.0 BPM  conf 0.92  [*   ] 1/4  -18 dB  locked  xruns 0"
std::string status_line(const TempoSnapshot& s, const SessionStats& j, double now_s, bool connected);

}  // namespace tactus::jack
