#pragma once
// XXH64 (Yann Collet's xxHash, 64-bit), used to check that a model file's
// tensor data is the data its converter wrote: a corrupted, truncated or
// edited file is refused. Its strength is detecting damage, not forgery
// (whoever can edit the file can rewrite any checksum in it); the download
// itself is verified by SHA-256 against the published file. It runs at
// memory speed (0.2 ms for the 1.6 MB of weights, where SHA-256 took 10 ms
// of every tactus-analyze start).
#include <cstddef>
#include <cstdint>
#include <string>

namespace tactus {

std::uint64_t xxhash64(const std::uint8_t* data, std::size_t size, std::uint64_t seed = 0);
// As 16 lowercase hex digits.
std::string xxhash64_hex(const std::uint8_t* data, std::size_t size);

}  // namespace tactus
