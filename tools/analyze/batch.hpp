#pragma once
// tactus-analyze over many files at once: every file gets its own engine
// (so its beats are exactly those of a single-file run), and `jobs` of
// them run side by side on a pool of threads. On a GPU their CRNN streams
// share one device (batched across files by the CUDA backend); on the CPU
// the files are spread over the cores.
#include <filesystem>
#include <string>
#include <vector>

#include "analyze_file.hpp"

namespace tactus::cli {

struct BatchInput {
    std::filesystem::path path;
    std::filesystem::path out_name;  // relative output path without extension
};

// Expands the arguments: files as given, folders recursively (audio files
// by extension, sorted). Unreadable folders throw tactus::Error.
std::vector<BatchInput> collect_inputs(const std::vector<std::string>& args);

// Whether a path names an audio file libsndfile may read (by extension).
bool is_audio_name(const std::filesystem::path& path);

struct BatchOptions {
    std::filesystem::path out_dir;  // empty: stdout, "# <file>" before each file
    int jobs = 0;                   // 0: one per core (more with a GPU)
};

// Analyses every input; one line on stderr per failed file. Returns the
// number of files that failed.
int run_batch(const std::vector<BatchInput>& inputs, const AnalyzeOptions& options, const BatchOptions& batch);

}  // namespace tactus::cli
