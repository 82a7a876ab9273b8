// portafx compat — CAsyncSocket, CSocket and CSocketFile on portafx's AsyncSocket, Socket and SocketFile, with the
// Winsock names legacy code uses (SOCKET, INVALID_SOCKET, SOCKADDR_IN, FD_READ ..., WSAE...).
//
// CAsyncSocket and CSocket are thin: every member calls portafx (see docs/porting-guide.md for the member-by-member
// map). Both are built on portafx::Socket — a CAsyncSocket uses its non-blocking members, a CSocket its pseudo-blocking
// ones — so that a CSocket is a CAsyncSocket, as in MFC, and a CSocketFile can read through it. Notifications
// (OnReceive, OnSend, OnAccept, OnConnect, OnClose, OnOutOfBandData) are portafx's, with Winsock's rules, delivered
// by the thread's portafx::EventLoop (run it where MFC ran the message loop). Create without an address makes an IPv4
// socket, as MFC's does; pass an IPv6 address (or use Socket(..., AF_INET6)) for IPv6.
#pragma once

#include <portafx/async_socket.hpp>
#include <portafx/compat/cstring.hpp>
#include <portafx/compat/exceptions.hpp>
#include <portafx/compat/file.hpp>
#include <portafx/compat/object.hpp>
#include <portafx/compat/types.hpp>
#include <portafx/event_loop.hpp>
#include <portafx/socket.hpp>
#include <portafx/socket_address.hpp>
#include <portafx/socket_error.hpp>
#include <portafx/socket_file.hpp>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>

// --- Winsock names -----------------------------------------------------------------------------------------

using SOCKET = ::portafx::NativeHandle;  // a file descriptor here
using SOCKADDR = sockaddr;
using PSOCKADDR = sockaddr*;
using LPSOCKADDR = sockaddr*;
using SOCKADDR_IN = sockaddr_in;
using PSOCKADDR_IN = sockaddr_in*;
using LPSOCKADDR_IN = sockaddr_in*;
using SOCKADDR_IN6 = sockaddr_in6;
using SOCKADDR_STORAGE = sockaddr_storage;
using IN_ADDR = in_addr;
using LPIN_ADDR = in_addr*;
using HOSTENT = hostent;
using LPHOSTENT = hostent*;
using ADDRINFOA = addrinfo;
using ADDRINFOW = addrinfo;
using ADDRINFOT = addrinfo;
using u_long = unsigned long;
using u_short = unsigned short;
using u_char = unsigned char;

#define INVALID_SOCKET (::portafx::InvalidHandle)
#define SOCKET_ERROR (-1)

#define FD_READ 0x01
#define FD_WRITE 0x02
#define FD_OOB 0x04
#define FD_ACCEPT 0x08
#define FD_CONNECT 0x10
#define FD_CLOSE 0x20
#define PORTAFX_COMPAT_ALL_EVENTS (FD_READ | FD_WRITE | FD_OOB | FD_ACCEPT | FD_CONNECT | FD_CLOSE)

#define SD_RECEIVE 0x00
#define SD_SEND 0x01
#define SD_BOTH 0x02

#ifndef SIOCATMARK
#define SIOCATMARK 0x40047307L
#endif

// The Windows Sockets error numbers (portafx::SocketError has the same values).
#define WSABASEERR 10000
#define WSA_INVALID_HANDLE 6
#define WSAEINTR 10004L
#define WSAEBADF 10009L
#define WSAEACCES 10013L
#define WSAEFAULT 10014L
#define WSAEINVAL 10022L
#define WSAEMFILE 10024L
#define WSAEWOULDBLOCK 10035L
#define WSAEINPROGRESS 10036L
#define WSAEALREADY 10037L
#define WSAENOTSOCK 10038L
#define WSAEDESTADDRREQ 10039L
#define WSAEMSGSIZE 10040L
#define WSAEPROTOTYPE 10041L
#define WSAENOPROTOOPT 10042L
#define WSAEPROTONOSUPPORT 10043L
#define WSAESOCKTNOSUPPORT 10044L
#define WSAEOPNOTSUPP 10045L
#define WSAEPFNOSUPPORT 10046L
#define WSAEAFNOSUPPORT 10047L
#define WSAEADDRINUSE 10048L
#define WSAEADDRNOTAVAIL 10049L
#define WSAENETDOWN 10050L
#define WSAENETUNREACH 10051L
#define WSAENETRESET 10052L
#define WSAECONNABORTED 10053L
#define WSAECONNRESET 10054L
#define WSAENOBUFS 10055L
#define WSAEISCONN 10056L
#define WSAENOTCONN 10057L
#define WSAESHUTDOWN 10058L
#define WSAETOOMANYREFS 10059L
#define WSAETIMEDOUT 10060L
#define WSAECONNREFUSED 10061L
#define WSAELOOP 10062L
#define WSAENAMETOOLONG 10063L
#define WSAEHOSTDOWN 10064L
#define WSAEHOSTUNREACH 10065L
#define WSAENOTEMPTY 10066L
#define WSAEPROCLIM 10067L
#define WSAEUSERS 10068L
#define WSAEDQUOT 10069L
#define WSAESTALE 10070L
#define WSAEREMOTE 10071L
#define WSASYSNOTREADY 10091L
#define WSAVERNOTSUPPORTED 10092L
#define WSANOTINITIALISED 10093L
#define WSAEDISCON 10101L
#define WSAHOST_NOT_FOUND 11001L
#define WSATRY_AGAIN 11002L
#define WSANO_RECOVERY 11003L
#define WSANO_DATA 11004L

/// What WSAStartup / AfxSocketInit report.
struct WSADATA {
    WORD wVersion;
    WORD wHighVersion;
    char szDescription[257];
    char szSystemStatus[129];
    unsigned short iMaxSockets;
    unsigned short iMaxUdpDg;
    char* lpVendorInfo;
};
using LPWSADATA = WSADATA*;

/// The calling thread's last socket error (Winsock's WSAGetLastError; also what Win32's GetLastError returned).
inline int WSAGetLastError() noexcept {
    return ::portafx::AsyncSocket::GetLastError();
}
inline void WSASetLastError(int error) {
    ::portafx::AsyncSocket::SetLastError(error);
}
/// Win32's GetLastError, for socket code that calls it after a failed socket call.
inline DWORD GetLastError() noexcept {
    return static_cast<DWORD>(::portafx::AsyncSocket::GetLastError());
}
/// Fills `data` (if given) as Winsock 1.1 would; nothing to start here. Always 0.
int WSAStartup(WORD version, LPWSADATA data);
inline int WSACleanup() noexcept {
    return 0;
}
/// Closes a raw handle (e.g. one taken with Detach and never attached again).
inline int closesocket(SOCKET s) {
    return ::close(s) == 0 ? 0 : SOCKET_ERROR;
}

/// Prepares socket use in the calling thread (its EventLoop is made here). Call it in every thread, as in MFC.
BOOL AfxSocketInit(WSADATA* data = nullptr);

namespace portafx::compat::detail {
/// SOCK_STREAM / SOCK_DGRAM to portafx's SocketType; false (and WSAESOCKTNOSUPPORT) for anything else.
bool ToSocketType(int type, ::portafx::SocketType& out);
/// Copies `address` into MFC's `SOCKADDR*` / `int*` pair. An IPv4-mapped address is given as SOCKADDR_IN when the
/// buffer is smaller than SOCKADDR_IN6. Truncates (and reports the full length) if the buffer is too small.
void CopyAddress(const ::portafx::SocketAddress& address, SOCKADDR* out, int* length) noexcept;
/// A host name or address in UTF-8, or null.
inline std::string Utf8(LPCTSTR text) {
    return text == nullptr ? std::string() : CStringA(text).Str();
}
}  // namespace portafx::compat::detail

/// `m_hSocket`: the object's handle, read at every use (INVALID_SOCKET when it has none). Read-only.
class CSocketHandleMember {
public:
    explicit CSocketHandleMember(const ::portafx::AsyncSocket& owner) noexcept : owner_(&owner) {}
    CSocketHandleMember(const CSocketHandleMember&) = delete;
    CSocketHandleMember& operator=(const CSocketHandleMember&) = delete;
    operator SOCKET() const noexcept { return owner_->GetHandle(); }  // NOLINT: implicit, as the SOCKET it stands for

private:
    const ::portafx::AsyncSocket* owner_;
};

/// MFC's CAsyncSocket: non-blocking, with notifications.
class CAsyncSocket : public ::portafx::Socket, public CObject {
    PORTAFX_COMPAT_INLINE_RUNTIME_(CAsyncSocket, CObject, "CAsyncSocket", 0xFFFFu, nullptr, nullptr)
public:
    enum { receives = 0, sends = 1, both = 2 };

    /// A socket object with no handle, belonging to the calling thread's EventLoop.
    CAsyncSocket() : m_hSocket(*this) {}
    /// The same, belonging to `loop` (a portafx extension).
    explicit CAsyncSocket(::portafx::EventLoop& loop) : ::portafx::Socket(loop), m_hSocket(*this) {}
    ~CAsyncSocket() override = default;

    // --- creation ------------------------------------------------------------------------------------

    /// Socket + Bind, as MFC. No address: IPv4 on all interfaces (MFC's AF_INET); an IPv6 address makes an IPv6
    /// socket. A non-zero port turns on address reuse (a restarted server binds at once).
    BOOL Create(UINT socketPort = 0, int socketType = SOCK_STREAM, long events = PORTAFX_COMPAT_ALL_EVENTS,
                LPCTSTR socketAddress = nullptr) {
        ::portafx::SocketType type{};
        if (!::portafx::compat::detail::ToSocketType(socketType, type)) return FALSE;
        const std::string address =
            socketAddress != nullptr ? ::portafx::compat::detail::Utf8(socketAddress) : std::string("0.0.0.0");
        return PortafxBool_(::portafx::AsyncSocket::Create(socketPort, type, events, address.c_str()));
    }
    /// MFC ≥ 9: a socket of `info`'s family, type and protocol, not bound.
    BOOL CreateEx(ADDRINFOT* info, long events = PORTAFX_COMPAT_ALL_EVENTS) {
        if (info == nullptr) {
            WSASetLastError(WSAEINVAL);
            return FALSE;
        }
        return Socket(info->ai_socktype, events, info->ai_protocol, info->ai_family);
    }
    /// The socket without binding it. `addressFormat`: AF_INET (the default, as MFC), AF_INET6 or AF_UNSPEC.
    BOOL Socket(int socketType = SOCK_STREAM, long events = PORTAFX_COMPAT_ALL_EVENTS, int protocolType = 0,
                int addressFormat = PF_INET) {
        ::portafx::SocketType type{};
        if (!::portafx::compat::detail::ToSocketType(socketType, type)) return FALSE;
        const ::portafx::AddressFamily family = addressFormat == AF_INET6    ? ::portafx::AddressFamily::IPv6
                                                : addressFormat == AF_UNSPEC ? ::portafx::AddressFamily::Unspecified
                                                                             : ::portafx::AddressFamily::IPv4;
        return PortafxBool_(::portafx::AsyncSocket::Socket(type, events, protocolType, family));
    }
    BOOL Attach(SOCKET handle, long events = PORTAFX_COMPAT_ALL_EVENTS) {
        return PortafxBool_(::portafx::AsyncSocket::Attach(handle, events));
    }
    /// The CAsyncSocket of the calling thread's loop that owns `handle`, or null.
    static CAsyncSocket* FromHandle(SOCKET handle) {
        return dynamic_cast<CAsyncSocket*>(::portafx::AsyncSocket::FromHandle(handle));
    }
    operator SOCKET() const noexcept { return GetHandle(); }  // NOLINT: implicit, as MFC's

    // --- addresses and connections ------------------------------------------------------------------------

    BOOL Bind(UINT socketPort, LPCTSTR socketAddress = nullptr) {
        const std::string address = ::portafx::compat::detail::Utf8(socketAddress);
        return PortafxBool_(
            ::portafx::AsyncSocket::Bind(socketPort, socketAddress != nullptr ? address.c_str() : nullptr));
    }
    BOOL Bind(const SOCKADDR* address, int length) {
        return PortafxBool_(::portafx::AsyncSocket::Bind(::portafx::SocketAddress(address, PortafxLength_(length))));
    }
    /// MFC ≥ 9 (undocumented there): Bind / Connect to `info`'s address.
    BOOL BindEx(ADDRINFOT* info) {
        if (info == nullptr) return PortafxInvalid_();
        return Bind(info->ai_addr, static_cast<int>(info->ai_addrlen));
    }
    BOOL ConnectEx(ADDRINFOT* info) {
        if (info == nullptr) return PortafxInvalid_();
        return Connect(info->ai_addr, static_cast<int>(info->ai_addrlen));
    }
    BOOL Listen(int backlog = 5) { return PortafxBool_(::portafx::AsyncSocket::Listen(backlog)); }

    /// Accepts into `connected` (which must have no handle); `address`/`length` receive the peer's address. A
    /// CAsyncSocket's fails with WSAEWOULDBLOCK when nothing is pending; a CSocket's waits.
    virtual BOOL Accept(CAsyncSocket& connected, SOCKADDR* address = nullptr, int* length = nullptr) {
        ::portafx::SocketAddress peer;
        if (!Accept(static_cast<::portafx::AsyncSocket&>(connected), &peer)) return FALSE;
        if (address != nullptr && length != nullptr) ::portafx::compat::detail::CopyAddress(peer, address, length);
        return TRUE;
    }
    /// A name or numeric address (IPv4 or IPv6). A CAsyncSocket's returns FALSE with WSAEWOULDBLOCK and the outcome
    /// comes in OnConnect; a CSocket's waits for it.
    BOOL Connect(LPCTSTR hostAddress, UINT hostPort) {
        if (hostAddress == nullptr) {
            WSASetLastError(WSAEINVAL);
            return FALSE;
        }
        return PortafxBool_(
            ::portafx::AsyncSocket::Connect(::portafx::compat::detail::Utf8(hostAddress).c_str(), hostPort));
    }
    BOOL Connect(const SOCKADDR* address, int length) {
        return PortafxBool_(::portafx::AsyncSocket::Connect(::portafx::SocketAddress(address, PortafxLength_(length))));
    }
    BOOL GetPeerName(CString& peerAddress, UINT& peerPort) {
        std::string address;
        unsigned port = 0;
        if (!::portafx::AsyncSocket::GetPeerName(address, port)) return FALSE;
        peerAddress = CString(address.c_str());
        peerPort = port;
        return TRUE;
    }
    BOOL GetPeerName(SOCKADDR* address, int* length) {
        ::portafx::SocketAddress peer;
        if (!::portafx::AsyncSocket::GetPeerName(peer)) return FALSE;
        ::portafx::compat::detail::CopyAddress(peer, address, length);
        return TRUE;
    }
    BOOL GetPeerNameEx(CString& peerAddress, UINT& peerPort) { return GetPeerName(peerAddress, peerPort); }
    BOOL GetSockName(CString& socketAddress, UINT& socketPort) {
        std::string address;
        unsigned port = 0;
        if (!::portafx::AsyncSocket::GetSockName(address, port)) return FALSE;
        socketAddress = CString(address.c_str());
        socketPort = port;
        return TRUE;
    }
    BOOL GetSockName(SOCKADDR* address, int* length) {
        ::portafx::SocketAddress local;
        if (!::portafx::AsyncSocket::GetSockName(local)) return FALSE;
        ::portafx::compat::detail::CopyAddress(local, address, length);
        return TRUE;
    }
    BOOL GetSockNameEx(CString& socketAddress, UINT& socketPort) { return GetSockName(socketAddress, socketPort); }

    // --- data ------------------------------------------------------------------------------------------

    /// Bytes queued, or SOCKET_ERROR (WSAEWOULDBLOCK: OnSend comes when there is room). A CSocket's sends all.
    int Send(const void* buffer, int length, int flags = 0) override {
        return ::portafx::AsyncSocket::Send(buffer, length, flags);
    }
    /// Gather send (beyond MFC): the buffers in one system call. A CSocket's sends everything.
    int Send(const ::portafx::ConstBuffer* buffers, std::size_t count, int flags = 0) override {
        return ::portafx::AsyncSocket::Send(buffers, count, flags);
    }
    using ::portafx::AsyncSocket::Send;  // the int-count, vector and braced-list gather forms
    /// Bytes read, 0 when the peer closed, or SOCKET_ERROR (WSAEWOULDBLOCK when nothing is queued).
    int Receive(void* buffer, int length, int flags = 0) override {
        return ::portafx::AsyncSocket::Receive(buffer, length, flags);
    }
    /// A null host sends to the IPv4 broadcast address, as MFC (turn SO_BROADCAST on).
    int SendTo(const void* buffer, int length, UINT hostPort, LPCTSTR hostAddress = nullptr, int flags = 0) {
        const std::string host = ::portafx::compat::detail::Utf8(hostAddress);
        return ::portafx::AsyncSocket::SendTo(buffer, length, hostPort, hostAddress != nullptr ? host.c_str() : nullptr,
                                              flags);
    }
    int SendTo(const void* buffer, int length, const SOCKADDR* address, int addressLength, int flags = 0) {
        return SendTo(buffer, length, ::portafx::SocketAddress(address, PortafxLength_(addressLength)), flags);
    }
    /// MFC ≥ 9: a null host fails with WSAEINVAL (no broadcast default).
    int SendToEx(const void* buffer, int length, UINT hostPort, LPCTSTR hostAddress = nullptr, int flags = 0) {
        if (hostAddress == nullptr) {
            WSASetLastError(WSAEINVAL);
            return SOCKET_ERROR;
        }
        return SendTo(buffer, length, hostPort, hostAddress, flags);
    }
    int ReceiveFrom(void* buffer, int length, CString& socketAddress, UINT& socketPort, int flags = 0) {
        std::string address;
        unsigned port = 0;
        const int n = ::portafx::AsyncSocket::ReceiveFrom(buffer, length, address, port, flags);
        if (n != SOCKET_ERROR || GetLastError() == WSAEMSGSIZE) {
            socketAddress = CString(address.c_str());
            socketPort = port;
        }
        return n;
    }
    int ReceiveFrom(void* buffer, int length, SOCKADDR* address, int* addressLength, int flags = 0) {
        ::portafx::SocketAddress from;
        const int n = ReceiveFrom(buffer, length, from, flags);
        if ((n != SOCKET_ERROR || GetLastError() == WSAEMSGSIZE) && address != nullptr && addressLength != nullptr)
            ::portafx::compat::detail::CopyAddress(from, address, addressLength);
        return n;
    }
    int ReceiveFromEx(void* buffer, int length, CString& socketAddress, UINT& socketPort, int flags = 0) {
        return ReceiveFrom(buffer, length, socketAddress, socketPort, flags);
    }
    BOOL ShutDown(int how = sends) { return PortafxBool_(::portafx::AsyncSocket::ShutDown(how)); }

    // --- control -----------------------------------------------------------------------------------------

    BOOL AsyncSelect(long events = PORTAFX_COMPAT_ALL_EVENTS) {
        return PortafxBool_(::portafx::AsyncSocket::AsyncSelect(events));
    }
    /// FIONREAD (bytes readable, including those portafx holds), FIONBIO, SIOCATMARK.
    BOOL IOCtl(long command, DWORD* argument) {
        unsigned long value = argument != nullptr ? *argument : 0;
        const bool ok = ::portafx::AsyncSocket::IOCtl(command, &value);
        if (argument != nullptr) *argument = static_cast<DWORD>(value);
        return PortafxBool_(ok);
    }
    BOOL IOCtl(long command, unsigned long* argument) {
        return PortafxBool_(::portafx::AsyncSocket::IOCtl(command, argument));
    }
    BOOL SetSockOpt(int optionName, const void* value, int length, int level = SOL_SOCKET) {
        return PortafxBool_(::portafx::AsyncSocket::SetSockOpt(optionName, value, length, level));
    }
    BOOL GetSockOpt(int optionName, void* value, int* length, int level = SOL_SOCKET) {
        return PortafxBool_(::portafx::AsyncSocket::GetSockOpt(optionName, value, length, level));
    }

    /// MFC's public handle: reads the current handle (INVALID_SOCKET when none).
    CSocketHandleMember m_hSocket;

    // --- portafx's virtuals, with a CAsyncSocket's non-blocking behaviour --------------------------------

    bool Accept(::portafx::AsyncSocket& connected, ::portafx::SocketAddress* peer) override {
        return ::portafx::AsyncSocket::Accept(connected, peer);
    }
    int SendTo(const void* buffer, int length, const ::portafx::SocketAddress& to, int flags = 0) override {
        return ::portafx::AsyncSocket::SendTo(buffer, length, to, flags);
    }
    int ReceiveFrom(void* buffer, int length, ::portafx::SocketAddress& from, int flags = 0) override {
        return ::portafx::AsyncSocket::ReceiveFrom(buffer, length, from, flags);
    }

protected:
    bool ConnectHelper() override { return ::portafx::AsyncSocket::ConnectHelper(); }

    static BOOL PortafxBool_(bool ok) noexcept { return ok ? TRUE : FALSE; }
    static BOOL PortafxInvalid_() {
        WSASetLastError(WSAEINVAL);
        return FALSE;
    }
    static std::size_t PortafxLength_(int length) noexcept { return length > 0 ? static_cast<std::size_t>(length) : 0; }
};

/// MFC's CSocket: Accept, Connect, Send (all of it), Receive, SendTo and ReceiveFrom wait, pumping the thread's
/// EventLoop; other sockets' notifications wait until the call returns. Beyond MFC: SetTimeout.
class CSocket : public CAsyncSocket {
    PORTAFX_COMPAT_INLINE_RUNTIME_(CSocket, CAsyncSocket, "CSocket", 0xFFFFu, nullptr, nullptr)
public:
    CSocket() = default;
    explicit CSocket(::portafx::EventLoop& loop) : CAsyncSocket(loop) {}
    ~CSocket() override = default;

    /// As CAsyncSocket::Create with every notification selected.
    BOOL Create(UINT socketPort = 0, int socketType = SOCK_STREAM, LPCTSTR socketAddress = nullptr) {
        return CAsyncSocket::Create(socketPort, socketType, PORTAFX_COMPAT_ALL_EVENTS, socketAddress);
    }
    BOOL Attach(SOCKET handle) { return CAsyncSocket::Attach(handle, PORTAFX_COMPAT_ALL_EVENTS); }
    static CSocket* FromHandle(SOCKET handle) {
        return dynamic_cast<CSocket*>(::portafx::AsyncSocket::FromHandle(handle));
    }

    int Send(const void* buffer, int length, int flags = 0) override {
        return ::portafx::Socket::Send(buffer, length, flags);
    }
    int Send(const ::portafx::ConstBuffer* buffers, std::size_t count, int flags = 0) override {
        return ::portafx::Socket::Send(buffers, count, flags);
    }
    using CAsyncSocket::Send;
    int Receive(void* buffer, int length, int flags = 0) override {
        return ::portafx::Socket::Receive(buffer, length, flags);
    }
    using CAsyncSocket::Accept;
    using CAsyncSocket::ReceiveFrom;
    using CAsyncSocket::SendTo;
    bool Accept(::portafx::AsyncSocket& connected, ::portafx::SocketAddress* peer) override {
        return ::portafx::Socket::Accept(connected, peer);
    }
    int SendTo(const void* buffer, int length, const ::portafx::SocketAddress& to, int flags = 0) override {
        return ::portafx::Socket::SendTo(buffer, length, to, flags);
    }
    int ReceiveFrom(void* buffer, int length, ::portafx::SocketAddress& from, int flags = 0) override {
        return ::portafx::Socket::ReceiveFrom(buffer, length, from, flags);
    }

protected:
    bool ConnectHelper() override { return ::portafx::Socket::ConnectHelper(); }
};

/// MFC's CSocketFile: a CFile over a connected stream CSocket (portafx::SocketFile). Never closes the socket.
class CSocketFile : public CFile {
    PORTAFX_COMPAT_INLINE_RUNTIME_(CSocketFile, CFile, "CSocketFile", 0xFFFFu, nullptr, nullptr)
public:
    /// Throws CInvalidArgException* for a null socket, CFileException* (invalidFile) for one without a handle,
    /// CNotSupportedException* for a datagram socket.
    explicit CSocketFile(CSocket* socket, BOOL archiveCompatible = TRUE)
        : m_pSocket(socket), m_bArchiveCompatible(archiveCompatible) {
        if (socket == nullptr) throw new CInvalidArgException("CSocketFile: the socket is null");
        ::portafx::compat::detail::Translate(
            [&] { file_ = std::make_unique<::portafx::SocketFile>(*socket, archiveCompatible != FALSE); });
        SetPortafxFile(*file_);
    }
    ~CSocketFile() override = default;

    /// Forgets the socket (which stays open).
    void Close() override {
        file_->Close();
        m_pSocket = nullptr;
    }

    CSocket* m_pSocket;
    BOOL m_bArchiveCompatible;

private:
    std::unique_ptr<::portafx::SocketFile> file_;
};
