// W2 ping-pong: round trips of 64 bytes with TCP_NODELAY, portafx Socket on both ends against raw Asio
// blocking sockets on both ends. The figure is the mean round-trip time.
//
// Two more programs in the same rounds wait the way any loop-pumped blocking call must (MFC's pumping: the
// loop, not the read, is what sleeps). The floor: an Asio socket made non-blocking, registered once with an
// epoll set, one epoll_wait per wait, then the read. Asio's own loop: async_wait, io_context::run_one, then the
// read. Their ratios to the blocking sockets are what such a design costs at the least, and on Asio's loop;
// portafx's ratio to Asio's loop wait is what the MFC layer adds on top.
#include "bench.hpp"

#include <portafx/socket.hpp>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <boost/system/system_error.hpp>

#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>

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

// The wait of any design whose blocking calls wait in an event loop, at its cheapest: the socket is non-blocking
// and registered once (edge-triggered) with an epoll set of its own; each wait is one epoll_wait, then the read.
// Asio's public async_wait is no floor: it re-arms the handle (EPOLL_CTL_MOD) on every wait.
class EpollWaiter {
public:
    EpollWaiter(asio::io_context&, tcp::socket& s) : s_(s), epoll_(::epoll_create1(EPOLL_CLOEXEC)) {
        if (epoll_ < 0) throw std::runtime_error("W2: epoll_create1 failed");
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
        if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, s.native_handle(), &ev) != 0) {
            ::close(epoll_);
            throw std::runtime_error("W2: epoll_ctl failed");
        }
        s.non_blocking(true);
    }
    ~EpollWaiter() { ::close(epoll_); }
    EpollWaiter(const EpollWaiter&) = delete;
    EpollWaiter& operator=(const EpollWaiter&) = delete;

    // Reads exactly `len` bytes that the peer has yet to send (it answers what this side just sent): each
    // wait for an edge, then a read, which finds the bytes, or — should an edge outlive the bytes it announced,
    // already read — nothing, and the loop waits again. A ping-pong pays one epoll_wait and one recv a message.
    void Read(char* buf, std::size_t len) {
        for (std::size_t got = 0; got < len;) {
            epoll_event ev{};
            int r;
            do {
                r = ::epoll_wait(epoll_, &ev, 1, 10000);
            } while (r < 0 && errno == EINTR);
            if (r <= 0) throw std::runtime_error("W2: no reply within 10 s");
            got += ReadSome(buf + got, len - got);
        }
    }

private:
    std::size_t ReadSome(char* buf, std::size_t len) {
        boost::system::error_code ec;
        const std::size_t n = s_.read_some(asio::buffer(buf, len), ec);
        if (ec && ec != asio::error::would_block) throw boost::system::system_error(ec, "W2: read");
        return n;
    }
    tcp::socket& s_;
    int epoll_;
};

// Asio's own event loop waiting, through its public interface: a non-blocking socket, an async_wait for
// readability run by io_context::run_one, then the read. Each wait also re-arms the handle (EPOLL_CTL_MOD):
// Asio does so for every wait it starts, so that a readiness already there is reported.
class AsioWaiter {
public:
    AsioWaiter(asio::io_context& io, tcp::socket& s) : io_(io), s_(s) { s.non_blocking(true); }

    void Read(char* buf, std::size_t len) {
        for (std::size_t got = 0; got < len;) {
            bool ready = false;
            s_.async_wait(tcp::socket::wait_read, [&ready](const boost::system::error_code& ec) {
                if (ec) throw boost::system::system_error(ec, "W2: wait");
                ready = true;
            });
            while (!ready) {
                if (io_.run_one() == 0) throw std::runtime_error("W2: the loop ran out of work");
            }
            io_.restart();
            boost::system::error_code ec;
            got += s_.read_some(asio::buffer(buf + got, len - got), ec);
            if (ec && ec != asio::error::would_block) throw boost::system::system_error(ec, "W2: read");
        }
    }

private:
    asio::io_context& io_;
    tcp::socket& s_;
};

// A ping-pong of non-blocking Asio sockets whose reads wait through a `Waiter` (EpollWaiter or AsioWaiter);
// writes of 64 bytes always fit the send buffer of a ping-pong.
template <class Waiter>
double LoopWaitPingPong(int trips) {
    asio::io_context io;
    tcp::acceptor acceptor = Acceptor(io);
    const auto ep = acceptor.local_endpoint();
    std::thread echo([ep, trips] {
        asio::io_context cio;
        tcp::socket s(cio);
        s.connect(ep);
        s.set_option(tcp::no_delay(true));
        Waiter waiter(cio, s);
        char buf[kSize];
        for (int i = 0; i < trips; ++i) {
            waiter.Read(buf, kSize);
            asio::write(s, asio::buffer(buf));
        }
    });
    tcp::socket conn(io);
    acceptor.accept(conn);
    conn.set_option(tcp::no_delay(true));
    Waiter waiter(io, conn);
    char out[kSize], in[kSize];
    std::memset(out, 'p', kSize);
    const auto start = Clock::now();
    for (int i = 0; i < trips; ++i) {
        out[0] = static_cast<char>(i);
        asio::write(conn, asio::buffer(out));
        waiter.Read(in, kSize);
        if (in[0] != out[0]) throw std::runtime_error("W2: loop-wait echo failed");
    }
    const double secs = Since(start);
    echo.join();
    return secs / trips * 1e6;
}

}  // namespace

void RunW2(const Options& o) {
    // Four programs, each round in a rotated order, so that all of them share the machine's conditions.
    Pair portafxVsBlocking, floorVsBlocking, asioLoopVsBlocking, portafxVsAsioLoop;
    const std::function<double()> run[4] = {[&] { return Portafx(o.pingPongs); }, [&] { return Raw(o.pingPongs); },
                                            [&] { return LoopWaitPingPong<EpollWaiter>(o.pingPongs); },
                                            [&] { return LoopWaitPingPong<AsioWaiter>(o.pingPongs); }};
    for (int r = 0; r < o.rounds; ++r) {
        double figure[4] = {};
        for (int k = 0; k < 4; ++k) {
            const int which = (r + k) % 4;
            figure[which] = run[which]();
        }
        portafxVsBlocking.portafx.push_back(figure[0]);
        portafxVsBlocking.raw.push_back(figure[1]);
        floorVsBlocking.portafx.push_back(figure[2]);
        floorVsBlocking.raw.push_back(figure[1]);
        asioLoopVsBlocking.portafx.push_back(figure[3]);
        asioLoopVsBlocking.raw.push_back(figure[1]);
        portafxVsAsioLoop.portafx.push_back(figure[0]);
        portafxVsAsioLoop.raw.push_back(figure[3]);
    }
    const std::string name = "W2 ping-pong " + std::to_string(o.pingPongs) + " x 64 B RTT";
    Report(name, "us", portafxVsBlocking, "Asio blocking", false, "<= 1.05x");
    Report("  floor: a wait in epoll, then recv", "us", floorVsBlocking, "Asio blocking", false, "none, a reference");
    Report("  Asio's loop: async_wait, recv", "us", asioLoopVsBlocking, "Asio blocking", false, "none, a reference");
    Report("  portafx over Asio's loop wait", "us", portafxVsAsioLoop, "Asio loop-wait", false, "none, a reference");
}

}  // namespace bench
