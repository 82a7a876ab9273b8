// AsyncSocket: the datagram options — broadcast and multicast (join/leave, interface, TTL, loopback) for
// IPv4 and IPv6. Kept apart from async_socket.cpp: they touch nothing of the state machine.
#include <portafx/async_socket.hpp>

#include "detail/interfaces.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace portafx {

namespace {

std::string Quote(const char* s) {
    return std::string("'") + (s ? s : "") + "'";
}

bool IsMulticast(const SocketAddress& a) {
    if (a.Family() == AddressFamily::IPv4) {
        sockaddr_in v4{};
        std::memcpy(&v4, a.Data(), sizeof v4);
        return (ntohl(v4.sin_addr.s_addr) >> 28) == 0xE;  // 224.0.0.0/4
    }
    if (a.Family() == AddressFamily::IPv6 && !a.IsV4Mapped()) {
        sockaddr_in6 v6{};
        std::memcpy(&v6, a.Data(), sizeof v6);
        return v6.sin6_addr.s6_addr[0] == 0xFF;  // ff00::/8
    }
    return false;
}

in_addr V4(const SocketAddress& a) {
    sockaddr_in v4{};
    std::memcpy(&v4, a.Data(), sizeof v4);
    return v4.sin_addr;
}

sockaddr_in6 V6(const SocketAddress& a) {
    sockaddr_in6 v6{};
    std::memcpy(&v6, a.Data(), sizeof v6);
    return v6;
}

int SetRaw(NativeHandle fd, int level, int name, const void* value, std::size_t len) {
    return ::setsockopt(fd, level, name, value, static_cast<socklen_t>(len));
}

}  // namespace

bool AsyncSocket::SetBroadcast(bool on) {
    int v = on ? 1 : 0;
    return SetSockOpt(SO_BROADCAST, &v, sizeof v, SOL_SOCKET);
}

bool AsyncSocket::GetBroadcast(bool& on) {
    int v = 0;
    int len = sizeof v;
    if (!GetSockOpt(SO_BROADCAST, &v, &len, SOL_SOCKET)) return false;
    on = v != 0;
    return true;
}

namespace {

// Join and leave share everything but the option names and the words.
bool Membership(AsyncSocket& s, const char* group, const char* networkInterface, bool join, SocketError& code,
                std::string& why) {
    const char* verb = join ? "join" : "leave";
    SocketAddress g;
    if (group == nullptr || !SocketAddress::Parse(group, 0, g) || !IsMulticast(g)) {
        code = SocketError::InvalidArgument;
        why = Quote(group) + " is not a numeric multicast address (224.0.0.0/4 or ff00::/8)";
        return false;
    }
    std::string ifName;
    unsigned ifIndex = 0;
    const bool named = networkInterface != nullptr && *networkInterface != '\0';
    if (named && !detail::FindInterface(networkInterface, ifName, ifIndex)) {
        code = SocketError::InvalidArgument;
        why = "no network interface " + Quote(networkInterface) + " (give a name, an index or one of its addresses)";
        return false;
    }
    const NativeHandle fd = s.GetHandle();
    const bool socketV6 = s.GetAddressFamily() == AddressFamily::IPv6;
    int rc;
    if (g.Family() == AddressFamily::IPv4) {
        bool v6only = false;
        if (socketV6 && (!s.GetIPv6Only(v6only) || v6only)) {
            code = SocketError::AddressFamilyNotSupported;
            why = std::string("cannot ") + verb + " IPv4 group " + g.Address() + " on an IPv6-only socket";
            return false;
        }
        ip_mreq m{};
        m.imr_multiaddr = V4(g);
        m.imr_interface.s_addr = htonl(INADDR_ANY);
        if (named) {
            SocketAddress local;
            if (!detail::InterfaceIPv4(ifName, local)) {
                code = SocketError::AddressNotAvailable;
                why = "interface " + ifName + " has no IPv4 address";
                return false;
            }
            m.imr_interface = V4(local);
        }
        rc = SetRaw(fd, IPPROTO_IP, join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, &m, sizeof m);
    } else {
        if (!socketV6) {
            code = SocketError::AddressFamilyNotSupported;
            why = std::string("cannot ") + verb + " IPv6 group " + g.Address() + " on an IPv4 socket";
            return false;
        }
        ipv6_mreq m{};
        const sockaddr_in6 v6 = V6(g);
        m.ipv6mr_multiaddr = v6.sin6_addr;
        m.ipv6mr_interface = named ? ifIndex : v6.sin6_scope_id;  // "ff02::1%lo" names it too
        rc = SetRaw(fd, IPPROTO_IPV6, join ? IPV6_JOIN_GROUP : IPV6_LEAVE_GROUP, &m, sizeof m);
    }
    if (rc < 0) {
        code = FromErrno(errno);
        const std::string where = named ? " on " + ifName : std::string();
        if (code == SocketError::AddressInUse) {
            why = "group " + g.Address() + " is already joined" + where;
        } else if (code == SocketError::AddressNotAvailable && !join) {
            why = "group " + g.Address() + " was not joined" + where;
        } else {
            why = std::string("cannot ") + verb + " group " + g.Address() + where;
        }
        return false;
    }
    return true;
}

}  // namespace

bool AsyncSocket::JoinMulticastGroup(const char* group, const char* networkInterface) {
    if (!RequireHandle("JoinMulticastGroup")) return false;
    SocketError code = SocketError::Success;
    std::string why;
    if (!Membership(*this, group, networkInterface, true, code, why)) return Fail(code, "JoinMulticastGroup", why);
    SetLastError(0);
    return true;
}

bool AsyncSocket::LeaveMulticastGroup(const char* group, const char* networkInterface) {
    if (!RequireHandle("LeaveMulticastGroup")) return false;
    SocketError code = SocketError::Success;
    std::string why;
    if (!Membership(*this, group, networkInterface, false, code, why)) return Fail(code, "LeaveMulticastGroup", why);
    SetLastError(0);
    return true;
}

bool AsyncSocket::SetMulticastInterface(const char* networkInterface) {
    static const char* const op = "SetMulticastInterface";
    if (!RequireHandle(op)) return false;
    std::string ifName;
    unsigned ifIndex = 0;  // 0 / INADDR_ANY: the system's choice again
    const bool named = networkInterface != nullptr && *networkInterface != '\0';
    if (named && !detail::FindInterface(networkInterface, ifName, ifIndex)) {
        return Fail(
            SocketError::InvalidArgument, op,
            "no network interface " + Quote(networkInterface) + " (give a name, an index or one of its addresses)");
    }
    in_addr v4{};
    v4.s_addr = htonl(INADDR_ANY);
    SocketAddress local;
    const bool hasV4 = !named || detail::InterfaceIPv4(ifName, local);
    if (named && hasV4) v4 = V4(local);
    const NativeHandle fd = GetHandle();
    if (GetAddressFamily() == AddressFamily::IPv4) {
        if (!hasV4) return Fail(SocketError::AddressNotAvailable, op, "interface " + ifName + " has no IPv4 address");
        if (SetRaw(fd, IPPROTO_IP, IP_MULTICAST_IF, &v4, sizeof v4) < 0) {
            return Fail(FromErrno(errno), op, "cannot send multicast from " + Quote(networkInterface));
        }
    } else {
        const unsigned index = ifIndex;
        if (SetRaw(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &index, sizeof index) < 0) {
            return Fail(FromErrno(errno), op, "cannot send multicast from " + Quote(networkInterface));
        }
        bool v6only = true;
        if (hasV4 && GetIPv6Only(v6only) && !v6only) {
            SetRaw(fd, IPPROTO_IP, IP_MULTICAST_IF, &v4,
                   sizeof v4);  // best effort: IPv4 traffic of a dual-stack socket
        }
    }
    SetLastError(0);
    return true;
}

namespace {

// IPv4 multicast options take one byte (BSD insists; Linux accepts it); IPv6 ones an int (RFC 3493).
// Returns 0 or the errno of the failure.
int SetMulticastOption(AsyncSocket& s, int v4Name, int v6Name, int value) {
    const NativeHandle fd = s.GetHandle();
    const unsigned char byte = static_cast<unsigned char>(value);
    if (s.GetAddressFamily() == AddressFamily::IPv4) {
        return SetRaw(fd, IPPROTO_IP, v4Name, &byte, sizeof byte) == 0 ? 0 : errno;
    }
    if (SetRaw(fd, IPPROTO_IPV6, v6Name, &value, sizeof value) < 0) return errno;
    bool v6only = true;
    if (s.GetIPv6Only(v6only) && !v6only) SetRaw(fd, IPPROTO_IP, v4Name, &byte, sizeof byte);  // best effort
    return 0;
}

bool GetMulticastOption(AsyncSocket& s, int v4Name, int v6Name, int& value) {
    const NativeHandle fd = s.GetHandle();
    if (s.GetAddressFamily() == AddressFamily::IPv4) {
        unsigned char byte = 0;
        socklen_t len = sizeof byte;
        if (::getsockopt(fd, IPPROTO_IP, v4Name, &byte, &len) < 0) return false;
        value = byte;
        return true;
    }
    int v = 0;
    socklen_t len = sizeof v;
    if (::getsockopt(fd, IPPROTO_IPV6, v6Name, &v, &len) < 0) return false;
    value = v;
    return true;
}

}  // namespace

bool AsyncSocket::SetMulticastTtl(int hops) {
    if (!RequireHandle("SetMulticastTtl")) return false;
    if (hops < 0 || hops > 255) {
        return Fail(SocketError::InvalidArgument, "SetMulticastTtl",
                    "hops " + std::to_string(hops) + " is out of range (0-255)");
    }
    if (const int e = SetMulticastOption(*this, IP_MULTICAST_TTL, IPV6_MULTICAST_HOPS, hops)) {
        return Fail(FromErrno(e), "SetMulticastTtl", "the system refused the option");
    }
    SetLastError(0);
    return true;
}

bool AsyncSocket::GetMulticastTtl(int& hops) {
    if (!RequireHandle("GetMulticastTtl")) return false;
    if (!GetMulticastOption(*this, IP_MULTICAST_TTL, IPV6_MULTICAST_HOPS, hops)) {
        return Fail(FromErrno(errno), "GetMulticastTtl", "getsockopt failed");
    }
    SetLastError(0);
    return true;
}

bool AsyncSocket::SetMulticastLoopback(bool on) {
    if (!RequireHandle("SetMulticastLoopback")) return false;
    if (const int e = SetMulticastOption(*this, IP_MULTICAST_LOOP, IPV6_MULTICAST_LOOP, on ? 1 : 0)) {
        return Fail(FromErrno(e), "SetMulticastLoopback", "the system refused the option");
    }
    SetLastError(0);
    return true;
}

bool AsyncSocket::GetMulticastLoopback(bool& on) {
    if (!RequireHandle("GetMulticastLoopback")) return false;
    int v = 0;
    if (!GetMulticastOption(*this, IP_MULTICAST_LOOP, IPV6_MULTICAST_LOOP, v)) {
        return Fail(FromErrno(errno), "GetMulticastLoopback", "getsockopt failed");
    }
    on = v != 0;
    SetLastError(0);
    return true;
}

}  // namespace portafx
