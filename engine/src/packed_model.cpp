#include "tactus/packed_model.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <vector>
#include <unistd.h>

#include "mapped_file.hpp"
#include "pack_fingerprint.hpp"
#include "tactus/crnn.hpp"
#include "tactus/error.hpp"
#include "tactus/model.hpp"
#include "xxhash64.hpp"

#ifndef TACTUS_BUILD_FLAVOUR
#define TACTUS_BUILD_FLAVOUR "unknown"
#endif

namespace tactus {
namespace {

constexpr char kMagic[8] = {'T', 'A', 'C', 'T', 'U', 'S', 'P', 'K'};
// Bump when packing, the image's arrays or priming change in a way the
// build string does not show.
constexpr std::uint32_t kVersion = 1;

struct Header {
    char magic[8];
    std::uint32_t version;
    std::uint32_t silence_frames;
    std::uint64_t image_bytes;
    std::uint64_t image_xxh64;
    char source_xxh64[24];  // the model file's data_xxh64, NUL-padded
    char build[160];        // packed_model_build(), NUL-padded
    char reserved[40];
};
static_assert(sizeof(Header) == 256 && sizeof(Header) % 64 == 0);

void copy_text(char* dst, std::size_t cap, const std::string& s) {
    std::memset(dst, 0, cap);
    std::memcpy(dst, s.data(), std::min(s.size(), cap - 1));
}

std::string text_of(const char* src, std::size_t cap) { return std::string(src, strnlen(src, cap)); }

}  // namespace

std::filesystem::path packed_model_path(const std::filesystem::path& model_file) {
    std::filesystem::path p = model_file;
    return p.replace_extension(".packed");
}

std::string packed_model_build() {
    return CrnnCpu::image_layout() + " " + TACTUS_BUILD_FLAVOUR + " code " + TACTUS_PACK_FINGERPRINT;
}

std::filesystem::path write_packed_model(const std::filesystem::path& model_file, int silence_frames) {
    if (silence_frames < 0) throw Error("silence frames must not be negative");
    const MappedModel model(model_file);
    CrnnCpu net(model.weights(), CrnnArithmetic::fast);
    {
        std::vector<float> silence(std::size_t(CrnnCpu::kMaxBatch) * kFeatureSize, 0.f);
        std::vector<float> probs(std::size_t(CrnnCpu::kMaxBatch) * kClasses);
        for (int left = silence_frames; left > 0;) {
            const int n = std::min(left, CrnnCpu::kMaxBatch);
            net.run(silence.data(), n, probs.data());
            left -= n;
        }
    }
    const std::vector<std::uint8_t> image = net.image();
    Header h{};
    std::memcpy(h.magic, kMagic, sizeof kMagic);
    h.version = kVersion;
    h.silence_frames = std::uint32_t(silence_frames);
    h.image_bytes = image.size();
    h.image_xxh64 = xxhash64(image.data(), image.size());
    copy_text(h.source_xxh64, sizeof h.source_xxh64, model_data_checksum(model_file));
    const std::string build = packed_model_build();
    if (build.size() >= sizeof h.build) throw Error("packed model: the build's description is too long: " + build);
    copy_text(h.build, sizeof h.build, build);

    const std::filesystem::path out = packed_model_path(model_file);
    std::filesystem::path tmp = out;
    tmp += ".tmp" + std::to_string(::getpid());
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) throw Error("cannot write " + tmp.string());
    const bool ok = std::fwrite(&h, sizeof h, 1, f) == 1 && std::fwrite(image.data(), 1, image.size(), f) == image.size();
    if (std::fclose(f) != 0 || !ok) {
        std::filesystem::remove(tmp);
        throw Error("cannot write " + tmp.string());
    }
    std::error_code ec;
    std::filesystem::rename(tmp, out, ec);
    if (ec) {
        std::filesystem::remove(tmp);
        throw Error("cannot write " + out.string() + ": " + ec.message());
    }
    return out;
}

PackedModel::PackedModel() = default;
PackedModel::~PackedModel() = default;

std::unique_ptr<PackedModel> PackedModel::open(const std::filesystem::path& model_file, std::string* why,
                                               bool* to_fix) {
    why->clear();
    bool fix = false;
    if (!to_fix) to_fix = &fix;
    *to_fix = false;
    const std::filesystem::path path = packed_model_path(model_file);
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return nullptr;  // none: nothing to say
    const std::string where = path.string();
    *to_fix = true;
    std::unique_ptr<PackedModel> pm(new PackedModel);
    try {
        pm->file_ = std::make_unique<MappedFile>(path);
    } catch (const Error& e) {
        *why = e.what();
        return nullptr;
    }
    const MappedFile& file = *pm->file_;
    if (file.size() < sizeof(Header)) {
        *why = where + " is truncated (" + std::to_string(file.size()) + " bytes)";
        return nullptr;
    }
    Header h;
    std::memcpy(&h, file.data(), sizeof h);
    const std::uint8_t* image = file.data() + sizeof h;
    if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0) {
        *why = where + " is not a packed Tactus model";
        return nullptr;
    }
    if (h.version != kVersion || text_of(h.build, sizeof h.build) != packed_model_build()) {
        // several builds may share one folder of models: not a fault
        *to_fix = false;
        *why = where + " was packed by another build (" + text_of(h.build, sizeof h.build) + ", version " +
               std::to_string(h.version) + ")";
        return nullptr;
    }
    const std::size_t expected = sizeof(Header) + CrnnCpu::image_bytes();
    if (file.size() != expected || h.image_bytes != CrnnCpu::image_bytes()) {
        *why = where + " is truncated or damaged (" + std::to_string(file.size()) + " bytes, not " +
               std::to_string(expected) + ")";
        return nullptr;
    }
    if (xxhash64(image, std::size_t(h.image_bytes)) != h.image_xxh64) {
        *why = where + " is corrupt: its data does not match its checksum";
        return nullptr;
    }
    try {
        if (text_of(h.source_xxh64, sizeof h.source_xxh64) != model_data_checksum(model_file)) {
            *why = where + " was packed from another version of " + model_file.filename().string();
            return nullptr;
        }
    } catch (const Error& e) {
        *why = e.what();
        return nullptr;
    }
    *to_fix = false;
    pm->image_ = image;
    pm->silence_frames_ = int(h.silence_frames);
    return pm;
}

}  // namespace tactus
