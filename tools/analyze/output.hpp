#pragma once
// How tactus-analyze prints events: beats, committed predictions or JSON.
#include <cstdio>

#include "tactus/events.hpp"

namespace tactus::cli {

enum class OutputMode { beats, predicted, json };

class EventPrinter final : public EventSink {
public:
    EventPrinter(OutputMode mode, double sample_rate, double lead_s, std::FILE* out = stdout)
        : mode_(mode), rate_(sample_rate), lead_s_(lead_s), out_(out) {}
    void on_event(const BeatEvent& e) override;
    long printed() const { return printed_; }

private:
    OutputMode mode_;
    double rate_, lead_s_;
    std::FILE* out_;
    long printed_ = 0;
};

}  // namespace tactus::cli
