// A client that resolves a name with AF_UNSPEC, gets IPv6 and IPv4 addresses, and falls back to the next
// address when one fails; a server created on such a name; datagrams sent to it.
//
// The name `portafx-dual.test` resolves to ::1 and 127.0.0.1 only under tests/support/with_hosts.sh (ctest
// runs the test that way: a private /etc/hosts in a mount namespace). Run directly, or where the namespace
// cannot be made, the name does not resolve to both and every test here is skipped with that message.
#include <portafx/socket.hpp>

#define BOOST_TEST_MODULE resolve
#include "datagram_support.hpp"

#include <netdb.h>

#include <algorithm>

using namespace portafx;
using namespace portafx::test;

namespace {
const char* const kDualName = "portafx-dual.test";

std::string LastMessage() {
    return AsyncSocket::GetLastErrorInfo().Message();
}

// The families getaddrinfo(AF_UNSPEC) gives for the name, in its order.
std::vector<int> Families() {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    std::vector<int> out;
    if (::getaddrinfo(kDualName, "1", &hints, &res) != 0) return out;
    for (addrinfo* ai = res; ai; ai = ai->ai_next)
        out.push_back(ai->ai_family);
    ::freeaddrinfo(res);
    return out;
}

boost::test_tools::assertion_result ResolvesToBoth(boost::unit_test::test_unit_id) {
    const std::vector<int> f = Families();
    const bool both = std::count(f.begin(), f.end(), AF_INET) > 0 && std::count(f.begin(), f.end(), AF_INET6) > 0;
    boost::test_tools::assertion_result r(both);
    if (!both) {
        r.message() << "'" << kDualName
                    << "' does not resolve to both ::1 and 127.0.0.1 here; run this test through "
                       "tests/support/with_hosts.sh tests/support/dual_stack_hosts (ctest does)";
    }
    return r;
}
}  // namespace

BOOST_TEST_DECORATOR(*boost::unit_test::precondition(ResolvesToBoth))
BOOST_AUTO_TEST_CASE(async_connect_falls_back_to_the_family_that_listens) {
    const std::vector<int> order = Families();
    BOOST_TEST_MESSAGE(kDualName << " resolves first to " << (order.front() == AF_INET6 ? "::1" : "127.0.0.1"));
    for (const char* listening : {"127.0.0.1", "::1"}) {  // whichever comes first, one of them falls back
        BOOST_TEST_CONTEXT("listening on " << listening) {
            EventLoop loop;
            RawListener raw(listening);
            Recorder client(loop);
            BOOST_TEST(!client.Connect(kDualName, raw.Port()));  // resolved off the loop: OnConnect tells
            BOOST_TEST(AsyncSocket::GetLastError() == static_cast<int>(SocketError::WouldBlock));
            BOOST_REQUIRE(RunUntil(loop, [&] { return client.connects == 1; }));
            BOOST_TEST(client.lastConnectError == 0);
            SocketAddress peer;
            BOOST_REQUIRE(client.GetPeerName(peer));
            BOOST_TEST(peer.Address() == listening);
        }
    }
}

BOOST_TEST_DECORATOR(*boost::unit_test::precondition(ResolvesToBoth))
BOOST_AUTO_TEST_CASE(blocking_connect_falls_back_too) {
    for (const char* listening : {"127.0.0.1", "::1"}) {
        BOOST_TEST_CONTEXT("listening on " << listening) {
            EventLoop loop;
            PeerThread peer([](tcp::socket& s) { asio::write(s, asio::buffer("!", 1)); }, listening);
            Socket client(loop);
            client.SetTimeout(5s);
            BOOST_REQUIRE_MESSAGE(client.Connect(kDualName, peer.Port()), LastMessage());
            char c = 0;
            BOOST_TEST(client.Receive(&c, 1) == 1);
            std::string address;
            unsigned port = 0;
            BOOST_REQUIRE(client.GetPeerName(address, port));
            BOOST_TEST(address == listening);
        }
    }
}

BOOST_TEST_DECORATOR(*boost::unit_test::precondition(ResolvesToBoth))
BOOST_AUTO_TEST_CASE(every_address_refused_reports_the_last_error) {
    EventLoop loop;
    Recorder client(loop);
    client.Connect(kDualName, ClosedPort());
    BOOST_REQUIRE(RunUntil(loop, [&] { return client.connects == 1; }));
    BOOST_TEST(client.lastConnectError == static_cast<int>(SocketError::ConnectionRefused));
}

BOOST_TEST_DECORATOR(*boost::unit_test::precondition(ResolvesToBoth))
BOOST_AUTO_TEST_CASE(server_created_on_the_name) {
    EventLoop loop;
    Listening server(loop, kDualName);  // binds the first address of the name
    SocketAddress local;
    BOOST_REQUIRE(server.GetSockName(local));
    BOOST_TEST(local.IsLoopback());
    Socket client(loop);
    client.SetTimeout(5s);
    BOOST_TEST(client.Connect(kDualName, server.Port()), LastMessage());
}

BOOST_TEST_DECORATOR(*boost::unit_test::precondition(ResolvesToBoth))
BOOST_AUTO_TEST_CASE(send_to_the_name_uses_the_socket_family) {
    EventLoop loop;
    for (const char* bind : {"127.0.0.1", "::1"}) {
        BOOST_TEST_CONTEXT("socket bound to " << bind) {
            AsyncSocket s(loop);
            BOOST_REQUIRE(s.Create(0, SocketType::Datagram, AllEvents, bind));
            UdpPeer peer(bind);
            BOOST_TEST(s.SendTo("named", 5, peer.Port(), kDualName) == 5, LastMessage());
            BOOST_TEST(peer.Receive() == "named");
        }
    }
}
