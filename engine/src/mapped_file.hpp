#pragma once
// A model file (or its packed file) mapped read-only: read in place from
// the page cache (reading it into a buffer first would touch its size
// again in fresh memory, which is slow to fault in on some VMs).
#include <cstddef>
#include <cstdint>
#include <filesystem>

namespace tactus {

class MappedFile {
public:
    // Throws tactus::Error naming the file (missing, unreadable, or larger
    // than any Tactus model file: 64 MB).
    explicit MappedFile(const std::filesystem::path& path);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    const std::uint8_t* data() const { return data_; }  // null for an empty file
    std::size_t size() const { return size_; }

private:
    const std::uint8_t* data_ = nullptr;
    std::size_t size_ = 0;
};

}  // namespace tactus
