// portafx compat — the non-inline helpers of afxsock.h.
#include <portafx/compat/sockets.hpp>

#include <algorithm>
#include <cstring>

int WSAStartup(WORD version, LPWSADATA data) {
    if (data != nullptr) {
        std::memset(data, 0, sizeof *data);
        data->wVersion = version;
        data->wHighVersion = MAKEWORD(2, 2);
        std::strncpy(data->szDescription, "portafx", sizeof data->szDescription - 1);
        std::strncpy(data->szSystemStatus, "Running", sizeof data->szSystemStatus - 1);
        data->iMaxSockets = 0xFFFF;
        data->iMaxUdpDg = 0xFFFF;
    }
    static_cast<void>(::portafx::EventLoop::Current());
    return 0;
}

BOOL AfxSocketInit(WSADATA* data) {
    return WSAStartup(MAKEWORD(1, 1), data) == 0 ? TRUE : FALSE;
}

namespace portafx::compat::detail {

bool ToSocketType(int type, ::portafx::SocketType& out) {
    if (type == SOCK_STREAM) {
        out = ::portafx::SocketType::Stream;
        return true;
    }
    if (type == SOCK_DGRAM) {
        out = ::portafx::SocketType::Datagram;
        return true;
    }
    ::portafx::AsyncSocket::SetLastError(WSAESOCKTNOSUPPORT, "Create",
                                         "socket type " + std::to_string(type) + " (SOCK_STREAM or SOCK_DGRAM only)");
    return false;
}

void CopyAddress(const ::portafx::SocketAddress& address, SOCKADDR* out, int* length) noexcept {
    if (out == nullptr || length == nullptr || *length < 0) return;
    const auto room = static_cast<std::size_t>(*length);
    sockaddr_in v4{};
    const void* bytes = address.Data();
    std::size_t size = address.Size();
    if (address.IsV4Mapped() && room < sizeof(sockaddr_in6)) {
        // A dual-stack socket's IPv4 peer, for code with a SOCKADDR_IN buffer: the plain IPv4 form.
        const auto* v6 = static_cast<const sockaddr_in6*>(address.Data());
        v4.sin_family = AF_INET;
        v4.sin_port = v6->sin6_port;
        std::memcpy(&v4.sin_addr, v6->sin6_addr.s6_addr + 12, 4);
        bytes = &v4;
        size = sizeof v4;
    }
    std::memcpy(out, bytes, std::min(size, room));
    *length = static_cast<int>(size);
}

}  // namespace portafx::compat::detail
