#include "link_sync.hpp"

#include <ableton/Link.hpp>

#include <cmath>

namespace tactus::jack {

void LinkDeleter::operator()(ableton::Link* link) const { delete link; }

LinkPtr make_link(double bpm) {
    LinkPtr link(new ableton::Link(bpm > 0 ? bpm : 120.0));
    link->enable(true);
    return link;
}

int link_peers(ableton::Link& link) { return int(link.numPeers()); }

double link_tempo(ableton::Link& link) { return link.captureAppSessionState().tempo(); }

void link_publish_rt(ableton::Link& link, const TempoSnapshot& s, std::int64_t now_frame, double rate) noexcept {
    auto state = link.captureAudioSessionState();
    const auto now = link.clock().micros();
    state.setTempo(s.bpm, now);
    const double quantum = s.beats_per_bar > 0 ? s.beats_per_bar : 4;
    const std::int64_t downbeat = s.next_downbeat_frame >= 0 ? s.next_downbeat_frame : s.next_beat_frame;
    const auto at = now + std::chrono::microseconds(std::llround(double(downbeat - now_frame) / rate * 1e6));
    const double beat = state.beatAtTime(at, quantum);
    const double target = std::round(beat / quantum) * quantum;
    const double off_s = std::abs(beat - target) * 60.0 / s.bpm;
    if (off_s > 0.005) state.forceBeatAtTime(target, at, quantum);
    link.commitAudioSessionState(state);
}

}  // namespace tactus::jack
