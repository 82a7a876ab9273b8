// Thin wrappers over the POSIX socket calls. Each returns -1 (or false) and leaves the reason in
// `err` (a SocketError) and `why` (words); they never throw. The platform choice lives here.
#pragma once

#include <portafx/socket_address.hpp>
#include <portafx/socket_error.hpp>
#include <portafx/socket_types.hpp>

#include <sys/socket.h>
#include <sys/types.h>

#include <cstddef>
#include <string>
#include <vector>

namespace portafx::detail::ops {

/// Native family constant for an AddressFamily (AF_INET / AF_INET6).
int NativeFamily(AddressFamily family) noexcept;

/// A non-blocking, close-on-exec socket, or InvalidHandle with `err` set.
NativeHandle Open(int family, int type, int protocol, SocketError& err) noexcept;

/// Closes without reporting (errors of close() are not actionable here).
void Close(NativeHandle fd) noexcept;

/// O_NONBLOCK on or off.
bool SetNonBlocking(NativeHandle fd, bool on, SocketError& err) noexcept;

/// One byte peeked: >0 data waits, 0 end of stream, -1 error (`err`; WouldBlock when nothing yet).
int PeekOne(NativeHandle fd, SocketError& err) noexcept;

/// Asks the kernel to tell, with every read of this connected TCP stream, whether the read left anything queued
/// (Linux's TCP_INQ, from 4.18). False where no such report exists (other systems, older kernels, and kernels
/// that only claim Linux's interface, such as gVisor, which reports 4.4): reads of the handle then carry none.
bool EnableReadHint(NativeHandle fd) noexcept;

/// Turns the report off again (a Detach hands the handle back as it came: a caller's own recvmsg with a control
/// buffer would otherwise find an extra message in it).
void DisableReadHint(NativeHandle fd) noexcept;

/// Room for the kernel's report of what a read left queued (see EnableReadHint), attached to a recvmsg.
struct ReadHint {
    alignas(cmsghdr) unsigned char control[CMSG_SPACE(sizeof(int))];
    /// Points `msg`'s control buffer here before the read.
    void Attach(msghdr& msg) noexcept;
    /// After a successful read: whether the kernel reported nothing left, neither bytes nor an end of stream
    /// (Linux reports a received FIN as one byte queued, and counts an unread urgent byte). False when the
    /// report is missing, so only a report can prove the queue empty.
    static bool Drained(const msghdr& msg) noexcept;
};

/// recv() of a connected stream, without waiting (EINTR retried). With `hint` (EnableReadHint succeeded),
/// `drained` tells whether the kernel reported the queue empty after this read; otherwise it is false.
ssize_t ReceiveStream(NativeHandle fd, void* buf, std::size_t len, bool hint, bool& drained) noexcept;

/// True if an out-of-band byte is waiting.
bool OobWaiting(NativeHandle fd) noexcept;

/// True if poll() reports the handle readable now (data, end of stream or an error).
bool Readable(NativeHandle fd) noexcept;

/// True if poll() reports hang-up or error on the handle (the connection is ending).
bool HungUp(NativeHandle fd) noexcept;

/// The pending error of the socket (SO_ERROR), as an errno value.
int PendingError(NativeHandle fd) noexcept;

/// Socket type (SOCK_STREAM/SOCK_DGRAM) and family of an open handle; false if it is not a socket.
bool Describe(NativeHandle fd, int& type, int& family, int& protocol, bool& listening, SocketError& err) noexcept;

/// getsockname/getpeername into a SocketAddress.
bool LocalAddress(NativeHandle fd, SocketAddress& out, SocketError& err) noexcept;
bool PeerAddress(NativeHandle fd, SocketAddress& out, SocketError& err) noexcept;

/// Blocking getaddrinfo for Create/Bind with a host name (AF_UNSPEC unless `family` is given).
bool Resolve(const char* host, unsigned port, int family, bool passive, int socktype, std::vector<SocketAddress>& out,
             SocketError& err) noexcept;

/// True if `text` looks like an attempt at a numeric address (digits and dots only, or a colon):
/// such a string that fails to parse is malformed, not a host name to look up.
bool LooksNumeric(const char* text) noexcept;

/// True if `text` is a syntactically valid host name (RFC 1123 labels).
bool IsValidHostName(const char* text) noexcept;

/// Maps a Send/Receive flag set (MsgOob, MsgPeek, MsgDontRoute) to native flags; false if unknown bits.
bool NativeMessageFlags(int flags, int& native) noexcept;

}  // namespace portafx::detail::ops
