#include "tactus/model.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <map>
#include <vector>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "finite.hpp"
#include "mapped_file.hpp"
#include "xxhash64.hpp"
#include "tactus/error.hpp"

#ifndef TACTUS_INSTALL_MODEL_DIR
#define TACTUS_INSTALL_MODEL_DIR "/usr/local/share/tactus/models"
#endif

namespace tactus {
namespace {

constexpr std::uintmax_t kMaxModelBytes = 64u << 20;
constexpr std::uint64_t kMaxHeaderBytes = 1u << 20;

struct TensorSpec {
    const char* name;
    std::vector<std::int64_t> shape;
    const float** dst;
};

std::string meta_string(const nlohmann::json& meta, const char* key, const std::string& where) {
    auto it = meta.find(key);
    if (it == meta.end() || !it->is_string())
        throw Error(where + ": metadata has no '" + key + "'");
    return it->get<std::string>();
}

void check_features(const nlohmann::json& meta, const std::string& where) {
    nlohmann::json f;
    try {
        f = nlohmann::json::parse(meta_string(meta, "features", where));
    } catch (const nlohmann::json::exception&) {
        throw Error(where + ": metadata 'features' is not valid JSON");
    }
    // The engine computes exactly these features; a model trained on others
    // would load but produce nonsense, so refuse it.
    const std::map<std::string, double> expected = {
        {"sample_rate", 22050}, {"hop_size", 441},      {"frame_size", 1411},
        {"fft_size", 1411},     {"bands_per_octave", 24}, {"fmin", 30},
        {"fmax", 17000},        {"fref", 440},          {"num_bands", 136},
        {"feature_size", 272}};
    for (const auto& [key, value] : expected) {
        auto it = f.find(key);
        if (it == f.end() || !it->is_number() || it->get<double>() != value)
            throw Error(where + ": model expects features with " + key + " = " +
                        (it == f.end() ? std::string("?") : it->dump()) + ", the engine computes " +
                        std::to_string(value));
    }
}

}  // namespace

MappedFile::MappedFile(const std::filesystem::path& path) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) throw Error("cannot read model file " + path.string() + ": " + ec.message());
    if (size > kMaxModelBytes)
        throw Error("model file " + path.string() + " is too large to be a Tactus model (" + std::to_string(size) +
                    " bytes)");
    size_ = std::size_t(size);
    if (size_ == 0) return;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Error("cannot open model file " + path.string());
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);
    if (p == MAP_FAILED) throw Error("cannot read model file " + path.string());
    data_ = static_cast<const std::uint8_t*>(p);
}

MappedFile::~MappedFile() {
    if (data_) ::munmap(const_cast<std::uint8_t*>(data_), size_);
}

std::string model_file_name(int id) { return "beatnet-model-" + std::to_string(id) + ".safetensors"; }

struct MappedModel::File {
    explicit File(const std::filesystem::path& path) : bytes(path) {}
    MappedFile bytes;
    std::vector<float> aligned;  // the tensor data, where the file has it unaligned
};

MappedModel::~MappedModel() = default;

namespace {

// The header's length from the file's first 8 bytes (the file is `size`
// bytes long).
std::uint64_t header_length(const std::uint8_t* first8, std::uint64_t size, const std::string& where) {
    if (size < 8) throw Error(where + " is truncated (" + std::to_string(size) + " bytes)");
    std::uint64_t header_len = 0;
    for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | first8[i];
    if (header_len > kMaxHeaderBytes || header_len > size - 8)
        throw Error(where + " is not a safetensors file or is truncated (header length " +
                    std::to_string(header_len) + ")");
    return header_len;
}

// The JSON header, its metadata checked: a Tactus model of a format and
// features this engine reads.
nlohmann::json parse_header(const std::uint8_t* text, std::uint64_t len, const std::string& where) {
    nlohmann::json header;
    try {
        header = nlohmann::json::parse(text, text + len);
    } catch (const nlohmann::json::exception&) {
        throw Error(where + " has a corrupt header (not JSON)");
    }
    if (!header.is_object()) throw Error(where + " has a corrupt header (not an object)");
    auto meta_it = header.find("__metadata__");
    if (meta_it == header.end() || !meta_it->is_object()) throw Error(where + " has no metadata");
    const auto& meta = *meta_it;
    if (meta_string(meta, "format", where) != "tactus-beatnet-crnn")
        throw Error(where + " is not a Tactus BeatNet model (format '" + meta_string(meta, "format", where) + "')");
    if (meta_string(meta, "format_version", where) != "1")
        throw Error(where + " has unsupported format version " + meta_string(meta, "format_version", where));
    check_features(meta, where);
    return header;
}

}  // namespace

std::string model_data_checksum(const std::filesystem::path& path) {
    // mapped: only the header's pages are read
    const std::string where = "model file " + path.string();
    const MappedFile bytes(path);
    std::uint8_t first8[8] = {};
    if (bytes.size() >= 8) std::memcpy(first8, bytes.data(), 8);
    const std::uint64_t header_len = header_length(first8, bytes.size(), where);
    return meta_string(parse_header(bytes.data() + 8, header_len, where)["__metadata__"], "data_xxh64", where);
}

MappedModel::MappedModel(const std::filesystem::path& path) : file_(std::make_unique<File>(path)) {
    const std::string where = "model file " + path.string();
    const MappedFile& bytes = file_->bytes;
    std::uint8_t first8[8] = {};
    if (bytes.size() >= 8) std::memcpy(first8, bytes.data(), 8);
    const std::uint64_t header_len = header_length(first8, bytes.size(), where);
    const nlohmann::json header = parse_header(bytes.data() + 8, header_len, where);
    const auto& meta = header["__metadata__"];

    const std::uint8_t* data = bytes.data() + 8 + header_len;
    const std::size_t data_len = bytes.size() - 8 - header_len;
    if (xxhash64_hex(data, data_len) != meta_string(meta, "data_xxh64", where))
        throw Error(where + " is corrupt or was modified: its tensor data does not match the recorded checksum");
    // Our converter pads the header to 8 bytes, as safetensors' own writer
    // does, so the F32 data is float-aligned in the mapping; a file without
    // that padding is read from a copy.
    if (reinterpret_cast<std::uintptr_t>(data) % alignof(float) != 0) {
        file_->aligned.resize((data_len + sizeof(float) - 1) / sizeof(float));
        std::memcpy(file_->aligned.data(), data, data_len);
        data = reinterpret_cast<const std::uint8_t*>(file_->aligned.data());
    }

    source_ = meta_string(meta, "source", where);
    attribution_ = meta_string(meta, "attribution", where);
    try {
        id_ = std::stoi(meta_string(meta, "model_id", where));
    } catch (const std::exception&) {
        throw Error(where + ": metadata 'model_id' is not a number");
    }
    CrnnWeightsView& w = view_;
    std::vector<TensorSpec> specs = {
        {"conv1.weight", {2, 1, 10}, &w.conv_w},      {"conv1.bias", {2}, &w.conv_b},
        {"linear0.weight", {150, 262}, &w.linear0_w}, {"linear0.bias", {150}, &w.linear0_b},
        {"linear.weight", {3, 150}, &w.out_w},        {"linear.bias", {3}, &w.out_b}};
    for (int l = 0; l < kLstmLayers; ++l) {
        static const char* names[2][4] = {
            {"lstm.weight_ih_l0", "lstm.weight_hh_l0", "lstm.bias_ih_l0", "lstm.bias_hh_l0"},
            {"lstm.weight_ih_l1", "lstm.weight_hh_l1", "lstm.bias_ih_l1", "lstm.bias_hh_l1"}};
        specs.push_back({names[l][0], {600, 150}, &w.lstm[l].w_ih});
        specs.push_back({names[l][1], {600, 150}, &w.lstm[l].w_hh});
        specs.push_back({names[l][2], {600}, &w.lstm[l].b_ih});
        specs.push_back({names[l][3], {600}, &w.lstm[l].b_hh});
    }
    for (const auto& spec : specs) {
        auto it = header.find(spec.name);
        if (it == header.end() || !it->is_object()) throw Error(where + " has no tensor '" + spec.name + "'");
        const auto& t = *it;
        if (!t.contains("dtype") || t["dtype"] != "F32")
            throw Error(where + ": tensor '" + spec.name + "' is not F32");
        if (!t.contains("shape") || !t["shape"].is_array() ||
            t["shape"].get<std::vector<std::int64_t>>() != spec.shape)
            throw Error(where + ": tensor '" + spec.name + "' has shape " +
                        (t.contains("shape") ? t["shape"].dump() : "?") + ", expected " +
                        nlohmann::json(spec.shape).dump());
        if (!t.contains("data_offsets") || !t["data_offsets"].is_array() || t["data_offsets"].size() != 2 ||
            !t["data_offsets"][0].is_number_unsigned() || !t["data_offsets"][1].is_number_unsigned())
            throw Error(where + ": tensor '" + spec.name + "' has bad data offsets");
        const auto begin = t["data_offsets"][0].get<std::uint64_t>();
        const auto end = t["data_offsets"][1].get<std::uint64_t>();
        std::size_t count = 1;
        for (auto d : spec.shape) count *= std::size_t(d);
        if (end < begin || end > data_len || end - begin != count * 4 || begin % 4 != 0)
            throw Error(where + ": tensor '" + spec.name + "' lies outside the file or has the wrong size");
        // little-endian host assumed (x86, arm64)
        const float* values = reinterpret_cast<const float*>(data + begin);
        if (!all_finite(values, count)) throw Error(where + ": tensor '" + spec.name + "' holds NaN or Inf");
        *spec.dst = values;
    }
}

CrnnWeightsView view_of(const CrnnWeights& w) {
    CrnnWeightsView v{};
    v.conv_w = w.conv_w.data();
    v.conv_b = w.conv_b.data();
    v.linear0_w = w.linear0_w.data();
    v.linear0_b = w.linear0_b.data();
    for (int l = 0; l < kLstmLayers; ++l)
        v.lstm[l] = {w.lstm[l].w_ih.data(), w.lstm[l].w_hh.data(), w.lstm[l].b_ih.data(), w.lstm[l].b_hh.data()};
    v.out_w = w.out_w.data();
    v.out_b = w.out_b.data();
    return v;
}

Model load_model(const std::filesystem::path& path) {
    const MappedModel mapped(path);
    Model model;
    model.path = path;
    model.id = mapped.id();
    model.source = mapped.source();
    model.attribution = mapped.attribution();
    const CrnnWeightsView& v = mapped.weights();
    CrnnWeights& w = model.weights;
    auto copy = [](std::vector<float>& dst, const float* src, std::size_t n) { dst.assign(src, src + n); };
    copy(w.conv_w, v.conv_w, std::size_t(kConvChannels * kConvKernel));
    copy(w.conv_b, v.conv_b, kConvChannels);
    copy(w.linear0_w, v.linear0_w, std::size_t(kHidden) * kLinear0In);
    copy(w.linear0_b, v.linear0_b, kHidden);
    for (int l = 0; l < kLstmLayers; ++l) {
        copy(w.lstm[l].w_ih, v.lstm[l].w_ih, std::size_t(kGates) * kHidden);
        copy(w.lstm[l].w_hh, v.lstm[l].w_hh, std::size_t(kGates) * kHidden);
        copy(w.lstm[l].b_ih, v.lstm[l].b_ih, kGates);
        copy(w.lstm[l].b_hh, v.lstm[l].b_hh, kGates);
    }
    copy(w.out_w, v.out_w, std::size_t(kClasses) * kHidden);
    copy(w.out_b, v.out_b, kClasses);
    return model;
}

std::filesystem::path find_model(int id) {
    if (id < 1 || id > 3) throw Error("model must be 1, 2 or 3 (got " + std::to_string(id) + ")");
    const std::string name = model_file_name(id);
    std::vector<std::filesystem::path> dirs;
    if (const char* env = std::getenv("TACTUS_MODEL_DIR"); env && *env) dirs.emplace_back(env);
    char buf[4096];
    const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n > 0) {
        const std::filesystem::path exe_dir = std::filesystem::path(std::string(buf, std::size_t(n))).parent_path();
        dirs.push_back(exe_dir / "models");
        dirs.push_back(exe_dir / ".." / "share" / "tactus" / "models");
    }
    dirs.emplace_back(TACTUS_INSTALL_MODEL_DIR);
    std::string tried;
    for (const auto& d : dirs) {
        std::error_code ec;
        if (std::filesystem::is_regular_file(d / name, ec)) return d / name;
        tried += (tried.empty() ? "" : ", ") + d.string();
    }
    throw Error("model " + std::to_string(id) + " (" + name + ") not found in " + tried +
                "; run tools/model/fetch_models.sh DIR or set TACTUS_MODEL_DIR");
}

}  // namespace tactus
