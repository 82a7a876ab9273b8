// Socket: CSocket's pseudo-blocking calls — try the non-blocking call; on WouldBlock pump the loop until
// the awaited notification comes; retry.
#include <portafx/socket.hpp>

#include "detail/loop_state.hpp"
#include "detail/socket_engine.hpp"
#include "detail/tls_session.hpp"

#include <boost/asio/post.hpp>

#include <climits>
#include <string>
#include <vector>

namespace portafx {

using detail::SocketEngine;

Socket::Socket() = default;

Socket::Socket(EventLoop& loop) : AsyncSocket(loop) {}

Socket::~Socket() {
    CancelBlockingCall();
}

bool Socket::Create(unsigned port, SocketType type, const char* address) {
    return AsyncSocket::Create(port, type, AllEvents, address);
}

bool Socket::Attach(NativeHandle handle) {
    return AsyncSocket::Attach(handle, AllEvents);
}

Socket* Socket::FromHandle(NativeHandle handle) {
    return dynamic_cast<Socket*>(AsyncSocket::FromHandle(handle));
}

void Socket::CancelBlockingCall() {
    detail::SocketCore* core = Core();
    if (core == nullptr || core->loop == nullptr) return;
    core->cancelRequested = true;
    boost::asio::post(core->loop->io, [] {});  // wake the pump if it waits
}

void Socket::Close() {
    if (blocking_) CancelBlockingCall();
    // A call blocking further up the stack sees the socket closed and returns without touching the object
    // (it may be gone by then), so the flag is cleared here, while the object certainly exists.
    blocking_ = false;
    AsyncSocket::Close();
}

bool Socket::OnMessagePending() {
    return false;
}

bool Socket::Block(long events, const char* operation) {
    if (blocking_) {
        return Fail(SocketError::InProgress, operation, "a blocking call of this socket is already in progress");
    }
    auto core = CorePtr();
    if (!core || core->loop == nullptr) return Fail(SocketError::NotSocket, operation, "the socket has no handle");
    core->cancelRequested = false;
    blocking_ = true;
    SocketError err = SocketError::Success;
    const bool ok = SocketEngine::Pump(
        core, events, timeout_, [this] { OnMessagePending(); }, err);
    if (core->owner == nullptr) {
        // Closed or destroyed while waiting: `this` may be gone, so touch nothing of it.
        AsyncSocket::SetLastError(static_cast<int>(SocketError::Interrupted), operation,
                                  "the socket was closed during the call");
        return false;
    }
    blocking_ = false;
    if (!ok) {
        return Fail(err, operation,
                    err == SocketError::TimedOut ? "the call did not complete within the timeout"
                                                 : "the blocking call was cancelled");
    }
    return true;
}

template <class T, class F>
T Socket::Retry(long events, const char* operation, T failed, F attempt) {
    if (blocking_) {
        Fail(SocketError::InProgress, operation, "a blocking call of this socket is already in progress");
        return failed;
    }
    for (;;) {
        const T result = attempt();
        if (result != failed || GetLastError() != static_cast<int>(SocketError::WouldBlock)) return result;
        if (!Block(events, operation)) return failed;
    }
}

bool Socket::Accept(AsyncSocket& connected, SocketAddress* peer) {
    return Retry(FdAccept, "Accept", false, [&] { return AsyncSocket::Accept(connected, peer); });
}

int Socket::Send(const void* buf, int len, int flags) {
    const char* bytes = static_cast<const char*>(buf);
    int sent = 0;
    do {
        const int n = Retry(FdWrite | FdClose, "Send", SocketErrorResult,
                            [&] { return AsyncSocket::Send(bytes + sent, len - sent, flags); });
        if (n == SocketErrorResult) {
            const SocketErrorInfo why = GetLastErrorInfo();
            SetLastError(why.code, "Send",
                         std::to_string(sent) + " of " + std::to_string(len) + " bytes were sent" +
                             (why.detail.empty() ? std::string() : "; " + why.detail));
            return SocketErrorResult;
        }
        sent += n;
    } while (sent < len);
    return len;
}

int Socket::Send(const ConstBuffer* buffers, std::size_t count, int flags) {
    std::size_t total = 0;
    for (std::size_t i = 0; i < count && buffers != nullptr; ++i)
        total += buffers[i].size;
    if (buffers == nullptr || count == 0 || total > static_cast<std::size_t>(INT_MAX) ||
        GetSocketType() == SocketType::Datagram) {
        // Nothing to split, or a datagram: one attempt (AsyncSocket reports bad arguments).
        return Retry(FdWrite | FdClose, "Send", SocketErrorResult,
                     [&] { return AsyncSocket::Send(buffers, count, flags); });
    }
    std::vector<ConstBuffer> rest(buffers, buffers + count);
    std::size_t first = 0;  // the first buffer not fully sent
    std::size_t sent = 0;
    while (sent < total) {
        const int n = Retry(FdWrite | FdClose, "Send", SocketErrorResult,
                            [&] { return AsyncSocket::Send(rest.data() + first, rest.size() - first, flags); });
        if (n == SocketErrorResult) {
            const SocketErrorInfo why = GetLastErrorInfo();
            SetLastError(why.code, "Send",
                         std::to_string(sent) + " of " + std::to_string(total) + " bytes were sent" +
                             (why.detail.empty() ? std::string() : "; " + why.detail));
            return SocketErrorResult;
        }
        sent += static_cast<std::size_t>(n);
        std::size_t done = static_cast<std::size_t>(n);
        while (first < rest.size() && (done > 0 || rest[first].size == 0)) {
            ConstBuffer& b = rest[first];
            const std::size_t take = done < b.size ? done : b.size;
            b.data = static_cast<const char*>(b.data) + take;
            b.size -= take;
            done -= take;
            if (b.size == 0) ++first;
        }
    }
    return static_cast<int>(total);
}

int Socket::Receive(void* buf, int len, int flags) {
    return Retry((flags & MsgOob) ? FdOob : (FdRead | FdClose), "Receive", SocketErrorResult,
                 [&] { return ReceiveImpl(buf, len, flags, nullptr, "Receive", true); });
}

int Socket::SendTo(const void* buf, int len, const SocketAddress& to, int flags) {
    return Retry(FdWrite, "SendTo", SocketErrorResult, [&] { return AsyncSocket::SendTo(buf, len, to, flags); });
}

int Socket::ReceiveFrom(void* buf, int len, SocketAddress& from, int flags) {
    return Retry(FdRead | FdClose, "ReceiveFrom", SocketErrorResult,
                 [&] { return AsyncSocket::ReceiveFrom(buf, len, from, flags); });
}

bool Socket::ConnectHelper() {
    if (!Block(FdConnect, "Connect")) return false;
    const int code = SocketEngine::PumpedCode(*Core());
    if (code != 0) {
        return Fail(static_cast<SocketError>(code), "Connect",
                    detail::ConnectFailureDetail(*Core(), "the connection attempt failed"));
    }
    SetLastError(0);
    return true;
}

}  // namespace portafx
