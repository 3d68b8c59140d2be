#pragma once
// Ableton Link (opt-in): the tracked tempo and beat phase published to the
// Link session. Kept in one translation unit: Link pulls in asio.
#include <cstdint>
#include <memory>

#include "tactus/events.hpp"
#include "tactus/rt.hpp"

namespace ableton {
class Link;
}

namespace tactus::jack {

struct LinkDeleter {
    void operator()(ableton::Link* link) const;
};
using LinkPtr = std::unique_ptr<ableton::Link, LinkDeleter>;

// Joins the Link session (starts Link's own network threads).
LinkPtr make_link(double bpm);
int link_peers(ableton::Link& link);
double link_tempo(ableton::Link& link);

// Sets Link's tempo and, when the phase is more than 5 ms off, moves the
// beat grid so the next beat falls where the tracker predicts it, at its
// place in the bar.
// Link's audio-thread session state API is real-time safe.
TACTUS_RT void link_publish_rt(ableton::Link& link, const TempoSnapshot& s, std::int64_t now_frame, double rate) noexcept;

}  // namespace tactus::jack
