#pragma once
// Starting the real peers of the tests (jackd, jalv, tactus-jack): fork and
// exec, with the child bound to the test's life. A test that crashes or is
// killed by a timeout runs no destructors; PR_SET_PDEATHSIG has the kernel
// kill its children then, so no jackd outlives it (a leftover one holds a
// slot of the few servers JACK allows, and later tests cannot start theirs).
// The signal follows the spawning thread: spawn from a thread that outlives
// the child (the test's main thread).
#include <signal.h>
#include <sys/types.h>

#include <string>
#include <vector>

namespace tactus::test {

struct SpawnOptions {
    std::vector<std::string> argv;        // argv[0] is looked up in PATH
    std::vector<std::string> env;         // "NAME=value": added, or replacing the test's own
    std::string stdout_path;              // empty: /dev/null
    std::string stderr_path;              // empty: /dev/null; "&1": with stdout
    bool stdin_pipe = false;              // else /dev/null
    // What the child gets when the test dies. jackd wants SIGTERM: killed,
    // it leaves its entry in JACK's server registry, which holds only 8,
    // and after a few crashed tests no server can start.
    int death_signal = SIGKILL;
};

struct Spawned {
    pid_t pid = -1;
    int stdin_fd = -1;  // the write end, with stdin_pipe
};

// The executable `name` in PATH (a name with a slash is taken as it is),
// or "" where there is none: tests skip when a peer is not installed.
std::string find_program(const std::string& name);

// Throws std::runtime_error when the program cannot be found or started.
Spawned spawn_process(const SpawnOptions& options);

}  // namespace tactus::test
