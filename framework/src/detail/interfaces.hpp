// The host's network interfaces and their addresses (getifaddrs), for multicast interface choices and
// SocketAddress::LocalHostAddresses.
#pragma once

#include <portafx/socket_address.hpp>

#include <string>
#include <vector>

namespace portafx::detail {

/// One address of one interface.
struct InterfaceAddress {
    std::string name;  ///< "lo", "eth0"
    unsigned index;    ///< if_nametoindex(name)
    bool up;
    bool loopback;
    SocketAddress address;  ///< IPv4 or IPv6 (with the scope of a link-local address), port 0
};

/// Every IPv4 and IPv6 address of every interface, in the system's order; empty if getifaddrs fails.
std::vector<InterfaceAddress> ListInterfaceAddresses();

/// An interface named by `spec`: a name ("lo"), a decimal index ("1") or one of its numeric addresses.
/// False if there is none.
bool FindInterface(const char* spec, std::string& name, unsigned& index);

/// The first IPv4 address of the interface `name`; false if it has none.
bool InterfaceIPv4(const std::string& name, SocketAddress& out);

}  // namespace portafx::detail
