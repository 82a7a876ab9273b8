// W1 bulk stream: one connection, N bytes in 64 KiB Sends on a portafx Socket received with Receive,
// against raw Asio blocking sockets (asio::write of 64 KiB, read_some) doing the same.
#include "bench.hpp"

#include <portafx/socket.hpp>

#include <boost/asio/write.hpp>

#include <future>
#include <stdexcept>
#include <thread>

namespace bench {
namespace {

constexpr int kChunk = 64 * 1024;

double Portafx(std::uint64_t total) {
    portafx::Socket listener;
    if (!listener.Create(0, portafx::SocketType::Stream, "127.0.0.1") || !listener.Listen())
        throw std::runtime_error("W1: listen: " + portafx::AsyncSocket::GetLastErrorInfo().Message());
    std::string address;
    unsigned port = 0;
    listener.GetSockName(address, port);
    std::thread sender([port, total] {
        portafx::Socket s;  // this thread's loop
        std::vector<char> buf(kChunk, 'x');
        if (!s.Create(0, portafx::SocketType::Stream, "127.0.0.1") || !s.Connect("127.0.0.1", port)) return;
        for (std::uint64_t sent = 0; sent < total; sent += kChunk) {
            if (s.Send(buf.data(), kChunk) != kChunk) return;
        }
    });
    portafx::Socket conn;
    if (!listener.Accept(conn)) throw std::runtime_error("W1: accept failed");
    std::vector<char> buf(kChunk);
    const auto start = Clock::now();
    std::uint64_t got = 0;
    while (got < total) {
        const int n = conn.Receive(buf.data(), kChunk);
        if (n <= 0) break;
        got += static_cast<std::uint64_t>(n);
    }
    const double secs = Since(start);
    sender.join();
    if (got != total) throw std::runtime_error("W1: portafx received too little");
    return static_cast<double>(total) / secs / (1 << 30);
}

double Raw(std::uint64_t total) {
    asio::io_context io;
    tcp::acceptor acceptor = Acceptor(io);
    const auto ep = acceptor.local_endpoint();
    std::thread sender([ep, total] {
        asio::io_context cio;
        tcp::socket s(cio);
        s.connect(ep);
        std::vector<char> buf(kChunk, 'x');
        for (std::uint64_t sent = 0; sent < total; sent += kChunk)
            asio::write(s, asio::buffer(buf));
    });
    tcp::socket conn(io);
    acceptor.accept(conn);
    std::vector<char> buf(kChunk);
    const auto start = Clock::now();
    std::uint64_t got = 0;
    boost::system::error_code ec;
    while (got < total) {
        const std::size_t n = conn.read_some(asio::buffer(buf), ec);
        if (ec) break;
        got += n;
    }
    const double secs = Since(start);
    sender.join();
    if (got != total) throw std::runtime_error("W1: raw received too little");
    return static_cast<double>(total) / secs / (1 << 30);
}

}  // namespace

void RunW1(const Options& o) {
    const std::uint64_t total = o.bulkBytes / kChunk * kChunk;
    const Pair p = Alternate(
        o.rounds, [&] { return Portafx(total); }, [&] { return Raw(total); });
    Report("W1 bulk stream " + std::to_string(total >> 20) + " MiB, 64 KiB Sends", "GiB/s", p, "Asio blocking", true,
           ">= 0.95x");
}

}  // namespace bench
