#pragma once
// BeatNet CRNN weights as loaded from a Tactus model file (safetensors, see
// docs/MODEL_FORMAT.md). Loading checks names, shapes, dtypes, sizes,
// finiteness, the recorded feature parameters and the SHA-256 of the data;
// any failure is a tactus::Error with a one-line message.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace tactus {

// Network dimensions of BeatNet's BDA(272, 150, 2).
inline constexpr int kFeatureSize = 272;
inline constexpr int kConvChannels = 2;
inline constexpr int kConvKernel = 10;
inline constexpr int kConvOut = kFeatureSize - kConvKernel + 1;   // 263
inline constexpr int kPooled = kConvOut / 2;                      // 131 per channel
inline constexpr int kLinear0In = kConvChannels * kPooled;        // 262
inline constexpr int kHidden = 150;
inline constexpr int kGates = 4 * kHidden;                        // i, f, g, o
inline constexpr int kLstmLayers = 2;
inline constexpr int kClasses = 3;                                // beat, downbeat, none

struct LstmLayerWeights {
    std::vector<float> w_ih;  // [600, 150] row-major
    std::vector<float> w_hh;  // [600, 150]
    std::vector<float> b_ih;  // [600]
    std::vector<float> b_hh;  // [600]
};

struct CrnnWeights {
    std::vector<float> conv_w;     // [2, 1, 10]
    std::vector<float> conv_b;     // [2]
    std::vector<float> linear0_w;  // [150, 262]
    std::vector<float> linear0_b;  // [150]
    LstmLayerWeights lstm[kLstmLayers];
    std::vector<float> out_w;      // [3, 150]
    std::vector<float> out_b;      // [3]
};

// The same tensors as views into memory someone else owns (a CrnnWeights,
// or a mapped model file): what the CPU network packs its weights from.
struct LstmLayerView {
    const float *w_ih, *w_hh, *b_ih, *b_hh;
};
struct CrnnWeightsView {
    const float *conv_w, *conv_b, *linear0_w, *linear0_b;
    LstmLayerView lstm[kLstmLayers];
    const float *out_w, *out_b;
};
CrnnWeightsView view_of(const CrnnWeights& w);

struct Model {
    int id = 0;                 // BeatNet model 1, 2 or 3
    std::string source;         // where the weights came from
    std::string attribution;    // credit line (CC BY 4.0)
    std::filesystem::path path;
    CrnnWeights weights;
};

// Reads and validates a model file. Throws tactus::Error.
Model load_model(const std::filesystem::path& path);

// A model file mapped read-only and validated as load_model does, its
// tensors read in place: packing the network from it copies each weight
// once (a 30 s clip's analysis faulted in 400 pages fewer). Throws
// tactus::Error.
class MappedModel {
public:
    explicit MappedModel(const std::filesystem::path& path);
    ~MappedModel();
    MappedModel(const MappedModel&) = delete;
    MappedModel& operator=(const MappedModel&) = delete;

    int id() const { return id_; }
    const std::string& source() const { return source_; }
    const std::string& attribution() const { return attribution_; }
    const CrnnWeightsView& weights() const { return view_; }

private:
    struct File;
    std::unique_ptr<File> file_;
    int id_ = 0;
    std::string source_, attribution_;
    CrnnWeightsView view_{};
};

// The checksum a model file records for its tensor data (data_xxh64), from
// its header alone, which is read and checked as load_model does; the data
// is not read. Throws tactus::Error.
std::string model_data_checksum(const std::filesystem::path& path);

// The file name of model `id` (1..3): "beatnet-model-<id>.safetensors".
std::string model_file_name(int id);

// Finds model `id` in $TACTUS_MODEL_DIR, next to the running executable
// (<exe>/models, <exe>/../share/tactus/models) and in the install prefix.
// Throws tactus::Error naming the places it looked.
std::filesystem::path find_model(int id);

}  // namespace tactus
