#pragma once
// Runs a command line through /bin/sh and captures its exit status, stdout
// and stderr (for tests of the command-line tools).
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace tactus::test {

struct RunResult {
    int status = -1;
    std::string out, err;
};

inline RunResult run(const std::string& command) {
    static int counter = 0;
    const auto err_path = std::filesystem::temp_directory_path() /
                          ("tactus-test-stderr-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    RunResult r;
    FILE* p = ::popen((command + " 2>" + err_path.string()).c_str(), "r");
    if (!p) return r;
    std::array<char, 4096> buf;
    std::size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
    const int st = ::pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    std::ifstream e(err_path);
    std::stringstream ss;
    ss << e.rdbuf();
    r.err = ss.str();
    std::filesystem::remove(err_path);
    return r;
}

inline std::string quote(const std::filesystem::path& p) {
    std::string s(1, '\'');
    s += p.string();
    s += '\'';
    return s;
}

}  // namespace tactus::test
