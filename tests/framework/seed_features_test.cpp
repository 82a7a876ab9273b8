// The seed systems' socket features not covered elsewhere: a listen backlog honoured as the OS does it,
// endpoints from the local host's addresses, and batched (gather) sends on Socket — stream and connected
// datagram. (Server address/port validation, address reuse, the exclusive-address option, privileged
// ports and invalid host names are in async_socket_errors_test; the listener hand-over in
// async_socket_notify_test and async_socket_handles_test; AF_UNSPEC fallback in resolve_test.)
#include <portafx/socket.hpp>

#define BOOST_TEST_MODULE seed_features
#include "datagram_support.hpp"

#include <netinet/tcp.h>

#include <algorithm>

#include <memory>
#include <set>

using namespace portafx;
using namespace portafx::test;

namespace {
std::string LastMessage() {
    return AsyncSocket::GetLastErrorInfo().Message();
}
}  // namespace

#ifdef __linux__
// Linux reports a listener's accept queue in TCP_INFO: tcpi_unacked = connections waiting for accept,
// tcpi_sacked = the backlog the listener was given.
BOOST_AUTO_TEST_CASE(listen_backlog_is_honoured_as_the_os_does) {
    EventLoop loop;
    Recorder listener(loop);
    BOOST_REQUIRE(listener.Create(0, SocketType::Stream, AllEvents, "127.0.0.1"));
    const int backlog = 1;
    BOOST_REQUIRE(listener.Listen(backlog));
    auto queue = [&](unsigned& waiting, unsigned& limit) {
        tcp_info info{};
        int len = sizeof info;
        BOOST_REQUIRE(listener.GetSockOpt(TCP_INFO, &info, &len, IPPROTO_TCP));
        waiting = info.tcpi_unacked;
        limit = info.tcpi_sacked;
    };
    unsigned waiting = 0, limit = 0;
    queue(waiting, limit);
    BOOST_TEST(limit == static_cast<unsigned>(backlog));  // the OS got the backlog asked for
    BOOST_TEST(waiting == 0u);

    // Three clients for a queue that holds backlog + 1 = 2 (Linux's rule).
    std::vector<std::unique_ptr<Recorder>> clients;
    for (int i = 0; i < 3; ++i) {
        clients.push_back(std::make_unique<Recorder>(loop));
        BOOST_TEST(!clients.back()->Connect("127.0.0.1", LocalPort(listener)));
    }
    BOOST_REQUIRE(RunUntil(loop, [&] {
        queue(waiting, limit);
        return waiting == 2u;
    }));
    // For a while (a bounded look, not a synchronisation) the queue stays at 2 and no client is refused:
    // the one beyond the backlog waits.
    const auto until = std::chrono::steady_clock::now() + 300ms;
    unsigned most = 0;
    while (std::chrono::steady_clock::now() < until) {
        loop.RunOneFor(20ms);
        queue(waiting, limit);
        most = std::max(most, waiting);
    }
    BOOST_TEST(most == 2u);
    for (auto& c : clients)
        BOOST_TEST((c->connects == 0 || c->lastConnectError == 0));
    // Accepting makes room: the waiting client gets in (on its SYN retransmission, about a second later).
    std::vector<std::unique_ptr<Recorder>> accepted;
    listener.onAccept = [&](Recorder& l, int) {
        accepted.push_back(std::make_unique<Recorder>(loop));
        if (!l.Accept(*accepted.back())) accepted.pop_back();
    };
    if (listener.accepts > 0) listener.onAccept(listener, 0);  // the OnAccept already delivered
    BOOST_REQUIRE(RunUntil(
        loop, [&] { return accepted.size() == 3u; }, 10000ms));
    BOOST_REQUIRE(RunUntil(loop, [&] {
        for (auto& c : clients)
            if (c->connects != 1) return false;
        return true;
    }));
    for (auto& c : clients)
        BOOST_TEST(c->lastConnectError == 0);
}
#endif

BOOST_AUTO_TEST_CASE(endpoints_from_the_local_host_addresses) {
    const std::vector<SocketAddress> all = SocketAddress::LocalHostAddresses(4321);
    BOOST_REQUIRE(!all.empty());
    std::set<std::string> printed;
    for (const SocketAddress& a : all) {
        BOOST_TEST(a.Port() == 4321u);
        printed.insert(a.Address());
    }
    BOOST_TEST(printed.count("127.0.0.1") == 1u);
    for (const SocketAddress& a : SocketAddress::LocalHostAddresses(0, AddressFamily::IPv4))
        BOOST_TEST((a.Family() == AddressFamily::IPv4));
    for (const SocketAddress& a : SocketAddress::LocalHostAddresses(0, AddressFamily::IPv6))
        BOOST_TEST((a.Family() == AddressFamily::IPv6));
    // Each is an address of this host: a socket binds to it (port from the OS); nothing is sent.
    EventLoop loop;
    for (const SocketAddress& a : SocketAddress::LocalHostAddresses()) {
        AsyncSocket s(loop);
        BOOST_TEST(s.Create(0, SocketType::Datagram, AllEvents, a.Address().c_str()), a.ToString()
                                                                                          << ": " << LastMessage());
    }
    // A server on the loopback one of them, reached through it.
    SocketAddress loopback;
    for (const SocketAddress& a : SocketAddress::LocalHostAddresses(0, AddressFamily::IPv4))
        if (a.IsLoopback()) loopback = a;
    BOOST_REQUIRE(loopback.IsValid());
    Listening server(loop, loopback.Address().c_str());
    Socket client(loop);
    client.SetTimeout(5s);
    loopback.SetPort(server.Port());
    BOOST_TEST(client.Connect(loopback), LastMessage());
}

BOOST_AUTO_TEST_CASE(socket_gather_send_sends_everything) {
    EventLoop loop;
    Listening listener(loop);
    // A raw peer that reads everything until the end of the stream, in its own thread.
    std::promise<std::string> got;
    std::thread reader([&, port = listener.Port()] {
        Peer p;
        p.Connect("127.0.0.1", port);
        p.SetTimeout(10);
        std::string all;
        char buf[65536];
        boost::system::error_code ec;
        for (;;) {
            const std::size_t n = p.socket.read_some(asio::buffer(buf), ec);
            if (ec) break;
            all.append(buf, n);
        }
        got.set_value(all);
    });
    Socket server(loop);
    server.SetTimeout(10s);
    BOOST_REQUIRE(WaitReadable(listener.GetHandle()));
    BOOST_REQUIRE(listener.Accept(server));
    BOOST_REQUIRE(server.SetSendBufferSize(4096));  // so that the buffers cannot go in one call
    const std::string a(300000, 'a'), b(5, 'b'), c(200000, 'c');
    const int total = static_cast<int>(a.size() + b.size() + c.size());
    BOOST_TEST(server.Send({{a.data(), a.size()}, {b.data(), b.size()}, {nullptr, 0}, {c.data(), c.size()}}) == total,
               LastMessage());
    server.Close();
    auto future = got.get_future();
    BOOST_REQUIRE(future.wait_for(20s) == std::future_status::ready);
    reader.join();
    BOOST_TEST((future.get() == a + b + c));

    // A failure says how much was sent.
    Socket other(loop);
    const ConstBuffer bad[] = {{nullptr, 3}};
    BOOST_TEST(other.Send(bad, 1) == SocketErrorResult);
    BOOST_TEST(AsyncSocket::GetLastError() == static_cast<int>(SocketError::NotSocket));
    BOOST_TEST(LastMessage().find("Send: 0 of 3 bytes were sent") != std::string::npos, LastMessage());
}

BOOST_AUTO_TEST_CASE(socket_gather_send_on_a_connected_datagram_socket) {
    EventLoop loop;
    Socket s(loop);
    s.SetTimeout(5s);
    BOOST_REQUIRE(s.Create(0, SocketType::Datagram, "::1"));
    UdpPeer peer("::1");
    BOOST_REQUIRE(s.Connect("::1", peer.Port()));
    std::vector<ConstBuffer> parts{{"head|", 5}, {"body|", 5}, {"tail", 4}};
    BOOST_TEST(s.Send(parts) == 14, LastMessage());
    BOOST_TEST(peer.Receive() == "head|body|tail");  // one datagram
    std::thread replier([&] { peer.SendTo("reply", "::1", LocalPort(s)); });
    char buf[16];
    const int n = s.Receive(buf, sizeof buf);  // blocks until the reply comes
    replier.join();
    BOOST_TEST(n == 5);
    BOOST_TEST(std::string(buf, 5) == "reply");
    const ConstBuffer bad[] = {{"ok", 2}, {nullptr, 3}};
    BOOST_TEST(s.Send(bad, 2) == SocketErrorResult);
    BOOST_TEST(AsyncSocket::GetLastError() == static_cast<int>(SocketError::Fault));
}
