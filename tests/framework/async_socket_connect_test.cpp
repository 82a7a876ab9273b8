// Connecting and listening over IPv4 and IPv6: names resolved without blocking the loop, each
// resolved address tried in turn, dual-stack listeners, IPv6-only on request.
#include <portafx/async_socket.hpp>

#define BOOST_TEST_MODULE async_socket_connect
#include "loopback.hpp"

#include <netdb.h>

#include <set>

using namespace portafx;
using namespace portafx::test;

BOOST_AUTO_TEST_CASE(connect_by_host_name) {
    EventLoop loop;
    RawListener raw;
    Recorder client(loop);
    BOOST_TEST(!client.Connect("localhost", raw.Port()));  // no Create needed: Connect makes the handle
    BOOST_TEST(AsyncSocket::GetLastError() == static_cast<int>(SocketError::WouldBlock));
    BOOST_REQUIRE(RunUntil(loop, [&] { return client.connects == 1; }));
    BOOST_TEST(client.lastConnectError == 0);
    std::string address;
    unsigned port = 0;
    BOOST_REQUIRE(client.GetPeerName(address, port));
    BOOST_TEST(address == "127.0.0.1");
    BOOST_TEST(port == raw.Port());
}

BOOST_AUTO_TEST_CASE(unknown_host_reported_in_on_connect) {
    EventLoop loop;
    Recorder client(loop);
    BOOST_REQUIRE(client.Create());
    BOOST_TEST(!client.Connect("no-such-host.invalid", 80));
    BOOST_TEST(AsyncSocket::GetLastError() == static_cast<int>(SocketError::WouldBlock));
    BOOST_REQUIRE(RunUntil(
        loop, [&] { return client.connects == 1; }, 20000ms));
    BOOST_TEST(client.lastConnectError == static_cast<int>(SocketError::HostNotFound));
}

BOOST_AUTO_TEST_CASE(each_address_tried_in_turn) {
    EventLoop loop;
    RawListener raw("127.0.0.1");
    SocketAddress refused, listening;
    BOOST_REQUIRE(SocketAddress::Parse("::1", ClosedPort("::1"), refused));
    BOOST_REQUIRE(SocketAddress::Parse("127.0.0.1", raw.Port(), listening));
    SocketAddress alsoRefused;
    BOOST_REQUIRE(SocketAddress::Parse("127.0.0.1", ClosedPort(), alsoRefused));
    Recorder client(loop);
    BOOST_REQUIRE(client.Create());
    BOOST_TEST(!client.Connect(std::vector<SocketAddress>{refused, alsoRefused, listening}));
    BOOST_REQUIRE(RunUntil(loop, [&] { return client.connects == 1; }));
    BOOST_TEST(client.lastConnectError == 0);
    SocketAddress peer;
    BOOST_REQUIRE(client.GetPeerName(peer));
    BOOST_TEST(peer.Address() == "127.0.0.1");
    BOOST_TEST(peer.Port() == raw.Port());

    // All refused: OnConnect gets the last error.
    Recorder loser(loop);
    BOOST_TEST(!loser.Connect(std::vector<SocketAddress>{refused, alsoRefused}));
    BOOST_REQUIRE(RunUntil(loop, [&] { return loser.connects == 1; }));
    BOOST_TEST(loser.lastConnectError == static_cast<int>(SocketError::ConnectionRefused));
}

BOOST_AUTO_TEST_CASE(name_with_both_families_falls_back) {
    // Where the system resolves "localhost" to ::1 and 127.0.0.1, a listener on only one of them is
    // still reached by name. Otherwise the name's single family is checked.
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    BOOST_REQUIRE(::getaddrinfo("localhost", "1", &hints, &res) == 0);
    bool v4 = false, v6 = false;
    for (addrinfo* ai = res; ai; ai = ai->ai_next)
        (ai->ai_family == AF_INET6 ? v6 : v4) = true;
    ::freeaddrinfo(res);
    BOOST_TEST_MESSAGE("localhost resolves to IPv4: " << v4 << ", IPv6: " << v6);
    EventLoop loop;
    RawListener raw(v4 ? "127.0.0.1" : "::1");
    Recorder client(loop);
    client.Connect("localhost", raw.Port());
    BOOST_REQUIRE(RunUntil(loop, [&] { return client.connects == 1; }));
    BOOST_TEST(client.lastConnectError == 0);
}

BOOST_AUTO_TEST_CASE(dual_stack_listener_accepts_both_families) {
    EventLoop loop;
    Recorder listener(loop);
    BOOST_REQUIRE(listener.Create(0));  // no address: IPv6 dual-stack on ::
    BOOST_TEST((listener.GetAddressFamily() == AddressFamily::IPv6));
    BOOST_REQUIRE(listener.Listen());
    std::string address;
    unsigned port = 0;
    BOOST_REQUIRE(listener.GetSockName(address, port));
    BOOST_TEST(address == "::");
    Peer p4, p6;
    p4.Connect("127.0.0.1", port);
    p6.Connect("::1", port);
    Recorder a(loop), b(loop);
    BOOST_REQUIRE(RunUntil(loop, [&] { return listener.accepts == 1; }));
    SocketAddress first, second;
    BOOST_REQUIRE(listener.Accept(a, &first));
    BOOST_REQUIRE(RunUntil(loop, [&] { return listener.accepts == 2; }));
    BOOST_REQUIRE(listener.Accept(b, &second));
    std::set<std::string> peers{first.Address(), second.Address()};
    BOOST_TEST((peers == std::set<std::string>{"127.0.0.1", "::1"}));
    std::string peerAddress;
    unsigned peerPort = 0;
    BOOST_REQUIRE(b.GetPeerName(peerAddress, peerPort));
    BOOST_TEST(peerAddress == second.Address());
}

BOOST_AUTO_TEST_CASE(ipv6_only_on_request) {
    EventLoop loop;
    Recorder listener(loop);
    BOOST_REQUIRE(listener.Socket(SocketType::Stream, AllEvents, 0, AddressFamily::IPv6));
    bool v6only = true;
    BOOST_REQUIRE(listener.GetIPv6Only(v6only));
    BOOST_TEST(!v6only);  // dual-stack by default
    BOOST_REQUIRE(listener.SetIPv6Only(true));
    BOOST_REQUIRE(listener.Bind(0, "::"));
    BOOST_REQUIRE(listener.Listen());
    const unsigned port = LocalPort(listener);
    Peer p4;
    boost::system::error_code ec;
    p4.socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)), ec);
    BOOST_TEST(ec == asio::error::connection_refused);
    Peer p6;
    p6.Connect("::1", port);
    BOOST_REQUIRE(RunUntil(loop, [&] { return listener.accepts == 1; }));
    // An IPv4 socket rejects IPv6-only operations with a clear error.
    Recorder v4(loop);
    BOOST_REQUIRE(v4.Socket());
    BOOST_TEST(!v4.SetIPv6Only(true));
    BOOST_TEST(AsyncSocket::GetLastError() == static_cast<int>(SocketError::NoProtocolOption));
    BOOST_TEST(!v4.Bind(0, "::1"));
    BOOST_TEST(AsyncSocket::GetLastError() == static_cast<int>(SocketError::AddressFamilyNotSupported));
}

BOOST_AUTO_TEST_CASE(connect_to_ipv6_loopback_and_exchange) {
    EventLoop loop;
    Recorder listener(loop);
    BOOST_REQUIRE(listener.Create(0, SocketType::Stream, AllEvents, "::1"));
    BOOST_REQUIRE(listener.Listen());
    Recorder client(loop), server(loop);
    listener.onAccept = [&](Recorder& l, int) { BOOST_TEST(l.Accept(server)); };
    server.onReceive = [](Recorder& s, int) { s.ReceiveSome(); };
    client.onConnect = [](Recorder& c, int e) {
        if (e == 0) BOOST_TEST(c.Send("over v6", 7) == 7);
    };
    BOOST_TEST(!client.Connect("::1", LocalPort(listener)));
    BOOST_REQUIRE(RunUntil(loop, [&] { return server.received == "over v6"; }));
    std::string address;
    unsigned port = 0;
    BOOST_REQUIRE(client.GetSockName(address, port));
    BOOST_TEST(address == "::1");
    BOOST_REQUIRE(server.GetPeerName(address, port));
    BOOST_TEST(address == "::1");
}

// The peer accepts and resets at once, before the client's loop looks at its connect: the connection was made,
// then reset. Winsock reports FD_CONNECT with 0, then FD_CLOSE with WSAECONNRESET; it is no failed connect (one
// with more addresses would try the next, after the server accepted).
BOOST_AUTO_TEST_CASE(a_connection_reset_before_its_connect_is_seen_connects_then_closes) {
    EventLoop loop;
    PeerThread peer([](tcp::socket& s) {
        s.set_option(boost::asio::socket_base::linger(true, 0));
        s.close();
    });
    Recorder client(loop);
    BOOST_REQUIRE(!client.Connect("127.0.0.1", peer.Port()));
    BOOST_REQUIRE(AsyncSocket::GetLastError() == static_cast<int>(SocketError::WouldBlock));
    BOOST_REQUIRE(peer.Join().empty());
    // The reset has reached the client's handle (poll shows it without consuming the error) before the loop runs.
    pollfd p{client.GetHandle(), POLLOUT, 0};
    BOOST_REQUIRE(::poll(&p, 1, 5000) == 1);
    BOOST_REQUIRE(p.revents & (POLLERR | POLLHUP));
    BOOST_REQUIRE(RunUntil(loop, [&] { return client.closes == 1; }));
    BOOST_TEST(client.connects == 1);
    BOOST_TEST(client.lastConnectError == 0);
    BOOST_TEST(client.lastCloseError == static_cast<int>(SocketError::ConnectionReset));
    BOOST_REQUIRE(client.log.size() >= 2u);
    BOOST_TEST(client.log[0] == "connect");
    char c;
    BOOST_TEST(client.Receive(&c, 1) == SocketErrorResult);
    BOOST_TEST(AsyncSocket::GetLastError() == static_cast<int>(SocketError::ConnectionReset));
    Drain(loop);
    BOOST_TEST(client.closes == 1);  // once, not again from the read side
}

BOOST_AUTO_TEST_CASE(connect_state_errors) {
    EventLoop loop;
    RawListener raw;
    Recorder client(loop);
    BOOST_TEST(!client.Connect("127.0.0.1", raw.Port()));
    BOOST_TEST(!client.Connect("127.0.0.1", raw.Port()));
    BOOST_TEST(AsyncSocket::GetLastError() == static_cast<int>(SocketError::Already));
    BOOST_REQUIRE(RunUntil(loop, [&] { return client.connects == 1; }));
    BOOST_TEST(!client.Connect("127.0.0.1", raw.Port()));
    BOOST_TEST(AsyncSocket::GetLastError() == static_cast<int>(SocketError::IsConnected));
    BOOST_TEST(!client.Connect("127.0.0.1", 0));
    BOOST_TEST(AsyncSocket::GetLastError() == static_cast<int>(SocketError::AddressNotAvailable));
    BOOST_TEST(!client.Connect(nullptr, 80));
    BOOST_TEST(AsyncSocket::GetLastError() == static_cast<int>(SocketError::InvalidArgument));
    BOOST_TEST(!client.Connect("bad host name!", 80));
    BOOST_TEST(AsyncSocket::GetLastError() == static_cast<int>(SocketError::InvalidArgument));
}
