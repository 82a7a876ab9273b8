// SocketAddress: parsing and printing of IPv4/IPv6 endpoints.
#include <portafx/socket_address.hpp>

#include "detail/interfaces.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>

#include <cstring>

namespace portafx {
namespace {

static_assert(sizeof(sockaddr_in6) <= 28 && sizeof(sockaddr_in) <= 28, "storage too small");

const sockaddr* Sa(const unsigned char* s) {
    return reinterpret_cast<const sockaddr*>(s);
}
const sockaddr_in* Sin(const unsigned char* s) {
    return reinterpret_cast<const sockaddr_in*>(s);
}
const sockaddr_in6* Sin6(const unsigned char* s) {
    return reinterpret_cast<const sockaddr_in6*>(s);
}

}  // namespace

SocketAddress::SocketAddress() noexcept : storage_{}, length_(0) {}

SocketAddress::SocketAddress(const void* bytes, std::size_t length) noexcept : SocketAddress() {
    if (bytes == nullptr || length < sizeof(sa_family_t)) return;
    sockaddr_storage ss{};
    std::memcpy(&ss, bytes, length < sizeof(ss) ? length : sizeof(ss));
    if (ss.ss_family == AF_INET && length >= sizeof(sockaddr_in)) {
        std::memcpy(storage_, bytes, sizeof(sockaddr_in));
        length_ = sizeof(sockaddr_in);
    } else if (ss.ss_family == AF_INET6 && length >= sizeof(sockaddr_in6)) {
        std::memcpy(storage_, bytes, sizeof(sockaddr_in6));
        length_ = sizeof(sockaddr_in6);
    }
}

bool SocketAddress::Parse(const char* text, unsigned port, SocketAddress& out) {
    if (text == nullptr || port > 65535) return false;
    sockaddr_in v4{};
    if (inet_pton(AF_INET, text, &v4.sin_addr) == 1) {
        v4.sin_family = AF_INET;
        v4.sin_port = htons(static_cast<uint16_t>(port));
        out = SocketAddress(&v4, sizeof v4);
        return true;
    }
    // IPv6, with an optional "%zone" (interface name or index).
    std::string s(text);
    std::string zone;
    if (auto pct = s.find('%'); pct != std::string::npos) {
        zone = s.substr(pct + 1);
        s.resize(pct);
    }
    sockaddr_in6 v6{};
    if (inet_pton(AF_INET6, s.c_str(), &v6.sin6_addr) != 1) return false;
    if (!zone.empty()) {
        unsigned index = if_nametoindex(zone.c_str());
        if (index == 0) {
            char* end = nullptr;
            unsigned long n = std::strtoul(zone.c_str(), &end, 10);
            if (end == zone.c_str() || *end != '\0') return false;
            index = static_cast<unsigned>(n);
        }
        v6.sin6_scope_id = index;
    }
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(static_cast<uint16_t>(port));
    out = SocketAddress(&v6, sizeof v6);
    return true;
}

SocketAddress SocketAddress::Any(AddressFamily family, unsigned port) noexcept {
    if (family == AddressFamily::IPv6) {
        sockaddr_in6 v6{};
        v6.sin6_family = AF_INET6;
        v6.sin6_addr = in6addr_any;
        v6.sin6_port = htons(static_cast<uint16_t>(port));
        return SocketAddress(&v6, sizeof v6);
    }
    sockaddr_in v4{};
    v4.sin_family = AF_INET;
    v4.sin_addr.s_addr = htonl(INADDR_ANY);
    v4.sin_port = htons(static_cast<uint16_t>(port));
    return SocketAddress(&v4, sizeof v4);
}

SocketAddress SocketAddress::Loopback(AddressFamily family, unsigned port) noexcept {
    if (family == AddressFamily::IPv6) {
        sockaddr_in6 v6{};
        v6.sin6_family = AF_INET6;
        v6.sin6_addr = in6addr_loopback;
        v6.sin6_port = htons(static_cast<uint16_t>(port));
        return SocketAddress(&v6, sizeof v6);
    }
    sockaddr_in v4{};
    v4.sin_family = AF_INET;
    v4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    v4.sin_port = htons(static_cast<uint16_t>(port));
    return SocketAddress(&v4, sizeof v4);
}

std::vector<SocketAddress> SocketAddress::LocalHostAddresses(unsigned port, AddressFamily family) {
    std::vector<SocketAddress> out;
    for (const detail::InterfaceAddress& i : detail::ListInterfaceAddresses()) {
        if (!i.up || (family != AddressFamily::Unspecified && i.address.Family() != family)) continue;
        SocketAddress a = i.address;
        a.SetPort(port);
        out.push_back(a);
    }
    return out;
}

AddressFamily SocketAddress::Family() const noexcept {
    if (length_ == 0) return AddressFamily::Unspecified;
    return Sa(storage_)->sa_family == AF_INET6 ? AddressFamily::IPv6 : AddressFamily::IPv4;
}

bool SocketAddress::IsV4Mapped() const noexcept {
    return Family() == AddressFamily::IPv6 && IN6_IS_ADDR_V4MAPPED(&Sin6(storage_)->sin6_addr);
}

bool SocketAddress::IsLoopback() const noexcept {
    switch (Family()) {
    case AddressFamily::IPv4: return (ntohl(Sin(storage_)->sin_addr.s_addr) >> 24) == 127;
    case AddressFamily::IPv6:
        if (IsV4Mapped()) return Sin6(storage_)->sin6_addr.s6_addr[12] == 127;
        return IN6_IS_ADDR_LOOPBACK(&Sin6(storage_)->sin6_addr);
    default: return false;
    }
}

unsigned SocketAddress::Port() const noexcept {
    switch (Family()) {
    case AddressFamily::IPv4: return ntohs(Sin(storage_)->sin_port);
    case AddressFamily::IPv6: return ntohs(Sin6(storage_)->sin6_port);
    default: return 0;
    }
}

void SocketAddress::SetPort(unsigned port) noexcept {
    const auto p = htons(static_cast<uint16_t>(port));
    if (Family() == AddressFamily::IPv4) {
        std::memcpy(storage_ + offsetof(sockaddr_in, sin_port), &p, sizeof p);
    } else if (Family() == AddressFamily::IPv6) {
        std::memcpy(storage_ + offsetof(sockaddr_in6, sin6_port), &p, sizeof p);
    }
}

std::string SocketAddress::Address() const {
    char buf[INET6_ADDRSTRLEN + IF_NAMESIZE + 2] = {};
    switch (Family()) {
    case AddressFamily::IPv4: inet_ntop(AF_INET, &Sin(storage_)->sin_addr, buf, sizeof buf); return buf;
    case AddressFamily::IPv6: {
        const sockaddr_in6* v6 = Sin6(storage_);
        if (IsV4Mapped()) {
            inet_ntop(AF_INET, &v6->sin6_addr.s6_addr[12], buf, sizeof buf);
            return buf;
        }
        inet_ntop(AF_INET6, &v6->sin6_addr, buf, sizeof buf);
        std::string s = buf;
        if (v6->sin6_scope_id != 0) {
            char name[IF_NAMESIZE] = {};
            s += '%';
            s += if_indextoname(v6->sin6_scope_id, name) ? std::string(name) : std::to_string(v6->sin6_scope_id);
        }
        return s;
    }
    default: return {};
    }
}

std::string SocketAddress::ToString() const {
    if (!IsValid()) return {};
    if (Family() == AddressFamily::IPv6 && !IsV4Mapped()) {
        return "[" + Address() + "]:" + std::to_string(Port());
    }
    return Address() + ":" + std::to_string(Port());
}

SocketAddress SocketAddress::ToV4Mapped() const noexcept {
    if (Family() != AddressFamily::IPv4) return *this;
    sockaddr_in6 v6{};
    v6.sin6_family = AF_INET6;
    v6.sin6_port = Sin(storage_)->sin_port;
    v6.sin6_addr.s6_addr[10] = 0xff;
    v6.sin6_addr.s6_addr[11] = 0xff;
    std::memcpy(&v6.sin6_addr.s6_addr[12], &Sin(storage_)->sin_addr, 4);
    return SocketAddress(&v6, sizeof v6);
}

bool operator==(const SocketAddress& a, const SocketAddress& b) noexcept {
    if (a.length_ != b.length_) return false;
    if (a.Family() != b.Family() || a.Port() != b.Port()) return false;
    if (a.Family() == AddressFamily::IPv4) {
        return Sin(a.storage_)->sin_addr.s_addr == Sin(b.storage_)->sin_addr.s_addr;
    }
    if (a.Family() == AddressFamily::IPv6) {
        return std::memcmp(&Sin6(a.storage_)->sin6_addr, &Sin6(b.storage_)->sin6_addr, 16) == 0 &&
               Sin6(a.storage_)->sin6_scope_id == Sin6(b.storage_)->sin6_scope_id;
    }
    return true;
}

}  // namespace portafx
