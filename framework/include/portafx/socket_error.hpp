// portafx — socket error codes with the Windows Sockets numbers legacy code compares with.
//
// Every failing socket call in portafx reports a SocketError. Its numeric values are the WSA numbers
// (`WSAEWOULDBLOCK` = 10035, `WSAECONNRESET` = 10054, ...) so code ported from MFC that compares
// `GetLastError()` with those numbers keeps working. Native errors (errno, getaddrinfo's EAI_*) are
// mapped to SocketError in exactly one place; see `FromErrno` and `FromResolverError`.
#pragma once

#include <string>
#include <system_error>

namespace portafx {

/// The Windows Sockets error numbers, under portable names. `Success` (0) means no error.
enum class SocketError : int {
    Success = 0,
    NoHandle = 6,                        ///< WSA_INVALID_HANDLE: the handle is invalid or the object has none.
    Interrupted = 10004,                 ///< WSAEINTR: a blocking call was cancelled.
    BadDescriptor = 10009,               ///< WSAEBADF
    AccessDenied = 10013,                ///< WSAEACCES: e.g. a privileged port without permission.
    Fault = 10014,                       ///< WSAEFAULT: a bad buffer pointer or length.
    InvalidArgument = 10022,             ///< WSAEINVAL
    TooManyOpenFiles = 10024,            ///< WSAEMFILE
    WouldBlock = 10035,                  ///< WSAEWOULDBLOCK: try again after the next notification.
    InProgress = 10036,                  ///< WSAEINPROGRESS: a blocking call is already running.
    Already = 10037,                     ///< WSAEALREADY: a non-blocking connect is already running.
    NotSocket = 10038,                   ///< WSAENOTSOCK
    DestinationRequired = 10039,         ///< WSAEDESTADDRREQ
    MessageSize = 10040,                 ///< WSAEMSGSIZE: a datagram was larger than the buffer.
    WrongProtocolType = 10041,           ///< WSAEPROTOTYPE
    NoProtocolOption = 10042,            ///< WSAENOPROTOOPT
    ProtocolNotSupported = 10043,        ///< WSAEPROTONOSUPPORT
    SocketTypeNotSupported = 10044,      ///< WSAESOCKTNOSUPPORT
    OperationNotSupported = 10045,       ///< WSAEOPNOTSUPP
    ProtocolFamilyNotSupported = 10046,  ///< WSAEPFNOSUPPORT
    AddressFamilyNotSupported = 10047,   ///< WSAEAFNOSUPPORT
    AddressInUse = 10048,                ///< WSAEADDRINUSE
    AddressNotAvailable = 10049,         ///< WSAEADDRNOTAVAIL
    NetworkDown = 10050,                 ///< WSAENETDOWN
    NetworkUnreachable = 10051,          ///< WSAENETUNREACH
    NetworkReset = 10052,                ///< WSAENETRESET
    ConnectionAborted = 10053,           ///< WSAECONNABORTED
    ConnectionReset = 10054,             ///< WSAECONNRESET: the peer reset the connection.
    NoBufferSpace = 10055,               ///< WSAENOBUFS
    IsConnected = 10056,                 ///< WSAEISCONN
    NotConnected = 10057,                ///< WSAENOTCONN
    Shutdown = 10058,                    ///< WSAESHUTDOWN: the socket was shut down in that direction.
    TimedOut = 10060,                    ///< WSAETIMEDOUT
    ConnectionRefused = 10061,           ///< WSAECONNREFUSED
    NameTooLong = 10063,                 ///< WSAENAMETOOLONG
    HostDown = 10064,                    ///< WSAEHOSTDOWN
    HostUnreachable = 10065,             ///< WSAEHOSTUNREACH
    NotInitialised = 10093,              ///< WSANOTINITIALISED: the socket's EventLoop is gone.
    Disconnected = 10101,                ///< WSAEDISCON
    HostNotFound = 11001,                ///< WSAHOST_NOT_FOUND: the host name does not resolve.
    TryAgain = 11002,                    ///< WSATRY_AGAIN: temporary resolver failure.
    NoRecovery = 11003,                  ///< WSANO_RECOVERY: permanent resolver failure.
    NoData = 11004,                      ///< WSANO_DATA: the name exists but has no address of that kind.

    // TLS (portafx's own numbers, in the 12000 range above Winsock's last, 11031; docs/tls.md). The detail of
    // GetLastErrorInfo() carries OpenSSL's reason (e.g. its certificate verify error).
    TlsHandshakeFailed = 12001,       ///< The TLS handshake failed (protocol, version, alert, peer closed).
    TlsCertificateUntrusted = 12002,  ///< The peer's certificate chain does not lead to a trusted CA.
    TlsCertificateExpired = 12003,    ///< The peer's certificate (or one of its chain) is expired or not yet valid.
    TlsHostNameMismatch = 12004,      ///< The server's certificate is not for the host name (or address) reached.
    TlsNotTls = 12005,                ///< The peer does not speak TLS (plain TCP bytes instead of a TLS record).
    TlsCertificateRequired = 12006,   ///< Mutual TLS: the client presented no certificate.
    TlsProtocolError = 12007,         ///< A TLS error after the handshake (bad record, an alert from the peer).
    TlsConfiguration = 12008,         ///< A TlsContext setting was refused (file, PEM, key mismatch, no cert).
};

/// The category of SocketError; `name()` is "portafx.socket".
const std::error_category& SocketCategory() noexcept;

/// Makes a std::error_code of SocketCategory (found by ADL, so `std::error_code ec = SocketError::...;` works).
std::error_code make_error_code(SocketError e) noexcept;

/// Winsock's text for the error, e.g. "A non-blocking socket operation could not be completed immediately."
std::string SocketErrorMessage(int wsaCode);

/// The Winsock macro name of the error, e.g. "WSAEWOULDBLOCK"; "WSA error N" for numbers it does not know.
const char* SocketErrorName(int wsaCode) noexcept;

/// Maps a POSIX errno value to the SocketError legacy code expects. The one place where that mapping lives.
SocketError FromErrno(int errnoValue) noexcept;

/// Maps a getaddrinfo() result (EAI_*) to the resolver SocketErrors (HostNotFound, TryAgain, ...).
SocketError FromResolverError(int eaiValue, int errnoValue = 0) noexcept;

/// A description of the last failure on this thread: the operation, the reason and the error.
struct SocketErrorInfo {
    int code = 0;           ///< The WSA number, as GetLastError() returns it.
    std::string operation;  ///< The member that failed, e.g. "Create".
    std::string detail;     ///< Why, in words: "port 70000 is out of range (0-65535)".

    /// "Create: port 70000 is out of range (0-65535) (WSAEINVAL 10022: An invalid argument was supplied.)"
    std::string Message() const;
};

}  // namespace portafx

namespace std {
template <>
struct is_error_code_enum<portafx::SocketError> : true_type {};
}  // namespace std
