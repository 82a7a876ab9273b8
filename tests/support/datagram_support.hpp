// Test support for datagram sockets: a raw Boost.Asio UDP peer (code we did not write on the other end),
// a portafx datagram socket that collects what OnReceive reads, a child process with pipes (for socat), and
// probes of what the kernel allows for multicast on the loopback interface. Loopback only; every wait has a
// deadline.
#pragma once

#include "loopback.hpp"

#include <boost/asio/ip/udp.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace portafx::test {

using udp = asio::ip::udp;

/// A blocking Boost.Asio UDP socket bound to `address` with a port from the OS, with a 5 s receive deadline.
struct UdpPeer {
    asio::io_context io;
    udp::socket socket{io};

    explicit UdpPeer(const std::string& address = "127.0.0.1") {
        udp::endpoint ep(asio::ip::make_address(address), 0);
        socket.open(ep.protocol());
        socket.bind(ep);
        timeval tv{5, 0};
        ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    unsigned Port() const { return socket.local_endpoint().port(); }
    void SendTo(const std::string& data, const std::string& address, unsigned port) {
        socket.send_to(asio::buffer(data),
                       udp::endpoint(asio::ip::make_address(address), static_cast<unsigned short>(port)));
    }
    /// One datagram (empty string and `from` unchanged on timeout).
    std::string Receive(udp::endpoint* from = nullptr) {
        std::string buf(70000, '\0');
        udp::endpoint sender;
        boost::system::error_code ec;
        const std::size_t n = socket.receive_from(asio::buffer(buf), sender, 0, ec);
        if (ec) return {};
        if (from != nullptr) *from = sender;
        buf.resize(n);
        return buf;
    }
};

/// A portafx datagram socket whose OnReceive calls ReceiveFrom once (Winsock's rule) and keeps each datagram
/// with its sender. `readInOnReceive = false` makes OnReceive read nothing.
struct Collector : Recorder {
    using Recorder::Recorder;
    struct Datagram {
        std::string data;
        SocketAddress from;
        int result;
        int error;
    };
    std::vector<Datagram> datagrams;
    bool readInOnReceive = true;
    int bufferSize = 2048;

    /// One ReceiveFrom into `datagrams` (result and error recorded too).
    void ReceiveOne() {
        std::string buf(static_cast<std::size_t>(bufferSize), '\0');
        SocketAddress from;
        const int n = ReceiveFrom(buf.data(), bufferSize, from);
        const int error = AsyncSocket::GetLastError();
        if (n == SocketErrorResult && error == static_cast<int>(SocketError::WouldBlock)) return;
        buf.resize(
            n >= 0 ? static_cast<std::size_t>(n)
                   : (error == static_cast<int>(SocketError::MessageSize) ? static_cast<std::size_t>(bufferSize) : 0));
        datagrams.push_back({buf, from, n, error});
    }

protected:
    void OnReceive(int e) override {
        Recorder::OnReceive(e);
        if (readInOnReceive) ReceiveOne();
    }
};

/// A child process (execvp) with its stdin and stdout on pipes; killed and reaped by the destructor.
class ChildProcess {
public:
    explicit ChildProcess(std::vector<std::string> argv) {
        ::signal(SIGPIPE, SIG_IGN);  // a child that died makes Write fail, not kill the test
        int in[2], out[2];
        if (::pipe(in) != 0 || ::pipe(out) != 0) throw std::runtime_error("pipe failed");
        for (int fd : {in[0], in[1], out[0], out[1]})
            ::fcntl(fd, F_SETFD, FD_CLOEXEC);  // the child's dup2 copies survive exec; these do not
        pid_ = ::fork();
        if (pid_ < 0) throw std::runtime_error("fork failed");
        if (pid_ == 0) {
            ::dup2(in[0], 0);
            ::dup2(out[1], 1);
            std::vector<char*> args;
            for (std::string& a : argv)
                args.push_back(a.data());
            args.push_back(nullptr);
            ::execvp(args[0], args.data());
            ::_exit(127);
        }
        ::close(in[0]);
        ::close(out[1]);
        stdin_ = in[1];
        stdout_ = out[0];
    }
    ~ChildProcess() {
        CloseStdin();
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            ::waitpid(pid_, nullptr, 0);
        }
        if (stdout_ >= 0) ::close(stdout_);
    }
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    bool Write(const std::string& s) { return ::write(stdin_, s.data(), s.size()) == static_cast<ssize_t>(s.size()); }
    void CloseStdin() {
        if (stdin_ >= 0) ::close(stdin_);
        stdin_ = -1;
    }
    /// Reads stdout until it holds `bytes` bytes, end of file, or `limit` passes.
    std::string Read(std::size_t bytes, std::chrono::milliseconds limit = 5000ms) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (output_.size() < bytes) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) break;
            pollfd p{stdout_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) != 1) break;
            char buf[4096];
            const ssize_t n = ::read(stdout_, buf, sizeof buf);
            if (n <= 0) break;
            output_.append(buf, static_cast<std::size_t>(n));
        }
        return output_;
    }
    /// Waits (bounded) for the process to exit; its exit status, or -1 if it did not exit in time.
    int Wait(std::chrono::milliseconds limit = 5000ms) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        for (;;) {
            int status = 0;
            const pid_t r = ::waitpid(pid_, &status, WNOHANG);
            if (r == pid_) {
                pid_ = -1;
                return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            }
            if (std::chrono::steady_clock::now() >= deadline) return -1;
            Read(output_.size() + 1, 20ms);  // paces the re-check, and keeps the pipe drained
        }
    }

private:
    pid_t pid_ = -1;
    int stdin_ = -1;
    int stdout_ = -1;
    std::string output_;
};

/// Probes, with plain POSIX sockets, whether a datagram sent to multicast `group` from the loopback
/// interface reaches a member on the loopback interface. Returns "" if it does, otherwise what the kernel said.
inline std::string ProbeLoopbackMulticast(int family, const char* group) {
    const unsigned lo = ::if_nametoindex("lo");
    if (lo == 0) return "there is no interface named 'lo'";
    auto fail = [](const char* what) { return std::string(what) + ": " + std::strerror(errno); };
    const int r = ::socket(family, SOCK_DGRAM, 0);
    const int s = ::socket(family, SOCK_DGRAM, 0);
    struct Closer {
        int a, b;
        ~Closer() {
            ::close(a);
            ::close(b);
        }
    } closer{r, s};
    if (r < 0 || s < 0) return fail("socket");
    sockaddr_storage ss{};
    socklen_t len = 0;
    if (family == AF_INET) {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_ANY);
        if (::bind(r, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return fail("bind");
        ip_mreq m{};
        ::inet_pton(AF_INET, group, &m.imr_multiaddr);
        m.imr_interface.s_addr = htonl(INADDR_LOOPBACK);
        if (::setsockopt(r, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m) != 0) return fail("IP_ADD_MEMBERSHIP on lo");
        if (::setsockopt(s, IPPROTO_IP, IP_MULTICAST_IF, &m.imr_interface, sizeof m.imr_interface) != 0)
            return fail("IP_MULTICAST_IF lo");
        len = sizeof a;
        ::getsockname(r, reinterpret_cast<sockaddr*>(&a), &len);
        a.sin_addr = m.imr_multiaddr;
        std::memcpy(&ss, &a, sizeof a);
        len = sizeof a;
    } else {
        sockaddr_in6 a{};
        a.sin6_family = AF_INET6;
        a.sin6_addr = in6addr_any;
        if (::bind(r, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return fail("bind");
        ipv6_mreq m{};
        ::inet_pton(AF_INET6, group, &m.ipv6mr_multiaddr);
        m.ipv6mr_interface = lo;
        if (::setsockopt(r, IPPROTO_IPV6, IPV6_JOIN_GROUP, &m, sizeof m) != 0) return fail("IPV6_JOIN_GROUP on lo");
        if (::setsockopt(s, IPPROTO_IPV6, IPV6_MULTICAST_IF, &lo, sizeof lo) != 0) return fail("IPV6_MULTICAST_IF lo");
        len = sizeof a;
        ::getsockname(r, reinterpret_cast<sockaddr*>(&a), &len);
        a.sin6_addr = m.ipv6mr_multiaddr;
        a.sin6_scope_id = lo;
        std::memcpy(&ss, &a, sizeof a);
        len = sizeof a;
    }
    if (::sendto(s, "probe", 5, 0, reinterpret_cast<sockaddr*>(&ss), len) != 5) return fail("sendto the group on lo");
    pollfd p{r, POLLIN, 0};
    if (::poll(&p, 1, 2000) != 1) return "a datagram sent to the group on lo did not arrive within 2 s";
    return {};
}

}  // namespace portafx::test
