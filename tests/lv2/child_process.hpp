#pragma once
// A child process for the tests with real peers (jackd, jalv): started by
// spawn_process (it dies with the test), its stdin a pipe the test writes
// to, its output in a file; killed and reaped when the test ends.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "spawn.hpp"

namespace tactus::test {

class ChildProcess {
public:
    // argv[0] is looked up in PATH; `env` entries ("NAME=value") are added
    // to this process's environment.
    ChildProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                 const std::filesystem::path& output, int death_signal = SIGKILL) {
        SpawnOptions o;
        o.death_signal = death_signal;
        o.argv = argv;
        o.env = env;
        o.stdout_path = output.string();
        o.stderr_path = "&1";
        o.stdin_pipe = true;
        const Spawned s = spawn_process(o);
        pid_ = s.pid;
        stdin_ = s.stdin_fd;
        output_ = output;
    }
    ~ChildProcess() {
        close_stdin();
        if (running()) stop(SIGTERM, std::chrono::seconds(5));
        if (running()) stop(SIGKILL, std::chrono::seconds(5));
    }
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    void write(const std::string& text) {
        if (stdin_ >= 0 && ::write(stdin_, text.data(), text.size()) < 0) close_stdin();
    }
    void close_stdin() {
        if (stdin_ >= 0) ::close(stdin_);
        stdin_ = -1;
    }
    bool running() {
        if (reaped_) return false;
        int st = 0;
        if (::waitpid(pid_, &st, WNOHANG) == pid_) {
            reaped_ = true;
            status_ = st;
        }
        return !reaped_;
    }
    // Waits up to `timeout` for the exit; true if it exited.
    bool wait(std::chrono::milliseconds timeout) {
        const auto end = std::chrono::steady_clock::now() + timeout;
        while (running() && std::chrono::steady_clock::now() < end) std::this_thread::sleep_for(std::chrono::milliseconds(20));
        return !running();
    }
    void stop(int signal, std::chrono::milliseconds timeout) {
        if (running()) ::kill(pid_, signal);
        wait(timeout);
    }
    // The exit status (-1 while running or if killed by a signal).
    int exit_code() {
        if (running() || !WIFEXITED(status_)) return -1;
        return WEXITSTATUS(status_);
    }
    bool signalled() {
        return !running() && WIFSIGNALED(status_);
    }
    std::string output() const {
        std::ifstream in(output_);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }

private:
    pid_t pid_ = -1;
    int stdin_ = -1;
    bool reaped_ = false;
    int status_ = 0;
    std::filesystem::path output_;
};

// A test that loads the plugin into a real host (jalv, Ardour) skips (exit
// 77) where the host is not installed, and in a sanitizer build: a host
// built without the sanitizer cannot load a plugin built with it.
inline void skip_unless_host_runs(bool installed, const char* missing, const char* host) {
    if (!installed) {
        std::fprintf(stderr, "SKIPPED: %s is not installed\n", missing);
        std::exit(77);
    }
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    std::fprintf(stderr, "SKIPPED: a sanitizer build's plugin does not load into an uninstrumented %s\n", host);
    std::exit(77);
#else
    (void)host;
#endif
}

}  // namespace tactus::test
