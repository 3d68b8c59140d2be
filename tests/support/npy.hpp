#pragma once
// Minimal .npy reader for the golden reference arrays (little-endian,
// C order; float32/64, int32/64, uint32). Values come back as double.
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace tactus::test {

struct NpyArray {
    std::vector<std::size_t> shape;
    std::vector<double> data;
    std::size_t rows() const { return shape.empty() ? 1 : shape[0]; }
    std::size_t cols() const { return shape.size() < 2 ? 1 : shape[1]; }
    double at(std::size_t r, std::size_t c) const { return data[r * cols() + c]; }
    std::vector<float> as_float() const { return std::vector<float>(data.begin(), data.end()); }
};

inline NpyArray load_npy(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path.string());
    char magic[8];
    in.read(magic, 8);
    if (std::memcmp(magic, "\x93NUMPY", 6) != 0) throw std::runtime_error(path.string() + ": not .npy");
    std::uint32_t hlen = 0;
    if (magic[6] == 1) {
        std::uint16_t h16;
        in.read(reinterpret_cast<char*>(&h16), 2);
        hlen = h16;
    } else {
        in.read(reinterpret_cast<char*>(&hlen), 4);
    }
    std::string header(hlen, ' ');
    in.read(header.data(), hlen);
    auto field = [&](const std::string& key) {
        const auto p = header.find("'" + key + "'");
        if (p == std::string::npos) throw std::runtime_error(path.string() + ": no " + key);
        return header.substr(header.find(':', p) + 1);
    };
    const std::string descr = field("descr").substr(field("descr").find('\'') + 1, 3);
    if (field("fortran_order").find("True") < field("fortran_order").find(','))
        throw std::runtime_error(path.string() + ": Fortran order not supported");
    std::string shape_s = field("shape");
    shape_s = shape_s.substr(shape_s.find('(') + 1, shape_s.find(')') - shape_s.find('(') - 1);
    NpyArray a;
    std::size_t count = 1, pos = 0;
    while (pos < shape_s.size()) {
        const auto comma = shape_s.find(',', pos);
        const std::string tok = shape_s.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        if (tok.find_first_of("0123456789") != std::string::npos) {
            a.shape.push_back(std::stoul(tok));
            count *= a.shape.back();
        }
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
    a.data.resize(count);
    auto read_as = [&](auto tag) {
        using T = decltype(tag);
        std::vector<T> raw(count);
        in.read(reinterpret_cast<char*>(raw.data()), std::streamsize(count * sizeof(T)));
        for (std::size_t i = 0; i < count; ++i) a.data[i] = double(raw[i]);
    };
    if (descr == "<f4") read_as(float{});
    else if (descr == "<f8") read_as(double{});
    else if (descr == "<i8") read_as(std::int64_t{});
    else if (descr == "<i4") read_as(std::int32_t{});
    else if (descr == "<u4") read_as(std::uint32_t{});
    else throw std::runtime_error(path.string() + ": unsupported dtype " + descr);
    if (!in) throw std::runtime_error(path.string() + ": truncated");
    return a;
}

}  // namespace tactus::test
