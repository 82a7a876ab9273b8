// Counts every allocation of the test binary that includes this header (once: it replaces the global operator
// new and delete), so a test can show that hostile input allocates nothing ahead of the bytes that arrived; and
// can make the calling thread's allocations fail (FailAllocations), to test what an out-of-memory path leaves.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <new>

namespace portafx::test {
inline std::atomic<std::size_t> gLive{0};
inline std::atomic<std::size_t> gPeak{0};
inline std::atomic<bool> gCounting{false};
inline thread_local bool tFailAllocations = false;  // operator new throws bad_alloc on this thread while set

struct Header {
    std::size_t size;
    std::size_t pad;  // keeps the user block 16-byte aligned
};

inline void* Allocate(std::size_t n) {
    if (tFailAllocations) throw std::bad_alloc();
    auto* h = static_cast<Header*>(std::malloc(sizeof(Header) + n));
    if (h == nullptr) throw std::bad_alloc();
    h->size = n;
    if (gCounting) {
        const std::size_t now = gLive += n;
        std::size_t peak = gPeak;
        while (now > peak && !gPeak.compare_exchange_weak(peak, now)) {
        }
    }
    return h + 1;
}

inline void Release(void* p) noexcept {
    if (p == nullptr) return;
    Header* h = static_cast<Header*>(p) - 1;
    if (gCounting) gLive -= std::min<std::size_t>(h->size, gLive);
    std::free(h);
}

// Peak bytes allocated while `f` runs (beyond what was live when it started).
template <class F>
std::size_t PeakDuring(F f) {
    gLive = 0;
    gPeak = 0;
    gCounting = true;
    try {
        f();
    } catch (...) {
        gCounting = false;
        throw;
    }
    gCounting = false;
    return gPeak;
}
// While it lives, every allocation made by the calling thread throws std::bad_alloc.
struct FailAllocations {
    FailAllocations() noexcept { tFailAllocations = true; }
    ~FailAllocations() { tFailAllocations = false; }
    FailAllocations(const FailAllocations&) = delete;
    FailAllocations& operator=(const FailAllocations&) = delete;
};
}  // namespace portafx::test

void* operator new(std::size_t n) {
    return portafx::test::Allocate(n);
}
void* operator new[](std::size_t n) {
    return portafx::test::Allocate(n);
}
void operator delete(void* p) noexcept {
    portafx::test::Release(p);
}
void operator delete[](void* p) noexcept {
    portafx::test::Release(p);
}
void operator delete(void* p, std::size_t) noexcept {
    portafx::test::Release(p);
}
void operator delete[](void* p, std::size_t) noexcept {
    portafx::test::Release(p);
}
