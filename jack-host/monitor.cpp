#include "monitor.hpp"

#include <cmath>
#include <cstdio>

namespace tactus::jack {

std::string status_line(const TempoSnapshot& s, const SessionStats& j, double now_s, bool connected) {
    if (!connected) return "no JACK server: retrying...";
    // the beat light: lit for the first fifth of each beat
    const double period = s.bpm > 0 ? 60.0 / s.bpm : 0;
    bool lit = false;
    if (period > 0 && s.next_beat_frame >= 0 && j.rate > 0 && s.frame >= 0) {
        const double to_next = double(s.next_beat_frame - s.frame) / j.rate;
        const double phase = 1.0 - std::fmod(to_next / period + 1000.0, 1.0);
        lit = phase < 0.2 || phase > 0.999;
    }
    (void)now_s;
    char bar[16] = {};
    const int bpb = s.beats_per_bar > 0 ? std::min(s.beats_per_bar, 12) : 4;
    for (int i = 0; i < bpb; ++i) bar[i] = (i + 1 == s.beat_in_bar) ? (lit ? '#' : '+') : '.';
    const double peak_db = j.input_peak > 0 ? 20.0 * std::log10(double(j.input_peak)) : -120.0;
    char line[256];
    std::snprintf(line, sizeof line, "%6.1f BPM  conf %.2f  %s  [%-*s] %d/%d  in %5.1f dB  %-9s  clock %s  load %4.1f%%  xruns %llu",
                  s.bpm, double(s.confidence), lit ? "(*)" : "( )", bpb, bar, s.beat_in_bar, s.beats_per_bar, peak_db,
                  to_string(s.state), j.clock_running ? "run " : "stop", j.dsp_load,
                  static_cast<unsigned long long>(j.xruns));
    return line;
}

}  // namespace tactus::jack
