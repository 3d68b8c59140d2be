#pragma once
// One file through the engine, as tactus-analyze runs it: the same
// streaming path as the live clients (blocks of `block` frames at the
// file's own rate), events or activations printed to a stream.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <vector>

#include "tactus/crnn_backend.hpp"
#include "tactus/params.hpp"

namespace tactus::cli {

struct AnalyzeOptions {
    bool activations = false, predicted = false, json = false;
    bool fp32 = false;  // the CPU's CRNN in exact fp32 (--activations always is)
    double lead_ms = 20;
    std::size_t block = 256;
    std::uint64_t seed = 1;
    ParamSet params;                              // flags already applied
    std::vector<std::filesystem::path> models;    // model files to load
};

// Seconds of audio read so far, of how many (from the header; may be an
// estimate for mp3).
using ProgressFn = std::function<void(double done_s, double total_s)>;

// Analyses `file`, printing to `out`. `device`: where the CRNN runs; null
// opens the one the parameters name once the file has opened (so a bad
// file is reported before anything else). Throws tactus::Error.
void analyze_file(const std::filesystem::path& file, const AnalyzeOptions& options,
                  std::shared_ptr<CrnnProvider> device, std::FILE* out, const ProgressFn& progress);

}  // namespace tactus::cli
