#pragma once
// A child process for the tests with real peers (jackd, jalv): started with
// posix_spawn, its stdin a pipe the test writes to, its output in a file;
// killed (by its own pid) and reaped when the test ends, pass or fail.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace tactus::test {

class ChildProcess {
public:
    // argv[0] is looked up in PATH; `env` entries ("NAME=value") are added
    // to this process's environment.
    ChildProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                 const std::filesystem::path& output) {
        int fds[2];
        if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, fds[0], 0);
        posix_spawn_file_actions_addclose(&actions, fds[1]);
        posix_spawn_file_actions_addopen(&actions, 1, output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_adddup2(&actions, 1, 2);
        std::vector<std::string> envs;
        for (char** e = environ; *e; ++e) envs.emplace_back(*e);
        for (const auto& e : env) envs.push_back(e);
        std::vector<char*> cargv, cenv;
        for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
        cargv.push_back(nullptr);
        for (const auto& e : envs) cenv.push_back(const_cast<char*>(e.c_str()));
        cenv.push_back(nullptr);
        const int rc = posix_spawnp(&pid_, argv[0].c_str(), &actions, nullptr, cargv.data(), cenv.data());
        posix_spawn_file_actions_destroy(&actions);
        ::close(fds[0]);
        stdin_ = fds[1];
        output_ = output;
        if (rc != 0) {
            ::close(stdin_);
            throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
        }
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

}  // namespace tactus::test
