// Bad input fails with the right SocketError and a message that says what and why.
#include <portafx/async_socket.hpp>

#define BOOST_TEST_MODULE async_socket_errors
#include "allocation_counter.hpp"
#include "loopback.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <thread>

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
}  // namespace

BOOST_AUTO_TEST_CASE(port_out_of_range) {
    EventLoop loop;
    AsyncSocket s(loop);
    BOOST_TEST(!s.Create(70000));
    BOOST_TEST(LastError() == static_cast<int>(SocketError::InvalidArgument));
    BOOST_TEST(Contains(LastMessage(), "Create: port 70000 is out of range (0-65535)"), LastMessage());
    BOOST_TEST(!s.IsOpen());
}

BOOST_AUTO_TEST_CASE(malformed_addresses) {
    EventLoop loop;
    for (const char* bad : {"300.1.2.3", "1.2.3.4.5", "::zz", "bad host!", "-leading.example"}) {
        AsyncSocket s(loop);
        BOOST_TEST(!s.Create(0, SocketType::Stream, AllEvents, bad), bad);
        BOOST_TEST(LastError() == static_cast<int>(SocketError::InvalidArgument), bad);
        BOOST_TEST(Contains(LastMessage(), "neither a numeric IP address nor a valid host name"), LastMessage());
        BOOST_TEST(!s.IsOpen());
    }
}

BOOST_AUTO_TEST_CASE(unknown_host) {
    EventLoop loop;
    AsyncSocket s(loop);
    BOOST_TEST(!s.Create(0, SocketType::Stream, AllEvents, "no-such-host.invalid"));
    BOOST_TEST(LastError() == static_cast<int>(SocketError::HostNotFound));
    BOOST_TEST(Contains(LastMessage(), "cannot resolve host name 'no-such-host.invalid'"), LastMessage());
    BOOST_TEST(Contains(LastMessage(), "WSAHOST_NOT_FOUND 11001"), LastMessage());
}

BOOST_AUTO_TEST_CASE(address_not_of_this_host) {
    EventLoop loop;
    AsyncSocket s(loop);
    BOOST_TEST(!s.Create(0, SocketType::Stream, AllEvents, "192.0.2.1"));  // TEST-NET-1, never local
    BOOST_TEST(LastError() == static_cast<int>(SocketError::AddressNotAvailable));
    BOOST_TEST(Contains(LastMessage(), "192.0.2.1 is not an address of this host"), LastMessage());
    BOOST_TEST(!s.IsOpen());  // Create closes what it made when Bind fails
}

BOOST_AUTO_TEST_CASE(host_name_as_bind_address) {
    EventLoop loop;
    AsyncSocket s(loop);
    BOOST_REQUIRE_MESSAGE(s.Create(0, SocketType::Stream, AllEvents, "localhost"), LastMessage());
    std::string address;
    unsigned port = 0;
    BOOST_REQUIRE(s.GetSockName(address, port));
    BOOST_TEST((address == "127.0.0.1" || address == "::1"), address);
    BOOST_TEST(port != 0u);
}

BOOST_AUTO_TEST_CASE(port_in_use_with_exclusive_option) {
    EventLoop loop;
    AsyncSocket first(loop);
    BOOST_REQUIRE(first.Create(0, SocketType::Stream, AllEvents, "127.0.0.1"));
    BOOST_REQUIRE(first.Listen());
    const unsigned port = LocalPort(first);
    AsyncSocket second(loop);
    BOOST_REQUIRE(second.SetExclusiveAddressUse(true));  // before Create: applied when it is made
    BOOST_TEST(!second.Create(port, SocketType::Stream, AllEvents, "127.0.0.1"));
    BOOST_TEST(LastError() == static_cast<int>(SocketError::AddressInUse));
    BOOST_TEST(Contains(LastMessage(), "127.0.0.1:" + std::to_string(port) + " is already in use"), LastMessage());
    BOOST_TEST(!second.IsOpen());
    bool reuse = true;
    AsyncSocket third(loop);
    BOOST_REQUIRE(third.SetExclusiveAddressUse(true));
    BOOST_REQUIRE(third.Create(0, SocketType::Stream, AllEvents, "127.0.0.1"));
    BOOST_REQUIRE(third.GetReuseAddress(reuse));
    BOOST_TEST(!reuse);
}

BOOST_AUTO_TEST_CASE(restarted_server_rebinds_at_once) {
    EventLoop loop;
    unsigned port = 0;
    {
        Recorder server(loop);
        BOOST_REQUIRE(server.Create(0, SocketType::Stream, AllEvents, "127.0.0.1"));
        port = LocalPort(server);
        server.Close();
        BOOST_REQUIRE(server.Create(port, SocketType::Stream, AllEvents, "127.0.0.1"));  // reuse on
        bool reuse = false;
        BOOST_REQUIRE(server.GetReuseAddress(reuse));
        BOOST_TEST(reuse);
        BOOST_REQUIRE(server.Listen());
        Peer peer;
        peer.Connect("127.0.0.1", port);
        Recorder accepted(loop);
        BOOST_REQUIRE(RunUntil(loop, [&] { return server.accepts == 1; }));
        BOOST_REQUIRE(server.Accept(accepted));
        accepted.Close();  // the server closes first: its side of the connection lingers in TIME_WAIT
        server.Close();
        char c;
        boost::system::error_code ec;
        peer.socket.read_some(asio::buffer(&c, 1), ec);
        BOOST_TEST(ec == asio::error::eof);
    }
    Recorder restarted(loop);
    BOOST_TEST(restarted.Create(port, SocketType::Stream, AllEvents, "127.0.0.1"), LastMessage());
    BOOST_TEST(restarted.Listen(), LastMessage());
}

BOOST_AUTO_TEST_CASE(privileged_port_without_permission) {
    int start = 1024;
    std::ifstream("/proc/sys/net/ipv4/ip_unprivileged_port_start") >> start;
    if (start <= 1) {
        BOOST_TEST_MESSAGE("this system has no privileged ports (ip_unprivileged_port_start=" << start << ")");
        BOOST_TEST(FromErrno(EACCES) == SocketError::AccessDenied);
        return;
    }
    const unsigned port = static_cast<unsigned>(start) - 1;
    // As root, drop privileges in a child so that the bind is really refused.
    const pid_t pid = ::fork();
    BOOST_REQUIRE(pid >= 0);
    if (pid == 0) {
        if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(3);
        EventLoop loop;
        AsyncSocket s(loop);
        const bool ok = s.Create(port, SocketType::Stream, AllEvents, "127.0.0.1");
        const bool right = !ok && LastError() == static_cast<int>(SocketError::AccessDenied) &&
                           Contains(LastMessage(), "needs privileges");
        if (!right) std::fprintf(stderr, "unexpected: ok=%d %s\n", ok, LastMessage().c_str());
        ::_exit(right ? 0 : 1);
    }
    int status = 0;
    BOOST_REQUIRE(::waitpid(pid, &status, 0) == pid);
    BOOST_TEST(WIFEXITED(status));
    BOOST_TEST(WEXITSTATUS(status) == 0);
}

BOOST_AUTO_TEST_CASE(calls_without_a_handle) {
    EventLoop loop;
    AsyncSocket s(loop);
    char c;
    BOOST_TEST(s.Send(&c, 1) == SocketErrorResult);
    BOOST_TEST(LastError() == static_cast<int>(SocketError::NotSocket));
    BOOST_TEST(Contains(LastMessage(), "Send: the socket has no handle"), LastMessage());
    BOOST_TEST(!s.Listen());
    BOOST_TEST(!s.AsyncSelect(FdRead));
    BOOST_TEST(s.Detach() == InvalidHandle);
    BOOST_TEST(LastError() == static_cast<int>(SocketError::NoHandle));
    BOOST_REQUIRE(s.Create());
    BOOST_TEST(!s.Create());
    BOOST_TEST(LastError() == static_cast<int>(SocketError::InvalidArgument));
    BOOST_TEST(s.Receive(nullptr, 5) == SocketErrorResult);
    BOOST_TEST(LastError() == static_cast<int>(SocketError::Fault));
    BOOST_TEST(!s.AsyncSelect(0x4000));
    BOOST_TEST(LastError() == static_cast<int>(SocketError::InvalidArgument));
    BOOST_TEST(!s.ShutDown(7));
    BOOST_TEST(LastError() == static_cast<int>(SocketError::InvalidArgument));
}

// A WouldBlock and a success keep their texts by address (they copy nothing on the hot path) and hand them out
// when asked: the texts must be those of the last call, whatever was recorded before it.
BOOST_AUTO_TEST_CASE(would_block_and_success_report_the_last_call) {
    EventLoop loop;
    AcceptedPair pair(loop);
    char buf[8];
    BOOST_TEST(pair.server.Receive(buf, sizeof buf) == SocketErrorResult);
    BOOST_TEST(LastError() == static_cast<int>(SocketError::WouldBlock));
    BOOST_TEST(AsyncSocket::GetLastErrorInfo().operation == "Receive");
    BOOST_TEST(AsyncSocket::GetLastErrorInfo().detail == "no data is queued");

    // A text set by hand, then a WouldBlock again: the WouldBlock's texts, not the hand-set ones.
    {
        std::string detail = "a detail that lives on the heap, longer than any small-string buffer";
        AsyncSocket::SetLastError(static_cast<int>(SocketError::TimedOut), "Test", detail);
    }
    BOOST_TEST(AsyncSocket::GetLastErrorInfo().detail.size() > 40u);
    SocketAddress from;
    BOOST_TEST(pair.server.ReceiveFrom(buf, sizeof buf, from) == SocketErrorResult);
    BOOST_TEST(LastError() == static_cast<int>(SocketError::WouldBlock));
    BOOST_TEST(LastMessage().find("ReceiveFrom: no data is queued (WSAEWOULDBLOCK 10035") == 0u, LastMessage());

    // A success clears the code and both texts, read twice to the same answer.
    BOOST_TEST(pair.server.Send("x", 1) == 1);
    BOOST_TEST(LastError() == 0);
    BOOST_TEST(AsyncSocket::GetLastErrorInfo().operation.empty());
    BOOST_TEST(AsyncSocket::GetLastErrorInfo().detail.empty());
    BOOST_TEST(AsyncSocket::GetLastErrorInfo().code == 0);

    // A failure with a caller's text after a fixed one: the caller's text, copied at once (it may not outlive
    // the call).
    const SocketErrorInfo& info = AsyncSocket::GetLastErrorInfo();
    BOOST_TEST(pair.server.Send("y", 1) == 1);  // a success not yet read back, then the caller's error
    {
        std::string detail = "set from a temporary";
        AsyncSocket::SetLastError(static_cast<int>(SocketError::TimedOut), std::string("Made").c_str(), detail);
    }
    BOOST_TEST(AsyncSocket::GetLastErrorInfo().operation == "Made");
    BOOST_TEST(info.detail == "set from a temporary");  // the same object, brought up to date

    // Another thread's last error is its own: a WouldBlock there leaves this thread's texts alone.
    std::string otherOperation;
    std::thread([&] {
        EventLoop other;
        AsyncSocket s(other);
        BOOST_TEST(!s.Listen());
        otherOperation = AsyncSocket::GetLastErrorInfo().operation;
    }).join();
    BOOST_TEST(otherOperation == "Listen");
    BOOST_TEST(AsyncSocket::GetLastErrorInfo().operation == "Made");
}

// Out of memory while GetLastErrorInfo copies a fixed text: the code stays right, the texts come back empty (never
// half of them, never an earlier call's), and the next error's texts come through whole.
BOOST_AUTO_TEST_CASE(last_error_texts_out_of_memory) {
    bool created = false;
    int wouldBlock = 0, codeDuring = -1;
    bool textsEmptyDuring = false;
    std::string after;
    // A thread of its own: its last-error strings have no capacity yet, so copying "no data is queued" (longer
    // than the small-string buffer) must allocate.
    std::thread([&] {
        EventLoop loop;
        AsyncSocket s(loop);
        created = s.Create(0, SocketType::Datagram, AllEvents, "127.0.0.1");
        char buf[8];
        wouldBlock += s.Receive(buf, sizeof buf) == SocketErrorResult;  // nothing sent: WouldBlock, texts pending
        {
            FailAllocations fail;
            const SocketErrorInfo& info = AsyncSocket::GetLastErrorInfo();
            codeDuring = info.code;
            textsEmptyDuring = info.operation.empty() && info.detail.empty();
        }
        wouldBlock += s.Receive(buf, sizeof buf) == SocketErrorResult;
        after = AsyncSocket::GetLastErrorInfo().Message();
    }).join();
    BOOST_TEST(created);
    BOOST_TEST(wouldBlock == 2);
    BOOST_TEST(codeDuring == static_cast<int>(SocketError::WouldBlock));
    BOOST_TEST(textsEmptyDuring);
    BOOST_TEST(after.find("Receive: no data is queued (WSAEWOULDBLOCK 10035") == 0u, after);
}

BOOST_AUTO_TEST_CASE(typed_options_round_trip) {
    EventLoop loop;
    AcceptedPair pair(loop);
    AsyncSocket& s = pair.server;
    bool on = false;
    BOOST_REQUIRE(s.SetNoDelay(true));
    BOOST_REQUIRE(s.GetNoDelay(on));
    BOOST_TEST(on);
    BOOST_REQUIRE(s.SetKeepAlive(true));
    BOOST_REQUIRE(s.GetKeepAlive(on));
    BOOST_TEST(on);
    int seconds = -1;
    BOOST_REQUIRE(s.SetLinger(true, 3));
    BOOST_REQUIRE(s.GetLinger(on, seconds));
    BOOST_TEST(on);
    BOOST_TEST(seconds == 3);
    BOOST_TEST(!s.SetLinger(true, -1));
    int size = 0;
    BOOST_REQUIRE(s.SetReceiveBufferSize(64 * 1024));
    BOOST_REQUIRE(s.GetReceiveBufferSize(size));
    BOOST_TEST(size >= 64 * 1024);
    BOOST_REQUIRE(s.SetSendBufferSize(32 * 1024));
    BOOST_REQUIRE(s.GetSendBufferSize(size));
    BOOST_TEST(size >= 32 * 1024);
    int raw = 0;
    int len = sizeof raw;
    BOOST_REQUIRE(s.GetSockOpt(SO_TYPE, &raw, &len));
    BOOST_TEST(raw == SOCK_STREAM);
    BOOST_TEST(!s.SetSockOpt(0x7fff, &raw, sizeof raw));
    BOOST_TEST(LastError() == static_cast<int>(SocketError::NoProtocolOption));
}
