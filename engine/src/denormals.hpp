#pragma once
// Denormal floats as zero, for the scope of one object on this thread.
// The tracker's posterior holds states and tempo transitions down to 1e-30
// and their products go far below; on Intel cores every multiply-add that
// meets or makes a denormal takes a microcode assist of about a hundred
// cycles (on a Sapphire Rapids vCPU the tracker ran 20 ms per 30 s of
// audio, 9 ms with this; AMD's Zen 5 does them at full speed). The
// caller's mode is restored on exit: a plugin host's thread keeps its own.
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

namespace tactus {

class DenormalsAreZero {
public:
#if defined(__SSE__)
    DenormalsAreZero() noexcept : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | kFlushToZero | kDenormalsAreZero); }
    ~DenormalsAreZero() { _mm_setcsr(saved_); }
#else
    // other CPUs: the IEEE default, denormals computed (slow or not)
    DenormalsAreZero() noexcept = default;
#endif
    DenormalsAreZero(const DenormalsAreZero&) = delete;
    DenormalsAreZero& operator=(const DenormalsAreZero&) = delete;

private:
#if defined(__SSE__)
    static constexpr unsigned kFlushToZero = 0x8000, kDenormalsAreZero = 0x0040;
    unsigned saved_;
#endif
};

}  // namespace tactus
