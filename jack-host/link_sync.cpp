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
    // The next beat is where the tracker predicts it; its number in the
    // Link timeline is the one, closest to Link's current idea, whose place
    // in the bar (quantum) is the beat's place in the bar.
    const int quantum = s.beats_per_bar > 0 ? s.beats_per_bar : 4;
    const int in_bar = s.beat_in_bar > 0 ? s.beat_in_bar % quantum : 0;  // the next beat's index in its bar, 0-based
    const auto at = now + std::chrono::microseconds(std::llround(double(s.next_beat_frame - now_frame) / rate * 1e6));
    const double beat = state.beatAtTime(at, quantum);
    const double base = std::floor(beat / quantum) * quantum;
    double target = base + in_bar;
    for (double c : {target - quantum, target + quantum})
        if (std::abs(c - beat) < std::abs(target - beat)) target = c;
    if (std::abs(beat - target) * 60.0 / s.bpm > 0.005) state.forceBeatAtTime(target, at, quantum);
    link.commitAudioSessionState(state);
}

}  // namespace tactus::jack
