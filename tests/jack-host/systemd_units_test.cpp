// The systemd user units that run tactus-jack (and a jackd on a capture
// device) unattended: systemd itself accepts them, and the command line
// they run is the built tactus-jack with the arguments of the env file.
#include <catch2/catch.hpp>

#include <fstream>
#include <regex>

#include "paths.hpp"
#include "run.hpp"

using namespace tactus::test;
namespace fs = std::filesystem;

namespace {

fs::path unit(const std::string& name) { return binary_dir() / "systemd" / "build" / (name + ".service"); }

std::string exec_start(const fs::path& file) {
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("ExecStart=", 0) == 0) return line.substr(10);
    return {};
}

}  // namespace

TEST_CASE("systemd accepts the units without a warning", "[systemd]") {
    REQUIRE(run("command -v systemd-analyze").status == 0);  // Debian: systemd (tools/setup.sh installs it)
    for (const char* name : {"tactus-jack", "tactus-jackd"}) {
        INFO(name);
        REQUIRE(fs::exists(unit(name)));
        // verify fails on an executable that is not there and warns on any
        // directive it does not understand
        const auto r = run("systemd-analyze verify " + quote(unit(name)));
        CHECK(r.status == 0);
        CHECK(r.err.empty());
        CHECK(r.out.empty());
    }
}

TEST_CASE("the tactus-jack unit runs the built tactus-jack with TACTUS_ARGS from its env file", "[systemd]") {
    const std::string cmd = exec_start(unit("tactus-jack"));
    REQUIRE(cmd == (bin_dir() / "tactus-jack").string() + " $TACTUS_ARGS");
    std::ifstream in(unit("tactus-jack"));
    const std::string text((std::istreambuf_iterator<char>(in)), {});
    CHECK(std::regex_search(text, std::regex("\nEnvironmentFile=-%E/tactus/tactus-jack.env\n")));
    CHECK(std::regex_search(text, std::regex("\nRestart=always\n")));

    // The env file's documented shape: TACTUS_ARGS=--config FILE. systemd
    // splits an unbraced $VAR at white space, as sh does.
    const auto cfg = fs::temp_directory_path() / "tactus-systemd-test.json";
    std::ofstream(cfg) << R"({"osc": {"targets": ["10.0.0.7:7701"]}, "beat_detection": {"max_bpm": 180}})";
    const auto r = run("TACTUS_ARGS='--config " + cfg.string() + " --print-config' sh -c '" + cmd + "'");
    fs::remove(cfg);
    INFO(r.err);
    REQUIRE(r.status == 0);
    CHECK(r.out.find("10.0.0.7:7701") != std::string::npos);
    CHECK(r.out.find("\"max_bpm\": 180") != std::string::npos);
}
