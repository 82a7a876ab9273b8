// SocketError: the category, the messages and the one mapping from native error numbers.
#include <portafx/socket_error.hpp>

#include <netdb.h>
#include <cerrno>

namespace portafx {
namespace {

struct Entry {
    int code;
    const char* name;
    const char* text;
};

// Winsock's own wording (FormatMessage), so logs read as they did on Windows.
constexpr Entry kEntries[] = {
    {0, "NO_ERROR", "The operation completed successfully."},
    {6, "WSA_INVALID_HANDLE", "The socket object has no handle (it is not created, or already closed)."},
    {10004, "WSAEINTR", "A blocking operation was interrupted by a call to CancelBlockingCall."},
    {10009, "WSAEBADF", "The file handle supplied is not valid."},
    {10013, "WSAEACCES", "An attempt was made to access a socket in a way forbidden by its access permissions."},
    {10014, "WSAEFAULT", "The system detected an invalid pointer address in attempting to use a pointer argument."},
    {10022, "WSAEINVAL", "An invalid argument was supplied."},
    {10024, "WSAEMFILE", "Too many open sockets."},
    {10035, "WSAEWOULDBLOCK", "A non-blocking socket operation could not be completed immediately."},
    {10036, "WSAEINPROGRESS", "A blocking operation is currently executing."},
    {10037, "WSAEALREADY",
     "An operation was attempted on a non-blocking socket that already had an operation in progress."},
    {10038, "WSAENOTSOCK", "An operation was attempted on something that is not a socket."},
    {10039, "WSAEDESTADDRREQ", "A required address was omitted from an operation on a socket."},
    {10040, "WSAEMSGSIZE",
     "A message sent on a datagram socket was larger than the internal message buffer or some other network limit, or "
     "the buffer used to receive a datagram into was smaller than the datagram itself."},
    {10041, "WSAEPROTOTYPE",
     "A protocol was specified in the socket function call that does not support the semantics of the socket type "
     "requested."},
    {10042, "WSAENOPROTOOPT",
     "An unknown, invalid, or unsupported option or level was specified in a getsockopt or setsockopt call."},
    {10043, "WSAEPROTONOSUPPORT",
     "The requested protocol has not been configured into the system, or no implementation for it exists."},
    {10044, "WSAESOCKTNOSUPPORT", "The support for the specified socket type does not exist in this address family."},
    {10045, "WSAEOPNOTSUPP", "The attempted operation is not supported for the type of object referenced."},
    {10046, "WSAEPFNOSUPPORT",
     "The protocol family has not been configured into the system or no implementation for it exists."},
    {10047, "WSAEAFNOSUPPORT", "An address incompatible with the requested protocol was used."},
    {10048, "WSAEADDRINUSE",
     "Only one usage of each socket address (protocol/network address/port) is normally permitted."},
    {10049, "WSAEADDRNOTAVAIL", "The requested address is not valid in its context."},
    {10050, "WSAENETDOWN", "A socket operation encountered a dead network."},
    {10051, "WSAENETUNREACH", "A socket operation was attempted to an unreachable network."},
    {10052, "WSAENETRESET",
     "The connection has been broken due to keep-alive activity detecting a failure while the operation was in "
     "progress."},
    {10053, "WSAECONNABORTED", "An established connection was aborted by the software in your host machine."},
    {10054, "WSAECONNRESET", "An existing connection was forcibly closed by the remote host."},
    {10055, "WSAENOBUFS",
     "An operation on a socket could not be performed because the system lacked sufficient buffer space or because a "
     "queue was full."},
    {10056, "WSAEISCONN", "A connect request was made on an already connected socket."},
    {10057, "WSAENOTCONN", "A request to send or receive data was disallowed because the socket is not connected."},
    {10058, "WSAESHUTDOWN",
     "A request to send or receive data was disallowed because the socket had already been shut down in that "
     "direction."},
    {10060, "WSAETIMEDOUT",
     "A connection attempt failed because the connected party did not properly respond after a period of time, or "
     "established connection failed because connected host has failed to respond."},
    {10061, "WSAECONNREFUSED", "No connection could be made because the target machine actively refused it."},
    {10063, "WSAENAMETOOLONG", "Name too long."},
    {10064, "WSAEHOSTDOWN", "A socket operation failed because the destination host was down."},
    {10065, "WSAEHOSTUNREACH", "A socket operation was attempted to an unreachable host."},
    {10093, "WSANOTINITIALISED", "The socket's event loop no longer exists."},
    {10101, "WSAEDISCON", "A graceful shutdown is in progress."},
    {11001, "WSAHOST_NOT_FOUND", "No such host is known."},
    {11002, "WSATRY_AGAIN",
     "This is usually a temporary error during hostname resolution and means that the local server did not receive a "
     "response from an authoritative server."},
    {11003, "WSANO_RECOVERY", "A non-recoverable error occurred during a database lookup."},
    {11004, "WSANO_DATA", "The requested name is valid, but no data of the requested type was found."},
    // TLS: portafx's own numbers (Winsock has none).
    {12001, "PFX_TLS_HANDSHAKE_FAILED", "The TLS handshake failed."},
    {12002, "PFX_TLS_CERT_UNTRUSTED", "The peer's certificate is not trusted."},
    {12003, "PFX_TLS_CERT_EXPIRED", "The peer's certificate is expired or not yet valid."},
    {12004, "PFX_TLS_HOSTNAME_MISMATCH", "The peer's certificate does not match the host name."},
    {12005, "PFX_TLS_NOT_TLS", "The peer does not speak TLS."},
    {12006, "PFX_TLS_CERT_REQUIRED", "The peer did not present the certificate that is required."},
    {12007, "PFX_TLS_PROTOCOL_ERROR", "A TLS protocol error ended the connection."},
    {12008, "PFX_TLS_CONFIGURATION", "The TLS configuration is invalid."},
};

const Entry* Find(int code) noexcept {
    for (const Entry& e : kEntries) {
        if (e.code == code) return &e;
    }
    return nullptr;
}

class Category final : public std::error_category {
public:
    const char* name() const noexcept override { return "portafx.socket"; }
    std::string message(int code) const override { return SocketErrorMessage(code); }
};

}  // namespace

const std::error_category& SocketCategory() noexcept {
    static const Category category;
    return category;
}

std::error_code make_error_code(SocketError e) noexcept {
    return {static_cast<int>(e), SocketCategory()};
}

std::string SocketErrorMessage(int wsaCode) {
    if (const Entry* e = Find(wsaCode)) return e->text;
    return "Unknown socket error " + std::to_string(wsaCode) + ".";
}

const char* SocketErrorName(int wsaCode) noexcept {
    if (const Entry* e = Find(wsaCode)) return e->name;
    return "WSA error";
}

SocketError FromErrno(int errnoValue) noexcept {
    switch (errnoValue) {
    case 0: return SocketError::Success;
    case EINTR: return SocketError::Interrupted;
    case EBADF: return SocketError::BadDescriptor;
    case EACCES:
    case EPERM: return SocketError::AccessDenied;
    case EFAULT: return SocketError::Fault;
    case EINVAL: return SocketError::InvalidArgument;
    case EMFILE:
    case ENFILE: return SocketError::TooManyOpenFiles;
#if EWOULDBLOCK != EAGAIN
    case EWOULDBLOCK:
#endif
    case EAGAIN: return SocketError::WouldBlock;
    case EINPROGRESS: return SocketError::WouldBlock;  // a non-blocking connect under way
    case EALREADY: return SocketError::Already;
    case ENOTSOCK: return SocketError::NotSocket;
    case EDESTADDRREQ: return SocketError::DestinationRequired;
    case EMSGSIZE: return SocketError::MessageSize;
    case EPROTOTYPE: return SocketError::WrongProtocolType;
    case ENOPROTOOPT: return SocketError::NoProtocolOption;
    case EPROTONOSUPPORT: return SocketError::ProtocolNotSupported;
    case ESOCKTNOSUPPORT: return SocketError::SocketTypeNotSupported;
#if EOPNOTSUPP != ENOTSUP
    case ENOTSUP:
#endif
    case EOPNOTSUPP: return SocketError::OperationNotSupported;
    case EPFNOSUPPORT: return SocketError::ProtocolFamilyNotSupported;
    case EAFNOSUPPORT: return SocketError::AddressFamilyNotSupported;
    case EADDRINUSE: return SocketError::AddressInUse;
    case EADDRNOTAVAIL: return SocketError::AddressNotAvailable;
    case ENETDOWN: return SocketError::NetworkDown;
    case ENETUNREACH: return SocketError::NetworkUnreachable;
    case ENETRESET: return SocketError::NetworkReset;
    case ECONNABORTED: return SocketError::ConnectionAborted;
    case ECONNRESET:
    case EPIPE: return SocketError::ConnectionReset;
    case ENOBUFS:
    case ENOMEM: return SocketError::NoBufferSpace;
    case EISCONN: return SocketError::IsConnected;
    case ENOTCONN: return SocketError::NotConnected;
    case ESHUTDOWN: return SocketError::Shutdown;
    case ETIMEDOUT: return SocketError::TimedOut;
    case ECONNREFUSED: return SocketError::ConnectionRefused;
    case ENAMETOOLONG: return SocketError::NameTooLong;
    case EHOSTDOWN: return SocketError::HostDown;
    case EHOSTUNREACH: return SocketError::HostUnreachable;
    default: return SocketError::InvalidArgument;
    }
}

SocketError FromResolverError(int eaiValue, int errnoValue) noexcept {
    switch (eaiValue) {
    case 0: return SocketError::Success;
    case EAI_AGAIN: return SocketError::TryAgain;
    case EAI_FAIL: return SocketError::NoRecovery;
    case EAI_NONAME: return SocketError::HostNotFound;
#ifdef EAI_NODATA
    case EAI_NODATA: return SocketError::NoData;
#endif
#ifdef EAI_ADDRFAMILY
    case EAI_ADDRFAMILY: return SocketError::NoData;
#endif
    case EAI_FAMILY: return SocketError::AddressFamilyNotSupported;
    case EAI_SOCKTYPE: return SocketError::SocketTypeNotSupported;
    case EAI_SERVICE: return SocketError::InvalidArgument;
    case EAI_MEMORY: return SocketError::NoBufferSpace;
    case EAI_SYSTEM: return FromErrno(errnoValue);
    default: return SocketError::NoRecovery;
    }
}

std::string SocketErrorInfo::Message() const {
    std::string m = operation.empty() ? std::string() : operation + ": ";
    if (!detail.empty()) m += detail + " ";
    m += "(";
    m += SocketErrorName(code);
    m += " " + std::to_string(code) + ": " + SocketErrorMessage(code) + ")";
    return m;
}

}  // namespace portafx
