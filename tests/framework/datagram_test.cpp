// Datagram sockets on AsyncSocket: IPv4, IPv6 and host names, OnReceive once per ReceiveFrom, truncation
// (WSAEMSGSIZE), connected datagram sockets, gather sends, broadcast and multicast.
#include <portafx/async_socket.hpp>

#define BOOST_TEST_MODULE datagram
#include "datagram_support.hpp"

using namespace portafx;
using namespace portafx::test;

namespace {
int LastError() {
    return AsyncSocket::GetLastError();
}
std::string LastMessage() {
    return AsyncSocket::GetLastErrorInfo().Message();
}
bool Contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}
constexpr int Code(SocketError e) {
    return static_cast<int>(e);
}

boost::test_tools::assertion_result MulticastWorks(int family, const char* group) {
    const std::string why = ProbeLoopbackMulticast(family, group);
    boost::test_tools::assertion_result r(why.empty());
    if (!why.empty()) {
        r.message() << "this kernel does not deliver " << (family == AF_INET ? "IPv4" : "IPv6")
                    << " multicast on the loopback interface (" << why << "); the test is skipped";
    }
    return r;
}
}  // namespace

BOOST_AUTO_TEST_CASE(send_to_and_receive_from_over_ipv4_ipv6_and_host_names) {
    EventLoop loop;
    struct Case {
        const char* bind;     // our socket's address
        const char* peer;     // the raw peer's address
        const char* sendTo;   // how we name the peer
        const char* printed;  // the sender address OnReceive reports
    };
    for (const Case c : {Case{"127.0.0.1", "127.0.0.1", "127.0.0.1", "127.0.0.1"}, Case{"::1", "::1", "::1", "::1"},
                         Case{"localhost", "127.0.0.1", "localhost", "127.0.0.1"},
                         Case{nullptr, "127.0.0.1", "127.0.0.1", "127.0.0.1"},  // dual-stack :: reaches IPv4
                         Case{nullptr, "::1", "::1", "::1"}}) {
        BOOST_TEST_CONTEXT("bound to " << (c.bind ? c.bind : "(none)") << ", peer " << c.peer) {
            Collector s(loop);
            BOOST_REQUIRE_MESSAGE(s.Create(0, SocketType::Datagram, AllEvents, c.bind), LastMessage());
            BOOST_TEST((s.GetSocketType() == SocketType::Datagram));
            UdpPeer peer(c.peer);
            peer.SendTo("to portafx", c.peer, LocalPort(s));
            BOOST_REQUIRE(RunUntil(loop, [&] { return s.datagrams.size() == 1; }));
            BOOST_TEST(s.datagrams[0].data == "to portafx");
            BOOST_TEST(s.datagrams[0].from.Address() == c.printed);
            BOOST_TEST(s.datagrams[0].from.Port() == peer.Port());
            BOOST_TEST(s.SendTo("to the peer", 11, peer.Port(), c.sendTo) == 11, LastMessage());
            udp::endpoint from;
            BOOST_TEST(peer.Receive(&from) == "to the peer");
            BOOST_TEST(from.port() == LocalPort(s));
            // The sender address from OnReceive is a destination as it is.
            BOOST_TEST(s.SendTo("reply", 5, s.datagrams[0].from) == 5, LastMessage());
            BOOST_TEST(peer.Receive() == "reply");
        }
    }
}

BOOST_AUTO_TEST_CASE(on_receive_once_per_receive_from) {
    EventLoop loop;
    Collector s(loop);
    BOOST_REQUIRE(s.Create(0, SocketType::Datagram, AllEvents, "127.0.0.1"));
    s.readInOnReceive = false;
    UdpPeer peer;
    for (const char* d : {"one", "two", "three"})
        peer.SendTo(d, "127.0.0.1", LocalPort(s));
    BOOST_REQUIRE(RunUntil(loop, [&] { return s.receives == 1; }));
    Drain(loop);
    BOOST_TEST(s.receives == 1);  // no ReceiveFrom: no further OnReceive, though datagrams wait
    unsigned long first = 0;
    BOOST_REQUIRE(s.IOCtl(FionRead, &first));
    BOOST_TEST(first == 3u);  // FIONREAD: the size of the first datagram
    s.ReceiveOne();           // outside a notification: re-enables OnReceive; two datagrams still wait
    s.readInOnReceive = true;
    BOOST_REQUIRE(RunUntil(loop, [&] { return s.datagrams.size() == 3; }));
    Drain(loop);
    BOOST_TEST(s.receives == 3);  // one per remaining datagram, each one datagram
    BOOST_TEST(s.datagrams[0].data == "one");
    BOOST_TEST(s.datagrams[1].data == "two");
    BOOST_TEST(s.datagrams[2].data == "three");
    // Nothing queued: a ReceiveFrom fails with WouldBlock, and no OnReceive comes until a datagram does.
    char buf[8];
    SocketAddress from;
    BOOST_TEST(s.ReceiveFrom(buf, sizeof buf, from) == SocketErrorResult);
    BOOST_TEST(LastError() == Code(SocketError::WouldBlock));
    Drain(loop);
    BOOST_TEST(s.receives == 3);
    BOOST_TEST(s.closes == 0);  // datagram sockets never get OnClose
    peer.SendTo("four", "127.0.0.1", LocalPort(s));
    BOOST_REQUIRE(RunUntil(loop, [&] { return s.datagrams.size() == 4; }));
    BOOST_TEST(s.datagrams[3].data == "four");
}

BOOST_AUTO_TEST_CASE(a_datagram_larger_than_the_buffer_is_message_size_with_its_first_bytes) {
    EventLoop loop;
    Collector s(loop);
    BOOST_REQUIRE(s.Create(0, SocketType::Datagram, AllEvents, "127.0.0.1"));
    s.bufferSize = 4;
    UdpPeer peer;
    peer.SendTo("0123456789", "127.0.0.1", LocalPort(s));
    peer.SendTo("abc", "127.0.0.1", LocalPort(s));
    BOOST_REQUIRE(RunUntil(loop, [&] { return s.datagrams.size() == 2; }));
    BOOST_TEST(s.datagrams[0].result == SocketErrorResult);
    BOOST_TEST(s.datagrams[0].error == Code(SocketError::MessageSize));  // 10040
    BOOST_TEST(s.datagrams[0].data == "0123");
    BOOST_TEST(s.datagrams[0].from.Port() == peer.Port());  // the sender is known even so
    // The rest of the truncated datagram is gone (as in Winsock): the next one comes whole.
    BOOST_TEST(s.datagrams[1].result == 3);
    BOOST_TEST(s.datagrams[1].data == "abc");

    // The message says how large it was; a peek that truncates keeps the datagram queued.
    peer.SendTo("0123456789", "127.0.0.1", LocalPort(s));
    BOOST_REQUIRE(WaitReadable(s.GetHandle()));
    s.readInOnReceive = false;
    char buf[4];
    SocketAddress from;
    BOOST_TEST(s.ReceiveFrom(buf, 4, from, MsgPeek) == SocketErrorResult);
    BOOST_TEST(LastError() == Code(SocketError::MessageSize));
    BOOST_TEST(Contains(LastMessage(), "the datagram had 10 bytes; the first 4 were kept"), LastMessage());
    BOOST_TEST(s.Receive(buf, 4) == SocketErrorResult);  // Receive too
    BOOST_TEST(LastError() == Code(SocketError::MessageSize));
    BOOST_TEST(std::string(buf, 4) == "0123");
}

BOOST_AUTO_TEST_CASE(empty_and_oversized_datagrams) {
    EventLoop loop;
    Collector s(loop);
    BOOST_REQUIRE(s.Create(0, SocketType::Datagram, AllEvents, "127.0.0.1"));
    UdpPeer peer;
    peer.SendTo("", "127.0.0.1", LocalPort(s));
    BOOST_REQUIRE(RunUntil(loop, [&] { return s.datagrams.size() == 1; }));
    BOOST_TEST(s.datagrams[0].result == 0);  // an empty datagram, not an end of stream
    BOOST_TEST(s.closes == 0);
    std::string big(70000, 'x');  // more than the 65507 bytes a UDP/IPv4 datagram can carry
    SocketAddress to = SocketAddress::Loopback(AddressFamily::IPv4, peer.Port());
    BOOST_TEST(s.SendTo(big.data(), static_cast<int>(big.size()), to) == SocketErrorResult);
    BOOST_TEST(LastError() == Code(SocketError::MessageSize));
    BOOST_TEST(s.SendTo("x", 1, SocketAddress()) == SocketErrorResult);
    BOOST_TEST(LastError() == Code(SocketError::DestinationRequired));
    BOOST_TEST(s.SendTo("x", 1, 9, "no-such-host.invalid") == SocketErrorResult);
    BOOST_TEST(LastError() == Code(SocketError::HostNotFound));
    BOOST_TEST(Contains(LastMessage(), "cannot resolve host name 'no-such-host.invalid'"), LastMessage());
    BOOST_TEST(!s.Listen());
    BOOST_TEST(LastError() == Code(SocketError::OperationNotSupported));
}

BOOST_AUTO_TEST_CASE(connected_datagram_socket) {
    EventLoop loop;
    Collector s(loop);
    BOOST_REQUIRE(s.Create(0, SocketType::Datagram, AllEvents, "127.0.0.1"));
    UdpPeer peer, stranger;
    BOOST_REQUIRE_MESSAGE(s.Connect("localhost", peer.Port()), LastMessage());  // completes at once
    std::string address;
    unsigned port = 0;
    BOOST_REQUIRE(s.GetPeerName(address, port));
    BOOST_TEST(address == "127.0.0.1");
    BOOST_TEST(port == peer.Port());
    BOOST_TEST(s.Send("hi", 2) == 2);
    BOOST_TEST(peer.Receive() == "hi");
    // Only the peer's datagrams arrive: the stranger's is dropped by the system.
    stranger.SendTo("intruder", "127.0.0.1", LocalPort(s));
    peer.SendTo("from peer", "127.0.0.1", LocalPort(s));
    BOOST_REQUIRE(RunUntil(loop, [&] { return s.datagrams.size() == 1; }));
    BOOST_TEST(s.datagrams[0].data == "from peer");
    // Gather send: the buffers make one datagram, in one system call.
    BOOST_TEST(s.Send({{"ab", 2}, {"", 0}, {"cde", 3}, {"f", 1}}) == 6);
    BOOST_TEST(peer.Receive() == "abcdef");
    // Connecting again changes the default peer.
    BOOST_REQUIRE(s.Connect(SocketAddress::Loopback(AddressFamily::IPv4, stranger.Port())));
    BOOST_TEST(s.Send("now you", 7) == 7);
    BOOST_TEST(stranger.Receive() == "now you");
    Drain(loop);
    BOOST_TEST(s.connects == 0);  // a datagram connect is not a notification
    BOOST_TEST(s.closes == 0);
}

BOOST_AUTO_TEST_CASE(an_all_zero_address_dissolves_the_association) {
    EventLoop loop;
    Collector s(loop);
    BOOST_REQUIRE(s.Create(0, SocketType::Datagram, AllEvents, "::1"));
    UdpPeer peer("::1"), other("::1");
    BOOST_REQUIRE(s.Connect("::1", peer.Port()));
    BOOST_REQUIRE(s.Connect(SocketAddress::Any(AddressFamily::IPv6)));  // Winsock's way to disconnect
    SocketAddress none;
    BOOST_TEST(!s.GetPeerName(none));
    BOOST_TEST(LastError() == Code(SocketError::NotConnected));
    BOOST_TEST(s.Send("x", 1) == SocketErrorResult);
    BOOST_TEST(LastError() == Code(SocketError::NotConnected));  // 10057, as Winsock says
    // Datagrams from anyone arrive again, and SendTo reaches anyone.
    other.SendTo("from other", "::1", LocalPort(s));
    BOOST_REQUIRE(RunUntil(loop, [&] { return s.datagrams.size() == 1; }));
    BOOST_TEST(s.datagrams[0].data == "from other");
    BOOST_TEST(s.SendTo("to other", 8, s.datagrams[0].from) == 8);
    BOOST_TEST(other.Receive() == "to other");
}

BOOST_AUTO_TEST_CASE(an_unreachable_port_is_connection_reset_as_in_winsock) {
    EventLoop loop;
    Collector s(loop);
    BOOST_REQUIRE(s.Create(0, SocketType::Datagram, AllEvents, "127.0.0.1"));
    unsigned closedPort = 0;
    {
        UdpPeer gone;
        closedPort = gone.Port();
    }
    BOOST_REQUIRE(s.Connect(SocketAddress::Loopback(AddressFamily::IPv4, closedPort)));
    BOOST_TEST(s.Send("anyone?", 7) == 7);
    // The ICMP port-unreachable makes the socket readable; the ReceiveFrom in OnReceive reports it.
    BOOST_REQUIRE(RunUntil(loop, [&] { return s.datagrams.size() == 1; }));
    BOOST_TEST(s.datagrams[0].result == SocketErrorResult);
    BOOST_TEST(s.datagrams[0].error == Code(SocketError::ConnectionReset));  // 10054, as Winsock reports it
    BOOST_TEST(s.closes == 0);
    // The socket stays usable.
    UdpPeer peer;
    BOOST_REQUIRE(s.Connect(SocketAddress::Loopback(AddressFamily::IPv4, peer.Port())));
    BOOST_TEST(s.Send("still here", 10) == 10);
    BOOST_TEST(peer.Receive() == "still here");
}

BOOST_AUTO_TEST_CASE(broadcast_needs_the_option) {
    EventLoop loop;
    AsyncSocket sender(loop);
    BOOST_REQUIRE(sender.Create(0, SocketType::Datagram, AllEvents, "127.0.0.1"));
    Collector receiver(loop);  // broadcasts reach sockets bound to the wildcard address
    BOOST_REQUIRE(receiver.Create(0, SocketType::Datagram, AllEvents, "0.0.0.0"));
    bool on = true;
    BOOST_REQUIRE(sender.GetBroadcast(on));
    BOOST_TEST(!on);
    // Without SO_BROADCAST the system refuses, as Winsock does: WSAEACCES. MFC's SendTo with no host
    // means the broadcast address 255.255.255.255: refused too, so nothing leaves the host.
    BOOST_TEST(sender.SendTo("b", 1, LocalPort(receiver), "127.255.255.255") == SocketErrorResult);
    BOOST_TEST(LastError() == Code(SocketError::AccessDenied));
    BOOST_TEST(sender.SendTo("b", 1, LocalPort(receiver)) == SocketErrorResult);
    BOOST_TEST(LastError() == Code(SocketError::AccessDenied));
    BOOST_REQUIRE(sender.SetBroadcast(true));
    BOOST_REQUIRE(sender.GetBroadcast(on));
    BOOST_TEST(on);
    // The loopback network's broadcast address stays on this host.
    BOOST_TEST(sender.SendTo("broadcast", 9, LocalPort(receiver), "127.255.255.255") == 9, LastMessage());
    BOOST_REQUIRE(RunUntil(loop, [&] { return receiver.datagrams.size() == 1; }));
    BOOST_TEST(receiver.datagrams[0].data == "broadcast");
    BOOST_TEST(receiver.datagrams[0].from.Port() == LocalPort(sender));
}

BOOST_AUTO_TEST_CASE(multicast_options_and_their_errors) {
    EventLoop loop;
    AsyncSocket v4(loop), v6(loop), v6only(loop);
    BOOST_REQUIRE(v4.Create(0, SocketType::Datagram, AllEvents, "0.0.0.0"));
    BOOST_REQUIRE(v6.Create(0, SocketType::Datagram, AllEvents, "::"));
    BOOST_REQUIRE(v6only.Socket(SocketType::Datagram, AllEvents, 0, AddressFamily::IPv6));
    BOOST_REQUIRE(v6only.SetIPv6Only(true));

    BOOST_TEST(!v4.JoinMulticastGroup("127.0.0.1"));
    BOOST_TEST(LastError() == Code(SocketError::InvalidArgument));
    BOOST_TEST(Contains(LastMessage(), "'127.0.0.1' is not a numeric multicast address"), LastMessage());
    BOOST_TEST(!v4.JoinMulticastGroup("239.255.0.1", "no-such-if0"));
    BOOST_TEST(LastError() == Code(SocketError::InvalidArgument));
    BOOST_TEST(Contains(LastMessage(), "no network interface 'no-such-if0'"), LastMessage());
    BOOST_TEST(!v4.JoinMulticastGroup("ff02::1:3", "lo"));
    BOOST_TEST(LastError() == Code(SocketError::AddressFamilyNotSupported));
    BOOST_TEST(!v6only.JoinMulticastGroup("239.255.0.1", "lo"));
    BOOST_TEST(LastError() == Code(SocketError::AddressFamilyNotSupported));

    for (const char* iface : {"lo", "1", "127.0.0.1"}) {  // name, index, address
        BOOST_TEST_CONTEXT("interface " << iface) {
            if (std::string(iface) == "1" && ::if_nametoindex("lo") != 1) continue;
            BOOST_TEST(v4.JoinMulticastGroup("239.255.0.1", iface), LastMessage());
            BOOST_TEST(!v4.JoinMulticastGroup("239.255.0.1", iface));
            BOOST_TEST(LastError() == Code(SocketError::AddressInUse));
            BOOST_TEST(Contains(LastMessage(), "group 239.255.0.1 is already joined"), LastMessage());
            BOOST_TEST(v4.LeaveMulticastGroup("239.255.0.1", iface), LastMessage());
            BOOST_TEST(!v4.LeaveMulticastGroup("239.255.0.1", iface));
            BOOST_TEST(LastError() == Code(SocketError::AddressNotAvailable));
            BOOST_TEST(Contains(LastMessage(), "group 239.255.0.1 was not joined"), LastMessage());
        }
    }
    // IPv6 groups on an IPv6 socket, IPv4 groups on a dual-stack one.
    BOOST_TEST(v6.JoinMulticastGroup("ff02::1:3", "lo"), LastMessage());
    BOOST_TEST(!v6.JoinMulticastGroup("ff02::1:3", "lo"));
    BOOST_TEST(LastError() == Code(SocketError::AddressInUse));
    BOOST_TEST(v6.LeaveMulticastGroup("ff02::1:3", "lo"), LastMessage());
    BOOST_TEST(!v6.LeaveMulticastGroup("ff02::1:3", "lo"));
    BOOST_TEST(LastError() == Code(SocketError::AddressNotAvailable));
    BOOST_TEST(v6.JoinMulticastGroup("ff02::1:3%lo"), LastMessage());  // the zone names the interface
    BOOST_TEST(v6.LeaveMulticastGroup("ff02::1:3", "lo"), LastMessage());
    BOOST_TEST(v6.JoinMulticastGroup("239.255.0.2", "127.0.0.1"), LastMessage());
    BOOST_TEST(v6.LeaveMulticastGroup("239.255.0.2", "127.0.0.1"), LastMessage());

    for (AsyncSocket* s : {&v4, &v6}) {
        int hops = -1;
        BOOST_TEST(s->GetMulticastTtl(hops));
        BOOST_TEST(hops == 1);  // the system's default: the local network only
        BOOST_TEST(s->SetMulticastTtl(7));
        BOOST_TEST(s->GetMulticastTtl(hops));
        BOOST_TEST(hops == 7);
        BOOST_TEST(!s->SetMulticastTtl(256));
        BOOST_TEST(LastError() == Code(SocketError::InvalidArgument));
        bool loopback = false;
        BOOST_TEST(s->GetMulticastLoopback(loopback));
        BOOST_TEST(loopback);
        BOOST_TEST(s->SetMulticastLoopback(false));
        BOOST_TEST(s->GetMulticastLoopback(loopback));
        BOOST_TEST(!loopback);
        BOOST_TEST(s->SetMulticastInterface("lo"), LastMessage());
        BOOST_TEST(s->SetMulticastInterface(nullptr), LastMessage());  // the system's choice again
        BOOST_TEST(!s->SetMulticastInterface("no-such-if0"));
        BOOST_TEST(LastError() == Code(SocketError::InvalidArgument));
    }
    AsyncSocket none(loop);
    BOOST_TEST(!none.JoinMulticastGroup("239.255.0.1"));
    BOOST_TEST(LastError() == Code(SocketError::NotSocket));
}

BOOST_AUTO_TEST_CASE(ipv4_multicast_on_loopback, *boost::unit_test::precondition([](boost::unit_test::test_unit_id) {
                         return MulticastWorks(AF_INET, "239.255.42.1");
                     })) {
    EventLoop loop;
    for (const char* senderBind : {"127.0.0.1", "::"}) {  // an IPv4 socket, and a dual-stack one sending IPv4
        BOOST_TEST_CONTEXT("sender bound to " << senderBind) {
            Collector member(loop);
            BOOST_REQUIRE(member.Create(0, SocketType::Datagram, AllEvents, "0.0.0.0"));
            BOOST_REQUIRE_MESSAGE(member.JoinMulticastGroup("239.255.42.1", "lo"), LastMessage());
            AsyncSocket sender(loop);
            BOOST_REQUIRE(sender.Create(0, SocketType::Datagram, AllEvents, senderBind));
            BOOST_REQUIRE_MESSAGE(sender.SetMulticastInterface("lo"), LastMessage());
            BOOST_REQUIRE(sender.SetMulticastTtl(1));
            BOOST_TEST(sender.SendTo("to the group", 12, LocalPort(member), "239.255.42.1") == 12, LastMessage());
            BOOST_REQUIRE(RunUntil(loop, [&] { return member.datagrams.size() == 1; }));
            BOOST_TEST(member.datagrams[0].data == "to the group");
            BOOST_TEST(member.datagrams[0].from.Address() == "127.0.0.1");
            BOOST_TEST(member.datagrams[0].from.Port() == LocalPort(sender));
            // After leaving, group datagrams no longer arrive: the unicast one sent after it comes first.
            BOOST_REQUIRE(member.LeaveMulticastGroup("239.255.42.1", "lo"));
            BOOST_TEST(sender.SendTo("group again", 11, LocalPort(member), "239.255.42.1") == 11);
            BOOST_TEST(sender.SendTo("unicast", 7, LocalPort(member), "127.0.0.1") == 7);
            BOOST_REQUIRE(RunUntil(loop, [&] { return member.datagrams.size() == 2; }));
            BOOST_TEST(member.datagrams[1].data == "unicast");
        }
    }
}

BOOST_AUTO_TEST_CASE(ipv6_multicast_on_loopback, *boost::unit_test::precondition([](boost::unit_test::test_unit_id) {
                         return MulticastWorks(AF_INET6, "ff02::4242");
                     })) {
    EventLoop loop;
    Collector member(loop);
    BOOST_REQUIRE(member.Create(0, SocketType::Datagram, AllEvents, "::"));
    BOOST_REQUIRE_MESSAGE(member.JoinMulticastGroup("ff02::4242", "lo"), LastMessage());
    AsyncSocket sender(loop);
    BOOST_REQUIRE(sender.Create(0, SocketType::Datagram, AllEvents, "::1"));
    BOOST_REQUIRE_MESSAGE(sender.SetMulticastInterface("lo"), LastMessage());
    BOOST_TEST(sender.SendTo("to the v6 group", 15, LocalPort(member), "ff02::4242%lo") == 15, LastMessage());
    BOOST_REQUIRE(RunUntil(loop, [&] { return member.datagrams.size() == 1; }));
    BOOST_TEST(member.datagrams[0].data == "to the v6 group");
    BOOST_TEST(member.datagrams[0].from.Port() == LocalPort(sender));
    BOOST_REQUIRE(member.LeaveMulticastGroup("ff02::4242", "lo"));
    BOOST_TEST(sender.SendTo("group again", 11, LocalPort(member), "ff02::4242%lo") == 11);
    BOOST_TEST(sender.SendTo("unicast", 7, LocalPort(member), "::1") == 7);
    BOOST_REQUIRE(RunUntil(loop, [&] { return member.datagrams.size() == 2; }));
    BOOST_TEST(member.datagrams[1].data == "unicast");
}
