// POSIX implementation of the interface listing.
#include "interfaces.hpp"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdlib>
#include <cstring>

namespace portafx::detail {

std::vector<InterfaceAddress> ListInterfaceAddresses() {
    std::vector<InterfaceAddress> out;
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return out;
    for (ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
        if (i->ifa_addr == nullptr || i->ifa_name == nullptr) continue;
        const int family = i->ifa_addr->sa_family;
        if (family != AF_INET && family != AF_INET6) continue;
        SocketAddress a(i->ifa_addr, family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6));
        if (!a.IsValid()) continue;
        a.SetPort(0);
        out.push_back(InterfaceAddress{i->ifa_name, ::if_nametoindex(i->ifa_name), (i->ifa_flags & IFF_UP) != 0,
                                       (i->ifa_flags & IFF_LOOPBACK) != 0, a});
    }
    ::freeifaddrs(list);
    return out;
}

bool FindInterface(const char* spec, std::string& name, unsigned& index) {
    if (spec == nullptr || *spec == '\0') return false;
    if (const unsigned byName = ::if_nametoindex(spec); byName != 0) {
        name = spec;
        index = byName;
        return true;
    }
    char* end = nullptr;
    const unsigned long n = std::strtoul(spec, &end, 10);
    char buf[IF_NAMESIZE] = {};
    if (end != spec && *end == '\0' && n > 0 && n <= 0xFFFFFFFFUL &&
        ::if_indextoname(static_cast<unsigned>(n), buf) != nullptr) {
        name = buf;
        index = static_cast<unsigned>(n);
        return true;
    }
    SocketAddress address;
    if (!SocketAddress::Parse(spec, 0, address)) return false;
    for (const InterfaceAddress& i : ListInterfaceAddresses()) {
        if (i.address.Address() == address.Address()) {
            name = i.name;
            index = i.index;
            return true;
        }
    }
    return false;
}

bool InterfaceIPv4(const std::string& name, SocketAddress& out) {
    for (const InterfaceAddress& i : ListInterfaceAddresses()) {
        if (i.name == name && i.address.Family() == AddressFamily::IPv4) {
            out = i.address;
            return true;
        }
    }
    return false;
}

}  // namespace portafx::detail
