#pragma once
// A model's network as the CPU runs it with the fast arithmetic, saved
// beside the model file: "beatnet-model-1.safetensors" ->
// "beatnet-model-1.packed" (tactus-pack-models writes them; tools/setup.sh
// runs it). The file is the network's image (CrnnCpu::image(): int8 panels,
// scales, biases) and the LSTM state after the stream's silence, behind a
// 256-byte header. Starting from it skips what every start otherwise
// repeats: checking 4.8 MB of fp32 weights, packing them, and running
// 2 s of silence through each network. The int8 weights are read in place
// from the page cache.
//
// A packed file is a cache. It is used only when it was made by a build
// like this one (the same vector layout, kernel and build type), from the
// model file beside it (its data checksum), and its own image is intact;
// otherwise the model file is packed at start as before. The image is
// bitwise what packing and priming give.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace tactus {

class MappedFile;

std::filesystem::path packed_model_path(const std::filesystem::path& model_file);

// What a packed file must have been made by: this build's layout and type.
std::string packed_model_build();

// Packs `model_file`, runs `silence_frames` frames of silence through it,
// and writes its packed file (through a temporary file, renamed into
// place). Returns the path written. Throws tactus::Error.
std::filesystem::path write_packed_model(const std::filesystem::path& model_file, int silence_frames);

// A packed file mapped read-only and checked.
class PackedModel {
public:
    // The packed file of `model_file`, or null: *why is empty when there is
    // none, else says why it cannot be used, and *to_fix says whether that
    // is a fault to report (damaged, or stale beside its model file) rather
    // than a file packed by another build. Never throws for a bad file.
    static std::unique_ptr<PackedModel> open(const std::filesystem::path& model_file, std::string* why,
                                             bool* to_fix = nullptr);
    ~PackedModel();
    PackedModel(const PackedModel&) = delete;
    PackedModel& operator=(const PackedModel&) = delete;

    const std::uint8_t* image() const { return image_; }  // CrnnCpu::image_bytes() long, 64-byte aligned
    int silence_frames() const { return silence_frames_; }  // of the state the image holds

private:
    PackedModel();
    std::unique_ptr<MappedFile> file_;
    const std::uint8_t* image_ = nullptr;
    int silence_frames_ = 0;
};

}  // namespace tactus
