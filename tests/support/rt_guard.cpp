#include "rt_guard.hpp"

#include <dlfcn.h>
#include <malloc.h>
#include <pthread.h>

#include <cstdlib>
#include <new>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define TACTUS_RT_GUARD 0
#else
#define TACTUS_RT_GUARD 1
#endif

namespace {

thread_local int g_in_rt = 0;
std::atomic<std::uint64_t> g_alloc{0}, g_free{0}, g_lock{0};

}  // namespace

namespace tactus::test {

RtViolations rt_violations() {
    return {g_alloc.load(), g_free.load(), g_lock.load()};
}
void reset_rt_violations() {
    g_alloc = 0;
    g_free = 0;
    g_lock = 0;
}
RtSection::RtSection() { ++g_in_rt; }
RtSection::~RtSection() { --g_in_rt; }
bool rt_guard_available() { return TACTUS_RT_GUARD; }

}  // namespace tactus::test

#if TACTUS_RT_GUARD
// glibc exports its allocator under __libc_* names, so the hooks can call it
// without dlsym (which itself may allocate).
extern "C" void* __libc_malloc(std::size_t);
extern "C" void* __libc_calloc(std::size_t, std::size_t);
extern "C" void* __libc_realloc(void*, std::size_t);
extern "C" void __libc_free(void*);
extern "C" void* __libc_memalign(std::size_t, std::size_t);

extern "C" {
void* malloc(std::size_t n) {
    if (g_in_rt) g_alloc.fetch_add(1, std::memory_order_relaxed);
    return __libc_malloc(n);
}
void* calloc(std::size_t a, std::size_t b) {
    if (g_in_rt) g_alloc.fetch_add(1, std::memory_order_relaxed);
    return __libc_calloc(a, b);
}
void* realloc(void* p, std::size_t n) {
    if (g_in_rt) g_alloc.fetch_add(1, std::memory_order_relaxed);
    return __libc_realloc(p, n);
}
void free(void* p) {
    if (g_in_rt && p) g_free.fetch_add(1, std::memory_order_relaxed);
    __libc_free(p);
}
void* aligned_alloc(std::size_t align, std::size_t n) {
    if (g_in_rt) g_alloc.fetch_add(1, std::memory_order_relaxed);
    return __libc_memalign(align, n);
}
void* memalign(std::size_t align, std::size_t n) {  // FFTW's allocator uses it
    if (g_in_rt) g_alloc.fetch_add(1, std::memory_order_relaxed);
    return __libc_memalign(align, n);
}
int posix_memalign(void** out, std::size_t align, std::size_t n) {
    if (g_in_rt) g_alloc.fetch_add(1, std::memory_order_relaxed);
    *out = __libc_memalign(align, n);
    return *out ? 0 : 12;
}

using lock_fn = int (*)(pthread_mutex_t*);
int pthread_mutex_lock(pthread_mutex_t* m) {
    static lock_fn real = reinterpret_cast<lock_fn>(dlsym(RTLD_NEXT, "pthread_mutex_lock"));
    if (g_in_rt) g_lock.fetch_add(1, std::memory_order_relaxed);
    return real(m);
}
int pthread_mutex_trylock(pthread_mutex_t* m) {
    static lock_fn real = reinterpret_cast<lock_fn>(dlsym(RTLD_NEXT, "pthread_mutex_trylock"));
    if (g_in_rt) g_lock.fetch_add(1, std::memory_order_relaxed);
    return real(m);
}
}

void* operator new(std::size_t n) {
    if (void* p = malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new(std::size_t n, std::align_val_t a) {
    if (void* p = aligned_alloc(std::size_t(a), (n + std::size_t(a) - 1) / std::size_t(a) * std::size_t(a))) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n, std::align_val_t a) { return operator new(n, a); }
void operator delete(void* p) noexcept { free(p); }
void operator delete[](void* p) noexcept { free(p); }
void operator delete(void* p, std::size_t) noexcept { free(p); }
void operator delete[](void* p, std::size_t) noexcept { free(p); }
void operator delete(void* p, std::align_val_t) noexcept { free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { free(p); }
#endif
