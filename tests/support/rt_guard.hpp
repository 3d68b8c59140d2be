#pragma once
// Real-time guard for tests (after neural-amp-modeler-core's allocation
// tracking): while a RtSection is alive on a thread, every malloc, free,
// operator new/delete and pthread mutex lock on that thread is counted as a
// violation. The hooks live in rt_guard.cpp, linked only into the RT test
// binary (not under sanitizers, which own malloc themselves).
#include <atomic>
#include <cstdint>

namespace tactus::test {

struct RtViolations {
    std::uint64_t allocations = 0;
    std::uint64_t frees = 0;
    std::uint64_t locks = 0;
    std::uint64_t total() const { return allocations + frees + locks; }
};

RtViolations rt_violations();
void reset_rt_violations();

class RtSection {
public:
    RtSection();
    ~RtSection();
    RtSection(const RtSection&) = delete;
    RtSection& operator=(const RtSection&) = delete;
};

// Whether the hooks are active in this build.
bool rt_guard_available();

}  // namespace tactus::test
