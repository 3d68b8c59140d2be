#include "spawn.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>

extern char** environ;

namespace tactus::test {
namespace {

std::string key_of(const std::string& kv) { return kv.substr(0, kv.find('=') + 1); }

}  // namespace

std::string find_program(const std::string& name) {
    if (name.find('/') != std::string::npos) return ::access(name.c_str(), X_OK) == 0 ? name : std::string();
    const char* path = std::getenv("PATH");
    std::string dirs = path ? path : "/usr/bin:/bin";
    std::size_t at = 0;
    while (at <= dirs.size()) {
        const std::size_t end = std::min(dirs.find(':', at), dirs.size());
        const std::string candidate = dirs.substr(at, end - at) + "/" + name;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
        at = end + 1;
    }
    return {};
}

Spawned spawn_process(const SpawnOptions& o) {
    if (o.argv.empty()) throw std::runtime_error("spawn_process: no program");
    // everything the child needs is prepared here: after fork() it may only
    // make async-signal-safe calls
    const std::string program = find_program(o.argv[0]);
    if (program.empty()) throw std::runtime_error("cannot start " + o.argv[0] + ": not found in PATH");
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) {
        bool replaced = false;
        for (const auto& x : o.env) replaced |= key_of(x) == key_of(*e);
        if (!replaced) env.emplace_back(*e);
    }
    env.insert(env.end(), o.env.begin(), o.env.end());
    std::vector<char*> argv, envp;
    for (const auto& a : o.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    const std::string out = o.stdout_path.empty() ? "/dev/null" : o.stdout_path;
    const bool err_to_out = o.stderr_path == "&1";
    const std::string err = o.stderr_path.empty() || err_to_out ? "/dev/null" : o.stderr_path;
    int fds[2] = {-1, -1};
    if (o.stdin_pipe && ::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed: " + std::string(std::strerror(errno)));
    if (pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, o.death_signal);
        if (::getppid() != parent) ::_exit(127);  // the test died before prctl
        const int in = o.stdin_pipe ? fds[0] : ::open("/dev/null", O_RDONLY);
        const int fo = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int fe = err_to_out ? fo : ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (in < 0 || fo < 0 || fe < 0) ::_exit(127);
        ::dup2(in, 0);
        ::dup2(fo, 1);
        ::dup2(fe, 2);
        ::execve(program.c_str(), argv.data(), envp.data());
        ::_exit(127);
    }
    Spawned s;
    s.pid = pid;
    if (o.stdin_pipe) {
        ::close(fds[0]);
        s.stdin_fd = fds[1];
    }
    return s;
}

}  // namespace tactus::test
