// portafx-udp-echo — a UDP echo server and client written the way MFC programs use datagram sockets.
//
// What the sample shows:
//  * `Create(port, SocketType::Datagram, address)`: a datagram socket bound to a port (0 = chosen by the
//    OS) on an IPv4 or IPv6 address or a host name; with no address, IPv6 dual-stack (IPv4 peers too).
//  * The server is an AsyncSocket (CAsyncSocket): each OnReceive makes exactly one ReceiveFrom — that call
//    is what re-enables OnReceive, so every queued datagram brings its own notification — and sends the
//    datagram back to the address ReceiveFrom reported.
//  * A datagram larger than the buffer: ReceiveFrom fails with WSAEMSGSIZE (10040) and the buffer holds
//    its first bytes; the server echoes those and says so.
//  * Optionally a multicast group: `--group G [--interface I]` joins it, and datagrams sent to the group
//    and the server's port are echoed too (to the sender's own address).
//  * The client is a Socket (CSocket): SendTo and ReceiveFrom block by pumping the loop, bounded by
//    SetTimeout (WSAETIMEDOUT, 10060), because UDP never tells a sender that nobody answered.
//
// Usage:
//   portafx-udp-echo server [port] [--address A] [--buffer B] [--max-datagrams N] [--group G [--interface I]]
//   portafx-udp-echo client <host> <port> <message>...    sends each message, checks its echo
//
// The server's first line is "listening on <address>:<port>"; it exits 0 after N datagrams (if given) or
// on SIGINT/SIGTERM.
#include <portafx/portafx.hpp>

#include <boost/asio/signal_set.hpp>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

namespace {

using portafx::AsyncSocket;
using portafx::EventLoop;
using portafx::SocketAddress;
using portafx::SocketError;
using portafx::SocketType;

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

void Say(const std::string& line) {
    std::cout << line << std::endl;  // flushed: a script sees each line at once
}

void Complain(const std::string& what) {
    std::cerr << "portafx-udp-echo: " << what << std::endl;
}

std::string LastError() {
    return AsyncSocket::GetLastErrorInfo().Message();
}

bool ParseNumber(const std::string& text, unsigned long max, unsigned long& out) {
    char* end = nullptr;
    out = std::strtoul(text.c_str(), &end, 10);
    return !text.empty() && *end == '\0' && out <= max;
}

// --- the server ---------------------------------------------------------------------------------

class EchoSocket : public AsyncSocket {
public:
    EchoSocket(EventLoop& loop, int bufferSize, unsigned long maxDatagrams)
        : AsyncSocket(loop), buffer_(static_cast<std::size_t>(bufferSize)), maxDatagrams_(maxDatagrams) {}

    bool failed = false;

protected:
    void OnReceive(int errorCode) override {
        if (errorCode != 0) {
            Complain("OnReceive: " + portafx::SocketErrorMessage(errorCode));
            return;
        }
        SocketAddress from;
        int n = ReceiveFrom(buffer_.data(), static_cast<int>(buffer_.size()), from);  // once per OnReceive
        if (n == portafx::SocketErrorResult) {
            if (GetLastError() == static_cast<int>(SocketError::MessageSize)) {
                Say("truncated: " + GetLastErrorInfo().detail);
                n = static_cast<int>(buffer_.size());  // echo what was kept
            } else if (GetLastError() == static_cast<int>(SocketError::WouldBlock)) {
                return;  // nothing after all; OnReceive comes with the next datagram
            } else {
                Complain(LastError());  // e.g. WSAECONNRESET: an earlier echo's destination was unreachable
                return;
            }
        }
        if (SendTo(buffer_.data(), n, from) != n) {
            Complain("SendTo " + from.ToString() + ": " + LastError());
            failed = true;
        } else {
            Say("echoed " + std::to_string(n) + " bytes to " + from.ToString());
        }
        if (maxDatagrams_ != 0 && ++echoed_ == maxDatagrams_) GetEventLoop().Stop();
    }

private:
    std::vector<char> buffer_;
    unsigned long maxDatagrams_;
    unsigned long echoed_ = 0;
};

int RunServer(const std::vector<std::string>& args) {
    unsigned long port = 0, buffer = 2048, maxDatagrams = 0;
    std::string address, group, networkInterface;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        const bool hasValue = i + 1 < args.size();
        if (a == "--address" && hasValue) {
            address = args[++i];
        } else if (a == "--buffer" && hasValue && ParseNumber(args[i + 1], 65536, buffer) && buffer > 0) {
            ++i;
        } else if (a == "--max-datagrams" && hasValue && ParseNumber(args[i + 1], 1000000, maxDatagrams)) {
            ++i;
        } else if (a == "--group" && hasValue) {
            group = args[++i];
        } else if (a == "--interface" && hasValue) {
            networkInterface = args[++i];
        } else if (i == 0 && a[0] != '-' && ParseNumber(a, 65535, port)) {
        } else {
            Complain("bad server argument '" + a + "'");
            return kExitUsage;
        }
    }
    EventLoop loop;
    EchoSocket server(loop, static_cast<int>(buffer), maxDatagrams);
    if (!server.Create(static_cast<unsigned>(port), SocketType::Datagram, portafx::AllEvents,
                       address.empty() ? nullptr : address.c_str())) {
        Complain(LastError());
        return kExitFailure;
    }
    if (!group.empty() &&
        !server.JoinMulticastGroup(group.c_str(), networkInterface.empty() ? nullptr : networkInterface.c_str())) {
        Complain(LastError());
        return kExitFailure;
    }
    SocketAddress local;
    server.GetSockName(local);
    Say("listening on " + local.ToString());
    if (!group.empty()) Say("member of group " + group);
    boost::asio::signal_set signals(loop.Context(), SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
        if (!ec) loop.Stop();
    });
    loop.Run();
    return server.failed ? kExitFailure : kExitOk;
}

// --- the client ---------------------------------------------------------------------------------

int RunClient(const std::vector<std::string>& args) {
    unsigned long port = 0;
    if (args.size() < 3 || !ParseNumber(args[1], 65535, port) || port == 0) {
        Complain("usage: portafx-udp-echo client <host> <port> <message>...");
        return kExitUsage;
    }
    const std::string& host = args[0];
    EventLoop loop;
    portafx::Socket client(loop);
    client.SetTimeout(std::chrono::seconds(5));
    // No address: IPv6 dual-stack, so the server may be IPv4 or IPv6; an IPv4-only host gets IPv4.
    if (!client.Create(0, SocketType::Datagram)) {
        Complain(LastError());
        return kExitFailure;
    }
    for (std::size_t i = 2; i < args.size(); ++i) {
        const std::string& message = args[i];
        const int len = static_cast<int>(message.size());
        if (client.SendTo(message.data(), len, static_cast<unsigned>(port), host.c_str()) != len) {
            Complain("SendTo: " + LastError());
            return kExitFailure;
        }
        std::vector<char> buf(message.size() + 1);
        SocketAddress from;
        const int n = client.ReceiveFrom(buf.data(), static_cast<int>(buf.size()), from);  // blocks, bounded
        if (n == portafx::SocketErrorResult) {
            Complain("ReceiveFrom: " + LastError());
            return kExitFailure;
        }
        const std::string echo(buf.data(), static_cast<std::size_t>(n));
        if (echo != message || from.Port() != port) {
            Complain("expected '" + message + "' from port " + std::to_string(port) + ", got '" + echo + "' from " +
                     from.ToString());
            return kExitFailure;
        }
        Say("echo from " + from.ToString() + ": " + echo);
    }
    return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (!args.empty() && args[0] == "server") return RunServer({args.begin() + 1, args.end()});
    if (!args.empty() && args[0] == "client") return RunClient({args.begin() + 1, args.end()});
    std::cerr << "usage:\n"
                 "  portafx-udp-echo server [port] [--address A] [--buffer B] [--max-datagrams N] "
                 "[--group G [--interface I]]\n"
                 "  portafx-udp-echo client <host> <port> <message>...\n";
    return kExitUsage;
}
