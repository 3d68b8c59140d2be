// Model files are checked before use: every way a file can be wrong gives a
// one-line tactus::Error, never a crash.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "error_text.hpp"
#include "paths.hpp"
#include "xxhash64.hpp"
#include "tactus/error.hpp"
#include "tactus/model.hpp"

using namespace tactus;
namespace fs = std::filesystem;

namespace {

std::vector<std::uint8_t> slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

fs::path write_temp(const std::string& name, const std::vector<std::uint8_t>& bytes) {
    const auto p = fs::temp_directory_path() / ("tactus-model-test-" + name);
    std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    return p;
}

// Splits a safetensors file into header JSON and data, and rebuilds one.
struct Parts {
    nlohmann::json header;
    std::vector<std::uint8_t> data;
};
Parts split(const std::vector<std::uint8_t>& b) {
    std::uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | b[std::size_t(i)];
    return {nlohmann::json::parse(b.begin() + 8, b.begin() + 8 + std::ptrdiff_t(n)),
            std::vector<std::uint8_t>(b.begin() + 8 + std::ptrdiff_t(n), b.end())};
}
std::vector<std::uint8_t> join(const Parts& p, bool resign = true) {
    nlohmann::json h = p.header;
    if (resign) h["__metadata__"]["data_xxh64"] = xxhash64_hex(p.data.data(), p.data.size());
    const std::string s = h.dump();
    std::vector<std::uint8_t> out(8 + s.size() + p.data.size());
    for (int i = 0; i < 8; ++i) out[std::size_t(i)] = std::uint8_t(std::uint64_t(s.size()) >> (8 * i));
    std::copy(s.begin(), s.end(), out.begin() + 8);
    std::copy(p.data.begin(), p.data.end(), out.begin() + 8 + std::ptrdiff_t(s.size()));
    return out;
}

std::string load_error(const fs::path& p) {
    return tactus::test::error_text([&] { load_model(p); });
}

}  // namespace

TEST_CASE("XXH64 matches the reference implementation", "[model]") {
    auto hex = [](const std::string& s) { return xxhash64_hex(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()); };
    // values from the xxhash package (Python bindings of the reference C code)
    CHECK(hex("") == "ef46db3751d8e999");
    CHECK(hex("a") == "d24ec4f1a98c6e5b");
    CHECK(hex("abc") == "44bc2cf5ad770999");
    CHECK(hex(std::string(31, 'x')) == "60dd0d01083b99f0");
    CHECK(hex(std::string(32, 'x')) == "e2df261fc2ec30eb");
    CHECK(hex(std::string(100, 'x')) == "92f0de5a88a3c094");
    std::string ramp;
    for (int r = 0; r < 5; ++r)
        for (int i = 0; i < 256; ++i) ramp.push_back(char(i));
    CHECK(hex(ramp) == "afc184ad7938a354");
}

TEST_CASE("the converted BeatNet models load with their metadata", "[model]") {
    for (int id = 1; id <= 3; ++id) {
        INFO("model " << id << " at " << tactus::test::model_path(id));
        REQUIRE(fs::exists(tactus::test::model_path(id)));
        const Model m = load_model(tactus::test::model_path(id));
        CHECK(m.id == id);
        CHECK(m.attribution.find("CC BY 4.0") != std::string::npos);
        CHECK(m.attribution.find("Heydari") != std::string::npos);
        CHECK(m.weights.linear0_w.size() == 150u * 262u);
        CHECK(m.weights.lstm[1].w_hh.size() == 600u * 150u);
    }
    // the three models differ
    CHECK(load_model(tactus::test::model_path(1)).weights.out_w != load_model(tactus::test::model_path(2)).weights.out_w);
}

TEST_CASE("a mapped model reads the tensors in place, the same as loaded ones, aligned or not", "[model]") {
    const Model loaded = load_model(tactus::test::model_path(2));
    const auto same = [&](const MappedModel& m) {
        const CrnnWeightsView& v = m.weights();
        CHECK(m.id() == 2);
        CHECK(m.attribution() == loaded.attribution);
        CHECK(std::equal(loaded.weights.linear0_w.begin(), loaded.weights.linear0_w.end(), v.linear0_w));
        CHECK(std::equal(loaded.weights.lstm[1].w_hh.begin(), loaded.weights.lstm[1].w_hh.end(), v.lstm[1].w_hh));
        CHECK(std::equal(loaded.weights.out_b.begin(), loaded.weights.out_b.end(), v.out_b));
        for (const float* p : {v.conv_w, v.linear0_w, v.lstm[0].b_ih, v.out_w})
            CHECK(reinterpret_cast<std::uintptr_t>(p) % alignof(float) == 0);
    };
    same(MappedModel(tactus::test::model_path(2)));
    // safetensors need not pad its header: one of 8k + 1 bytes puts the
    // data off float alignment in the mapping
    auto p = split(slurp(tactus::test::model_path(2)));
    std::vector<std::uint8_t> bytes;
    std::uint64_t header_len = 0;
    for (std::size_t pad = 0; pad < 8 && (8 + header_len) % 4 == 0; ++pad) {
        p.header["__metadata__"]["pad"] = std::string(pad, 'x');
        bytes = join(p);
        header_len = 0;
        for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | bytes[std::size_t(i)];
    }
    REQUIRE((8 + header_len) % 4 != 0);
    same(MappedModel(write_temp("unaligned", bytes)));
}

TEST_CASE("bad model files are refused with a one-line message", "[model]") {
    const auto good = slurp(tactus::test::model_path(1));
    REQUIRE(good.size() > 1000000);

    SECTION("missing") {
        const auto msg = load_error("/nonexistent/beatnet-model-1.safetensors");
        CHECK(msg.find("cannot read model file") != std::string::npos);
    }
    SECTION("a directory") { CHECK_FALSE(load_error(fs::temp_directory_path()).empty()); }
    SECTION("empty") { CHECK(load_error(write_temp("empty", {})).find("truncated") != std::string::npos); }
    SECTION("truncated data") {
        auto b = good;
        b.resize(b.size() - 1000);
        const auto msg = load_error(write_temp("trunc", b));
        CHECK(msg.find("checksum") != std::string::npos);
    }
    SECTION("truncated header") {
        auto b = good;
        b.resize(200);
        CHECK(load_error(write_temp("trunc-head", b)).find("truncated") != std::string::npos);
    }
    SECTION("one flipped bit in the weights") {
        auto b = good;
        b[b.size() / 2] ^= 0x10;
        CHECK(load_error(write_temp("flip", b)).find("modified") != std::string::npos);
    }
    SECTION("garbage header") {
        auto b = good;
        for (int i = 8; i < 40; ++i) b[std::size_t(i)] = '#';
        CHECK(load_error(write_temp("garbage", b)).find("corrupt header") != std::string::npos);
    }
    SECTION("not a model at all") {
        std::vector<std::uint8_t> b(5000, 0xff);
        CHECK_FALSE(load_error(write_temp("ff", b)).empty());
    }
    SECTION("a tensor with the wrong shape") {
        auto p = split(good);
        p.header["linear0.weight"]["shape"] = {262, 150};
        CHECK(load_error(write_temp("shape", join(p))).find("has shape") != std::string::npos);
    }
    SECTION("a tensor with the wrong dtype") {
        auto p = split(good);
        p.header["conv1.bias"]["dtype"] = "F16";
        CHECK(load_error(write_temp("dtype", join(p))).find("not F32") != std::string::npos);
    }
    SECTION("a missing tensor") {
        auto p = split(good);
        p.header.erase("lstm.bias_hh_l1");
        CHECK(load_error(write_temp("missing", join(p))).find("no tensor 'lstm.bias_hh_l1'") != std::string::npos);
    }
    SECTION("offsets outside the file") {
        auto p = split(good);
        p.header["linear.bias"]["data_offsets"] = {1609288, 99999999};
        CHECK(load_error(write_temp("offsets", join(p))).find("outside") != std::string::npos);
    }
    SECTION("NaN weights, even with a matching checksum") {
        auto p = split(good);
        const auto off = p.header["linear.bias"]["data_offsets"][0].get<std::size_t>();
        const float nan = std::nanf("");
        std::memcpy(p.data.data() + off, &nan, 4);
        CHECK(load_error(write_temp("nan", join(p))).find("NaN or Inf") != std::string::npos);
    }
    SECTION("a model for other features") {
        auto p = split(good);
        auto f = nlohmann::json::parse(p.header["__metadata__"]["features"].get<std::string>());
        f["hop_size"] = 512;
        p.header["__metadata__"]["features"] = f.dump();
        CHECK(load_error(write_temp("features", join(p))).find("hop_size") != std::string::npos);
    }
    SECTION("another format") {
        auto p = split(good);
        p.header["__metadata__"]["format"] = "something-else";
        CHECK(load_error(write_temp("format", join(p))).find("not a Tactus BeatNet model") != std::string::npos);
    }
}

TEST_CASE("every error message is a single line", "[model]") {
    for (const auto& msg : {load_error("/nonexistent"), load_error(write_temp("empty2", {}))}) {
        CHECK_FALSE(msg.empty());
        CHECK(msg.find('\n') == std::string::npos);
    }
}

TEST_CASE("find_model looks in TACTUS_MODEL_DIR first and names where it looked", "[model]") {
    ::setenv("TACTUS_MODEL_DIR", tactus::test::model_path(1).parent_path().c_str(), 1);
    CHECK(find_model(2) == tactus::test::model_path(2).parent_path() / "beatnet-model-2.safetensors");
    ::setenv("TACTUS_MODEL_DIR", "/nonexistent-dir", 1);
    // falls back to the places next to the executable; the test binary's
    // bin/ holds models/ too
    CHECK_NOTHROW(find_model(1));
    ::unsetenv("TACTUS_MODEL_DIR");
    CHECK_THROWS_AS(find_model(4), Error);
}
