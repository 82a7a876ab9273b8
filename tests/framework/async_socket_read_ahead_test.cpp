// Read-ahead: when a connected stream becomes readable the engine reads what is there (one system call
// instead of a peek and then the Receive's own read) and Receive serves those bytes from memory. These
// tests pin what must not change for the user: the bytes behave as the kernel's queue would.
#include <portafx/async_socket.hpp>

#define BOOST_TEST_MODULE async_socket_read_ahead
#include "loopback.hpp"

#include <future>
#include <memory>
#include <thread>
#include <vector>

using namespace portafx;
using namespace portafx::test;

namespace {
// Lets the first OnReceive read nothing, so the bytes the engine read stay with it.
void IgnoreReceive(Recorder&, int) {}

std::string Pattern(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i)
        s[i] = static_cast<char>('a' + (i * 7 + i / 251) % 26);
    return s;
}
}  // namespace

BOOST_AUTO_TEST_CASE(read_ahead_bytes_count_in_fionread_and_peek_leaves_them) {
    EventLoop loop;
    AcceptedPair pair(loop);
    pair.server.onReceive = IgnoreReceive;
    pair.peer.Write("hello");
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.receives == 1; }));
    // The engine has read the bytes: the kernel queue is empty, the socket still has 5 bytes to give.
    int kernel = -1;
    BOOST_REQUIRE(::ioctl(pair.server.GetHandle(), FIONREAD, &kernel) == 0);
    BOOST_TEST(kernel == 0);
    unsigned long queued = 0;
    BOOST_REQUIRE(pair.server.IOCtl(FionRead, &queued));
    BOOST_TEST(queued == 5u);
    char buf[16];
    BOOST_TEST(pair.server.Receive(buf, 3, MsgPeek) == 3);
    BOOST_TEST(std::string(buf, 3) == "hel");
    BOOST_TEST(pair.server.Receive(buf, sizeof buf) == 5);
    BOOST_TEST(std::string(buf, 5) == "hello");
    BOOST_TEST(pair.server.Receive(buf, sizeof buf) == SocketErrorResult);
    BOOST_TEST(AsyncSocket::GetLastError() == static_cast<int>(SocketError::WouldBlock));
}

BOOST_AUTO_TEST_CASE(a_large_receive_after_a_full_read_ahead_takes_the_rest_in_the_same_call) {
    EventLoop loop;
    AcceptedPair pair(loop);
    pair.server.onReceive = IgnoreReceive;
    const std::string sent = Pattern(20000);
    pair.peer.Write(sent);
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.receives == 1; }));
    BOOST_REQUIRE(WaitQueued(pair.server, sent.size()));
    std::string buf(sent.size(), '\0');
    const int n = pair.server.Receive(buf.data(), static_cast<int>(buf.size()));
    BOOST_TEST(n > 4096);  // more than the read-ahead buffer holds: the kernel's part came with it
    int total = n > 0 ? n : 0;
    while (total < static_cast<int>(sent.size())) {
        const int more = pair.server.Receive(buf.data() + total, static_cast<int>(buf.size()) - total);
        BOOST_REQUIRE(more > 0);
        total += more;
    }
    BOOST_TEST(buf == sent);
}

BOOST_AUTO_TEST_CASE(end_of_stream_comes_after_the_read_ahead_bytes) {
    EventLoop loop;
    AcceptedPair pair(loop);
    pair.server.onReceive = IgnoreReceive;
    pair.peer.Write("last words");
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.receives == 1; }));
    pair.peer.socket.shutdown(tcp::socket::shutdown_send);
    Drain(loop);
    BOOST_TEST(pair.server.closes == 0);  // the data is still unread: no OnClose yet (Winsock)
    char buf[64];
    BOOST_TEST(pair.server.Receive(buf, sizeof buf) == 10);
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.closes == 1; }));
    BOOST_TEST(pair.server.lastCloseError == 0);
    BOOST_TEST(pair.server.Receive(buf, sizeof buf) == 0);
}

BOOST_AUTO_TEST_CASE(a_reset_discards_the_read_ahead_bytes_as_the_kernel_does) {
    EventLoop loop;
    AcceptedPair pair(loop);
    pair.server.onReceive = IgnoreReceive;
    pair.peer.Write("doomed");
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.receives == 1; }));
    pair.peer.Reset();
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.closes == 1; }));
    BOOST_TEST(pair.server.lastCloseError == static_cast<int>(SocketError::ConnectionReset));
    char buf[16];
    BOOST_TEST(pair.server.Receive(buf, sizeof buf) == SocketErrorResult);
    BOOST_TEST(AsyncSocket::GetLastError() == static_cast<int>(SocketError::ConnectionReset));
}

BOOST_AUTO_TEST_CASE(detach_hands_the_read_ahead_bytes_to_the_next_attach_on_another_thread) {
    EventLoop loop;
    AcceptedPair pair(loop);
    pair.server.onReceive = IgnoreReceive;
    pair.peer.Write("read ahead, ");
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.receives == 1; }));
    pair.peer.Write("then queued");
    BOOST_REQUIRE(WaitQueued(pair.server, 23));
    const NativeHandle h = pair.server.Detach();
    BOOST_REQUIRE(h != InvalidHandle);

    std::promise<std::string> got;
    std::thread worker([&] {
        Recorder adopted;  // the worker thread's own loop
        adopted.onReceive = [](Recorder& s, int) {
            s.ReceiveSome();
            if (s.received.size() == 23) EventLoop::Current().Stop();
        };
        if (!adopted.Attach(h)) {
            got.set_value("attach failed: " + AsyncSocket::GetLastErrorInfo().Message());
            return;
        }
        EventLoop::Current().RunFor(5s);
        got.set_value(adopted.received);
    });
    auto result = got.get_future();
    BOOST_REQUIRE(result.wait_for(10s) == std::future_status::ready);
    worker.join();
    BOOST_TEST(result.get() == "read ahead, then queued");
}

BOOST_AUTO_TEST_CASE(a_new_handle_with_a_detached_number_does_not_inherit_its_bytes) {
    EventLoop loop;
    AcceptedPair pair(loop);
    pair.server.onReceive = IgnoreReceive;
    pair.peer.Write("stale");
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.receives == 1; }));
    const NativeHandle number = pair.server.Detach();
    BOOST_REQUIRE(number != InvalidHandle);
    ::close(number);  // the application closes the handle instead of attaching it: its bytes are gone

    // A socket created now that gets the same number (the lowest free numbers go first) must start empty.
    std::vector<std::unique_ptr<Recorder>> others;
    std::unique_ptr<Recorder> client;
    for (int i = 0; i < 256 && !client; ++i) {
        auto r = std::make_unique<Recorder>(loop);
        BOOST_REQUIRE(r->Create());
        (r->GetHandle() == number ? client : others.emplace_back()) = std::move(r);
    }
    BOOST_REQUIRE(client);
    client->Connect("127.0.0.1", LocalPort(pair.listener));
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.listener.accepts == 2 && client->connects == 1; }));
    Recorder server(loop);
    BOOST_REQUIRE(pair.listener.Accept(server));
    // Handed on with nothing read ahead: the next Attach must not find the closed handle's bytes.
    const NativeHandle again = client->Detach();
    BOOST_REQUIRE(again == number);
    Recorder adopted(loop);
    adopted.onReceive = [](Recorder& s, int) { s.ReceiveSome(); };
    BOOST_REQUIRE(adopted.Attach(again));
    BOOST_REQUIRE(server.Send("new", 3) == 3);
    BOOST_REQUIRE(RunUntil(loop, [&] { return adopted.received.size() >= 3; }));
    Drain(loop);
    BOOST_TEST(adopted.received == "new");
}

BOOST_AUTO_TEST_CASE(a_reset_behind_a_full_read_ahead_loses_no_buffered_byte_and_is_reported_once) {
    EventLoop loop;
    AcceptedPair pair(loop);
    pair.server.onReceive = IgnoreReceive;
    const std::string sent = Pattern(6000);  // more than the read-ahead buffer: it fills, the rest stays queued
    pair.peer.Write(sent);
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.receives == 1; }));
    BOOST_REQUIRE(WaitQueued(pair.server, sent.size()));
    pair.peer.Reset();
    // Without running the loop (so the error watch has not seen it), wait until the reset is at our socket.
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    for (;;) {
        pollfd p{pair.server.GetHandle(), POLLIN, 0};
        if (::poll(&p, 1, 10) == 1 && (p.revents & (POLLERR | POLLHUP)) != 0) break;
        BOOST_REQUIRE(std::chrono::steady_clock::now() < deadline);
    }
    // The buffered bytes are handed out first, then whatever the kernel still gives (kernels differ: some drop
    // the queue on a reset, some hand it out first); then the reset, which is kept and reported from then on.
    std::string got;
    std::string buf(sent.size(), '\0');
    int n = 0;
    for (int calls = 0; calls < 100; ++calls) {
        n = pair.server.Receive(buf.data(), static_cast<int>(buf.size()));
        if (n <= 0) break;
        got.append(buf.data(), static_cast<std::size_t>(n));
    }
    BOOST_TEST(got.size() >= 4096u);
    BOOST_TEST(sent.compare(0, got.size(), got) == 0);  // a prefix of what was sent: nothing lost or repeated
    BOOST_TEST(n == SocketErrorResult);
    BOOST_TEST(AsyncSocket::GetLastError() == static_cast<int>(SocketError::ConnectionReset));
    BOOST_TEST(pair.server.Receive(buf.data(), 1) == SocketErrorResult);
    BOOST_TEST(AsyncSocket::GetLastError() == static_cast<int>(SocketError::ConnectionReset));
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.closes == 1; }));
    BOOST_TEST(pair.server.lastCloseError == static_cast<int>(SocketError::ConnectionReset));
    Drain(loop);
    BOOST_TEST(pair.server.closes == 1);
}
