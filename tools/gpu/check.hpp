#pragma once
// tactus-cuda-check: what tools/gpu/check_gpu.sh runs on a machine with a
// GPU. Accuracy against the CPU and the golden arrays, and throughput.
#include <filesystem>
#include <string>
#include <vector>

namespace tactus::gpucheck {

// One line of the report: a measurement, its CPU and GPU values.
struct Row {
    std::string what;
    std::string cpu, gpu;
    std::string verdict;  // "ok", "FAIL", or a ratio
};

struct Report {
    std::vector<Row> rows;
    bool failed = false;
    void add(std::string what, std::string cpu, std::string gpu, std::string verdict) {
        if (verdict == "FAIL") failed = true;
        rows.push_back({std::move(what), std::move(cpu), std::move(gpu), std::move(verdict)});
    }
    void print() const;
};

std::string fmt(const char* format, double value);

// Activations (GPU vs CPU vs golden) and beats (tactus inference: the same
// events; BeatNet's filter on the GPU vs the CPU port and BeatNet's beats)
// on ../shared/reference.
void check_accuracy(const std::filesystem::path& reference, int device, Report& report);

// Streams x real time of the streaming CRNN step and particle filter step,
// GPU against one CPU core.
void check_speed(int device, const std::vector<int>& streams, Report& report);

}  // namespace tactus::gpucheck
