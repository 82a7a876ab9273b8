// The state behind an EventLoop: the io_context, the handle map (FromHandle), and the registry of
// socket objects that the loop must close when it is destroyed.
#pragma once

#include <portafx/event_loop.hpp>
#include <portafx/socket_types.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <deque>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace portafx {
class AsyncSocket;

namespace detail {

struct SocketCore;

struct LoopState {
    explicit LoopState(EventLoop& loop) : owner(&loop), io(1), work(io.get_executor()) {}

    EventLoop* owner;
    boost::asio::io_context io;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work;

    // Open handles of this loop's sockets (MFC's per-thread handle map). Touched on the loop's thread.
    std::unordered_map<NativeHandle, SocketCore*> handles;

    // Notifications held back while a blocking Socket call pumps the loop (MFC's aux queue), delivered in
    // order afterwards. While it is not empty, new notifications queue behind it to keep the order.
    struct Held {
        std::shared_ptr<SocketCore> core;
        unsigned generation;
        long event;
        int code;
    };
    int blockingDepth = 0;
    std::deque<Held> held;
    bool drainPosted = false;
    // A blocking call ended on the loop's own thread, with nothing running the loop (see IsIdleHomeLoop): the
    // held notifications are delivered when this thread next enters the loop with Run*/Poll. A drain posted at
    // once would only run inside the next blocking call, which may not deliver them: it would cost that call
    // a poll of the reactor for nothing, and be posted again after it, once per call.
    bool drainDue = false;

    // Every socket object constructed for this loop, so that ~EventLoop can detach them. Guarded by
    // `registryMutex` because a socket may be constructed for a loop from another thread.
    std::mutex registryMutex;
    std::unordered_set<AsyncSocket*> sockets;

    // Sockets whose kernel bytes need a look (SocketEngine::PostReadEdge) when the loop is next entered: a
    // Receive made on the loop's own thread while nothing runs it (a blocking Socket between calls) queues the
    // look here instead of posting it, so the next blocking call does not find a handler queued and poll the
    // reactor once for nothing before it waits. Touched only on that thread (see IsIdleHomeLoop).
    std::vector<std::shared_ptr<SocketCore>> dueLooks;
};

/// Whether `loop` is the calling thread's own loop (its default loop, or the one an EventLoopPool thread adopted)
/// and the thread runs no loop at the moment: then nothing can run `loop`'s handlers before this thread enters it.
bool IsIdleHomeLoop(const LoopState& loop) noexcept;

/// The loop the calling thread is running (innermost Run*/Poll or blocking call), else the thread's default
/// loop if it was made, else null. Used by FromHandle (MFC's per-thread handle map).
LoopState* ThisThreadLoop() noexcept;

/// Marks `loop` as the one this thread runs, for the scope's lifetime (nests).
class RunningScope {
public:
    explicit RunningScope(LoopState& loop) noexcept;
    ~RunningScope();
    RunningScope(const RunningScope&) = delete;
    RunningScope& operator=(const RunningScope&) = delete;

private:
    LoopState* previous_;
};

/// Makes `loop` the calling thread's default loop (EventLoop::Current()) for the scope's lifetime: a thread
/// of an EventLoopPool adopts the loop it runs.
class AdoptScope {
public:
    explicit AdoptScope(LoopState& loop) noexcept;
    ~AdoptScope();
    AdoptScope(const AdoptScope&) = delete;
    AdoptScope& operator=(const AdoptScope&) = delete;

private:
    LoopState* previous_;
};

}  // namespace detail
}  // namespace portafx
