// Socket (CSocket): pseudo-blocking calls that pump the loop, notifications held back and delivered in
// order afterwards, OnMessagePending, CancelBlockingCall, SetTimeout, and use from a worker thread.
#include <portafx/socket.hpp>

#define BOOST_TEST_MODULE socket
#include "loopback.hpp"

#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <future>

using namespace portafx;
using namespace portafx::test;

namespace {

int LastError() {
    return AsyncSocket::GetLastError();
}

// Reads exactly `n` bytes with the blocking Receive (which returns what has arrived).
std::string ReceiveExactly(Socket& s, std::size_t n) {
    std::string out;
    char buf[4096];
    while (out.size() < n) {
        const int r = s.Receive(buf, static_cast<int>(std::min(sizeof buf, n - out.size())));
        if (r <= 0) break;
        out.append(buf, static_cast<std::size_t>(r));
    }
    return out;
}

// A Socket whose OnMessagePending runs a hook (to cancel, close, or delete itself).
struct Pending : Socket {
    using Socket::Socket;
    std::function<void(Pending&)> hook;
    int calls = 0;
    bool sawBlocking = false;
    bool OnMessagePending() override {
        ++calls;
        sawBlocking = IsBlocking();
        if (hook) {
            auto h = hook;
            h(*this);
        }
        return false;
    }
};

}  // namespace

BOOST_AUTO_TEST_CASE(connect_send_receive_block_until_done) {
    EventLoop loop;
    PeerThread peer([](tcp::socket& s) {
        std::string buf(5, '\0');
        asio::read(s, asio::buffer(buf));
        asio::write(s, asio::buffer(buf + " world"));
    });
    Socket client(loop);
    BOOST_REQUIRE(client.Create());
    BOOST_REQUIRE_MESSAGE(client.Connect("127.0.0.1", peer.Port()), AsyncSocket::GetLastErrorInfo().Message());
    BOOST_TEST(client.Send("hello", 5) == 5);
    BOOST_TEST(ReceiveExactly(client, 11) == "hello world");
    BOOST_TEST(peer.Join().empty());
    char c;
    BOOST_TEST(client.Receive(&c, 1) == 0);  // the peer closed
}

BOOST_AUTO_TEST_CASE(connect_refused_fails_with_its_error) {
    EventLoop loop;
    Socket client(loop);
    BOOST_REQUIRE(client.Create());
    BOOST_TEST(!client.Connect("127.0.0.1", ClosedPort()));
    BOOST_TEST(LastError() == static_cast<int>(SocketError::ConnectionRefused));
    BOOST_TEST(!client.IsBlocking());
}

BOOST_AUTO_TEST_CASE(connect_by_name_blocks_until_resolved_and_connected) {
    EventLoop loop;
    PeerThread peer([](tcp::socket& s) { asio::write(s, asio::buffer("hi", 2)); });
    Socket client(loop);
    BOOST_REQUIRE_MESSAGE(client.Connect("localhost", peer.Port()), AsyncSocket::GetLastErrorInfo().Message());
    BOOST_TEST(ReceiveExactly(client, 2) == "hi");
    Socket nowhere(loop);
    BOOST_TEST(!nowhere.Connect("no-such-host.invalid", 80));
    BOOST_TEST(LastError() == static_cast<int>(SocketError::HostNotFound));
}

BOOST_AUTO_TEST_CASE(send_sends_everything) {
    EventLoop loop;
    const std::size_t size = 8 * 1024 * 1024;
    std::atomic<std::size_t> got{0};
    PeerThread peer([&](tcp::socket& s) {
        std::vector<char> buf(size);
        asio::read(s, asio::buffer(buf));
        std::size_t ok = 0;
        for (std::size_t i = 0; i < size; ++i)
            ok += buf[i] == static_cast<char>(i * 7);
        got = ok;
    });
    Socket client(loop);
    BOOST_REQUIRE(client.Connect("127.0.0.1", peer.Port()));
    BOOST_REQUIRE(client.SetSendBufferSize(16 * 1024));
    std::vector<char> data(size);
    for (std::size_t i = 0; i < size; ++i)
        data[i] = static_cast<char>(i * 7);
    BOOST_TEST(client.Send(data.data(), static_cast<int>(size)) == static_cast<int>(size));
    BOOST_TEST(peer.Join().empty());
    BOOST_TEST(got.load() == size);
}

BOOST_AUTO_TEST_CASE(accept_blocks_until_a_connection_comes) {
    EventLoop loop;
    Socket listener(loop);
    BOOST_REQUIRE(listener.Create(0, SocketType::Stream, "127.0.0.1"));
    BOOST_REQUIRE(listener.Listen());
    const unsigned port = LocalPort(listener);
    std::thread client([port] {
        Peer p;
        p.Connect("127.0.0.1", port);
        p.Write("x");
    });
    Socket accepted(loop);
    SocketAddress from;
    BOOST_REQUIRE(listener.Accept(accepted, &from));
    BOOST_TEST(from.Address() == "127.0.0.1");
    BOOST_TEST(ReceiveExactly(accepted, 1) == "x");
    client.join();
}

BOOST_AUTO_TEST_CASE(timeout_when_the_peer_stops_in_the_middle_of_a_message) {
    EventLoop loop;
    std::promise<void> release;
    auto released = release.get_future();
    PeerThread peer([&](tcp::socket& s) {
        asio::write(s, asio::buffer(std::string(50, 'm')));  // half of a 100-byte message...
        released.wait_for(10s);                              // ...then silence
    });
    Socket client(loop);
    BOOST_REQUIRE(client.Connect("127.0.0.1", peer.Port()));
    client.SetTimeout(300ms);
    const auto start = std::chrono::steady_clock::now();
    std::string got = ReceiveExactly(client, 100);
    const auto took = std::chrono::steady_clock::now() - start;
    BOOST_TEST(got.size() == 50u);  // no byte lost: what came is kept
    BOOST_TEST(LastError() == static_cast<int>(SocketError::TimedOut));
    BOOST_TEST(AsyncSocket::GetLastErrorInfo().Message().find("Receive:") == 0u);
    BOOST_TEST((took >= 300ms && took < 5s));
    BOOST_TEST(!client.IsBlocking());
    release.set_value();
    // The socket is still usable: the peer's close is seen.
    client.SetTimeout(Socket::Duration::zero());
    char c;
    BOOST_TEST(client.Receive(&c, 1) == 0);
}

BOOST_AUTO_TEST_CASE(notifications_of_other_sockets_are_held_back_and_delivered_in_order) {
    EventLoop loop;
    // Two AsyncSockets of the same loop with data queued.
    AcceptedPair a(loop), b(loop);
    BOOST_REQUIRE(RunUntil(loop, [&] { return a.server.sends == 1 && b.server.sends == 1; }));
    a.server.log.clear();
    b.server.log.clear();
    std::vector<std::string> order;
    a.server.onReceive = [&](Recorder& s, int) {
        order.push_back("a");
        s.ReceiveSome();
    };
    b.server.onReceive = [&](Recorder& s, int) {
        order.push_back("b");
        s.ReceiveSome();
    };
    std::promise<void> go;
    auto goFuture = go.get_future();
    PeerThread peer([&](tcp::socket& s) {
        goFuture.wait_for(10s);
        asio::write(s, asio::buffer("reply", 5));
    });
    Pending blocker(loop);
    BOOST_REQUIRE(blocker.Connect("127.0.0.1", peer.Port()));
    a.peer.Write("1");
    BOOST_REQUIRE(WaitQueued(a.server, 1));
    b.peer.Write("2");
    BOOST_REQUIRE(WaitQueued(b.server, 1));
    int pendingBefore = -1;
    blocker.hook = [&](Pending& self) {
        // Both other sockets' notifications have come in and been held: let the reply come.
        if (loop.HeldNotifications() >= 2 && pendingBefore < 0) {
            pendingBefore = self.calls;
            go.set_value();
        }
    };
    char buf[5];
    BOOST_TEST(blocker.Receive(buf, 5) == 5);
    BOOST_TEST(order.empty());  // nothing ran inside the blocking call
    BOOST_TEST(pendingBefore > 0);
    BOOST_TEST(blocker.sawBlocking);
    BOOST_REQUIRE(RunUntil(loop, [&] { return order.size() == 2; }));
    BOOST_TEST((order == std::vector<std::string>{"a", "b"}));
    BOOST_TEST(a.server.received == "1");
    BOOST_TEST(b.server.received == "2");
}

BOOST_AUTO_TEST_CASE(cancel_from_on_message_pending) {
    EventLoop loop;
    SilentPeer peer;
    Pending client(loop);
    BOOST_REQUIRE(client.Connect("127.0.0.1", peer.Port()));
    // A timer of the loop (as in KB Q138692) makes OnMessagePending run; it cancels.
    asio::steady_timer timer(loop.Context(), 50ms);
    bool fired = false;
    timer.async_wait([&](const boost::system::error_code&) { fired = true; });
    client.hook = [&](Pending& self) {
        if (fired) self.CancelBlockingCall();
    };
    char c;
    BOOST_TEST(client.Receive(&c, 1) == SocketErrorResult);
    BOOST_TEST(LastError() == static_cast<int>(SocketError::Interrupted));
    BOOST_TEST(!client.IsBlocking());
}

BOOST_AUTO_TEST_CASE(cancel_from_another_thread) {
    EventLoop loop;
    SilentPeer peer;
    Socket client(loop);
    BOOST_REQUIRE(client.Connect("127.0.0.1", peer.Port()));
    std::atomic<bool> started{false};
    loop.Post([&] { started = true; });  // runs inside the pump
    std::thread canceller([&] {
        for (int i = 0; i < 5000 && !started; ++i)
            std::this_thread::yield();
        client.CancelBlockingCall();
    });
    char c;
    BOOST_TEST(client.Receive(&c, 1) == SocketErrorResult);
    BOOST_TEST(LastError() == static_cast<int>(SocketError::Interrupted));
    canceller.join();
}

BOOST_AUTO_TEST_CASE(reentrant_blocking_call_is_in_progress) {
    EventLoop loop;
    std::promise<void> done;
    auto doneFuture = done.get_future();
    PeerThread peer([&](tcp::socket& s) {
        doneFuture.wait_for(10s);
        asio::write(s, asio::buffer("z", 1));
    });
    Pending client(loop);
    BOOST_REQUIRE(client.Connect("127.0.0.1", peer.Port()));
    int inner = 0, innerError = 0;
    loop.Post([] {});
    client.hook = [&](Pending& self) {
        if (inner != 0) return;
        char c;
        inner = self.Receive(&c, 1);
        innerError = AsyncSocket::GetLastError();
        done.set_value();  // now the peer sends, and the outer Receive completes
    };
    char c;
    BOOST_TEST(client.Receive(&c, 1) == 1);
    BOOST_TEST(inner == SocketErrorResult);
    BOOST_TEST(innerError == static_cast<int>(SocketError::InProgress));
}

BOOST_AUTO_TEST_CASE(close_or_delete_inside_on_message_pending) {
    EventLoop loop;
    SilentPeer peer;
    Pending closing(loop);
    BOOST_REQUIRE(closing.Connect("127.0.0.1", peer.Port()));
    loop.Post([] {});
    closing.hook = [](Pending& self) { self.Close(); };
    char c;
    BOOST_TEST(closing.Receive(&c, 1) == SocketErrorResult);
    BOOST_TEST(LastError() == static_cast<int>(SocketError::Interrupted));
    BOOST_TEST(!closing.IsOpen());

    SilentPeer peer2;
    auto* deleting = new Pending(loop);
    BOOST_REQUIRE(deleting->Connect("127.0.0.1", peer2.Port()));
    loop.Post([] {});
    deleting->hook = [](Pending& self) { delete &self; };
    BOOST_TEST(deleting->Receive(&c, 1) == SocketErrorResult);  // returns without touching the object
    BOOST_TEST(LastError() == static_cast<int>(SocketError::Interrupted));
}

BOOST_AUTO_TEST_CASE(works_in_a_worker_thread_that_never_runs_its_loop) {
    PeerThread peer([](tcp::socket& s) {
        char buf[4];
        asio::read(s, asio::buffer(buf));
        asio::write(s, asio::buffer(buf));
    });
    std::string echoed;
    std::thread worker([&] {
        Socket s;  // the worker's own EventLoop::Current(), never Run explicitly
        if (!s.Connect("127.0.0.1", peer.Port())) return;
        s.Send("ping", 4);
        echoed = ReceiveExactly(s, 4);
    });
    worker.join();
    BOOST_TEST(echoed == "ping");
}

BOOST_AUTO_TEST_CASE(on_close_still_comes_after_a_blocking_receive_saw_the_end) {
    EventLoop loop;
    PeerThread peer([](tcp::socket& s) { asio::write(s, asio::buffer("end", 3)); });
    struct Closing : Socket {
        using Socket::Socket;
        int closes = 0;
        void OnClose(int) override { ++closes; }
    } client(loop);
    BOOST_REQUIRE(client.Connect("127.0.0.1", peer.Port()));
    BOOST_TEST(ReceiveExactly(client, 3) == "end");
    BOOST_TEST(peer.Join().empty());
    char c;
    BOOST_TEST(client.Receive(&c, 1) == 0);
    BOOST_REQUIRE(RunUntil(loop, [&] { return client.closes == 1; }));
    Drain(loop);
    BOOST_TEST(client.closes == 1);
}

BOOST_AUTO_TEST_CASE(from_handle_finds_sockets_only) {
    Socket s;
    BOOST_REQUIRE(s.Create());
    BOOST_TEST(Socket::FromHandle(s.GetHandle()) == &s);
    AsyncSocket plain;
    BOOST_REQUIRE(plain.Create());
    BOOST_TEST(Socket::FromHandle(plain.GetHandle()) == nullptr);
}

BOOST_AUTO_TEST_CASE(datagrams_block_until_they_arrive) {
    EventLoop loop;
    Socket udp(loop);
    BOOST_REQUIRE(udp.Create(0, SocketType::Datagram, "127.0.0.1"));
    const unsigned port = LocalPort(udp);
    asio::io_context io;
    asio::ip::udp::socket raw(io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    const unsigned short rawPort = raw.local_endpoint().port();
    std::thread sender([&] {
        raw.send_to(asio::buffer("first", 5),
                    asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
    });
    char buf[16];
    std::string from;
    unsigned fromPort = 0;
    BOOST_TEST(udp.ReceiveFrom(buf, sizeof buf, from, fromPort) == 5);
    sender.join();
    BOOST_TEST(std::string(buf, 5) == "first");
    BOOST_TEST(from == "127.0.0.1");
    BOOST_TEST(fromPort == rawPort);
    BOOST_TEST(udp.SendTo("reply", 5, fromPort, "127.0.0.1") == 5);
    asio::ip::udp::endpoint back;
    BOOST_TEST(raw.receive_from(asio::buffer(buf), back) == 5u);
    BOOST_TEST(back.port() == port);
    // A datagram larger than the buffer: MessageSize, with its first bytes kept.
    raw.send_to(asio::buffer("0123456789", 10),
                asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
    SocketAddress sender2;
    BOOST_TEST(udp.ReceiveFrom(buf, 4, sender2) == SocketErrorResult);
    BOOST_TEST(LastError() == static_cast<int>(SocketError::MessageSize));
    BOOST_TEST(std::string(buf, 4) == "0123");
    BOOST_TEST(sender2.Port() == rawPort);
    // A timeout bounds a receive that never completes.
    udp.SetTimeout(100ms);
    BOOST_TEST(udp.ReceiveFrom(buf, sizeof buf, sender2) == SocketErrorResult);
    BOOST_TEST(LastError() == static_cast<int>(SocketError::TimedOut));
}

BOOST_AUTO_TEST_CASE(datagrams_over_ipv6_and_bad_destinations) {
    EventLoop loop;
    Socket a(loop), b(loop);
    BOOST_REQUIRE(a.Create(0, SocketType::Datagram, "::1"));
    BOOST_REQUIRE(b.Create(0, SocketType::Datagram, "::1"));
    BOOST_TEST(a.SendTo("v6", 2, LocalPort(b), "::1") == 2);
    char buf[8];
    SocketAddress from;
    BOOST_TEST(b.ReceiveFrom(buf, sizeof buf, from) == 2);
    BOOST_TEST(from.Address() == "::1");
    BOOST_TEST(from.Port() == LocalPort(a));
    BOOST_TEST(a.SendTo("x", 1, 9, "bad host!") == SocketErrorResult);
    BOOST_TEST(LastError() == static_cast<int>(SocketError::InvalidArgument));
    BOOST_TEST(a.SendTo("x", 1, 70000, "::1") == SocketErrorResult);
    BOOST_TEST(LastError() == static_cast<int>(SocketError::InvalidArgument));
    Socket v4(loop);
    BOOST_REQUIRE(v4.Create(0, SocketType::Datagram, "127.0.0.1"));
    BOOST_TEST(v4.SendTo("x", 1, LocalPort(b), "::1") == SocketErrorResult);
    BOOST_TEST(LastError() == static_cast<int>(SocketError::AddressFamilyNotSupported));
}

BOOST_AUTO_TEST_CASE(a_socket_closed_during_its_blocking_call_is_usable_again) {
    EventLoop loop;
    SilentPeer peer;
    Socket client(loop);
    BOOST_REQUIRE(client.Connect("127.0.0.1", peer.Port()));
    asio::steady_timer timer(loop.Context(), 50ms);  // runs inside the pump: closes the socket
    timer.async_wait([&](const boost::system::error_code&) { client.Close(); });
    char c;
    BOOST_TEST(client.Receive(&c, 1) == SocketErrorResult);
    BOOST_TEST(LastError() == static_cast<int>(SocketError::Interrupted));
    BOOST_TEST(!client.IsBlocking());
    PeerThread again([](tcp::socket& s) { asio::write(s, asio::buffer("!", 1)); });
    BOOST_REQUIRE_MESSAGE(client.Connect("127.0.0.1", again.Port()), AsyncSocket::GetLastErrorInfo().Message());
    BOOST_TEST(client.Receive(&c, 1) == 1);
}
