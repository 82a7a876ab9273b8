// portafx — EventLoopPool: one EventLoop per thread, as many threads as cores (DESIGN §2).
//
// MFC gives each thread its own socket window; a server that wants every core runs several threads, each
// pumping its own window. An EventLoopPool is that arrangement ready-made: N EventLoops, each run by its own
// thread. A listener (on any loop) accepts each connection into a socket object constructed for
// `Next()`, the loops taking turns; that socket's notifications then run on its loop's thread, one at a
// time, never concurrently with each other. See docs/threading.md, "EventLoopPool".
#pragma once

#include <portafx/async_socket.hpp>
#include <portafx/event_loop.hpp>

#include <atomic>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

namespace portafx {

/// N EventLoops run by N threads.
///
/// Thread safety: `Size`, `Loop`, `Next`, `Post`, `IsRunning` and `AcceptNext` (see there) may be called
/// from any thread. `Start`, `Stop` and the destructor may be called from any thread except the pool's own
/// threads (they join them), and not concurrently with each other.
///
/// Inside a pool thread, `EventLoop::Current()` is that thread's pool loop, so a socket constructed there
/// with the default constructor belongs to the loop that runs it.
class EventLoopPool {
public:
    /// Called on a pool thread with an exception that a notification or posted function threw; the
    /// loop then goes on running. Without a handler such an exception ends the program (std::terminate),
    /// as an exception leaving a std::thread does.
    using ErrorHandler = std::function<void(std::size_t loopIndex, std::exception_ptr error)>;

    /// Makes `threads` loops (0: `std::thread::hardware_concurrency()`, at least 1). No thread runs them
    /// until `Start()`; until then sockets may be set up on them from the constructing thread.
    explicit EventLoopPool(std::size_t threads = 0);

    /// Stops and joins the threads, then destroys the loops, which closes every socket still belonging to
    /// them (no notification reaches those objects afterwards; the objects are not deleted, see
    /// ~EventLoop). Must not run on a pool thread.
    ~EventLoopPool();

    EventLoopPool(const EventLoopPool&) = delete;
    EventLoopPool& operator=(const EventLoopPool&) = delete;

    /// Starts one thread per loop, each running its loop until `Stop()`. Does nothing if already running.
    /// Throws std::system_error if a thread cannot be started (the threads already started are stopped).
    void Start();

    /// Makes every loop's `Run` return as soon as its current handler finishes, and joins the threads.
    /// Pending work stays queued and runs after the next `Start()`. Does nothing if not running. Throws
    /// std::logic_error when called on a pool thread (it would wait for itself); post to another thread.
    void Stop();

    /// True between `Start()` and `Stop()`.
    bool IsRunning() const noexcept { return running_.load(std::memory_order_acquire); }

    /// The number of loops (and threads).
    std::size_t Size() const noexcept { return loops_.size(); }

    /// Loop `index` (0 <= index < Size()); throws std::out_of_range otherwise.
    EventLoop& Loop(std::size_t index);

    /// The next loop in turn (round robin over all loops), for the next connection. Any thread.
    EventLoop& Next() noexcept;

    /// Queues `fn` to run on loop `index`'s thread (EventLoop::Post). Any thread.
    void Post(std::size_t index, std::function<void()> fn) { Loop(index).Post(std::move(fn)); }

    /// The pool loop the calling thread runs, or null on a thread that is not one of the pool's.
    EventLoop* ThisThreadLoop() const noexcept;

    /// Sets the handler for exceptions escaping notifications on the pool's threads. Call before `Start()`.
    void SetErrorHandler(ErrorHandler handler) { onError_ = std::move(handler); }

    /// Accepts one pending connection of `listener` into a new `T`, constructed as `T(Next(), args...)`, so
    /// the connection's notifications run on the next loop's thread. Call it on the listener's loop thread,
    /// typically from its `OnAccept`. Returns the object, which from then on only its loop's thread may
    /// touch (it usually deletes itself in `OnClose`); or null if `Accept` failed (`WouldBlock` when no
    /// connection is pending; the reason is in `AsyncSocket::GetLastError()`), the object then deleted.
    /// `peer`, if not null, receives the peer's address.
    template <class T, class... Args>
    T* AcceptNext(AsyncSocket& listener, SocketAddress* peer, Args&&... args) {
        std::unique_ptr<T> socket(new T(Next(), std::forward<Args>(args)...));
        if (!listener.Accept(*socket, peer)) return nullptr;
        return socket.release();
    }

private:
    void RunThread(std::size_t index);

    std::vector<std::unique_ptr<EventLoop>> loops_;
    std::vector<std::thread> threads_;
    std::atomic<std::size_t> next_{0};
    std::atomic<bool> running_{false};
    std::atomic<bool> stopping_{false};
    ErrorHandler onError_;
};

}  // namespace portafx
