// SocketAddress: parsing and printing IPv4/IPv6 endpoints.
#include <portafx/socket_address.hpp>

#define BOOST_TEST_MODULE socket_address
#include <boost/test/unit_test.hpp>

using namespace portafx;

BOOST_AUTO_TEST_CASE(ipv4) {
    SocketAddress a;
    BOOST_REQUIRE(SocketAddress::Parse("127.0.0.1", 8080, a));
    BOOST_TEST((a.Family() == AddressFamily::IPv4));
    BOOST_TEST(a.Port() == 8080u);
    BOOST_TEST(a.Address() == "127.0.0.1");
    BOOST_TEST(a.ToString() == "127.0.0.1:8080");
    BOOST_TEST(a.IsLoopback());
    a.SetPort(1);
    BOOST_TEST(a.ToString() == "127.0.0.1:1");
}

BOOST_AUTO_TEST_CASE(ipv6_and_mapped) {
    SocketAddress a;
    BOOST_REQUIRE(SocketAddress::Parse("::1", 443, a));
    BOOST_TEST((a.Family() == AddressFamily::IPv6));
    BOOST_TEST(a.ToString() == "[::1]:443");
    BOOST_TEST(a.IsLoopback());
    SocketAddress m;
    BOOST_REQUIRE(SocketAddress::Parse("::ffff:10.1.2.3", 7, m));
    BOOST_TEST(m.IsV4Mapped());
    BOOST_TEST(m.Address() == "10.1.2.3");
    SocketAddress v4;
    BOOST_REQUIRE(SocketAddress::Parse("10.1.2.3", 7, v4));
    BOOST_TEST((v4.ToV4Mapped() == m));
    BOOST_TEST((v4 != m));
}

BOOST_AUTO_TEST_CASE(rejects_what_is_not_numeric) {
    SocketAddress a;
    for (const char* bad : {"", "localhost", "300.1.1.1", "1.2.3", "::g", "1.2.3.4.5", "fe80::1%no-such-if0"}) {
        BOOST_TEST(!SocketAddress::Parse(bad, 1, a), bad);
    }
    BOOST_TEST(!SocketAddress::Parse(nullptr, 1, a));
    BOOST_TEST(!SocketAddress::Parse("127.0.0.1", 70000, a));
    BOOST_TEST(!a.IsValid());
    BOOST_TEST(a.ToString().empty());
}

BOOST_AUTO_TEST_CASE(any_and_loopback) {
    BOOST_TEST(SocketAddress::Any(AddressFamily::IPv6, 5).ToString() == "[::]:5");
    BOOST_TEST(SocketAddress::Any(AddressFamily::IPv4).ToString() == "0.0.0.0:0");
    BOOST_TEST(SocketAddress::Loopback(AddressFamily::IPv6, 9).ToString() == "[::1]:9");
    BOOST_TEST(SocketAddress::Loopback(AddressFamily::IPv4, 9).ToString() == "127.0.0.1:9");
}
