// POSIX implementation of the socket wrappers.
#include "socket_ops.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace portafx::detail::ops {

int NativeFamily(AddressFamily family) noexcept {
    return family == AddressFamily::IPv6 ? AF_INET6 : AF_INET;
}

NativeHandle Open(int family, int type, int protocol, SocketError& err) noexcept {
#ifdef SOCK_NONBLOCK
    int fd = ::socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
#else
    int fd = ::socket(family, type, protocol);
    if (fd >= 0) {
        ::fcntl(fd, F_SETFD, FD_CLOEXEC);
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
        int one = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
    }
#endif
    if (fd < 0) err = FromErrno(errno);
    return fd;
}

void Close(NativeHandle fd) noexcept {
    if (fd >= 0) ::close(fd);
}

bool SetNonBlocking(NativeHandle fd, bool on, SocketError& err) noexcept {
    int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK)) < 0) {
        err = FromErrno(errno);
        return false;
    }
    return true;
}

int PeekOne(NativeHandle fd, SocketError& err) noexcept {
    char c;
    ssize_t n;
    do {
        n = ::recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    if (n < 0) err = FromErrno(errno);
    return static_cast<int>(n);
}

namespace {
// TCP_INQ's report is trusted only from the kernel that defines it: Linux 4.18 or later. Its meaning there (a FIN
// counts as a byte, so a report of zero never hides an end of stream) is what makes skipping a read safe.
bool KernelHasReadHint() noexcept {
#if defined(__linux__) && defined(TCP_INQ)
    static const bool has = [] {
        utsname u{};
        if (::uname(&u) != 0 || std::strcmp(u.sysname, "Linux") != 0) return false;
        unsigned major = 0, minor = 0;
        if (std::sscanf(u.release, "%u.%u", &major, &minor) != 2) return false;
        return major > 4 || (major == 4 && minor >= 18);
    }();
    return has;
#else
    return false;
#endif
}
}  // namespace

bool EnableReadHint(NativeHandle fd) noexcept {
#if defined(__linux__) && defined(TCP_INQ)
    if (!KernelHasReadHint()) return false;
    int one = 1;
    return ::setsockopt(fd, IPPROTO_TCP, TCP_INQ, &one, sizeof one) == 0;
#else
    (void)fd;
    return false;
#endif
}

void DisableReadHint(NativeHandle fd) noexcept {
#if defined(__linux__) && defined(TCP_INQ)
    int zero = 0;
    (void)::setsockopt(fd, IPPROTO_TCP, TCP_INQ, &zero, sizeof zero);  // only a closed handle fails: nothing lost
#else
    (void)fd;
#endif
}

void ReadHint::Attach(msghdr& msg) noexcept {
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
}

bool ReadHint::Drained(const msghdr& msg) noexcept {
#if defined(__linux__) && defined(TCP_CM_INQ)
    if (msg.msg_controllen == 0 || (msg.msg_flags & MSG_CTRUNC)) return false;
    msghdr m = msg;  // the CMSG macros take non-const pointers
    for (cmsghdr* c = CMSG_FIRSTHDR(&m); c != nullptr; c = CMSG_NXTHDR(&m, c)) {
        if (c->cmsg_level == IPPROTO_TCP && c->cmsg_type == TCP_CM_INQ && c->cmsg_len >= CMSG_LEN(sizeof(int))) {
            int queued;
            std::memcpy(&queued, CMSG_DATA(c), sizeof queued);
            return queued == 0;
        }
    }
#else
    (void)msg;
#endif
    return false;
}

ssize_t ReceiveStream(NativeHandle fd, void* buf, std::size_t len, bool hint, bool& drained) noexcept {
    drained = false;
    ssize_t n;
    if (!hint) {
        do {
            n = ::recv(fd, buf, len, MSG_DONTWAIT);
        } while (n < 0 && errno == EINTR);
        return n;
    }
    iovec iov{buf, len};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    ReadHint report;
    do {
        report.Attach(msg);
        n = ::recvmsg(fd, &msg, MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    if (n >= 0) drained = ReadHint::Drained(msg);
    return n;
}

bool OobWaiting(NativeHandle fd) noexcept {
    char c;
    return ::recv(fd, &c, 1, MSG_OOB | MSG_PEEK | MSG_DONTWAIT) == 1;
}

bool Readable(NativeHandle fd) noexcept {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 0) == 1;
}

bool HungUp(NativeHandle fd) noexcept {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 0) < 0) return true;
#ifdef POLLRDHUP
    return (p.revents & (POLLHUP | POLLERR | POLLNVAL | POLLRDHUP)) != 0;
#else
    return (p.revents & (POLLHUP | POLLERR | POLLNVAL)) != 0;
#endif
}

int PendingError(NativeHandle fd) noexcept {
    int value = 0;
    socklen_t len = sizeof value;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &value, &len) < 0) return errno;
    return value;
}

bool Describe(NativeHandle fd, int& type, int& family, int& protocol, bool& listening, SocketError& err) noexcept {
    socklen_t len = sizeof type;
    if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0) {
        err = errno == EBADF ? SocketError::NoHandle : FromErrno(errno);
        return false;
    }
    sockaddr_storage ss{};
    socklen_t sl = sizeof ss;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &sl) < 0) {
        err = FromErrno(errno);
        return false;
    }
    family = ss.ss_family;
    if (family != AF_INET && family != AF_INET6) {
        err = SocketError::AddressFamilyNotSupported;
        return false;
    }
    protocol = 0;
    int acc = 0;
    len = sizeof acc;
    listening = ::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len) == 0 && acc != 0;
    return true;
}

bool LocalAddress(NativeHandle fd, SocketAddress& out, SocketError& err) noexcept {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) < 0) {
        err = FromErrno(errno);
        return false;
    }
    out = SocketAddress(&ss, len);
    return true;
}

bool PeerAddress(NativeHandle fd, SocketAddress& out, SocketError& err) noexcept {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) < 0) {
        err = FromErrno(errno);
        return false;
    }
    out = SocketAddress(&ss, len);
    return true;
}

bool Resolve(const char* host, unsigned port, int family, bool passive, int socktype, std::vector<SocketAddress>& out,
             SocketError& err) noexcept {
    addrinfo hints{};
    hints.ai_family = family;
    hints.ai_socktype = socktype;
    hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
    addrinfo* result = nullptr;
    const std::string service = std::to_string(port);
    int rc = ::getaddrinfo(host, service.c_str(), &hints, &result);
    if (rc != 0) {
        err = FromResolverError(rc, errno);
        return false;
    }
    for (addrinfo* ai = result; ai != nullptr; ai = ai->ai_next) {
        SocketAddress a(ai->ai_addr, ai->ai_addrlen);
        if (a.IsValid()) out.push_back(a);
    }
    ::freeaddrinfo(result);
    if (out.empty()) {
        err = SocketError::NoData;
        return false;
    }
    return true;
}

bool LooksNumeric(const char* text) noexcept {
    if (std::strchr(text, ':') != nullptr) return true;
    for (const char* p = text; *p; ++p) {
        if (!(*p == '.' || (*p >= '0' && *p <= '9'))) return false;
    }
    return true;
}

bool IsValidHostName(const char* text) noexcept {
    const std::size_t n = std::strlen(text);
    if (n == 0 || n > 253) return false;
    std::size_t label = 0;
    char prev = '.';
    for (const char* p = text; *p; ++p) {
        const char c = *p;
        const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (c == '.') {
            if (label == 0 || prev == '-') return false;
            label = 0;
        } else if (alnum || c == '-' || c == '_') {
            if (c == '-' && label == 0) return false;
            if (++label > 63) return false;
        } else {
            return false;
        }
        prev = c;
    }
    return prev != '-';
}

bool NativeMessageFlags(int flags, int& native) noexcept {
    native = 0;
    if (flags & ~(MsgOob | MsgPeek | MsgDontRoute)) return false;
    if (flags & MsgOob) native |= MSG_OOB;
    if (flags & MsgPeek) native |= MSG_PEEK;
    if (flags & MsgDontRoute) native |= MSG_DONTROUTE;
    return true;
}

}  // namespace portafx::detail::ops
