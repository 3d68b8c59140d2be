#pragma once
// Where tests find things: the developers' ../shared folder (golden
// arrays, evaluation clips), the built binaries and the converted models.
#include <cstdlib>
#include <filesystem>
#include <string>

#include "tactus/model.hpp"

namespace tactus::test {

inline std::filesystem::path source_dir() { return TACTUS_SOURCE_DIR; }
inline std::filesystem::path binary_dir() { return TACTUS_BINARY_DIR; }
inline std::filesystem::path bin_dir() { return binary_dir() / "bin"; }

// ../shared beside the checkout (or $TACTUS_SHARED_DIR); empty when absent.
inline std::filesystem::path shared_dir() {
    if (const char* env = std::getenv("TACTUS_SHARED_DIR"); env && *env) return env;
    const auto p = source_dir().parent_path() / "shared";
    return std::filesystem::is_directory(p / "reference") ? p : std::filesystem::path{};
}
inline std::filesystem::path reference(const std::string& name) { return shared_dir() / "reference" / name; }
inline std::filesystem::path eval_dev() { return shared_dir() / "eval-dev"; }

inline std::filesystem::path model_path(int id = 1) { return bin_dir() / "models" / tactus::model_file_name(id); }
inline const tactus::Model& model(int id = 1) {
    static tactus::Model models[3];
    auto& m = models[id - 1];
    if (m.id == 0) m = tactus::load_model(model_path(id));
    return m;
}

}  // namespace tactus::test
