#pragma once
// tactus-jack and tactus-analyze as the JACK tests run them: a server name
// per test process, tactus-jack's command line and environment, waiting for
// its ports, and the beats tactus-analyze finds offline for comparison.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "jack_peers.hpp"
#include "paths.hpp"
#include "run.hpp"

namespace tactus::test {

inline std::string server_name(const char* tag) { return std::string("tactus-test-") + tag + "-" + std::to_string(::getpid()); }

// tactus-jack without auto-connection or a fixed OSC control port, model 1
// unless `extra` names another model (a later --model wins).
inline std::vector<std::string> tactus_jack(const std::string& name, std::vector<std::string> extra) {
    std::vector<std::string> argv = {(bin_dir() / "tactus-jack").string(), "--name", name, "--no-connect",
                                     "--osc-control-port", "0", "--model", "1"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
}

inline std::vector<std::string> env_for(const std::string& server) {
    return {"JACK_DEFAULT_SERVER=" + server, "TACTUS_MODEL_DIR=" + model_path(1).parent_path().string()};
}

inline void wait_for_port(const std::string& server, const std::string& port, Child& child) {
    for (int i = 0; i < 100 && !jack_port_exists(server, port); ++i) {
        REQUIRE(child.alive());
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    REQUIRE(jack_port_exists(server, port));
}

// Beat times tactus-analyze prints for a file.
inline std::vector<double> analyze_beats(const std::filesystem::path& file, const std::vector<std::string>& flags) {
    std::string cmd = quote(bin_dir() / "tactus-analyze");
    for (const auto& f : flags) cmd += " " + f;
    const auto r = run(cmd + " " + quote(file));
    REQUIRE(r.status == 0);
    std::vector<double> t;
    std::istringstream in(r.out);
    double time;
    int pos;
    while (in >> time >> pos) t.push_back(time);
    return t;
}

}  // namespace tactus::test
