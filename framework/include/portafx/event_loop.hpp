// portafx — EventLoop: the message pump that delivers socket notifications.
//
// MFC delivers socket notifications as window messages to the thread that created the socket. An
// EventLoop (over a boost::asio::io_context) plays that role: every socket belongs to one loop, and its
// notifications run only on the thread that runs that loop, only while it runs (Run, RunFor, RunOne,
// RunOneFor, Poll). A blocking Socket call on that thread runs the loop too, but holds notifications back
// until it returns (only posted functions run inside it). See docs/threading.md.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

namespace boost::asio {
class io_context;
}

namespace portafx {

namespace detail {
struct LoopState;
}

/// A single-threaded event loop: the counterpart of MFC's per-thread hidden socket window.
///
/// Thread safety: `Post` and `Stop` may be called from any thread. Everything else, and every member of
/// every socket that belongs to the loop, is called on the thread that runs the loop (for the loop
/// returned by `Current()`, the thread that made it).
///
/// An exception thrown by a notification leaves the socket in a consistent state and propagates out of
/// the Run, RunFor, RunOne or Poll call that delivered it (as with Asio); call it again to go on.
class EventLoop {
public:
    using Duration = std::chrono::steady_clock::duration;

    /// A new loop with no sockets. It is not tied to a thread until one runs it.
    EventLoop();

    /// Closes every socket that still belongs to the loop (no notification reaches them afterwards; their
    /// later calls fail with `SocketError::NotInitialised`), then drops pending work.
    ~EventLoop();

    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;

    /// The calling thread's default loop, made on first use (as MFC makes one hidden window per thread)
    /// and destroyed when the thread ends. Sockets constructed without a loop belong to it. On a thread of
    /// an EventLoopPool it is the pool loop that thread runs.
    static EventLoop& Current();

    /// Runs notifications and posted work until `Stop()`. Returns the number of handlers run.
    std::size_t Run();

    /// Runs until `Stop()` or until `duration` has passed.
    std::size_t RunFor(Duration duration);

    /// Waits for and runs at most one handler; returns 0 if stopped.
    std::size_t RunOne();

    /// Waits at most `duration` for one handler and runs it; returns 0 if none came or if stopped.
    std::size_t RunOneFor(Duration duration);

    /// Runs every handler that is ready now, without waiting.
    std::size_t Poll();

    /// Queues `fn` to run on the loop's thread. Safe from any thread, including from inside the loop.
    void Post(std::function<void()> fn);

    /// Makes the current (or, if none is running, the next) Run/RunFor/RunOne/RunOneFor/Poll call return as
    /// Makes the Run/RunFor/RunOne/RunOneFor/Poll call in progress return as soon as possible, or, if none
    /// is running, the next one (which then returns at once). Stops requested before a call begins are
    /// merged: they end that one call. Safe from any thread.
    void Stop();

    /// Notifications held back by a blocking Socket call, waiting to be delivered in order once the call
    /// returns. Loop thread only.
    std::size_t HeldNotifications() const noexcept;

    /// True if the calling thread is inside one of this loop's Run/RunFor/RunOne/RunOneFor/Poll calls.
    bool IsRunningInThisThread() const noexcept;

    /// The underlying io_context, for Asio objects that should share this loop's thread. Run the loop with
    /// Run/RunFor/RunOne/RunOneFor/Poll, not with the io_context's own run functions: entering the loop through
    /// them is what delivers the notifications held by blocking calls made while nothing ran the loop.
    boost::asio::io_context& Context() noexcept;

    /// Implementation state shared with the socket classes. Not part of the public interface.
    detail::LoopState& State() noexcept { return *state_; }

private:
    template <class F>
    std::size_t RunWith(F&& f);

    std::unique_ptr<detail::LoopState> state_;
};

}  // namespace portafx
