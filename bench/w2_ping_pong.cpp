// W2 ping-pong: round trips of 64 bytes with TCP_NODELAY, portafx Socket on both ends against raw Asio
// blocking sockets on both ends. The figure is the mean round-trip time.
#include "bench.hpp"

#include <portafx/socket.hpp>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <cstring>
#include <stdexcept>
#include <thread>

namespace bench {
namespace {

constexpr int kSize = 64;

bool ReceiveAll(portafx::Socket& s, char* buf, int len) {
    for (int got = 0; got < len;) {
        const int n = s.Receive(buf + got, len - got);
        if (n <= 0) return false;
        got += n;
    }
    return true;
}

double Portafx(int trips) {
    portafx::Socket listener;
    if (!listener.Create(0, portafx::SocketType::Stream, "127.0.0.1") || !listener.Listen())
        throw std::runtime_error("W2: listen failed");
    std::string address;
    unsigned port = 0;
    listener.GetSockName(address, port);
    std::thread echo([port, trips] {
        portafx::Socket s;
        if (!s.Create(0, portafx::SocketType::Stream, "127.0.0.1") || !s.Connect("127.0.0.1", port)) return;
        s.SetNoDelay(true);
        char buf[kSize];
        for (int i = 0; i < trips; ++i) {
            if (!ReceiveAll(s, buf, kSize) || s.Send(buf, kSize) != kSize) return;
        }
    });
    portafx::Socket conn;
    if (!listener.Accept(conn)) throw std::runtime_error("W2: accept failed");
    conn.SetNoDelay(true);
    char out[kSize], in[kSize];
    std::memset(out, 'p', kSize);
    const auto start = Clock::now();
    for (int i = 0; i < trips; ++i) {
        out[0] = static_cast<char>(i);
        if (conn.Send(out, kSize) != kSize || !ReceiveAll(conn, in, kSize) || in[0] != out[0])
            throw std::runtime_error("W2: portafx echo failed");
    }
    const double secs = Since(start);
    echo.join();
    return secs / trips * 1e6;
}

double Raw(int trips) {
    asio::io_context io;
    tcp::acceptor acceptor = Acceptor(io);
    const auto ep = acceptor.local_endpoint();
    std::thread echo([ep, trips] {
        asio::io_context cio;
        tcp::socket s(cio);
        s.connect(ep);
        s.set_option(tcp::no_delay(true));
        char buf[kSize];
        for (int i = 0; i < trips; ++i) {
            asio::read(s, asio::buffer(buf));
            asio::write(s, asio::buffer(buf));
        }
    });
    tcp::socket conn(io);
    acceptor.accept(conn);
    conn.set_option(tcp::no_delay(true));
    char out[kSize], in[kSize];
    std::memset(out, 'p', kSize);
    const auto start = Clock::now();
    for (int i = 0; i < trips; ++i) {
        out[0] = static_cast<char>(i);
        asio::write(conn, asio::buffer(out));
        asio::read(conn, asio::buffer(in));
        if (in[0] != out[0]) throw std::runtime_error("W2: raw echo failed");
    }
    const double secs = Since(start);
    echo.join();
    return secs / trips * 1e6;
}

}  // namespace

void RunW2(const Options& o) {
    const Pair p = Alternate(
        o.rounds, [&] { return Portafx(o.pingPongs); }, [&] { return Raw(o.pingPongs); });
    Report("W2 ping-pong " + std::to_string(o.pingPongs) + " x 64 B RTT", "us", p, "Asio blocking", false, "<= 1.05x");
}

}  // namespace bench
