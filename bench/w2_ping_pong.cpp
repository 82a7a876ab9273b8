// W2 ping-pong: round trips of 64 bytes with TCP_NODELAY, portafx Socket on both ends against raw Asio
// blocking sockets on both ends. The figure is the mean round-trip time.
//
// A third program in the same rounds is raw Asio that waits the way any loop-pumped blocking call must: a
// non-blocking socket, an async_wait for readability run on its io_context, then the read. Its ratio to the
// blocking sockets is the floor for a design whose blocking calls wait in the event loop (MFC's pumping);
// portafx's ratio to it is what the MFC layer itself adds.
#include "bench.hpp"

#include <portafx/socket.hpp>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <boost/system/system_error.hpp>

#include <cstring>
#include <functional>
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

// Reads exactly `len` bytes from a non-blocking socket, waiting for readability on `io` before each read: one
// epoll_wait and one recvmsg per wait, as a blocking call that pumps its loop makes.
void LoopRead(asio::io_context& io, tcp::socket& s, char* buf, std::size_t len) {
    for (std::size_t got = 0; got < len;) {
        bool ready = false;
        s.async_wait(tcp::socket::wait_read, [&ready](const boost::system::error_code& ec) {
            if (ec) throw boost::system::system_error(ec, "W2: wait");
            ready = true;
        });
        while (!ready) {
            if (io.run_one() == 0) throw std::runtime_error("W2: the loop ran out of work");
        }
        io.restart();
        boost::system::error_code ec;
        got += s.read_some(asio::buffer(buf + got, len - got), ec);
        if (ec && ec != asio::error::would_block) throw boost::system::system_error(ec, "W2: read");
    }
}

double RawLoopWait(int trips) {
    asio::io_context io;
    tcp::acceptor acceptor = Acceptor(io);
    const auto ep = acceptor.local_endpoint();
    std::thread echo([ep, trips] {
        asio::io_context cio;
        tcp::socket s(cio);
        s.connect(ep);
        s.set_option(tcp::no_delay(true));
        s.non_blocking(true);
        char buf[kSize];
        for (int i = 0; i < trips; ++i) {
            LoopRead(cio, s, buf, kSize);
            asio::write(s, asio::buffer(buf));  // 64 bytes always fit the send buffer of a ping-pong
        }
    });
    tcp::socket conn(io);
    acceptor.accept(conn);
    conn.set_option(tcp::no_delay(true));
    conn.non_blocking(true);
    char out[kSize], in[kSize];
    std::memset(out, 'p', kSize);
    const auto start = Clock::now();
    for (int i = 0; i < trips; ++i) {
        out[0] = static_cast<char>(i);
        asio::write(conn, asio::buffer(out));
        LoopRead(io, conn, in, kSize);
        if (in[0] != out[0]) throw std::runtime_error("W2: loop-wait echo failed");
    }
    const double secs = Since(start);
    echo.join();
    return secs / trips * 1e6;
}

}  // namespace

void RunW2(const Options& o) {
    // Three programs, each round in a rotated order, so that all three share the machine's conditions.
    Pair portafxVsBlocking, loopVsBlocking, portafxVsLoop;
    const std::function<double()> run[3] = {[&] { return Portafx(o.pingPongs); }, [&] { return Raw(o.pingPongs); },
                                            [&] { return RawLoopWait(o.pingPongs); }};
    for (int r = 0; r < o.rounds; ++r) {
        double figure[3] = {};
        for (int k = 0; k < 3; ++k) {
            const int which = (r + k) % 3;
            figure[which] = run[which]();
        }
        portafxVsBlocking.portafx.push_back(figure[0]);
        portafxVsBlocking.raw.push_back(figure[1]);
        loopVsBlocking.portafx.push_back(figure[2]);
        loopVsBlocking.raw.push_back(figure[1]);
        portafxVsLoop.portafx.push_back(figure[0]);
        portafxVsLoop.raw.push_back(figure[2]);
    }
    const std::string name = "W2 ping-pong " + std::to_string(o.pingPongs) + " x 64 B RTT";
    Report(name, "us", portafxVsBlocking, "Asio blocking", false, "<= 1.05x");
    Report("  floor: Asio waiting on its loop", "us", loopVsBlocking, "Asio blocking", false, "none, a reference");
    Report("  portafx over that floor", "us", portafxVsLoop, "Asio loop-wait", false, "none, a reference");
}

}  // namespace bench
