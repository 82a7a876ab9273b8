// SocketError: WSA numbers, the category, messages, and the errno mapping.
#include <portafx/socket_error.hpp>

#define BOOST_TEST_MODULE socket_error
#include <boost/test/unit_test.hpp>

#include <netdb.h>

#include <cerrno>

using namespace portafx;

BOOST_AUTO_TEST_CASE(values_are_the_wsa_numbers) {
    BOOST_TEST(static_cast<int>(SocketError::WouldBlock) == 10035);
    BOOST_TEST(static_cast<int>(SocketError::ConnectionReset) == 10054);
    BOOST_TEST(static_cast<int>(SocketError::ConnectionRefused) == 10061);
    BOOST_TEST(static_cast<int>(SocketError::TimedOut) == 10060);
    BOOST_TEST(static_cast<int>(SocketError::AddressInUse) == 10048);
    BOOST_TEST(static_cast<int>(SocketError::AddressNotAvailable) == 10049);
    BOOST_TEST(static_cast<int>(SocketError::AccessDenied) == 10013);
    BOOST_TEST(static_cast<int>(SocketError::HostNotFound) == 11001);
    BOOST_TEST(static_cast<int>(SocketError::Interrupted) == 10004);
    BOOST_TEST(static_cast<int>(SocketError::ConnectionAborted) == 10053);
    BOOST_TEST(static_cast<int>(SocketError::MessageSize) == 10040);
}

BOOST_AUTO_TEST_CASE(error_code_and_category) {
    std::error_code ec = SocketError::WouldBlock;
    BOOST_TEST(ec.value() == 10035);
    BOOST_TEST(std::string(ec.category().name()) == "portafx.socket");
    BOOST_TEST(ec.message() == "A non-blocking socket operation could not be completed immediately.");
    BOOST_TEST(ec == SocketError::WouldBlock);
    BOOST_TEST(!std::error_code(SocketError::Success));
}

BOOST_AUTO_TEST_CASE(every_code_has_a_name_and_message) {
    for (int code : {6, 10004, 10013, 10014, 10022, 10035, 10048, 10049, 10053, 10054, 10060, 10061, 11001}) {
        BOOST_TEST(std::string(SocketErrorName(code)).rfind("WSA", 0) == 0);
        BOOST_TEST(SocketErrorMessage(code).size() > 10u);
    }
    BOOST_TEST(std::string(SocketErrorName(10035)) == "WSAEWOULDBLOCK");
    BOOST_TEST(SocketErrorMessage(4242) == "Unknown socket error 4242.");
}

BOOST_AUTO_TEST_CASE(errno_mapping) {
    BOOST_TEST(FromErrno(EAGAIN) == SocketError::WouldBlock);
    BOOST_TEST(FromErrno(ECONNRESET) == SocketError::ConnectionReset);
    BOOST_TEST(FromErrno(EPIPE) == SocketError::ConnectionReset);
    BOOST_TEST(FromErrno(ECONNREFUSED) == SocketError::ConnectionRefused);
    BOOST_TEST(FromErrno(EACCES) == SocketError::AccessDenied);
    BOOST_TEST(FromErrno(EADDRINUSE) == SocketError::AddressInUse);
    BOOST_TEST(FromErrno(EADDRNOTAVAIL) == SocketError::AddressNotAvailable);
    BOOST_TEST(FromErrno(ETIMEDOUT) == SocketError::TimedOut);
    BOOST_TEST(FromErrno(EMFILE) == SocketError::TooManyOpenFiles);
    BOOST_TEST(FromErrno(0) == SocketError::Success);
    BOOST_TEST(FromResolverError(EAI_NONAME) == SocketError::HostNotFound);
    BOOST_TEST(FromResolverError(EAI_AGAIN) == SocketError::TryAgain);
    BOOST_TEST(FromResolverError(EAI_FAIL) == SocketError::NoRecovery);
    BOOST_TEST(FromResolverError(EAI_SYSTEM, EMFILE) == SocketError::TooManyOpenFiles);
}

BOOST_AUTO_TEST_CASE(info_message_says_what_and_why) {
    SocketErrorInfo info{10022, "Create", "port 70000 is out of range (0-65535)"};
    BOOST_TEST(info.Message() ==
               "Create: port 70000 is out of range (0-65535) (WSAEINVAL 10022: An invalid argument was supplied.)");
}
