#include "output.hpp"

namespace tactus::cli {

void EventPrinter::on_event(const BeatEvent& e) {
    switch (mode_) {
        case OutputMode::beats:
            if (e.predicted) return;
            std::fprintf(out_, "%.3f\t%d\n", e.time, e.beat_in_bar);
            break;
        case OutputMode::predicted: {
            // only beats committed at least `lead` before they happened
            const double ahead = double(e.frame - e.committed_frame) / rate_;
            if (!e.predicted || ahead < lead_s_ - 1e-9) return;
            std::fprintf(out_, "%.3f\t%d\n", e.time, e.beat_in_bar);
            break;
        }
        case OutputMode::json:
            std::fprintf(out_,
                         "{\"kind\":\"%s\",\"time\":%.6f,\"frame\":%lld,\"committed_time\":%.6f,"
                         "\"committed_frame\":%lld,\"beat_index\":%lld,\"bar\":%lld,\"beat_in_bar\":%d,"
                         "\"beats_per_bar\":%d,\"bpm\":%.3f,\"confidence\":%.3f,\"intensity\":%.3f}\n",
                         e.predicted ? "prediction" : "beat", e.time, static_cast<long long>(e.frame),
                         double(e.committed_frame) / rate_, static_cast<long long>(e.committed_frame),
                         static_cast<long long>(e.beat_index), static_cast<long long>(e.bar), e.beat_in_bar,
                         e.beats_per_bar, double(e.bpm), double(e.confidence), double(e.intensity));
            break;
    }
    ++printed_;
}

}  // namespace tactus::cli
