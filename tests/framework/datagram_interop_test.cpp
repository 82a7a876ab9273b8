// Datagrams against a peer we did not write: socat, in both directions, over IPv4 and IPv6, with
// AsyncSocket (OnReceive) and Socket (blocking calls). socat comes from scripts/setup; the test fails,
// it does not skip, if it is missing.
//
// socat runs as `socat STDIO UDP-DATAGRAM:<our address>:<our port>,bind=<loopback>:0`: each chunk written
// to its stdin becomes one datagram to us, and each datagram it receives is written to its stdout. Its
// own port (from the OS) is learnt from the sender address of its first datagram.
#include <portafx/socket.hpp>

#define BOOST_TEST_MODULE datagram_interop
#include "datagram_support.hpp"

using namespace portafx;
using namespace portafx::test;

namespace {
std::string LastMessage() {
    return AsyncSocket::GetLastErrorInfo().Message();
}

std::vector<std::string> SocatArgs(const std::string& family, const std::string& address, unsigned port) {
    const bool v6 = family == "6";
    const std::string host = v6 ? "[" + address + "]" : address;
    return {"socat", "-T", "20", "STDIO",
            "UDP" + family + "-DATAGRAM:" + host + ":" + std::to_string(port) + ",bind=" + host + ":0"};
}
}  // namespace

BOOST_AUTO_TEST_CASE(socat_and_async_socket_both_ways) {
    for (const auto& [family, address] :
         {std::pair<std::string, std::string>{"4", "127.0.0.1"}, std::pair<std::string, std::string>{"6", "::1"}}) {
        BOOST_TEST_CONTEXT("IPv" << family) {
            EventLoop loop;
            Collector s(loop);
            BOOST_REQUIRE_MESSAGE(s.Create(0, SocketType::Datagram, AllEvents, address.c_str()), LastMessage());
            ChildProcess socat(SocatArgs(family, address, LocalPort(s)));
            // socat -> portafx: each write is one datagram; OnReceive gives it with socat's address.
            BOOST_REQUIRE(socat.Write("hello from socat\n"));
            BOOST_REQUIRE_MESSAGE(RunUntil(loop, [&] { return s.datagrams.size() == 1; }),
                                  "no datagram from socat (is socat installed? run scripts/setup)");
            BOOST_TEST(s.datagrams[0].data == "hello from socat\n");
            const SocketAddress socatAddress = s.datagrams[0].from;
            BOOST_TEST(socatAddress.Address() == address);
            BOOST_TEST(socatAddress.Port() != 0u);
            // portafx -> socat: to the address OnReceive reported, by address and port, and gathered.
            BOOST_TEST(s.SendTo("hello from portafx\n", 19, socatAddress) == 19, LastMessage());
            BOOST_TEST(s.SendTo("by port\n", 8, socatAddress.Port(), address.c_str()) == 8, LastMessage());
            BOOST_REQUIRE_MESSAGE(s.Connect(socatAddress), LastMessage());
            BOOST_TEST(s.Send({{"gath", 4}, {"ered\n", 5}}) == 9, LastMessage());
            const std::string expected = "hello from portafx\nby port\ngathered\n";
            BOOST_TEST(socat.Read(expected.size()) == expected);
            // A datagram larger than our buffer: WSAEMSGSIZE with its first bytes.
            s.bufferSize = 16;
            BOOST_REQUIRE(socat.Write(std::string(100, 'z') + "\n"));
            BOOST_REQUIRE(RunUntil(loop, [&] { return s.datagrams.size() == 2; }));
            BOOST_TEST(s.datagrams[1].error == static_cast<int>(SocketError::MessageSize));
            BOOST_TEST(s.datagrams[1].data == std::string(16, 'z'));
            socat.CloseStdin();
            BOOST_TEST(socat.Wait() == 0);
        }
    }
}

BOOST_AUTO_TEST_CASE(socat_and_blocking_socket_by_host_name) {
    EventLoop loop;
    Socket s(loop);
    s.SetTimeout(10s);
    BOOST_REQUIRE_MESSAGE(s.Create(0, SocketType::Datagram, "localhost"), LastMessage());
    ChildProcess socat(SocatArgs("4", "127.0.0.1", LocalPort(s)));
    BOOST_REQUIRE(socat.Write("ping\n"));
    char buf[64];
    std::string from;
    unsigned port = 0;
    const int n = s.ReceiveFrom(buf, sizeof buf, from, port);  // blocks, pumping the loop
    BOOST_REQUIRE_MESSAGE(n == 5, LastMessage());
    BOOST_TEST(std::string(buf, 5) == "ping\n");
    BOOST_TEST(from == "127.0.0.1");
    BOOST_TEST(s.SendTo("pong\n", 5, port, "localhost") == 5, LastMessage());
    BOOST_TEST(socat.Read(5) == "pong\n");
    socat.CloseStdin();
    BOOST_TEST(socat.Wait() == 0);
}
