// portafx — Socket: MFC's CSocket, a pseudo-blocking AsyncSocket.
//
// `Connect`, `Accept`, `Send` (which sends everything) and `Receive` block by pumping the socket's
// EventLoop until they can complete, as CSocket's do. While one blocks, the notifications of other sockets
// of the loop (and this socket's other notifications) are held back and delivered in order after it
// returns, by the loop that called it, or, when nothing was running the loop, by its next Run/Poll: no
// notification runs inside a blocking call. Beyond MFC, `SetTimeout` bounds every blocking
// call (`TimedOut`, 10060), and `CancelBlockingCall` may be called from any thread.
//
// A Socket works the same in a worker thread that never runs its loop explicitly: the blocking calls
// run it. See docs/threading.md.
#pragma once

#include <portafx/async_socket.hpp>

#include <chrono>

namespace portafx {

/// The portable CSocket.
class Socket : public AsyncSocket {
public:
    using Duration = std::chrono::steady_clock::duration;

    /// A socket object with no handle yet, belonging to the calling thread's loop.
    Socket();

    /// A socket object with no handle yet, belonging to `loop`.
    explicit Socket(EventLoop& loop);

    /// Cancels a blocking call in progress (it fails with `Interrupted`) and closes the socket.
    ~Socket() override;

    /// As AsyncSocket::Create with every notification selected (MFC's CSocket::Create).
    bool Create(unsigned port = 0, SocketType type = SocketType::Stream, const char* address = nullptr);

    /// As AsyncSocket::Attach with every notification selected.
    bool Attach(NativeHandle handle);

    /// The Socket of the calling thread's loop that owns `handle`, or null (also if that object is an
    /// AsyncSocket that is not a Socket).
    static Socket* FromHandle(NativeHandle handle);

    /// True while a blocking call of this object is pumping the loop.
    bool IsBlocking() const noexcept { return blocking_; }

    /// Makes the blocking call in progress fail with `Interrupted` (WSAEINTR) as soon as the loop turns.
    /// Safe from any thread, and from OnMessagePending. After a cancelled call, only Close is safe in MFC;
    /// portafx leaves the socket usable, but the state of a cancelled Send is unknown (some bytes may have
    /// been sent: GetLastErrorInfo says how many).
    void CancelBlockingCall();

    /// Bounds every later blocking call: one that has not completed after `timeout` fails with `TimedOut`
    /// (10060). Zero (the default) means no limit, as in MFC.
    void SetTimeout(Duration timeout) noexcept { timeout_ = timeout; }
    Duration GetTimeout() const noexcept { return timeout_; }

    /// Waits until a connection is pending, then accepts it (see AsyncSocket::Accept).
    bool Accept(AsyncSocket& connected, SocketAddress* peer = nullptr) override;

    /// Sends all `len` bytes, waiting for room as needed; returns `len` or `SocketErrorResult`. On failure
    /// GetLastErrorInfo says how many bytes were sent before it.
    int Send(const void* buf, int len, int flags = 0) override;

    /// Gather send that sends everything: the buffers in order, waiting for room as needed, each system
    /// call taking as many buffers as remain (on a datagram socket: one datagram, one call). Returns the
    /// total or `SocketErrorResult`; on failure GetLastErrorInfo says how many bytes were sent before it.
    int Send(const ConstBuffer* buffers, std::size_t count, int flags = 0) override;
    using AsyncSocket::Send;  // the count/vector/initializer_list forms, which call the one above

    /// Waits until at least one byte (or the end of the stream) can be read, then reads up to `len`:
    /// returns the count, 0 when the peer closed, or `SocketErrorResult`. Not "read fully", as in MFC.
    int Receive(void* buf, int len, int flags = 0) override;

    /// Waits for room, then sends the datagram (see AsyncSocket::SendTo).
    int SendTo(const void* buf, int len, const SocketAddress& to, int flags = 0) override;
    using AsyncSocket::SendTo;  // the host/port form, which calls the one above

    /// Waits until a datagram (or stream data) arrives, then receives it with its sender's address.
    int ReceiveFrom(void* buf, int len, SocketAddress& from, int flags = 0) override;
    using AsyncSocket::ReceiveFrom;  // the address/port form, which calls the one above

    /// Cancels a blocking call in progress, then closes.
    void Close() override;

    /// As AsyncSocket::EnableTls; on a connected socket it waits for the handshake and returns its outcome
    /// (false with a Tls* error). Before Connect, Connect waits for the handshake too.
    bool EnableTls(const TlsContext& context, const std::string& peerName = {});

protected:
    /// Called while a blocking call waits, after each event the loop handled (MFC: while messages are
    /// pending). Override it to watch for a user's cancel; the return value is ignored (MFC ran idle
    /// processing on TRUE). The default does nothing and returns false.
    virtual bool OnMessagePending();

    /// Waits for the outcome of the connect attempt: true when connected, false with its error.
    bool ConnectHelper() override;

private:
    bool Block(long events, const char* operation);
    /// CSocket's pattern: try the non-blocking call; on WouldBlock pump the loop for `events`; retry.
    template <class T, class F>
    T Retry(long events, const char* operation, T failed, F attempt);

    Duration timeout_{};
    bool blocking_ = false;
};

}  // namespace portafx
