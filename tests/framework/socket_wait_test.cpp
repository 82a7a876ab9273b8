// How a blocking Socket call waits. Where the kernel reports with each read what the read left queued
// (Linux's TCP_INQ), a Receive that follows a read which drained the queue goes straight to waiting for the next
// readiness edge, without a read that would block; the edge itself ends the wait. These tests pin the cases in
// which skipping that read would be wrong if the report were misread: bytes, an end of stream, a reset or urgent
// data already there with their edge consumed. Each blocking call has a 10 s timeout, so a wait that never ends
// fails the test (TimedOut) instead of hanging it.
#include <portafx/socket.hpp>

#define BOOST_TEST_MODULE socket_wait
#include "loopback.hpp"

#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstring>
#include <future>

using namespace portafx;
using namespace portafx::test;

namespace {

constexpr auto kLimit = std::chrono::seconds(10);

// A blocking Socket accepted from a raw Asio peer, its calls bounded by kLimit.
struct Connected {
    PendingConnection pending;
    Socket socket;
    Peer& peer;
    explicit Connected(EventLoop& loop) : pending(loop), socket(loop), peer(pending.peer) {
        BOOST_REQUIRE_MESSAGE(pending.listener.Accept(socket), AsyncSocket::GetLastErrorInfo().Message());
        socket.SetTimeout(kLimit);
    }
    // Sends `text` from the peer and reads it whole: the read leaves the queue empty, and says so.
    void RoundOf(const std::string& text) {
        peer.Write(text);
        BOOST_REQUIRE(WaitQueued(socket.GetHandle(), text.size()));
        char buf[64];
        BOOST_REQUIRE(socket.Receive(buf, sizeof buf) == static_cast<int>(text.size()));
        BOOST_REQUIRE(std::string(buf, text.size()) == text);
    }
};

// Whether this kernel gives the report (Linux 4.18 or later), as the library decides.
bool KernelReportsQueue() {
#if defined(__linux__) && defined(TCP_INQ)
    utsname u{};
    if (::uname(&u) != 0 || std::strcmp(u.sysname, "Linux") != 0) return false;
    unsigned major = 0, minor = 0;
    if (std::sscanf(u.release, "%u.%u", &major, &minor) != 2) return false;
    return major > 4 || (major == 4 && minor >= 18);
#else
    return false;
#endif
}

// Waits (bounded) until the kernel has no unacknowledged bytes left to send for the peer: all it wrote is in
// our receive queue (FIONREAD cannot tell: it stops counting at an urgent mark).
bool WaitAcked(Peer& peer) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    const int fd = peer.socket.native_handle();
    for (;;) {
        int unacked = -1;
        if (::ioctl(fd, TIOCOUTQ, &unacked) == 0 && unacked == 0) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        pollfd p{fd, POLLPRI, 0};
        ::poll(&p, 1, 10);  // nothing to be woken by: the bound paces the re-check of the send queue
    }
}

// Reads with the blocking Receive until `n` bytes came or a call failed or saw the end.
std::string ReceiveUpTo(Socket& s, std::size_t n, int& last) {
    std::string out;
    char buf[64];
    while (out.size() < n) {
        last = s.Receive(buf, sizeof buf);
        if (last <= 0) break;
        out.append(buf, static_cast<std::size_t>(last));
    }
    return out;
}

}  // namespace

// The report is asked for where the kernel gives it, so the cases below run the skipping path there.
BOOST_AUTO_TEST_CASE(the_kernel_is_asked_to_report_the_queue_where_it_can) {
    EventLoop loop;
    Connected c(loop);
    c.RoundOf("hello");
#if defined(__linux__) && defined(TCP_INQ)
    int on = -1;
    socklen_t len = sizeof on;
    BOOST_REQUIRE(::getsockopt(c.socket.GetHandle(), IPPROTO_TCP, TCP_INQ, &on, &len) == 0);
    BOOST_TEST(on == (KernelReportsQueue() ? 1 : 0));
#else
    BOOST_TEST_MESSAGE("no TCP_INQ on this system: every wait starts with a read");
#endif
}

// Detach hands the handle back as it came: the report portafx asked for is off again, so the caller's own
// recvmsg finds no control message it did not ask for.
BOOST_AUTO_TEST_CASE(detach_turns_the_report_off) {
    EventLoop loop;
    Connected c(loop);
    c.RoundOf("hello");
    const NativeHandle fd = c.socket.Detach();
    BOOST_REQUIRE(fd != InvalidHandle);
#if defined(__linux__) && defined(TCP_INQ)
    int on = -1;
    socklen_t len = sizeof on;
    BOOST_REQUIRE(::getsockopt(fd, IPPROTO_TCP, TCP_INQ, &on, &len) == 0);
    BOOST_TEST(on == 0);
#endif
    c.peer.Write("after");
    BOOST_REQUIRE(WaitQueued(fd, 5));
    char buf[16];
    char control[64];
    iovec iov{buf, sizeof buf};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    BOOST_TEST(::recvmsg(fd, &msg, MSG_DONTWAIT) == 5);
    BOOST_TEST(msg.msg_controllen == 0u);
    ::close(fd);
}

// After a drained read, shutting down the receive side makes the next Receive see the end (0). ShutDown makes the
// next Receive read; Linux also raises an edge for it, so this pins the behaviour, whichever of the two gives it.
BOOST_AUTO_TEST_CASE(shutting_down_receives_after_a_drained_read_gives_the_end) {
    EventLoop loop;
    Connected c(loop);
    c.RoundOf("hello");
    BOOST_REQUIRE(c.socket.ShutDown(AsyncSocket::Receives));
    char buf[8];
    BOOST_TEST(c.socket.Receive(buf, sizeof buf) == 0);
    BOOST_TEST(AsyncSocket::GetLastError() == 0);
}

// After a drained read, bytes that came while nothing ran the loop: their edge is still queued in the reactor,
// and the wait that skips the read finds it at once.
BOOST_AUTO_TEST_CASE(bytes_that_came_after_a_drained_read_are_received) {
    EventLoop loop;
    Connected c(loop);
    c.RoundOf("one");
    c.peer.Write("two");
    BOOST_REQUIRE(WaitQueued(c.socket.GetHandle(), 3));
    char buf[16];
    BOOST_TEST(c.socket.Receive(buf, sizeof buf) == 3);
    BOOST_TEST(std::string(buf, 3) == "two");
}

// Data and the end of the stream in one edge: the read of the data returns less than asked, and the report
// after it must not read as empty (Linux counts the FIN as a byte), or the next Receive waits for ever.
BOOST_AUTO_TEST_CASE(data_and_the_end_in_one_edge_then_receive_returns_zero) {
    EventLoop loop;
    Connected c(loop);
    c.RoundOf("first");
    c.peer.Write("last words");
    c.peer.socket.shutdown(tcp::socket::shutdown_send);
    BOOST_REQUIRE(WaitQueued(c.socket.GetHandle(), 10));
    char buf[64];
    BOOST_TEST(c.socket.Receive(buf, sizeof buf) == 10);
    BOOST_TEST(std::string(buf, 10) == "last words");
    BOOST_TEST(c.socket.Receive(buf, sizeof buf) == 0);
    BOOST_TEST(AsyncSocket::GetLastError() == 0);
    BOOST_TEST(c.socket.Receive(buf, sizeof buf) == 0);  // the end stays visible
}

// The end of the stream alone, after a drained read: it comes with an edge of its own.
BOOST_AUTO_TEST_CASE(the_end_after_a_drained_read_ends_the_wait) {
    EventLoop loop;
    Connected c(loop);
    c.RoundOf("ping");
    std::thread closer([&] { c.peer.socket.shutdown(tcp::socket::shutdown_send); });
    char buf[8];
    const int n = c.socket.Receive(buf, sizeof buf);
    closer.join();
    BOOST_TEST(n == 0);
    BOOST_TEST(AsyncSocket::GetLastError() == 0);
}

// Data and then a reset, both in before the read: the data may be read first, and then the reset is reported;
// the wait must not miss it.
BOOST_AUTO_TEST_CASE(data_and_a_reset_then_receive_reports_the_reset) {
    EventLoop loop;
    Connected c(loop);
    c.RoundOf("a");
    c.peer.Write("xyz");
    c.peer.Reset();
    pollfd p{c.socket.GetHandle(), POLLIN, 0};
    for (int i = 0; i < 500 && !(p.revents & (POLLHUP | POLLERR)); ++i) {
        p.revents = 0;
        ::poll(&p, 1, 10);  // woken by the reset; the bound only paces the re-check
    }
    BOOST_REQUIRE(p.revents & (POLLHUP | POLLERR));
    int last = 0;
    const std::string got = ReceiveUpTo(c.socket, 3, last);
    if (got.size() == 3) {  // the data came first: the reset is the next call's
        char buf[8];
        last = c.socket.Receive(buf, sizeof buf);
    } else {
        BOOST_TEST(got.empty());  // or the kernel dropped it with the connection
    }
    BOOST_TEST(last == SocketErrorResult);
    BOOST_TEST(AsyncSocket::GetLastError() == static_cast<int>(SocketError::ConnectionReset));
}

// A read stops at the urgent mark, and the report counts the urgent byte as queued: the bytes behind the mark
// are read by the next Receive, with no new edge.
BOOST_AUTO_TEST_CASE(bytes_behind_the_urgent_mark_are_received) {
    EventLoop loop;
    Connected c(loop);
    c.RoundOf("go");
    c.peer.Write("abc");
    c.peer.socket.send(asio::buffer("!", 1), tcp::socket::message_out_of_band);
    c.peer.Write("def");
    BOOST_REQUIRE(WaitAcked(c.peer));  // all of it is in our queue before the first read
    int last = 0;
    BOOST_TEST(ReceiveUpTo(c.socket, 6, last) == "abcdef");
    BOOST_TEST(last > 0);
}

// A ping-pong, the pattern the skip is for: every Receive waits, and every one returns its message.
BOOST_AUTO_TEST_CASE(a_ping_pong_of_waiting_receives) {
    EventLoop loop;
    Connected c(loop);
    constexpr int kRounds = 200;
    std::thread echo([&] {
        try {
            for (int i = 0; i < kRounds; ++i)
                c.peer.Write(c.peer.Read(8));
        } catch (const std::exception&) {
        }
    });
    int good = 0;
    for (int i = 0; i < kRounds; ++i) {
        char out[8];
        std::snprintf(out, sizeof out, "%07d", i);
        if (c.socket.Send(out, 8) != 8) break;
        int last = 0;
        if (ReceiveUpTo(c.socket, 8, last) != std::string(out, 8)) break;
        ++good;
    }
    echo.join();
    BOOST_TEST(good == kRounds);
}

// A blocking call that ends on the thread's own loop, with nothing running it, leaves the notifications it held
// for the next time the thread enters the loop: not delivered inside a later blocking call, and then delivered
// once, in order.
BOOST_AUTO_TEST_CASE(notifications_held_on_the_home_loop_come_when_the_loop_is_entered) {
    EventLoop& loop = EventLoop::Current();
    AcceptedPair a(loop);
    BOOST_REQUIRE(RunUntil(loop, [&] { return a.server.sends == 1; }));
    std::vector<std::string> order;
    a.server.onReceive = [&](Recorder& s, int) {
        order.push_back("a");
        s.ReceiveSome();
    };
    std::promise<void> go;
    auto goFuture = go.get_future();
    PeerThread peer([&](tcp::socket& s) {
        goFuture.wait_for(10s);
        asio::write(s, asio::buffer("one", 3));
        char k;
        asio::read(s, asio::buffer(&k, 1));
        asio::write(s, asio::buffer("two", 3));
    });
    struct Blocker : Socket {
        using Socket::Socket;
        std::function<void()> hook;
        bool OnMessagePending() override {
            if (hook) hook();
            return false;
        }
    } blocker(loop);
    blocker.SetTimeout(kLimit);
    BOOST_REQUIRE(blocker.Connect("127.0.0.1", peer.Port()));
    a.peer.Write("1");
    BOOST_REQUIRE(WaitQueued(a.server, 1));
    bool released = false;
    blocker.hook = [&] {
        if (loop.HeldNotifications() >= 1 && !released) {
            released = true;
            go.set_value();
        }
    };
    int last = 0;
    BOOST_TEST(ReceiveUpTo(blocker, 3, last) == "one");
    BOOST_TEST(released);
    BOOST_TEST(order.empty());
    const std::size_t held = loop.HeldNotifications();  // a's OnReceive, and the blocker's own OnSend
    BOOST_TEST(held >= 1u);
    BOOST_TEST(blocker.Send("k", 1) == 1);
    BOOST_TEST(ReceiveUpTo(blocker, 3, last) == "two");
    BOOST_TEST(order.empty());  // still held: a blocking call delivers none
    BOOST_TEST(loop.HeldNotifications() >= held);
    BOOST_REQUIRE(RunUntil(loop, [&] { return order.size() == 1; }));
    Drain(loop);
    BOOST_TEST(order.size() == 1u);
    BOOST_TEST(a.server.received == "1");
    BOOST_TEST(loop.HeldNotifications() == 0u);
    BOOST_TEST(peer.Join().empty());
}
