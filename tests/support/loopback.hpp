// Test support: bounded loop driving, a recording socket, and raw Boost.Asio peers (code we did not
// write on the other end of the wire). Loopback only; ports from the OS; every wait has a deadline.
#pragma once

#include <portafx/portafx.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/test/unit_test.hpp>

#include <poll.h>
#include <sys/ioctl.h>

#include <chrono>
#include <functional>
#include <future>
#include <string>
#include <thread>
#include <vector>

namespace portafx::test {

using namespace std::chrono_literals;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

/// Runs `loop` until `done()` holds or `limit` passes; returns `done()`.
template <class Pred>
bool RunUntil(EventLoop& loop, Pred done, std::chrono::milliseconds limit = 5000ms) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline)
        loop.RunOneFor(20ms);
    return done();
}

/// Runs every handler that is ready, repeatedly, until none is (bounded). On loopback, data a peer has
/// written is already queued at our socket, so a notification that is due is delivered by this.
inline void Drain(EventLoop& loop) {
    for (int i = 0; i < 1000 && loop.Poll() != 0; ++i) {
    }
}

/// Waits (poll, bounded) until `fd` is readable: data, a pending connection, or end of stream.
inline bool WaitReadable(NativeHandle fd, int ms = 5000) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, ms) == 1;
}

/// Waits (bounded) until at least `bytes` are queued in the kernel for `fd`.
inline bool WaitQueued(NativeHandle fd, std::size_t bytes, std::chrono::milliseconds limit = 5000ms) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        int queued = 0;
        if (::ioctl(fd, FIONREAD, &queued) == 0 && static_cast<std::size_t>(queued) >= bytes) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        pollfd p{fd, POLLIN, 0};
        ::poll(&p, 1, 10);  // woken by arriving data; the bound only paces the re-check of FIONREAD
    }
}

/// Waits until `socket` has at least `bytes` queued as its user sees them (IOCtl FIONREAD: the kernel's queue
/// plus what the engine read ahead or a SocketFile holds).
inline bool WaitQueued(AsyncSocket& socket, std::size_t bytes, std::chrono::milliseconds limit = 5000ms) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        unsigned long queued = 0;
        if (socket.IOCtl(FionRead, &queued) && queued >= bytes) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        pollfd p{socket.GetHandle(), POLLIN, 0};
        ::poll(&p, 1, 10);  // woken by arriving data; the bound only paces the re-check of FIONREAD
    }
}

/// A socket that records its notifications and runs optional hooks for them.
class Recorder : public AsyncSocket {
public:
    using AsyncSocket::AsyncSocket;
    using Hook = std::function<void(Recorder&, int)>;

    int receives = 0, sends = 0, oobs = 0, accepts = 0, connects = 0, closes = 0;
    int lastReceiveError = -1, lastSendError = -1, lastConnectError = -1, lastCloseError = -1;
    std::vector<std::string> log;  // "receive", "send", ... in delivery order
    Hook onReceive, onSend, onOob, onAccept, onConnect, onClose;
    std::size_t userBytes = 0;  // what UserBytesQueued reports

    using AsyncSocket::ReenableReceive;

    /// Receives everything queued now into `received`.
    std::string received;
    int ReceiveSome(int max = 65536) {
        std::string buf(static_cast<std::size_t>(max), '\0');
        const int n = Receive(buf.data(), max);
        if (n > 0) received.append(buf.data(), static_cast<std::size_t>(n));
        return n;
    }

protected:
    void OnReceive(int e) override { Note("receive", receives, lastReceiveError, e, onReceive); }
    void OnSend(int e) override { Note("send", sends, lastSendError, e, onSend); }
    void OnOutOfBandData(int e) override {
        int ignored;
        Note("oob", oobs, ignored, e, onOob);
    }
    void OnAccept(int e) override {
        int ignored;
        Note("accept", accepts, ignored, e, onAccept);
    }
    void OnConnect(int e) override { Note("connect", connects, lastConnectError, e, onConnect); }
    void OnClose(int e) override { Note("close", closes, lastCloseError, e, onClose); }
    std::size_t UserBytesQueued() const noexcept override { return userBytes + AsyncSocket::UserBytesQueued(); }

private:
    void Note(const char* what, int& count, int& last, int e, Hook& hook) {
        ++count;
        last = e;
        log.emplace_back(what);
        if (hook) {
            Hook h = hook;  // the hook may delete *this
            h(*this, e);
        }
    }
};

/// A plain Boost.Asio blocking TCP peer with a receive deadline.
struct Peer {
    asio::io_context io;
    tcp::socket socket{io};

    void Connect(const std::string& host, unsigned port) {
        tcp::endpoint ep(asio::ip::make_address(host), static_cast<unsigned short>(port));
        socket.connect(ep);
        SetTimeout(5);
    }
    void SetTimeout(int seconds) {
        timeval tv{seconds, 0};
        ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    void Write(const std::string& s) { asio::write(socket, asio::buffer(s)); }
    std::string Read(std::size_t n) {
        std::string s(n, '\0');
        asio::read(socket, asio::buffer(s));
        return s;
    }
    /// Aborts the connection with a reset (SO_LINGER 0).
    void Reset() {
        socket.set_option(asio::socket_base::linger(true, 0));
        socket.close();
    }
};

/// A listening raw Asio acceptor on the loopback address of `family`, port from the OS.
struct RawListener {
    asio::io_context io;
    tcp::acceptor acceptor{io};
    explicit RawListener(const std::string& address = "127.0.0.1") {
        tcp::endpoint ep(asio::ip::make_address(address), 0);
        acceptor.open(ep.protocol());
        acceptor.bind(ep);
        acceptor.listen();
    }
    unsigned Port() const { return acceptor.local_endpoint().port(); }
};

/// A raw Boost.Asio server in its own thread: accepts one connection on loopback and runs `script` on
/// it (blocking calls, with a 10 s receive deadline). Joined by the destructor.
class PeerThread {
public:
    using Script = std::function<void(tcp::socket&)>;
    explicit PeerThread(Script script, const std::string& address = "127.0.0.1") : listener_(address) {
        thread_ = std::thread([this, s = std::move(script)] {
            try {
                tcp::socket socket(listener_.io);
                listener_.acceptor.accept(socket);
                timeval tv{10, 0};
                ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
                s(socket);
            } catch (const std::exception& e) {
                error_ = e.what();
            }
        });
    }
    ~PeerThread() { Join(); }
    unsigned Port() const { return listener_.Port(); }
    /// Waits for the script to end; returns what it threw, if anything.
    std::string Join() {
        if (thread_.joinable()) thread_.join();
        return error_;
    }

private:
    RawListener listener_;
    std::thread thread_;
    std::string error_;
};

/// A peer that accepts one connection and stays silent until Release (or 10 s), so that a blocking call
/// on our side has to wait. Released by the destructor.
class SilentPeer {
public:
    SilentPeer()
        : released_(release_.get_future().share()), thread_([f = released_](tcp::socket&) { f.wait_for(10s); }) {}
    ~SilentPeer() { Release(); }
    unsigned Port() const { return thread_.Port(); }
    void Release() {
        if (!releasedOnce_) {
            releasedOnce_ = true;
            release_.set_value();
        }
    }

private:
    std::promise<void> release_;
    std::shared_future<void> released_;
    bool releasedOnce_ = false;
    PeerThread thread_;
};

/// A port on which nothing listens (bound by the OS, then released).
inline unsigned ClosedPort(const std::string& address = "127.0.0.1") {
    asio::io_context io;
    tcp::acceptor a(io);
    tcp::endpoint ep(asio::ip::make_address(address), 0);
    a.open(ep.protocol());
    a.bind(ep);
    return a.local_endpoint().port();
}

/// Port of a socket's local address.
inline unsigned LocalPort(AsyncSocket& s) {
    std::string address;
    unsigned port = 0;
    BOOST_REQUIRE(s.GetSockName(address, port));
    return port;
}

/// A listening portafx Recorder on `address` with a port from the OS.
struct Listening : Recorder {
    explicit Listening(EventLoop& loop, const char* address = "127.0.0.1") : Recorder(loop) {
        BOOST_REQUIRE(Create(0, SocketType::Stream, AllEvents, address));
        BOOST_REQUIRE(Listen());
    }
    unsigned Port() { return LocalPort(*this); }
    /// Waits (bounded) for a pending connection and accepts it into `into`.
    void AcceptInto(AsyncSocket& into) {
        BOOST_REQUIRE(WaitReadable(GetHandle()));
        BOOST_REQUIRE_MESSAGE(Accept(into), AsyncSocket::GetLastErrorInfo().Message());
    }
};

/// A listening portafx socket on `address` and a connected pair: `server` (accepted) and a raw peer.
/// A listening Recorder with one connection from a Peer pending (its OnAccept seen), to Accept into any socket.
struct PendingConnection {
    Recorder listener;
    Peer peer;

    explicit PendingConnection(EventLoop& loop, const char* address = "127.0.0.1") : listener(loop) {
        BOOST_REQUIRE(listener.Create(0, SocketType::Stream, AllEvents, address));
        BOOST_REQUIRE(listener.Listen());
        peer.Connect(address, LocalPort(listener));
        BOOST_REQUIRE(RunUntil(loop, [&] { return listener.accepts == 1; }));
    }
};

struct AcceptedPair {
    EventLoop& loop;
    Recorder listener{loop};
    Recorder server{loop};
    Peer peer;

    explicit AcceptedPair(EventLoop& l, long events = AllEvents, const char* address = "127.0.0.1") : loop(l) {
        BOOST_REQUIRE(listener.Create(0, SocketType::Stream, events, address));
        BOOST_REQUIRE(listener.Listen());
        peer.Connect(address, LocalPort(listener));
        if (events & FdAccept) {
            BOOST_REQUIRE(RunUntil(loop, [&] { return listener.accepts == 1; }));
        } else {
            BOOST_REQUIRE(WaitReadable(listener.GetHandle()));
        }
        BOOST_REQUIRE_MESSAGE(listener.Accept(server), AsyncSocket::GetLastErrorInfo().Message());
    }
};

}  // namespace portafx::test
