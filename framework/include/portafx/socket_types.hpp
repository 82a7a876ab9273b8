// portafx — the small vocabulary shared by every socket class: handles, socket types, address
// families, notification (event) flags, message flags and IOCtl commands.
//
// The numeric values of the event, message and IOCtl constants are those of Windows Sockets, so values
// stored or compared by legacy code keep their meaning. `IOCtl` also accepts the platform's own
// `FIONREAD`/`FIONBIO`, and the message flags happen to be the same numbers on POSIX systems.
#pragma once

#include <sys/socket.h>  // SOL_SOCKET and the SO_* option names for SetSockOpt/GetSockOpt

#include <cstddef>

namespace portafx {

/// The operating system's socket handle (a file descriptor on POSIX systems).
using NativeHandle = int;

/// The value of a handle that refers to no socket (MFC: `INVALID_SOCKET`).
inline constexpr NativeHandle InvalidHandle = -1;

/// The return value of Send, Receive, SendTo and ReceiveFrom on failure (MFC: `SOCKET_ERROR`).
inline constexpr int SocketErrorResult = -1;

/// The kind of socket, as MFC's `nSocketType` (`SOCK_STREAM`, `SOCK_DGRAM`).
enum class SocketType { Stream, Datagram };

/// The address family. `Unspecified` lets portafx choose (IPv6 dual-stack where the host has IPv6).
enum class AddressFamily { Unspecified, IPv4, IPv6 };

/// Notification flags for `Create`, `Socket`, `AsyncSelect` and `Attach` (MFC: `FD_READ` ... `FD_CLOSE`).
/// Same values as Winsock's.
enum : long {
    FdRead = 0x01,     ///< OnReceive: data (or end of stream) can be read.
    FdWrite = 0x02,    ///< OnSend: room to send again.
    FdOob = 0x04,      ///< OnOutOfBandData: urgent data arrived.
    FdAccept = 0x08,   ///< OnAccept: a connection is waiting on a listening socket.
    FdConnect = 0x10,  ///< OnConnect: a non-blocking connect finished (successfully or not).
    FdClose = 0x20,    ///< OnClose: the peer closed or reset the connection.
    AllEvents = FdRead | FdWrite | FdOob | FdAccept | FdConnect | FdClose,
};

/// Flags for Send and Receive (MFC: `MSG_OOB`, `MSG_PEEK`, `MSG_DONTROUTE`). Same values as Winsock's.
enum : int {
    MsgOob = 0x1,
    MsgPeek = 0x2,
    MsgDontRoute = 0x4,
};

/// Commands for `IOCtl` (MFC: `FIONBIO`, `FIONREAD`, `SIOCATMARK`), with Winsock's values.
enum : long {
    FionBio = static_cast<long>(0x8004667EUL),  ///< Set (non-zero) or clear non-blocking mode.
    FionRead = 0x4004667FL,                     ///< Bytes that can be read (stream) or next datagram size.
    SiocAtMark = 0x40047307L,                   ///< Non-zero if no urgent data is waiting.
};

/// One buffer of a gather send (`Send(buffers, count)`): `size` bytes starting at `data`.
struct ConstBuffer {
    const void* data;
    std::size_t size;
};

}  // namespace portafx
