// ReactorHandle: a socket handle's registration with its loop's reactor. It gives what
// boost::asio::posix::stream_descriptor gives the engine (one-shot readiness waits, close, release) and one
// thing stream_descriptor cannot: a persistent read watch.
//
// Why: every stream_descriptor::async_wait is a non-speculative reactor operation, so Asio re-arms the
// handle with EPOLL_CTL_MOD each time one is started, to be told again of readiness the edge-triggered
// registration already reported. An MFC-style socket re-arms its read wait after every Receive, so that is
// one system call per message. A watch is a reactor operation that stays queued for the handle's life: the
// reactor calls it on every readiness edge, it posts the engine's handler and stays; nothing is ever re-armed.
//
// The watch needs Asio's reactor interface (boost::asio::detail), which changes between Boost releases, so it
// is used only where it was verified: Boost 1.79 to 1.81 with the epoll reactor (Linux). Elsewhere, or with
// -DPORTAFX_ASIO_PUBLIC_API_ONLY, this is a thin stream_descriptor wrapper, CanWatch() is false and the
// engine re-arms one-shot waits, as it always did (correct, one epoll_ctl slower per message).
#pragma once

#include <portafx/socket_types.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/recycling_allocator.hpp>
#include <boost/system/error_code.hpp>
#include <boost/version.hpp>

#include <cerrno>
#include <cstddef>
#include <memory>
#include <new>
#include <utility>

#if !defined(PORTAFX_ASIO_PUBLIC_API_ONLY) && BOOST_VERSION >= 107900 && BOOST_VERSION < 108200 && \
    defined(BOOST_ASIO_HAS_EPOLL) && !defined(BOOST_ASIO_HAS_IO_URING_AS_DEFAULT)
#define PORTAFX_REACTOR_WATCH 1
#include <boost/asio/detail/reactor.hpp>
#include <boost/asio/detail/reactor_op.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/execution_context.hpp>

#include <unistd.h>
#else
#define PORTAFX_REACTOR_WATCH 0
#endif

namespace portafx::detail {

#if PORTAFX_REACTOR_WATCH

class ReactorHandle {
public:
    enum WaitType { WaitRead, WaitWrite, WaitError };

    explicit ReactorHandle(boost::asio::io_context& io)
        : reactor_(boost::asio::use_service<boost::asio::detail::reactor>(io)) {
        reactor_.init_task();  // the io_context runs the reactor from now on (as Asio's own services ask)
    }
    ~ReactorHandle() {
        boost::system::error_code ignored;
        Close(ignored);  // as stream_descriptor's destructor
    }
    ReactorHandle(const ReactorHandle&) = delete;
    ReactorHandle& operator=(const ReactorHandle&) = delete;

    static constexpr bool CanWatch() noexcept { return true; }
    bool IsOpen() const noexcept { return fd_ != InvalidHandle; }

    /// Registers `fd` (edge-triggered, for reading, urgent data and errors; writing is added on demand).
    void Assign(NativeHandle fd, boost::system::error_code& ec) {
        if (IsOpen()) {
            ec = boost::asio::error::already_open;
            return;
        }
        if (const int err = reactor_.register_descriptor(fd, data_)) {
            ec.assign(err, boost::system::system_category());
            return;
        }
        fd_ = fd;
        watching_ = false;
        ec.clear();
    }

    /// Deregisters and closes the handle. Outstanding waits and the watch complete with operation_aborted.
    void Close(boost::system::error_code& ec) {
        const NativeHandle fd = fd_;
        Deregister(false);
        ec.clear();
        if (fd != InvalidHandle && ::close(fd) != 0) ec.assign(errno, boost::system::system_category());
    }

    /// Deregisters the handle and gives it back, open. Outstanding waits complete with operation_aborted.
    NativeHandle Release() {
        const NativeHandle fd = fd_;
        Deregister(false);
        return fd;
    }

    /// One readiness wait, as stream_descriptor::async_wait: `handler(error_code)` runs from the loop once.
    template <class Handler>
    void AsyncWait(WaitType type, Handler&& handler) {
        using Op = WaitOp<std::decay_t<Handler>>;
        if (type == WaitRead) StopWatch();  // a read wait queued behind the watch would never run
        Op* op = Op::Make(std::forward<Handler>(handler));
        // Not speculative: the handle may be readable already with its edge consumed, so the reactor re-arms
        // it (as stream_descriptor does). Only the watch avoids that.
        reactor_.start_op(OpType(type), fd_, data_, op, false, false);
    }

    /// Starts the persistent read watch: `onEdge()` is called inside the reactor (under its lock, on the loop's
    /// thread) at every readiness edge of the handle for reading, an error or a hang-up. It must not call back
    /// into the reactor for this handle; it may post. Ends with Close, Release or StopWatch. At most one watch;
    /// no one-shot read wait may be started while it runs (it would queue behind it for ever).
    template <class OnEdge>
    void StartWatch(OnEdge onEdge) {
        if (watching_ || !IsOpen()) return;
        watching_ = true;
        // Not speculative: the reactor re-arms the handle (EPOLL_CTL_MOD) as it queues the watch, so readiness
        // that came before (its edge consumed with nothing queued) is reported to the watch as an edge.
        reactor_.start_op(boost::asio::detail::reactor::read_op, fd_, data_,
                          WatchOp<OnEdge>::Make(std::move(onEdge), this), false, false);
    }
    bool Watching() const noexcept { return watching_; }

    /// Ends the watch (before one-shot read waits take over the handle, as TLS's do).
    void StopWatch() {
        if (!watching_) return;
        watching_ = false;
        reactor_.cancel_ops_by_key(fd_, data_, boost::asio::detail::reactor::read_op, this);
    }

private:
    using ReactorOp = boost::asio::detail::reactor_op;
    using Operation = boost::asio::detail::operation;

    static int OpType(WaitType type) noexcept {
        switch (type) {
        case WaitRead: return boost::asio::detail::reactor::read_op;
        case WaitWrite: return boost::asio::detail::reactor::write_op;
        default: return boost::asio::detail::reactor::except_op;
        }
    }

    void Deregister(bool closing) noexcept {
        if (data_ == nullptr) return;
        reactor_.deregister_descriptor(fd_, data_, closing);
        reactor_.cleanup_descriptor_data(data_);
        data_ = nullptr;
        fd_ = InvalidHandle;
        watching_ = false;
    }

    // Both kinds of operation live in Asio's recycled handler memory (no allocation in the steady state) and
    // free themselves when completed or, at the io_context's shutdown, destroyed (owner == null).
    template <class Self>
    static void* Allocate() {
        return boost::asio::recycling_allocator<Self>().allocate(1);
    }
    template <class Self>
    static void Free(Self* op) noexcept {
        op->~Self();
        boost::asio::recycling_allocator<Self>().deallocate(op, 1);
    }

    template <class Handler>
    class WaitOp : public ReactorOp {
    public:
        static WaitOp* Make(Handler&& h) { return new (Allocate<WaitOp>()) WaitOp(std::move(h)); }

    private:
        explicit WaitOp(Handler&& h)
            : ReactorOp(boost::system::error_code(), &Perform, &Complete), handler_(std::move(h)) {}
        static status Perform(ReactorOp*) { return done; }  // readiness is all a wait asks for
        static void Complete(void* owner, Operation* base, const boost::system::error_code&, std::size_t) {
            auto* op = static_cast<WaitOp*>(base);
            Handler handler(std::move(op->handler_));
            const boost::system::error_code ec = op->ec_;
            Free(op);  // before the handler, which may start the next wait
            if (owner != nullptr) handler(ec);
        }
        Handler handler_;
    };

    template <class OnEdge>
    class WatchOp : public ReactorOp {
    public:
        static WatchOp* Make(OnEdge&& e, const void* key) {
            auto* op = new (Allocate<WatchOp>()) WatchOp(std::move(e));
            op->cancellation_key_ = const_cast<void*>(key);
            return op;
        }

    private:
        explicit WatchOp(OnEdge&& e)
            : ReactorOp(boost::system::error_code(), &Perform, &Complete), onEdge_(std::move(e)) {}
        static status Perform(ReactorOp* base) {
            static_cast<WatchOp*>(base)->onEdge_();
            return not_done;  // stays queued: the next edge calls it again, with no re-arming
        }
        // Only an aborted watch completes (Close, Release, StopWatch) or is destroyed: nothing to report.
        static void Complete(void*, Operation* base, const boost::system::error_code&, std::size_t) {
            Free(static_cast<WatchOp*>(base));
        }
        OnEdge onEdge_;
    };

    boost::asio::detail::reactor& reactor_;
    boost::asio::detail::reactor::per_descriptor_data data_ = nullptr;
    NativeHandle fd_ = InvalidHandle;
    bool watching_ = false;
};

#else  // the portable fallback: stream_descriptor, no watch

class ReactorHandle {
public:
    enum WaitType { WaitRead, WaitWrite, WaitError };

    explicit ReactorHandle(boost::asio::io_context& io) : desc_(io) {}

    static constexpr bool CanWatch() noexcept { return false; }
    bool IsOpen() const noexcept { return desc_.is_open(); }
    void Assign(NativeHandle fd, boost::system::error_code& ec) { desc_.assign(fd, ec); }
    void Close(boost::system::error_code& ec) { desc_.close(ec); }
    NativeHandle Release() { return desc_.release(); }

    template <class Handler>
    void AsyncWait(WaitType type, Handler&& handler) {
        desc_.async_wait(type == WaitRead    ? boost::asio::posix::stream_descriptor::wait_read
                         : type == WaitWrite ? boost::asio::posix::stream_descriptor::wait_write
                                             : boost::asio::posix::stream_descriptor::wait_error,
                         std::forward<Handler>(handler));
    }
    template <class OnEdge>
    void StartWatch(OnEdge) {}
    bool Watching() const noexcept { return false; }
    void StopWatch() {}

private:
    boost::asio::posix::stream_descriptor desc_;
};

#endif

}  // namespace portafx::detail
