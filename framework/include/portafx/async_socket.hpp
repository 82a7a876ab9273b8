// portafx — AsyncSocket: MFC's CAsyncSocket, portable, on Boost.Asio.
//
// A non-blocking socket whose readiness is reported by virtual notifications (`OnReceive`, `OnSend`,
// `OnAccept`, `OnConnect`, `OnClose`, `OnOutOfBandData`) delivered by the socket's EventLoop with the
// exact re-enabling rules of Winsock's WSAAsyncSelect. docs/notifications.md describes each one.
//
// Return values follow MFC: members returning `bool` return false on failure, `Send`/`Receive` return
// `SocketErrorResult` (-1); the reason is then in `GetLastError()` (a WSA number, see SocketError) and
// `GetLastErrorInfo()` (what failed and why, in words).
//
// Threading: every member is called on the thread of the socket's EventLoop (docs/threading.md).
#pragma once

#include <portafx/event_loop.hpp>
#include <portafx/socket_address.hpp>
#include <portafx/socket_error.hpp>
#include <portafx/socket_types.hpp>
#include <portafx/tls_context.hpp>

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

namespace portafx {

namespace detail {
struct LoopState;
struct SocketCore;
class SocketEngine;
}  // namespace detail

/// A layer above a socket that holds bytes received from it and not yet consumed: an Archive's read-ahead
/// buffer, a SocketFile's given-back bytes. Registered with AsyncSocket::AddReadAheadHolder, its bytes count
/// as queued data: OnReceive comes while they are there, so no byte is stranded.
class ReadAheadHolder {
public:
    /// The bytes held now. Called on the socket's loop thread; must be cheap and must not call the socket.
    virtual std::size_t HeldBytes() const noexcept = 0;

protected:
    virtual ~ReadAheadHolder() = default;
};

/// The portable CAsyncSocket. Subclass it and override the notifications you need.
///
/// Objects are neither copyable nor movable (their address is registered with the loop, as MFC's are in
/// its handle map). Destroying the object closes its socket; `delete this` as the last statement of a
/// notification is safe, and so is destroying another socket of the same loop inside a notification.
class AsyncSocket {
public:
    /// How `ShutDown` half-closes (MFC: `receives`, `sends`, `both`).
    enum ShutdownHow { Receives = 0, Sends = 1, Both = 2 };

    /// A socket object with no handle yet, belonging to the calling thread's loop (`EventLoop::Current()`).
    AsyncSocket();

    /// A socket object with no handle yet, belonging to `loop`; the loop must outlive the handle (a
    /// destroyed loop closes its sockets).
    explicit AsyncSocket(EventLoop& loop);

    /// Closes the socket if it is open. No notification reaches the object afterwards.
    virtual ~AsyncSocket();

    AsyncSocket(const AsyncSocket&) = delete;
    AsyncSocket& operator=(const AsyncSocket&) = delete;

    // ---------------------------------------------------------------------------------------------
    // Creation, binding, connecting

    /// Makes the socket and binds it, as MFC's Create: `Socket(type, events)` then `Bind(port, address)`.
    ///
    /// `address` may be a numeric IPv4 or IPv6 address or a host name (resolved here, synchronously); the
    /// socket takes the address's family. With no address the socket is IPv6 dual-stack bound to `::`
    /// (accepting and reaching IPv4 peers too), or IPv4 on hosts without IPv6. A non-zero `port` turns on
    /// address reuse (a restarted server binds at once) unless `SetExclusiveAddressUse(true)` was called
    /// first. Fails with `InvalidArgument` for a port over 65535 or a malformed address, `HostNotFound` for
    /// a name that does not resolve, `AddressInUse`, `AccessDenied` (privileged port), ...; on failure no
    /// handle is left open.
    bool Create(unsigned port = 0, SocketType type = SocketType::Stream, long events = AllEvents,
                const char* address = nullptr);

    /// Makes the socket without binding it (MFC's Socket). The default family is IPv4, as in MFC;
    /// `AddressFamily::Unspecified` chooses IPv6 dual-stack where available. `events` is the
    /// notification mask (see AsyncSelect). Fails with `InvalidArgument` if the object already has a handle.
    bool Socket(SocketType type = SocketType::Stream, long events = AllEvents, int protocol = 0,
                AddressFamily family = AddressFamily::IPv4);

    /// Binds to `port` on `address` (numeric or host name; null = the wildcard of the socket's family).
    /// An IPv4 address on an IPv6 dual-stack socket is bound in its mapped form.
    bool Bind(unsigned port, const char* address = nullptr);

    /// Binds to an endpoint.
    bool Bind(const SocketAddress& address);

    /// Starts listening. `OnAccept` then comes once per pending connection, re-enabled by `Accept`.
    bool Listen(int backlog = 5);

    /// Accepts a pending connection into `connected`, which must have no handle. `connected` may belong to
    /// another EventLoop; it inherits this socket's notification mask and gets `OnSend` once (if selected).
    /// Fails with `WouldBlock` when nothing is pending. `peer`, if given, receives the peer's address.
    virtual bool Accept(AsyncSocket& connected, SocketAddress* peer = nullptr);

    /// Connects to `host` (numeric address or name) and `port`. A name is resolved with getaddrinfo
    /// (AF_UNSPEC) without blocking the loop, and each address is tried in turn until one connects.
    /// On an AsyncSocket this returns false with `WouldBlock` and the outcome arrives in `OnConnect`
    /// (0, or the error of the last address tried: `ConnectionRefused`, `HostNotFound`, ...). A socket
    /// without a handle gets one (as `Socket(Stream, AllEvents, 0, Unspecified)`).
    bool Connect(const char* host, unsigned port);

    /// Connects to one endpoint (see the other overload).
    bool Connect(const SocketAddress& address);

    /// Connects to the first of `candidates` that accepts, trying each in turn (see the first overload).
    bool Connect(const std::vector<SocketAddress>& candidates);

    // ---------------------------------------------------------------------------------------------
    // Data

    /// Sends up to `len` bytes; returns the number queued (possibly fewer than `len`) or
    /// `SocketErrorResult`. A `WouldBlock` failure arms one `OnSend` for when there is room again.
    /// `flags`: MsgOob, MsgDontRoute. Never raises SIGPIPE.
    virtual int Send(const void* buf, int len, int flags = 0);

    /// Gather send: the buffers in order, in one system call (sendmsg). Returns the bytes queued or
    /// `SocketErrorResult`, with the same rules as the single-buffer Send. On a connected datagram socket
    /// the buffers make one datagram. Socket overrides it to send everything.
    virtual int Send(const ConstBuffer* buffers, std::size_t count, int flags = 0);

    /// The same with an `int` count, so that `Send(buffers, 2)` is not ambiguous with the byte overload.
    int Send(const ConstBuffer* buffers, int count, int flags = 0) {
        return Send(buffers, static_cast<std::size_t>(count), flags);  // negative: rejected as too many
    }

    /// Gather send of a vector of buffers.
    int Send(const std::vector<ConstBuffer>& buffers, int flags = 0) {
        return Send(buffers.data(), buffers.size(), flags);
    }

    /// Gather send of a braced list: `Send({{header, 4}, {body, n}})`.
    int Send(std::initializer_list<ConstBuffer> buffers, int flags = 0) {
        return Send(buffers.begin(), buffers.size(), flags);
    }

    /// Receives up to `len` bytes; returns the number read, 0 when the peer has closed the connection
    /// gracefully, or `SocketErrorResult` (`WouldBlock` if nothing is queued, `ConnectionReset`, ...).
    /// Every call, even a failing one, re-enables `OnReceive` (and `OnOutOfBandData`): if data is still
    /// queued afterwards, `OnReceive` comes again. `flags`: MsgPeek, MsgOob.
    virtual int Receive(void* buf, int len, int flags = 0);

    /// Sends one datagram to `to` (also allowed on a stream socket, where `to` is ignored by the system).
    /// Returns the bytes sent or `SocketErrorResult` (`WouldBlock` arms OnSend, `MessageSize` for a
    /// datagram too large). An IPv4 destination on a dual-stack IPv6 socket is sent in its mapped form.
    virtual int SendTo(const void* buf, int len, const SocketAddress& to, int flags = 0);

    /// MFC's form: `host` is a numeric address or a name (resolved here, synchronously; a numeric address
    /// never waits); null means the IPv4 broadcast address, as in MFC (SO_BROADCAST must be on).
    int SendTo(const void* buf, int len, unsigned port, const char* host = nullptr, int flags = 0);

    /// Receives one datagram (or stream bytes) and the sender's address. A datagram larger than `len`
    /// fails with `MessageSize`; its first `len` bytes are in `buf` and `from` is set. Re-enables
    /// OnReceive like Receive.
    virtual int ReceiveFrom(void* buf, int len, SocketAddress& from, int flags = 0);

    /// MFC's form: the sender's numeric address (IPv4-mapped unmapped) and port.
    int ReceiveFrom(void* buf, int len, std::string& address, unsigned& port, int flags = 0);

    /// Half-closes the connection (`Sends` by default: the peer sees end of stream). The handle stays open.
    bool ShutDown(int how = Sends);

    /// Closes the handle. Safe to call twice; after it no notification reaches the object.
    virtual void Close();

    // ---------------------------------------------------------------------------------------------
    // Control

    /// Replaces the notification mask (FdRead | FdWrite | ...). Conditions that already hold are
    /// reported at once: queued data gives `OnReceive`, a pending connection `OnAccept`, a connected
    /// socket with room to send `OnSend`. `AsyncSelect(0)` stops notifications.
    bool AsyncSelect(long events = AllEvents);

    /// `FionRead`: bytes that can be read now (kernel and user-space buffers). `FionBio`: zero makes the
    /// socket blocking, which fails with `InvalidArgument` while a notification mask is set (call
    /// `AsyncSelect(0)` first), as in Winsock. `SiocAtMark`: non-zero if no urgent data waits.
    /// The platform's own FIONREAD/FIONBIO values are accepted too.
    bool IOCtl(long command, unsigned long* argument);

    /// Sets a socket option with native level and name (e.g. `SOL_SOCKET`, `SO_RCVBUF`), as setsockopt.
    bool SetSockOpt(int optionName, const void* value, int len, int level = SOL_SOCKET);

    /// Reads a socket option with native level and name, as getsockopt; `*len` is in/out.
    bool GetSockOpt(int optionName, void* value, int* len, int level = SOL_SOCKET);

    /// Typed options. Each returns false (with the error) if the socket has no handle or the OS refuses.
    bool SetReuseAddress(bool on);
    bool GetReuseAddress(bool& on);
    /// Exclusive use of the address: no address reuse, so binding a port in use fails with
    /// `AddressInUse`. May be called before `Create` (it is then applied when the socket is made).
    bool SetExclusiveAddressUse(bool on);
    bool GetExclusiveAddressUse(bool& on);
    bool SetNoDelay(bool on);
    bool GetNoDelay(bool& on);
    bool SetKeepAlive(bool on);
    bool GetKeepAlive(bool& on);
    /// `SO_LINGER`: `on` with 0 seconds makes Close reset the connection.
    bool SetLinger(bool on, int seconds);
    bool GetLinger(bool& on, int& seconds);
    bool SetSendBufferSize(int bytes);
    bool GetSendBufferSize(int& bytes);
    bool SetReceiveBufferSize(int bytes);
    bool GetReceiveBufferSize(int& bytes);
    /// IPv6 sockets only: true = IPv6 only, false = dual-stack (the default portafx sets).
    bool SetIPv6Only(bool on);
    bool GetIPv6Only(bool& on);

    // ---------------------------------------------------------------------------------------------
    // Datagram options: broadcast and multicast (docs/datagrams.md)

    /// `SO_BROADCAST`: without it, SendTo a broadcast address fails with `AccessDenied` (as in Winsock).
    bool SetBroadcast(bool on);
    bool GetBroadcast(bool& on);

    /// Joins the multicast group `group` (a numeric IPv4 224.0.0.0/4 or IPv6 ff00::/8 address) on
    /// `networkInterface`: null for the system's choice, or an interface name (`"lo"`), index (`"1"`) or one
    /// of its addresses (`"127.0.0.1"`). Datagrams sent to the group and this socket's port then arrive
    /// here. An IPv4 group on a dual-stack IPv6 socket is joined as IPv4. Fails with `InvalidArgument`
    /// (not a multicast address, unknown interface), `AddressFamilyNotSupported` (an IPv6 group on an IPv4
    /// socket), `AddressInUse` (already joined), `AddressNotAvailable` (the interface has no address of
    /// the group's family).
    bool JoinMulticastGroup(const char* group, const char* networkInterface = nullptr);

    /// Leaves a group joined with the same arguments; `AddressNotAvailable` if it was not joined.
    bool LeaveMulticastGroup(const char* group, const char* networkInterface = nullptr);

    /// The interface multicast datagrams are sent from (name, index or address, as above); without it the
    /// system picks one by route. On a dual-stack IPv6 socket it is set for both families where the
    /// interface has addresses of both.
    bool SetMulticastInterface(const char* networkInterface);

    /// Hops a multicast datagram may travel (IP_MULTICAST_TTL / IPV6_MULTICAST_HOPS, 0-255; default 1).
    bool SetMulticastTtl(int hops);
    bool GetMulticastTtl(int& hops);

    /// Whether this host's own group members get the datagrams this socket sends (default on).
    bool SetMulticastLoopback(bool on);
    bool GetMulticastLoopback(bool& on);

    /// The peer's numeric address (IPv4-mapped addresses unmapped) and port.
    bool GetPeerName(std::string& address, unsigned& port);
    bool GetPeerName(SocketAddress& address);

    /// The local numeric address and port.
    bool GetSockName(std::string& address, unsigned& port);
    bool GetSockName(SocketAddress& address);

    /// The WSA number of the calling thread's last failure (0 after a success that reset it), as MFC.
    static int GetLastError() noexcept;

    /// What failed last on this thread and why. The object is the thread's own and lives as long as the thread;
    /// after a later failure, call again to read that one (the texts are brought up to date by this call).
    static const SocketErrorInfo& GetLastErrorInfo() noexcept;

    /// Sets the calling thread's last error (MFC: WSASetLastError), with an optional operation and detail.
    static void SetLastError(int code, const char* operation = "", std::string detail = {});

    // ---------------------------------------------------------------------------------------------
    // TLS (docs/tls.md)

    /// Puts TLS under Send/Receive, with `context`'s role and settings. Call it on a stream socket that has a
    /// handle: before Connect (client; the handshake follows the TCP connect and OnConnect comes once it is
    /// done, with 0 or a Tls* error), on a listener before Listen/Accept (server; each accepted socket does
    /// the server handshake, then gets OnSend; a failed handshake gives OnClose with the Tls* error), or on a
    /// connected socket (the handshake starts now; OnConnect reports it). `peerName` (client): the host name
    /// or address the server's certificate must match, also sent as SNI; empty = the host given to Connect,
    /// else the address connected to. Fails with `OperationNotSupported` on a datagram socket,
    /// `InvalidArgument` if TLS is already on or a listener gets a client context, `TlsConfiguration` for a
    /// server context without certificate and key.
    bool EnableTls(const TlsContext& context, const std::string& peerName = {});

    /// True once EnableTls succeeded.
    bool IsTlsEnabled() const noexcept;

    /// What the connection negotiated (version, cipher, the peer's certificate). Fails with
    /// `InvalidArgument` if TLS is not enabled.
    bool GetTlsInfo(TlsInfo& info) const;

    // ---------------------------------------------------------------------------------------------
    // Bytes held above the socket

    /// Registers a holder whose bytes count as queued data (see ReadAheadHolder); it must stay alive until
    /// removed. Several may be registered (a SocketFile and the Archive reading it).
    void AddReadAheadHolder(const ReadAheadHolder& holder);

    /// Removes a holder; does nothing if it is not registered.
    void RemoveReadAheadHolder(const ReadAheadHolder& holder) noexcept;

    /// Tells the socket that a holder's count grew outside this socket's Receive (it refilled its buffer):
    /// the conditions for OnReceive are checked again.
    void ReadAheadChanged();

    // ---------------------------------------------------------------------------------------------
    // Handles and hand-off between loops

    /// Takes ownership of an open socket handle (made non-blocking) and selects `events`; conditions that
    /// already hold are reported at once. Fails with `NoHandle` for `InvalidHandle`, `InvalidArgument`
    /// if this object already has a handle or another object of the loop has this one.
    bool Attach(NativeHandle handle, long events = AllEvents);

    /// Gives up the handle without closing it (the OS socket stays open) and returns it; the object is then
    /// empty and gets no more notifications. Bytes already read ahead wait for the handle's next Attach; the
    /// per-read queue report portafx may have turned on (Linux's TCP_INQ) is turned off again. Returns
    /// `InvalidHandle` (error `NoHandle`) if it had none.
    NativeHandle Detach();

    /// The object that owns `handle` in the calling thread's loop — the loop this thread is running, else
    /// the thread's default loop — or null (as MFC's per-thread handle map).
    static AsyncSocket* FromHandle(NativeHandle handle);

    /// The handle, or `InvalidHandle` (MFC: `m_hSocket`).
    NativeHandle GetHandle() const noexcept;

    /// True if the object has a handle.
    bool IsOpen() const noexcept { return GetHandle() != InvalidHandle; }

    /// The loop the object belongs to. Throws std::logic_error if that loop was destroyed.
    EventLoop& GetEventLoop() const;

    /// The notification mask last selected.
    long GetEvents() const noexcept;

    /// Stream or Datagram (Stream if the object has no handle).
    SocketType GetSocketType() const noexcept;

    /// The family of the handle (IPv4 or IPv6), Unspecified if none.
    AddressFamily GetAddressFamily() const noexcept;

protected:
    /// Data (or end of stream) can be read: call `Receive` once. `errorCode` is 0 or a network error.
    virtual void OnReceive(int errorCode);
    /// Room to send: once after connecting or accepting, then only after a Send failed with WouldBlock.
    virtual void OnSend(int errorCode);
    /// Urgent (out-of-band) data can be read with `Receive(buf, len, MsgOob)`.
    virtual void OnOutOfBandData(int errorCode);
    /// A connection is pending on a listening socket: call `Accept` once.
    virtual void OnAccept(int errorCode);
    /// A non-blocking connect finished: 0 = connected, otherwise why it failed.
    virtual void OnConnect(int errorCode);
    /// The peer closed (0) or reset (`ConnectionReset`) the connection, or it was aborted
    /// (`ConnectionAborted`). Comes once. Data may still be queued: read it before closing.
    virtual void OnClose(int errorCode);

    /// Bytes a layer above the socket (TLS, a read-ahead buffer) holds in user space and has not handed to
    /// the user yet. They count as "data queued": while they are there, OnReceive comes again after each
    /// OnReceive returns (reading them is what re-enables it), so no byte is stranded. The default is the sum
    /// of the registered ReadAheadHolders.
    virtual std::size_t UserBytesQueued() const noexcept;

    /// Re-enables `OnReceive` as a `Receive` call does, for layers that satisfy reads from their own buffer
    /// without calling `Receive`.
    void ReenableReceive();

    /// Called by `Connect` once an attempt is under way (MFC's ConnectHelper). AsyncSocket's returns false
    /// with `WouldBlock`: the outcome comes in `OnConnect`. Socket's waits for the outcome.
    virtual bool ConnectHelper();

    friend class detail::SocketEngine;
    friend class Socket;  // its blocking Receive skips a read known to block (ReceiveImpl)
    /// Implementation state, for the derived classes of portafx.
    detail::SocketCore* Core() const noexcept { return core_.get(); }
    const std::shared_ptr<detail::SocketCore>& CorePtr() const noexcept { return core_; }
    /// Records the last error (code, operation, why) and returns false.
    bool Fail(SocketError code, const char* operation, std::string detail = {}) const;
    /// The same for a fixed text: copied into the thread's last error without allocating (hot paths).
    bool Fail(SocketError code, const char* operation, const char* detail) const;

private:
    bool RequireLoop(const char* operation) const;
    bool RequireHandle(const char* operation) const;
    // `operation`, here and in ReceiveImpl, is a string literal: a WouldBlock keeps it by address in the
    // thread's last error until GetLastErrorInfo asks for the text.
    int SendImpl(const ConstBuffer* buffers, std::size_t count, int flags, const SocketAddress* to,
                 const char* operation);
    // `waitIfKnownEmpty`: fail with WouldBlock, without a system call, when the engine knows the read would
    // block (SocketEngine::QueueKnownEmpty); Socket's blocking Receive then waits at once.
    int ReceiveImpl(void* buf, int len, int flags, SocketAddress* from, const char* operation,
                    bool waitIfKnownEmpty = false);
    int ReceiveAhead(void* buf, int len, int flags);  // from the engine's read-ahead bytes

    detail::LoopState* loop_;  // null once the loop is destroyed
    std::shared_ptr<detail::SocketCore> core_;
    std::vector<const ReadAheadHolder*> holders_;
    bool exclusiveAddress_ = false;
};

}  // namespace portafx
