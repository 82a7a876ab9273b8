// AsyncSocket: the MFC-shaped members. Checks arguments, makes the system calls, records the last
// error, and leaves re-arming and notifications to the SocketEngine.
#include <portafx/async_socket.hpp>

#include "detail/loop_state.hpp"
#include "detail/socket_engine.hpp"
#include "detail/socket_ops.hpp"
#include "detail/tls_session.hpp"

#include <boost/asio/post.hpp>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace portafx {

using detail::CoreState;
using detail::SocketEngine;
namespace ops = detail::ops;

namespace {

// The calling thread's last error. Errors with fixed texts (portafx's own string literals) keep the texts' addresses
// and copy them into `info` only when GetLastErrorInfo asks: the WouldBlock that a Socket meets before every wait,
// and the success that every call records, copy no text.
struct LastError {
    SocketErrorInfo info;
    const char* operation = "";  // while `pending`: the fixed texts not yet copied into `info`
    const char* detail = "";
    bool pending = false;
};

thread_local LastError tLastError;

// Records an error whose texts are string literals (they outlive the thread); nothing is copied until asked.
void RecordFixed(int code, const char* operation, const char* detail) noexcept {
    LastError& e = tLastError;
    e.info.code = code;
    e.operation = operation != nullptr ? operation : "";
    e.detail = detail != nullptr ? detail : "";
    e.pending = true;
}

// A call that succeeded: the error is 0, without text.
void ClearLastError() noexcept {
    RecordFixed(0, "", "");
}

std::string Quote(const char* s) {
    return std::string("'") + (s ? s : "") + "'";
}

std::string PortText(unsigned port) {
    return "port " + std::to_string(port) + " is out of range (0-65535)";
}

// A good "why" for the errors users most often meet at bind time.
std::string BindDetail(SocketError e, const SocketAddress& address) {
    switch (e) {
    case SocketError::AccessDenied:
        return "binding " + address.ToString() +
               " needs privileges (ports below the system's unprivileged start, usually 1024)";
    case SocketError::AddressInUse: return address.ToString() + " is already in use";
    case SocketError::AddressNotAvailable: return address.Address() + " is not an address of this host";
    default: return "cannot bind " + address.ToString();
    }
}

}  // namespace

// --- construction --------------------------------------------------------------------------------

AsyncSocket::AsyncSocket() : AsyncSocket(EventLoop::Current()) {}

AsyncSocket::AsyncSocket(EventLoop& loop) : loop_(&loop.State()) {
    SocketEngine::Register(*loop_, *this);
}

AsyncSocket::~AsyncSocket() {
    // Not the virtual Close: a derived part is already gone.
    if (core_ && core_->tls) detail::TlsSession::CloseNotify(core_);
    if (core_) SocketEngine::Retire(*core_, true);
    core_.reset();
    if (loop_ != nullptr) SocketEngine::Unregister(*loop_, *this);
}

EventLoop& AsyncSocket::GetEventLoop() const {
    if (loop_ == nullptr) throw std::logic_error("portafx::AsyncSocket::GetEventLoop: the EventLoop was destroyed");
    return *loop_->owner;
}

bool AsyncSocket::Fail(SocketError code, const char* operation, std::string detail) const {
    SetLastError(static_cast<int>(code), operation, std::move(detail));
    return false;
}

bool AsyncSocket::Fail(SocketError code, const char* operation, const char* detail) const {
    // Assigned in place: the strings keep their capacity, so a short text allocates nothing. (The caller's text
    // may not outlive the call, so it is copied now; portafx's own literals take RecordFixed.)
    LastError& e = tLastError;
    e.pending = false;
    e.info.code = static_cast<int>(code);
    e.info.operation.assign(operation ? operation : "");
    e.info.detail.assign(detail ? detail : "");
    return false;
}

int AsyncSocket::GetLastError() noexcept {
    return tLastError.info.code;
}

const SocketErrorInfo& AsyncSocket::GetLastErrorInfo() noexcept {
    LastError& e = tLastError;
    if (e.pending) {
        e.pending = false;
        try {
            e.info.operation.assign(e.operation);
            e.info.detail.assign(e.detail);
        } catch (...) {  // out of memory for a text: the code is still right
            e.info.operation.clear();
            e.info.detail.clear();
        }
    }
    return e.info;
}

void AsyncSocket::SetLastError(int code, const char* operation, std::string detail) {
    LastError& e = tLastError;
    e.pending = false;
    e.info.code = code;
    e.info.operation = operation ? operation : "";
    e.info.detail = std::move(detail);
}

bool AsyncSocket::RequireLoop(const char* operation) const {
    return loop_ != nullptr || Fail(SocketError::NotInitialised, operation, "the socket's EventLoop was destroyed");
}

bool AsyncSocket::RequireHandle(const char* operation) const {
    if (!RequireLoop(operation)) return false;
    return core_ != nullptr ||
           Fail(SocketError::NotSocket, operation, "the socket has no handle (call Create or Socket first)");
}

// --- creation ------------------------------------------------------------------------------------

bool AsyncSocket::Socket(SocketType type, long events, int protocol, AddressFamily family) {
    if (!RequireLoop("Socket")) return false;
    if (core_) return Fail(SocketError::InvalidArgument, "Socket", "the object already has a handle");
    const int nativeType = type == SocketType::Datagram ? SOCK_DGRAM : SOCK_STREAM;
    SocketError err = SocketError::Success;
    int nativeFamily = AF_INET;
    NativeHandle fd = InvalidHandle;
    if (family == AddressFamily::Unspecified || family == AddressFamily::IPv6) {
        nativeFamily = AF_INET6;
        fd = ops::Open(AF_INET6, nativeType, protocol, err);
        if (fd == InvalidHandle && family == AddressFamily::Unspecified &&
            (err == SocketError::AddressFamilyNotSupported || err == SocketError::ProtocolFamilyNotSupported)) {
            nativeFamily = AF_INET;  // a host without IPv6
            err = SocketError::Success;
        }
    }
    if (fd == InvalidHandle && err == SocketError::Success) fd = ops::Open(nativeFamily, nativeType, protocol, err);
    if (fd == InvalidHandle) return Fail(err, "Socket", "cannot make the socket");
    if (nativeFamily == AF_INET6) {
        int off = 0;  // dual-stack by default; SetIPv6Only(true) turns it off
        ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
    }
    core_ = SocketEngine::Install(*this, fd, nativeFamily, nativeType, protocol, err);
    if (!core_) {
        ops::Close(fd);
        return Fail(err, "Socket", "cannot register the socket with its EventLoop");
    }
    core_->mask = events;
    core_->state = CoreState::Open;
    if (nativeType == SOCK_DGRAM) {
        core_->writeWanted = true;  // a datagram socket can send at once: OnSend once
        SocketEngine::ArmAll(core_);
    }
    if (exclusiveAddress_) {
        int zero = 0;
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &zero, sizeof zero);
    }
    ClearLastError();
    return true;
}

bool AsyncSocket::Create(unsigned port, SocketType type, long events, const char* address) {
    if (!RequireLoop("Create")) return false;
    if (port > 65535) return Fail(SocketError::InvalidArgument, "Create", PortText(port));
    if (core_) return Fail(SocketError::InvalidArgument, "Create", "the object already has a handle");
    SocketAddress local;
    AddressFamily family = AddressFamily::Unspecified;
    if (address != nullptr && *address != '\0') {
        if (SocketAddress::Parse(address, port, local)) {
            family = local.Family();
        } else if (ops::LooksNumeric(address) || !ops::IsValidHostName(address)) {
            return Fail(SocketError::InvalidArgument, "Create",
                        Quote(address) + " is neither a numeric IP address nor a valid host name");
        } else {
            std::vector<SocketAddress> found;
            SocketError err = SocketError::Success;
            if (!ops::Resolve(address, port, AF_UNSPEC, true, type == SocketType::Datagram ? SOCK_DGRAM : SOCK_STREAM,
                              found, err)) {
                return Fail(err, "Create", "cannot resolve host name " + Quote(address));
            }
            local = found.front();
            family = local.Family();
        }
    }
    if (!Socket(type, events, 0, family)) {
        SocketErrorInfo saved = GetLastErrorInfo();
        return Fail(static_cast<SocketError>(saved.code), "Create", saved.detail);
    }
    const bool ok = local.IsValid() ? Bind(local) : Bind(port, nullptr);
    if (!ok) {
        SocketErrorInfo saved = GetLastErrorInfo();  // Close must not hide why Bind failed
        Close();
        return Fail(static_cast<SocketError>(saved.code), "Create", saved.detail);
    }
    return true;
}

bool AsyncSocket::Bind(unsigned port, const char* address) {
    if (!RequireHandle("Bind")) return false;
    if (port > 65535) return Fail(SocketError::InvalidArgument, "Bind", PortText(port));
    SocketAddress local;
    if (address == nullptr || *address == '\0') {
        local = SocketAddress::Any(core_->family == AF_INET6 ? AddressFamily::IPv6 : AddressFamily::IPv4, port);
    } else if (!SocketAddress::Parse(address, port, local)) {
        if (ops::LooksNumeric(address) || !ops::IsValidHostName(address)) {
            return Fail(SocketError::InvalidArgument, "Bind",
                        Quote(address) + " is neither a numeric IP address nor a valid host name");
        }
        std::vector<SocketAddress> found;
        SocketError err = SocketError::Success;
        if (!ops::Resolve(address, port, AF_UNSPEC, true, core_->type, found, err)) {
            return Fail(err, "Bind", "cannot resolve host name " + Quote(address));
        }
        local = found.front();
        for (const SocketAddress& a : found) {  // prefer the socket's own family
            if ((a.Family() == AddressFamily::IPv6) == (core_->family == AF_INET6)) {
                local = a;
                break;
            }
        }
    }
    return Bind(local);
}

bool AsyncSocket::Bind(const SocketAddress& address) {
    if (!RequireHandle("Bind")) return false;
    if (!address.IsValid()) return Fail(SocketError::InvalidArgument, "Bind", "empty address");
    SocketAddress local = address;
    if (core_->family == AF_INET && local.Family() == AddressFamily::IPv6) {
        return Fail(SocketError::AddressFamilyNotSupported, "Bind",
                    "cannot bind IPv6 address " + local.Address() + " to an IPv4 socket");
    }
    if (core_->family == AF_INET6 && local.Family() == AddressFamily::IPv4) {
        bool v6only = false;
        GetIPv6Only(v6only);
        if (v6only) {
            return Fail(SocketError::AddressFamilyNotSupported, "Bind",
                        "cannot bind IPv4 address " + local.Address() + " to an IPv6-only socket");
        }
        local = local.ToV4Mapped();
    }
    if (local.Port() != 0 && !exclusiveAddress_) {
        // A restarted server re-binds at once (TIME_WAIT). On POSIX systems this never lets two
        // listeners share a port; SetExclusiveAddressUse(true) turns it off.
        int one = 1;
        SetSockOpt(SO_REUSEADDR, &one, sizeof one, SOL_SOCKET);
    }
    if (::bind(core_->fd, static_cast<const sockaddr*>(local.Data()), static_cast<socklen_t>(local.Size())) < 0) {
        const SocketError e = FromErrno(errno);
        return Fail(e, "Bind", BindDetail(e, address));
    }
    core_->boundExplicitly = true;
    core_->bindAddress = address;
    if (core_->type == SOCK_DGRAM) {
        SocketEngine::ArmRead(core_);
    }
    ClearLastError();
    return true;
}

bool AsyncSocket::Listen(int backlog) {
    if (!RequireHandle("Listen")) return false;
    if (core_->type != SOCK_STREAM) {
        return Fail(SocketError::OperationNotSupported, "Listen", "only stream sockets can listen");
    }
    if (core_->state != CoreState::Open && core_->state != CoreState::Listening) {
        return Fail(SocketError::IsConnected, "Listen", "the socket is connected or connecting");
    }
    if (::listen(core_->fd, backlog < 0 ? 0 : backlog) < 0) {
        const SocketError e = FromErrno(errno);
        return Fail(e, "Listen", "listen() failed");
    }
    core_->state = CoreState::Listening;
    core_->acceptEnabled = true;
    SocketEngine::ArmRead(core_);
    ClearLastError();
    return true;
}

bool AsyncSocket::Accept(AsyncSocket& connected, SocketAddress* peer) {
    if (!RequireHandle("Accept")) return false;
    auto core = core_;
    core->acceptEnabled = true;  // every call re-enables OnAccept, even a failing one
    struct Rearm {
        std::shared_ptr<detail::SocketCore>& core;
        ~Rearm() { SocketEngine::ArmRead(core); }
    } rearm{core};
    if (core->state != CoreState::Listening) {
        return Fail(SocketError::InvalidArgument, "Accept", "the socket is not listening");
    }
    if (&connected == this || connected.core_) {
        return Fail(SocketError::InvalidArgument, "Accept", "the socket to accept into already has a handle");
    }
    if (connected.loop_ == nullptr) {
        return Fail(SocketError::NotInitialised, "Accept", "the accepting socket's EventLoop was destroyed");
    }
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    int fd;
    do {
#ifdef SOCK_NONBLOCK
        fd = ::accept4(core->fd, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
#else
        fd = ::accept(core->fd, reinterpret_cast<sockaddr*>(&ss), &len);
#endif
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        const SocketError e = FromErrno(errno);
        return Fail(e, "Accept", e == SocketError::WouldBlock ? "no connection is pending" : "accept() failed");
    }
#ifndef SOCK_NONBLOCK
    SocketError ignored;
    ops::SetNonBlocking(fd, true, ignored);
#endif
    SocketError err = SocketError::Success;
    const bool sameLoop = connected.loop_ == loop_;
    auto accepted = SocketEngine::Install(connected, fd, ss.ss_family, SOCK_STREAM, core->protocol, err, sameLoop);
    if (!accepted) {
        ops::Close(fd);
        return Fail(err, "Accept", "cannot register the accepted socket with its EventLoop");
    }
    accepted->mask = core->mask;  // an accepted socket inherits the listener's mask
    accepted->state = CoreState::Connected;
    accepted->writeWanted = true;  // FD_WRITE is recorded when the socket is accepted
    accepted->writeKnownReady = true;
    accepted->oobInline = core->oobInline;
    connected.core_ = accepted;
    if (core->tls) accepted->tls = detail::TlsSession::ForAccepted(*core->tls);  // the server handshake
    if (peer != nullptr) *peer = SocketAddress(&ss, len);
    if (sameLoop) {
        detail::TlsSession::ArmAccepted(accepted);
    } else {
        // Another loop's thread owns the accepted socket: its handle map and waits are set up there.
        boost::asio::post(connected.loop_->io, [accepted] {
            if (accepted->owner == nullptr || accepted->loop == nullptr) return;
            accepted->loop->handles[accepted->fd] = accepted.get();
            detail::TlsSession::ArmAccepted(accepted);
        });
    }
    ClearLastError();
    return true;
}

bool AsyncSocket::Connect(const char* host, unsigned port) {
    if (!RequireLoop("Connect")) return false;
    if (host == nullptr || *host == '\0') return Fail(SocketError::InvalidArgument, "Connect", "no host given");
    if (port > 65535) return Fail(SocketError::InvalidArgument, "Connect", PortText(port));
    if (port == 0) return Fail(SocketError::AddressNotAvailable, "Connect", "cannot connect to port 0");
    if (core_ && core_->tls) core_->tls->SetPeerNameIfUnset(host);  // the name TLS verifies
    SocketAddress numeric;
    if (SocketAddress::Parse(host, port, numeric)) return Connect(std::vector<SocketAddress>{numeric});
    if (ops::LooksNumeric(host) || !ops::IsValidHostName(host)) {
        return Fail(SocketError::InvalidArgument, "Connect",
                    Quote(host) + " is neither a numeric IP address nor a valid host name");
    }
    if (!core_ && !Socket(SocketType::Stream, AllEvents, 0, AddressFamily::Unspecified)) return false;
    if (core_->state != CoreState::Open) {
        return Fail(core_->state == CoreState::Connected ? SocketError::IsConnected : SocketError::Already, "Connect",
                    "the socket is already connected, connecting or listening");
    }
    if (core_->type == SOCK_DGRAM) {
        std::vector<SocketAddress> found;
        SocketError err = SocketError::Success;
        if (!ops::Resolve(host, port, AF_UNSPEC, false, SOCK_DGRAM, found, err)) {
            return Fail(err, "Connect", "cannot resolve host name " + Quote(host));
        }
        return Connect(found);
    }
    SocketEngine::StartResolve(core_, host, port);
    return ConnectHelper();
}

bool AsyncSocket::Connect(const SocketAddress& address) {
    return Connect(std::vector<SocketAddress>{address});
}

bool AsyncSocket::Connect(const std::vector<SocketAddress>& candidates) {
    if (!RequireLoop("Connect")) return false;
    if (candidates.empty()) return Fail(SocketError::InvalidArgument, "Connect", "no address to connect to");
    if (core_ && core_->type == SOCK_DGRAM && candidates.size() == 1 && candidates.front().IsValid() &&
        candidates.front() == SocketAddress::Any(candidates.front().Family(), candidates.front().Port())) {
        // Winsock: an all-zero address dissolves a datagram socket's association with its peer.
        sockaddr unspec{};
        unspec.sa_family = AF_UNSPEC;
        ::connect(core_->fd, &unspec, sizeof unspec);  // BSDs answer EAFNOSUPPORT but dissolve it all the same
        ClearLastError();
        return true;
    }
    for (const SocketAddress& a : candidates) {
        if (!a.IsValid()) return Fail(SocketError::InvalidArgument, "Connect", "an empty address");
        if (a.Port() == 0) return Fail(SocketError::AddressNotAvailable, "Connect", "cannot connect to port 0");
    }
    if (!core_) {
        const bool anyV4 = std::any_of(candidates.begin(), candidates.end(),
                                       [](const SocketAddress& a) { return a.Family() == AddressFamily::IPv4; });
        const AddressFamily family = anyV4 ? AddressFamily::Unspecified : AddressFamily::IPv6;
        if (!Socket(SocketType::Stream, AllEvents, 0, family)) return false;
    }
    if (core_->state != CoreState::Open) {
        return Fail(core_->state == CoreState::Connected && core_->type == SOCK_STREAM ? SocketError::IsConnected
                                                                                       : SocketError::Already,
                    "Connect", "the socket is already connected, connecting or listening");
    }
    core_->candidates = candidates;
    core_->nextCandidate = 0;
    core_->lastConnectError = SocketError::Success;
    if (core_->type == SOCK_DGRAM) {
        // A datagram "connection" only sets the default peer: it completes at once.
        const SocketAddress target = core_->family == AF_INET6 ? candidates.front().ToV4Mapped() : candidates.front();
        if (::connect(core_->fd, static_cast<const sockaddr*>(target.Data()), static_cast<socklen_t>(target.Size())) <
            0) {
            const SocketError e = FromErrno(errno);
            return Fail(e, "Connect", "cannot connect to " + candidates.front().ToString());
        }
        SocketEngine::ArmAll(core_);
        ClearLastError();
        return true;
    }
    const SocketError err = SocketEngine::StartConnect(core_);
    if (err != SocketError::Success) {
        return Fail(err, "Connect", "cannot connect to " + candidates.back().ToString());
    }
    return ConnectHelper();
}

bool AsyncSocket::ConnectHelper() {
    return Fail(SocketError::WouldBlock, "Connect", "connecting; OnConnect reports the outcome");
}

// --- data ----------------------------------------------------------------------------------------

int AsyncSocket::Send(const void* buf, int len, int flags) {
    ConstBuffer one{buf, len < 0 ? 0 : static_cast<std::size_t>(len)};
    if (len < 0 || (buf == nullptr && len > 0)) {
        Fail(SocketError::Fault, "Send", "bad buffer or length");
        return SocketErrorResult;
    }
    return SendImpl(&one, 1, flags, nullptr, "Send");  // not the virtual gather form: Socket's blocks
}

int AsyncSocket::Send(const ConstBuffer* buffers, std::size_t count, int flags) {
    return SendImpl(buffers, count, flags, nullptr, "Send");
}

int AsyncSocket::SendTo(const void* buf, int len, const SocketAddress& to, int flags) {
    if (len < 0 || (buf == nullptr && len > 0)) {
        Fail(SocketError::Fault, "SendTo", "bad buffer or length");
        return SocketErrorResult;
    }
    if (!to.IsValid()) {
        Fail(SocketError::DestinationRequired, "SendTo", "no destination address");
        return SocketErrorResult;
    }
    const ConstBuffer one{buf, static_cast<std::size_t>(len)};
    return SendImpl(&one, 1, flags, &to, "SendTo");
}

int AsyncSocket::SendTo(const void* buf, int len, unsigned port, const char* host, int flags) {
    if (!RequireHandle("SendTo")) return SocketErrorResult;
    if (port > 65535) {
        Fail(SocketError::InvalidArgument, "SendTo", PortText(port));
        return SocketErrorResult;
    }
    SocketAddress to;
    if (host == nullptr || *host == '\0') {
        SocketAddress::Parse("255.255.255.255", port, to);  // MFC: no address means broadcast
    } else if (!SocketAddress::Parse(host, port, to)) {
        if (ops::LooksNumeric(host) || !ops::IsValidHostName(host)) {
            Fail(SocketError::InvalidArgument, "SendTo",
                 Quote(host) + " is neither a numeric IP address nor a valid host name");
            return SocketErrorResult;
        }
        std::vector<SocketAddress> found;
        SocketError err = SocketError::Success;
        if (!ops::Resolve(host, port, AF_UNSPEC, false, core_->type, found, err)) {
            Fail(err, "SendTo", "cannot resolve host name " + Quote(host));
            return SocketErrorResult;
        }
        to = found.front();
        for (const SocketAddress& a : found) {  // prefer the socket's own family
            if ((a.Family() == AddressFamily::IPv6) == (core_->family == AF_INET6)) {
                to = a;
                break;
            }
        }
    }
    return SendTo(buf, len, to, flags);
}

int AsyncSocket::SendImpl(const ConstBuffer* buffers, std::size_t count, int flags, const SocketAddress* to,
                          const char* operation) {
    if (!RequireHandle(operation)) return SocketErrorResult;
    if (core_->tls) return detail::TlsSession::Send(core_, buffers, count, flags, operation);
    int native = 0;
    if (!ops::NativeMessageFlags(flags & ~MsgPeek, native) || (flags & MsgPeek)) {
        Fail(SocketError::InvalidArgument, operation, "unsupported flags " + std::to_string(flags));
        return SocketErrorResult;
    }
    if (count > IOV_MAX) {
        Fail(SocketError::InvalidArgument, operation, "more than " + std::to_string(IOV_MAX) + " buffers");
        return SocketErrorResult;
    }
    SocketAddress target;
    if (to != nullptr) {
        target = *to;
        if (core_->family == AF_INET6 && target.Family() == AddressFamily::IPv4) {
            target = target.ToV4Mapped();  // a dual-stack socket reaches IPv4 peers too
        } else if (core_->family == AF_INET && target.Family() == AddressFamily::IPv6) {
            Fail(SocketError::AddressFamilyNotSupported, operation,
                 "cannot send to IPv6 address " + target.Address() + " from an IPv4 socket");
            return SocketErrorResult;
        }
    }
    iovec iov[IOV_MAX > 1024 ? 1024 : IOV_MAX];
    std::size_t total = 0;
    for (std::size_t i = 0; i < count; ++i) {
        if (buffers[i].data == nullptr && buffers[i].size != 0) {
            Fail(SocketError::Fault, operation, "buffer " + std::to_string(i) + " is null");
            return SocketErrorResult;
        }
        iov[i].iov_base = const_cast<void*>(buffers[i].data);
        iov[i].iov_len = buffers[i].size;
        total += buffers[i].size;
    }
    if (total > static_cast<std::size_t>(INT_MAX)) {
        Fail(SocketError::InvalidArgument, operation, "more than INT_MAX bytes in one call");
        return SocketErrorResult;
    }
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = count;
    if (to != nullptr) {
        msg.msg_name = const_cast<void*>(target.Data());
        msg.msg_namelen = static_cast<socklen_t>(target.Size());
    }
#ifdef MSG_NOSIGNAL
    native |= MSG_NOSIGNAL;
#endif
    // One buffer to the connected peer takes send(): the kernel then copies no msghdr and imports no iovec
    // array. In a profile of the W4 echo server that copying (with recvmsg's share of it) took 3.5-5.3% of the
    // server threads' CPU samples with sendmsg, 2.6-3.3% with send.
    const bool single = count == 1 && to == nullptr;
    ssize_t n;
    do {
        n = single ? ::send(core_->fd, iov[0].iov_base, iov[0].iov_len, native) : ::sendmsg(core_->fd, &msg, native);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        SocketError e = FromErrno(errno);
        if (errno == EPIPE && core_->shutSend) e = SocketError::Shutdown;
        if (e == SocketError::DestinationRequired && to == nullptr) e = SocketError::NotConnected;  // as Winsock
        if (e == SocketError::WouldBlock) {
            core_->writeWanted = true;  // the only thing that brings another OnSend
            SocketEngine::ArmWrite(core_);
        }
        RecordFixed(static_cast<int>(e), operation,
                    e == SocketError::WouldBlock ? "the send buffer is full; OnSend tells when to retry" : "");
        return SocketErrorResult;
    }
    ClearLastError();
    return static_cast<int>(n);
}

int AsyncSocket::Receive(void* buf, int len, int flags) {
    return ReceiveImpl(buf, len, flags, nullptr, "Receive");
}

int AsyncSocket::ReceiveFrom(void* buf, int len, SocketAddress& from, int flags) {
    return ReceiveImpl(buf, len, flags, &from, "ReceiveFrom");
}

int AsyncSocket::ReceiveFrom(void* buf, int len, std::string& address, unsigned& port, int flags) {
    SocketAddress from;
    const int n = ReceiveFrom(buf, len, from, flags);
    if (n != SocketErrorResult || GetLastError() == static_cast<int>(SocketError::MessageSize)) {
        address = from.Address();
        port = from.Port();
    }
    return n;
}

int AsyncSocket::ReceiveImpl(void* buf, int len, int flags, SocketAddress* from, const char* operation,
                             bool waitIfKnownEmpty) {
    if (!RequireHandle(operation)) return SocketErrorResult;
    auto core = core_;
    // Every receive call, even a failing one, re-enables FD_READ and FD_OOB.
    core->readEnabled = true;
    core->oobEnabled = true;
    core->closeWatchBlocked = false;
    struct Rearm {
        std::shared_ptr<detail::SocketCore>& core;
        ~Rearm() {
            SocketEngine::ArmRead(core);
            SocketEngine::ArmExcept(core);
        }
    } rearm{core};

    int native = 0;
    if (!ops::NativeMessageFlags(flags, native) || (flags & MsgDontRoute)) {
        Fail(SocketError::InvalidArgument, operation, "unsupported flags " + std::to_string(flags));
        return SocketErrorResult;
    }
    if (len < 0 || (buf == nullptr && len > 0)) {
        Fail(SocketError::Fault, operation, "bad buffer or length");
        return SocketErrorResult;
    }
    if (core->tls) return detail::TlsSession::Receive(core, buf, len, flags, operation);
    const bool datagram = core->type == SOCK_DGRAM;
    if (!datagram && core->readAhead.Size() > 0 && core->closeError != SocketError::Success) {
        core->readAhead.Consume(core->readAhead.Size());  // a reset discards what was not read, as in the kernel
    }
    if (!datagram && !(flags & MsgOob) && core->readAhead.Size() > 0) return ReceiveAhead(buf, len, flags);
    const bool plainStreamRead = !datagram && !(flags & (MsgOob | MsgPeek));
    if (waitIfKnownEmpty && plainStreamRead && SocketEngine::QueueKnownEmpty(*core)) {
        // A blocking Receive (Socket): the last read proved the queue empty and no edge came since, so a read
        // now would block. The caller waits for the edge instead of spending a system call to learn that.
        RecordFixed(static_cast<int>(SocketError::WouldBlock), operation, "no data is queued");
        return SocketErrorResult;
    }
#ifdef __linux__
    if (datagram && !(flags & MsgOob)) native |= MSG_TRUNC;  // report the datagram's real size
#endif
    sockaddr_storage ss{};
    iovec iov{buf, static_cast<std::size_t>(len)};
    msghdr msg{};  // recvmsg: its MSG_TRUNC output flag tells of a truncated datagram on every platform
    msg.msg_name = &ss;
    msg.msg_namelen = sizeof ss;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    ops::ReadHint report;  // what the read left queued, where the kernel tells (ops::EnableReadHint)
    const bool hint = plainStreamRead && core->state == CoreState::Connected && SocketEngine::ReadHint(*core);
    ssize_t n;
    do {
        if (hint) report.Attach(msg);
        n = ::recvmsg(core->fd, &msg, native);
    } while (n < 0 && errno == EINTR);
    if (from != nullptr && n >= 0) *from = SocketAddress(&ss, msg.msg_namelen);
    if (plainStreamRead) {
        SocketEngine::NoteRead(*core,
                               n < 0 ? (errno == EAGAIN || errno == EWOULDBLOCK) : hint && ops::ReadHint::Drained(msg));
    }
    if (n < 0) {
        const SocketError e = FromErrno(errno);
        if (datagram && e == SocketError::ConnectionRefused) {
            // An ICMP "port unreachable" for an earlier datagram: Winsock reports it as WSAECONNRESET.
            Fail(SocketError::ConnectionReset, operation, "the peer's port is unreachable (ICMP)");
            return SocketErrorResult;
        }
        const SocketError closing = SocketEngine::ClosingError(e);
        if (!datagram && !(flags & MsgOob) && closing != SocketError::Success) {
            SocketEngine::ReportClose(core, closing);
        }
        RecordFixed(static_cast<int>(e), operation, e == SocketError::WouldBlock ? "no data is queued" : "");
        return SocketErrorResult;
    }
    if (datagram && (n > len || (msg.msg_flags & MSG_TRUNC))) {
        const std::string size = n > len ? std::to_string(n) + " bytes" : "more than " + std::to_string(len) + " bytes";
        Fail(SocketError::MessageSize, operation,
             "the datagram had " + size + "; the first " + std::to_string(len) + " were kept");
        return SocketErrorResult;
    }
    if (n == 0 && len > 0 && !datagram && core->state == CoreState::Connected) {
        if (core->closeError != SocketError::Success) {
            // A reset already seen (its error consumed by the engine's peek) keeps being reported.
            Fail(core->closeError, operation, "the connection was reset");
            return SocketErrorResult;
        }
        if (!(flags & (MsgOob | MsgPeek))) SocketEngine::ReportClose(core, SocketError::Success);
    }
    ClearLastError();
    return static_cast<int>(n);
}

int AsyncSocket::ReceiveAhead(void* buf, int len, int flags) {
    // The engine read these bytes when the handle became readable (SocketCore::ReadAhead): the front of the
    // stream, served from memory.
    auto& ahead = core_->readAhead;
    const bool filled = ahead.filled;
    std::size_t n = std::min(static_cast<std::size_t>(len), ahead.Size());
    std::memcpy(buf, ahead.Data(), n);
    if (flags & MsgPeek) {
        ClearLastError();
        return static_cast<int>(n);
    }
    ahead.Consume(n);
    if (ahead.Size() == 0 && filled && n < static_cast<std::size_t>(len)) {
        // The read that filled the buffer may have left more in the kernel: take it in the same call, as a
        // recv() of this size would have.
        bool drained = false;
        const ssize_t more =
            ops::ReceiveStream(core_->fd, static_cast<char*>(buf) + n, static_cast<std::size_t>(len) - n,
                               SocketEngine::ReadHint(*core_), drained);
        SocketEngine::NoteRead(*core_, more < 0 ? (errno == EAGAIN || errno == EWOULDBLOCK) : drained);
        if (more > 0) {
            n += static_cast<std::size_t>(more);
        } else if (more < 0) {
            // The bytes already copied are the answer; a reset behind them is reported from now on (its
            // error is consumed by this read, so keep it), an end of stream is seen again by the next call.
            const SocketError closing = SocketEngine::ClosingError(FromErrno(errno));
            if (closing != SocketError::Success) {
                core_->closeError = closing;
                SocketEngine::ReportClose(core_, closing);
            }
        }
    }
    ClearLastError();
    return static_cast<int>(n);
}

bool AsyncSocket::ShutDown(int how) {
    if (!RequireHandle("ShutDown")) return false;
    int native;
    switch (how) {
    case Receives: native = SHUT_RD; break;
    case Sends: native = SHUT_WR; break;
    case Both: native = SHUT_RDWR; break;
    default: return Fail(SocketError::InvalidArgument, "ShutDown", "how must be Receives, Sends or Both");
    }
    if (how != Receives && core_->tls) detail::TlsSession::CloseNotify(core_);  // close_notify first
    if (::shutdown(core_->fd, native) < 0) {
        const SocketError e = FromErrno(errno);
        return Fail(e, "ShutDown", "shutdown() failed");
    }
    if (how != Receives) core_->shutSend = true;
    // A receive side shut down reads as an end of stream from now on: never skip the read that would say so.
    if (how != Sends) core_->kernelMayHaveData = true;
    ClearLastError();
    return true;
}

void AsyncSocket::Close() {
    if (!core_) return;
    if (core_->tls) detail::TlsSession::CloseNotify(core_);
    SocketEngine::Retire(*core_, true);
    core_.reset();
}

// --- control -------------------------------------------------------------------------------------

bool AsyncSocket::AsyncSelect(long events) {
    if (!RequireHandle("AsyncSelect")) return false;
    if (events & ~static_cast<long>(AllEvents)) {
        return Fail(SocketError::InvalidArgument, "AsyncSelect", "unknown event bits");
    }
    SocketError err;
    if (events != 0 && !ops::SetNonBlocking(core_->fd, true, err)) return Fail(err, "AsyncSelect");
    core_->mask = events;
    // Re-evaluate every selected condition now, as WSAAsyncSelect does.
    core_->readEnabled = core_->acceptEnabled = core_->oobEnabled = true;
    core_->closeWatchBlocked = false;
    if (core_->state == CoreState::Connected || core_->type == SOCK_DGRAM) core_->writeWanted = true;
    // An end of stream or reset seen while FdClose was off is reported once it is selected.
    if ((events & FdClose) && core_->eofSeen && !core_->closeReported) {
        SocketEngine::ReportClose(core_, core_->closeError);
    }
    SocketEngine::ArmAll(core_);
    ClearLastError();
    return true;
}

bool AsyncSocket::IOCtl(long command, unsigned long* argument) {
    if (!RequireHandle("IOCtl")) return false;
    if (argument == nullptr) return Fail(SocketError::Fault, "IOCtl", "null argument");
    if (command == FionRead || command == static_cast<long>(FIONREAD)) {
        int queued = 0;
        if (::ioctl(core_->fd, FIONREAD, &queued) < 0) return Fail(FromErrno(errno), "IOCtl", "FIONREAD failed");
        if (core_->tls) queued = 0;  // ciphertext is not readable data; the decrypted bytes are counted below
        *argument = static_cast<unsigned long>(queued) + core_->readAhead.Size() + UserBytesQueued();
    } else if (command == FionBio || command == static_cast<long>(FIONBIO)) {
        if (*argument == 0 && core_->mask != 0) {
            return Fail(SocketError::InvalidArgument, "IOCtl",
                        "a socket with notifications selected stays non-blocking; call AsyncSelect(0) first");
        }
        SocketError err;
        if (!ops::SetNonBlocking(core_->fd, *argument != 0, err)) return Fail(err, "IOCtl", "FIONBIO failed");
    } else if (command == SiocAtMark) {
        *argument = ops::OobWaiting(core_->fd) ? 0 : 1;
    } else {
        return Fail(SocketError::InvalidArgument, "IOCtl", "unsupported command " + std::to_string(command));
    }
    ClearLastError();
    return true;
}

bool AsyncSocket::SetSockOpt(int optionName, const void* value, int len, int level) {
    if (!RequireHandle("SetSockOpt")) return false;
    if (len < 0 || (value == nullptr && len > 0)) return Fail(SocketError::Fault, "SetSockOpt", "bad value or length");
    if (::setsockopt(core_->fd, level, optionName, value, static_cast<socklen_t>(len)) < 0) {
        return Fail(FromErrno(errno), "SetSockOpt",
                    "level " + std::to_string(level) + " option " + std::to_string(optionName));
    }
    // Remember it, for a replacement handle during Connect fallback.
    auto& opts = core_->options;
    const auto* bytes = static_cast<const unsigned char*>(value);
    auto it = std::find_if(opts.begin(), opts.end(),
                           [&](const detail::RecordedOption& o) { return o.level == level && o.name == optionName; });
    if (it == opts.end()) it = opts.insert(opts.end(), detail::RecordedOption{level, optionName, {}});
    it->value.assign(bytes, bytes + len);
    if (level == SOL_SOCKET && optionName == SO_OOBINLINE && len >= static_cast<int>(sizeof(int))) {
        int on = 0;
        std::memcpy(&on, value, sizeof on);
        core_->oobInline = on != 0;
    }
    ClearLastError();
    return true;
}

bool AsyncSocket::GetSockOpt(int optionName, void* value, int* len, int level) {
    if (!RequireHandle("GetSockOpt")) return false;
    if (value == nullptr || len == nullptr || *len < 0)
        return Fail(SocketError::Fault, "GetSockOpt", "bad value or length");
    socklen_t l = static_cast<socklen_t>(*len);
    if (::getsockopt(core_->fd, level, optionName, value, &l) < 0) {
        return Fail(FromErrno(errno), "GetSockOpt",
                    "level " + std::to_string(level) + " option " + std::to_string(optionName));
    }
    *len = static_cast<int>(l);
    ClearLastError();
    return true;
}

namespace {
template <class Sock>
bool SetBool(Sock& s, int level, int name, bool on) {
    int v = on ? 1 : 0;
    return s.SetSockOpt(name, &v, sizeof v, level);
}
template <class Sock>
bool GetInt(Sock& s, int level, int name, int& out) {
    int v = 0;
    int len = sizeof v;
    if (!s.GetSockOpt(name, &v, &len, level)) return false;
    out = v;
    return true;
}
template <class Sock>
bool GetBool(Sock& s, int level, int name, bool& on) {
    int v = 0;
    if (!GetInt(s, level, name, v)) return false;
    on = v != 0;
    return true;
}
}  // namespace

bool AsyncSocket::SetReuseAddress(bool on) {
    return SetBool(*this, SOL_SOCKET, SO_REUSEADDR, on);
}
bool AsyncSocket::GetReuseAddress(bool& on) {
    return GetBool(*this, SOL_SOCKET, SO_REUSEADDR, on);
}

bool AsyncSocket::SetExclusiveAddressUse(bool on) {
    exclusiveAddress_ = on;
    if (!core_) return true;  // applied when the socket is made
    return on ? SetBool(*this, SOL_SOCKET, SO_REUSEADDR, false) : true;
}

bool AsyncSocket::GetExclusiveAddressUse(bool& on) {
    on = exclusiveAddress_;
    return true;
}

bool AsyncSocket::SetNoDelay(bool on) {
    return SetBool(*this, IPPROTO_TCP, TCP_NODELAY, on);
}
bool AsyncSocket::GetNoDelay(bool& on) {
    return GetBool(*this, IPPROTO_TCP, TCP_NODELAY, on);
}
bool AsyncSocket::SetKeepAlive(bool on) {
    return SetBool(*this, SOL_SOCKET, SO_KEEPALIVE, on);
}
bool AsyncSocket::GetKeepAlive(bool& on) {
    return GetBool(*this, SOL_SOCKET, SO_KEEPALIVE, on);
}

bool AsyncSocket::SetLinger(bool on, int seconds) {
    if (seconds < 0) return Fail(SocketError::InvalidArgument, "SetLinger", "negative time");
    linger l{on ? 1 : 0, seconds};
    return SetSockOpt(SO_LINGER, &l, sizeof l, SOL_SOCKET);
}

bool AsyncSocket::GetLinger(bool& on, int& seconds) {
    linger l{};
    int len = sizeof l;
    if (!GetSockOpt(SO_LINGER, &l, &len, SOL_SOCKET)) return false;
    on = l.l_onoff != 0;
    seconds = l.l_linger;
    return true;
}

bool AsyncSocket::SetSendBufferSize(int bytes) {
    return SetSockOpt(SO_SNDBUF, &bytes, sizeof bytes, SOL_SOCKET);
}
bool AsyncSocket::GetSendBufferSize(int& bytes) {
    return GetInt(*this, SOL_SOCKET, SO_SNDBUF, bytes);
}
bool AsyncSocket::SetReceiveBufferSize(int bytes) {
    return SetSockOpt(SO_RCVBUF, &bytes, sizeof bytes, SOL_SOCKET);
}
bool AsyncSocket::GetReceiveBufferSize(int& bytes) {
    return GetInt(*this, SOL_SOCKET, SO_RCVBUF, bytes);
}

bool AsyncSocket::SetIPv6Only(bool on) {
    if (!RequireHandle("SetIPv6Only")) return false;
    if (core_->family != AF_INET6) {
        return Fail(SocketError::NoProtocolOption, "SetIPv6Only", "the socket is not an IPv6 socket");
    }
    return SetBool(*this, IPPROTO_IPV6, IPV6_V6ONLY, on);
}

bool AsyncSocket::GetIPv6Only(bool& on) {
    if (!RequireHandle("GetIPv6Only")) return false;
    if (core_->family != AF_INET6) {
        return Fail(SocketError::NoProtocolOption, "GetIPv6Only", "the socket is not an IPv6 socket");
    }
    return GetBool(*this, IPPROTO_IPV6, IPV6_V6ONLY, on);
}

// --- names ---------------------------------------------------------------------------------------

bool AsyncSocket::GetPeerName(SocketAddress& address) {
    if (!RequireHandle("GetPeerName")) return false;
    SocketError e;
    if (!ops::PeerAddress(core_->fd, address, e)) return Fail(e, "GetPeerName", "the socket is not connected");
    ClearLastError();
    return true;
}

bool AsyncSocket::GetPeerName(std::string& address, unsigned& port) {
    SocketAddress a;
    if (!GetPeerName(a)) return false;
    address = a.Address();
    port = a.Port();
    return true;
}

bool AsyncSocket::GetSockName(SocketAddress& address) {
    if (!RequireHandle("GetSockName")) return false;
    SocketError e;
    if (!ops::LocalAddress(core_->fd, address, e)) return Fail(e, "GetSockName");
    ClearLastError();
    return true;
}

bool AsyncSocket::GetSockName(std::string& address, unsigned& port) {
    SocketAddress a;
    if (!GetSockName(a)) return false;
    address = a.Address();
    port = a.Port();
    return true;
}

// --- handles -------------------------------------------------------------------------------------

bool AsyncSocket::Attach(NativeHandle handle, long events) {
    if (!RequireLoop("Attach")) return false;
    if (handle == InvalidHandle) return Fail(SocketError::NoHandle, "Attach", "invalid handle");
    if (events & ~static_cast<long>(AllEvents))
        return Fail(SocketError::InvalidArgument, "Attach", "unknown event bits");
    if (core_) return Fail(SocketError::InvalidArgument, "Attach", "the object already has a handle");
    if (loop_->handles.count(handle) != 0) {
        return Fail(SocketError::InvalidArgument, "Attach", "another socket object of this loop owns the handle");
    }
    int type = 0, family = 0, protocol = 0;
    bool listening = false;
    SocketError err = SocketError::Success;
    if (!ops::Describe(handle, type, family, protocol, listening, err)) {
        return Fail(err, "Attach", "the handle is not an open IPv4/IPv6 socket");
    }
    if (!ops::SetNonBlocking(handle, true, err)) return Fail(err, "Attach");
    std::vector<char> handed = SocketEngine::TakeHandOff(handle);  // read ahead before a Detach: still unread
    core_ = SocketEngine::Install(*this, handle, family, type, protocol, err);
    if (!core_) {
        if (!handed.empty()) SocketEngine::RestoreHandOff(handle, std::move(handed));
        return Fail(err, "Attach", "cannot register the handle with the EventLoop");
    }
    if (!handed.empty()) {
        auto& ahead = core_->readAhead;
        ahead.bytes.reset(new char[std::max(handed.size(), detail::SocketCore::ReadAhead::kCapacity)]);
        std::memcpy(ahead.bytes.get(), handed.data(), handed.size());
        ahead.begin = 0;
        ahead.end = handed.size();
    }
    int inlineOob = 0;
    socklen_t inlineLen = sizeof inlineOob;
    core_->oobInline = ::getsockopt(handle, SOL_SOCKET, SO_OOBINLINE, &inlineOob, &inlineLen) == 0 && inlineOob;
    SocketAddress peer;
    SocketError ignored;
    if (listening) {
        core_->state = CoreState::Listening;
    } else if (type == SOCK_STREAM && ops::PeerAddress(handle, peer, ignored)) {
        core_->state = CoreState::Connected;
    } else {
        core_->state = type == SOCK_DGRAM ? CoreState::Connected : CoreState::Open;
    }
    return AsyncSelect(events);
}

NativeHandle AsyncSocket::Detach() {
    if (!RequireLoop("Detach")) return InvalidHandle;
    if (!core_) {
        Fail(SocketError::NoHandle, "Detach", "the object has no handle");
        return InvalidHandle;
    }
    const NativeHandle fd = core_->fd;
    SocketEngine::HandOff(*core_);                  // bytes read ahead go with the handle to its next Attach
    if (core_->readHint) ops::DisableReadHint(fd);  // the handle goes back with the options it came with
    SocketEngine::Retire(*core_, false);
    core_.reset();
    ClearLastError();
    return fd;
}

AsyncSocket* AsyncSocket::FromHandle(NativeHandle handle) {
    detail::LoopState* loop = detail::ThisThreadLoop();
    if (loop == nullptr) return nullptr;
    auto it = loop->handles.find(handle);
    return it == loop->handles.end() ? nullptr : it->second->owner;
}

NativeHandle AsyncSocket::GetHandle() const noexcept {
    return core_ ? core_->fd : InvalidHandle;
}

long AsyncSocket::GetEvents() const noexcept {
    return core_ ? core_->mask : 0;
}

SocketType AsyncSocket::GetSocketType() const noexcept {
    return core_ && core_->type == SOCK_DGRAM ? SocketType::Datagram : SocketType::Stream;
}

AddressFamily AsyncSocket::GetAddressFamily() const noexcept {
    if (!core_) return AddressFamily::Unspecified;
    return core_->family == AF_INET6 ? AddressFamily::IPv6 : AddressFamily::IPv4;
}

// --- notifications: MFC's defaults do nothing ---------------------------------------------------

void AsyncSocket::OnReceive(int) {}
void AsyncSocket::OnSend(int) {}
void AsyncSocket::OnOutOfBandData(int) {}
void AsyncSocket::OnAccept(int) {}
void AsyncSocket::OnConnect(int) {}
void AsyncSocket::OnClose(int) {}

std::size_t AsyncSocket::UserBytesQueued() const noexcept {
    std::size_t held = core_ && core_->tls ? core_->tls->Buffered() : 0;  // decrypted TLS bytes
    for (const ReadAheadHolder* h : holders_)
        held += h->HeldBytes();
    return held;
}

void AsyncSocket::AddReadAheadHolder(const ReadAheadHolder& holder) {
    if (std::find(holders_.begin(), holders_.end(), &holder) == holders_.end()) holders_.push_back(&holder);
}

void AsyncSocket::RemoveReadAheadHolder(const ReadAheadHolder& holder) noexcept {
    holders_.erase(std::remove(holders_.begin(), holders_.end(), &holder), holders_.end());
}

void AsyncSocket::ReadAheadChanged() {
    if (core_) SocketEngine::ArmRead(core_);
}

void AsyncSocket::ReenableReceive() {
    if (!core_) return;
    core_->readEnabled = true;
    core_->closeWatchBlocked = false;
    SocketEngine::ArmRead(core_);
}

}  // namespace portafx
