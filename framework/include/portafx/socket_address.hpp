// portafx — SocketAddress: an IPv4 or IPv6 address and port, the portable `SOCKADDR_STORAGE`.
#pragma once

#include <portafx/socket_types.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace portafx {

/// An IPv4 or IPv6 endpoint (address and port), held as the system's `sockaddr` bytes.
///
/// Printing unmaps IPv4-mapped IPv6 addresses (`::ffff:127.0.0.1` prints as `127.0.0.1`), because a
/// dual-stack listener sees IPv4 peers that way and MFC peers and logs expect the dotted form.
class SocketAddress {
public:
    /// An empty address (`IsValid()` is false).
    SocketAddress() noexcept;

    /// Copies a native `sockaddr` of `length` bytes (AF_INET or AF_INET6; anything else gives an empty
    /// address).
    SocketAddress(const void* sockaddrBytes, std::size_t length) noexcept;

    /// Parses a numeric IPv4 (`"127.0.0.1"`) or IPv6 (`"::1"`, `"fe80::1%eth0"`) address. Host names are
    /// not resolved here. Returns false, leaving `out` untouched, if `text` is not a numeric address.
    static bool Parse(const char* text, unsigned port, SocketAddress& out);

    /// The wildcard address of the family (`0.0.0.0` or `::`) with `port`.
    static SocketAddress Any(AddressFamily family, unsigned port = 0) noexcept;

    /// The loopback address of the family (`127.0.0.1` or `::1`) with `port`.
    static SocketAddress Loopback(AddressFamily family, unsigned port = 0) noexcept;

    /// The addresses of this host's network interfaces that are up (loopback included), each with `port`:
    /// endpoints a server can bind to one by one, or announce. `family` filters (Unspecified: both).
    /// IPv6 link-local addresses carry their interface as scope. Empty if the system cannot list them.
    static std::vector<SocketAddress> LocalHostAddresses(unsigned port = 0,
                                                         AddressFamily family = AddressFamily::Unspecified);

    /// True if the object holds an IPv4 or IPv6 address.
    bool IsValid() const noexcept { return length_ != 0; }

    /// IPv4 or IPv6 (IPv6 for a mapped IPv4 address); `Unspecified` for an empty address.
    AddressFamily Family() const noexcept;

    /// True for an IPv6 address of the form `::ffff:a.b.c.d`.
    bool IsV4Mapped() const noexcept;

    /// True for 127.0.0.0/8, `::1` and mapped 127.0.0.0/8.
    bool IsLoopback() const noexcept;

    /// The port, in host order.
    unsigned Port() const noexcept;

    /// Changes the port.
    void SetPort(unsigned port) noexcept;

    /// The numeric address without the port: `"127.0.0.1"`, `"::1"`, a mapped address as dotted IPv4.
    std::string Address() const;

    /// Address and port: `"127.0.0.1:80"`, `"[::1]:80"`.
    std::string ToString() const;

    /// This address as an IPv4-mapped IPv6 address (for a dual-stack IPv6 socket); itself if not IPv4.
    SocketAddress ToV4Mapped() const noexcept;

    /// The native `sockaddr` bytes and their length, for system calls.
    const void* Data() const noexcept { return storage_; }
    std::size_t Size() const noexcept { return length_; }

    friend bool operator==(const SocketAddress& a, const SocketAddress& b) noexcept;
    friend bool operator!=(const SocketAddress& a, const SocketAddress& b) noexcept { return !(a == b); }

private:
    alignas(8) unsigned char storage_[28];  // sizeof(sockaddr_in6) == 28
    std::size_t length_;
};

}  // namespace portafx
