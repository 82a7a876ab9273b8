// EventLoopPool: N EventLoops, each run by its own thread until Stop.
#include <portafx/event_loop_pool.hpp>

#include "detail/loop_state.hpp"

#include <stdexcept>
#include <string>

namespace portafx {

namespace {
thread_local const EventLoopPool* tPool = nullptr;  // the pool whose thread this is
thread_local EventLoop* tPoolLoop = nullptr;
}  // namespace

EventLoopPool::EventLoopPool(std::size_t threads) {
    if (threads == 0) threads = std::thread::hardware_concurrency();
    if (threads == 0) threads = 1;
    loops_.reserve(threads);
    for (std::size_t i = 0; i < threads; ++i)
        loops_.push_back(std::make_unique<EventLoop>());
}

EventLoopPool::~EventLoopPool() {
    Stop();
    // The loops go now, on this thread: the pool's threads are joined, so nothing else runs them. Each
    // ~EventLoop closes the sockets still belonging to it.
    loops_.clear();
}

void EventLoopPool::Start() {
    if (running_.load(std::memory_order_acquire)) return;
    stopping_.store(false, std::memory_order_release);
    threads_.reserve(loops_.size());
    try {
        for (std::size_t i = 0; i < loops_.size(); ++i)
            threads_.emplace_back([this, i] { RunThread(i); });
    } catch (...) {
        running_.store(true, std::memory_order_release);
        Stop();
        throw;
    }
    running_.store(true, std::memory_order_release);
}

void EventLoopPool::Stop() {
    if (!running_.load(std::memory_order_acquire)) return;
    if (tPool == this) {
        throw std::logic_error(
            "portafx::EventLoopPool::Stop: called on one of the pool's own threads, which it "
            "would have to join; call it from another thread");
    }
    stopping_.store(true, std::memory_order_release);
    for (auto& loop : loops_)
        loop->Stop();
    for (auto& t : threads_)
        t.join();
    threads_.clear();
    running_.store(false, std::memory_order_release);
}

EventLoop& EventLoopPool::Loop(std::size_t index) {
    if (index >= loops_.size()) {
        throw std::out_of_range("portafx::EventLoopPool::Loop: index " + std::to_string(index) +
                                " is not below the pool's size " + std::to_string(loops_.size()));
    }
    return *loops_[index];
}

EventLoop& EventLoopPool::Next() noexcept {
    return *loops_[next_.fetch_add(1, std::memory_order_relaxed) % loops_.size()];
}

EventLoop* EventLoopPool::ThisThreadLoop() const noexcept {
    return tPool == this ? tPoolLoop : nullptr;
}

void EventLoopPool::RunThread(std::size_t index) {
    EventLoop& loop = *loops_[index];
    tPool = this;
    tPoolLoop = &loop;
    detail::AdoptScope adopt(loop.State());  // EventLoop::Current() on this thread is this loop
    // Run returns on Stop (ours, or one a user sent to this loop: then run on) or when a handler throws.
    while (!stopping_.load(std::memory_order_acquire)) {
        try {
            loop.Run();
        } catch (...) {
            if (!onError_) throw;  // leaves the thread: std::terminate, as for any std::thread
            onError_(index, std::current_exception());
        }
    }
    tPool = nullptr;
    tPoolLoop = nullptr;
}

}  // namespace portafx
