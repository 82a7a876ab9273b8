// W5 idle connections: N connected sockets on one loop. The figures are user-space memory per connection
// (growth of the heap in use / N, from mallinfo2: the resident set is no good measure here, as a child
// reuses pages its parent's earlier workloads left resident) and the accept rate, for portafx
// AsyncSockets (every notification selected, so read and error waits are armed) against raw Asio sockets each with one
// pending async_wait(wait_read) (the smallest raw Asio session). Each measurement runs in a fresh child process, so
// memory freed by an earlier round cannot hide growth.
#include "bench.hpp"

#include <portafx/async_socket.hpp>

#include <arpa/inet.h>
#include <malloc.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <functional>
#include <future>
#include <memory>
#include <stdexcept>
#include <thread>

namespace bench {
namespace {

/// Bytes of heap in use (every malloc arena, mmapped blocks included).
std::size_t HeapBytes() {
    const struct mallinfo2 m = ::mallinfo2();
    return m.uordblks + m.hblkhd;
}

/// Opens `n` blocking connections to 127.0.0.1:`port`.
std::vector<int> Connect(unsigned port, int n) {
    std::vector<int> fds;
    fds.reserve(static_cast<std::size_t>(n));
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<std::uint16_t>(port));
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int i = 0; i < n; ++i) {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0 || ::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0)
            throw std::runtime_error(std::string("W5: connect: ") + std::strerror(errno));
        fds.push_back(fd);
    }
    return fds;
}

/// The connecting side, in a process of its own (forked while this one has a single thread), so that its
/// descriptors count against neither this process's limit nor its memory. Go() lets it connect.
class ClientProcess {
public:
    ClientProcess(unsigned port, int n) {
        if (::pipe(go_) != 0) throw std::runtime_error("W5: pipe failed");
        pid_ = ::fork();
        if (pid_ < 0) throw std::runtime_error("W5: fork failed");
        if (pid_ == 0) {
            ::close(go_[1]);
            char c;
            if (::read(go_[0], &c, 1) != 1) ::_exit(1);
            int status = 0;
            try {
                std::vector<int> fds = Connect(port, n);
                if (::read(go_[0], &c, 1) < 0) status = 1;  // hold the connections until the parent closes the pipe
            } catch (const std::exception& e) {
                std::fprintf(stderr, "%s\n", e.what());
                status = 1;
            }
            ::_exit(status);
        }
        ::close(go_[0]);
    }
    ~ClientProcess() {
        ::close(go_[1]);
        int status = 0;
        ::waitpid(pid_, &status, 0);
    }
    void Go() {
        const char c = 'g';
        if (::write(go_[1], &c, 1) != 1) throw std::runtime_error("W5: cannot start the clients");
    }

private:
    int go_[2];
    pid_t pid_;
};

struct Result {
    double bytesPerConn;  // heap growth / N
    double acceptsPerSec;
};

class Idle : public portafx::AsyncSocket {
public:
    using AsyncSocket::AsyncSocket;
};

class IdleListener : public portafx::AsyncSocket {
public:
    using AsyncSocket::AsyncSocket;
    std::atomic<int> accepted{0};
    std::vector<Idle*> sockets;  // loop thread only

protected:
    void OnAccept(int) override {
        auto* s = new Idle(GetEventLoop());
        if (!Accept(*s)) {
            delete s;
            return;
        }
        sockets.push_back(s);
        ++accepted;
    }
};

Result Portafx(int n) {
    portafx::EventLoop loop;
    IdleListener listener(loop);
    if (!listener.Create(0, portafx::SocketType::Stream, portafx::AllEvents, "127.0.0.1") || !listener.Listen(4096))
        throw std::runtime_error("W5: listen failed");
    listener.sockets.reserve(static_cast<std::size_t>(n));  // the test's own bookkeeping is not counted
    std::string address;
    unsigned port = 0;
    listener.GetSockName(address, port);
    ClientProcess clients(port, n);  // forked before this process starts a thread
    std::thread server([&] { loop.Run(); });
    const std::size_t heapBefore = HeapBytes();
    const auto start = Clock::now();
    clients.Go();
    while (listener.accepted < n)
        std::this_thread::yield();
    const double secs = Since(start);
    std::promise<void> turned;  // every OnSend delivered and every wait armed before measuring
    loop.Post([&] { turned.set_value(); });
    turned.get_future().wait();
    const std::size_t heapAfter = HeapBytes();
    loop.Stop();
    server.join();
    return {static_cast<double>(heapAfter - heapBefore) / n, n / secs};
}

struct RawIdle {
    tcp::socket socket;
    explicit RawIdle(tcp::socket s) : socket(std::move(s)) {}
};

Result Raw(int n) {
    asio::io_context io(1);
    tcp::acceptor acceptor = Acceptor(io);
    const unsigned port = acceptor.local_endpoint().port();
    std::atomic<int> accepted{0};
    std::vector<std::shared_ptr<RawIdle>> sessions;
    sessions.reserve(static_cast<std::size_t>(n));
    std::function<void()> accept = [&] {
        acceptor.async_accept([&](boost::system::error_code ec, tcp::socket s) {
            if (ec) return;
            auto session = std::make_shared<RawIdle>(std::move(s));
            session->socket.async_wait(tcp::socket::wait_read, [session](boost::system::error_code) {});
            sessions.push_back(session);
            ++accepted;
            accept();
        });
    };
    accept();
    auto work = asio::make_work_guard(io);
    ClientProcess clients(port, n);  // forked before this process starts a thread
    std::thread server([&] { io.run(); });
    const std::size_t heapBefore = HeapBytes();
    const auto start = Clock::now();
    clients.Go();
    while (accepted < n)
        std::this_thread::yield();
    const double secs = Since(start);
    std::promise<void> turned;
    asio::post(io, [&] { turned.set_value(); });
    turned.get_future().wait();
    const std::size_t heapAfter = HeapBytes();
    io.stop();
    server.join();
    return {static_cast<double>(heapAfter - heapBefore) / n, n / secs};
}

/// Runs `f` in a child process and returns its result.
Result InChild(Result (*f)(int), int n) {
    int p[2];
    if (::pipe(p) != 0) throw std::runtime_error("W5: pipe failed");
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("W5: fork failed");
    if (pid == 0) {
        ::close(p[0]);
        Result r{-1, -1};
        try {
            r = f(n);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "%s\n", e.what());
        }
        const ssize_t written = ::write(p[1], &r, sizeof r);
        ::_exit(written == sizeof r ? 0 : 1);
    }
    ::close(p[1]);
    Result r{-1, -1};
    const ssize_t got = ::read(p[0], &r, sizeof r);
    ::close(p[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (got != sizeof r || r.bytesPerConn < 0) throw std::runtime_error("W5: the measuring child failed");
    return r;
}

}  // namespace

void RunW5(const Options& o) {
    int n = o.idleConnections;
    // Each process holds one end of every connection, and a few descriptors of its own.
    rlimit lim{};
    ::getrlimit(RLIMIT_NOFILE, &lim);
    const rlim_t want = static_cast<rlim_t>(n + 64);
    if (lim.rlim_cur < want) {
        rlimit raised{want, std::max(want, lim.rlim_max)};
        if (::setrlimit(RLIMIT_NOFILE, &raised) != 0) {
            raised = {lim.rlim_max, lim.rlim_max};
            ::setrlimit(RLIMIT_NOFILE, &raised);
            n = static_cast<int>(lim.rlim_max - 64);
        }
    }
    std::vector<Result> a, b;
    for (int r = 0; r < o.rounds; ++r) {
        if (r % 2 == 0) {
            a.push_back(InChild(&Portafx, n));
            b.push_back(InChild(&Raw, n));
        } else {
            b.push_back(InChild(&Raw, n));
            a.push_back(InChild(&Portafx, n));
        }
    }
    Pair mem, rate;
    for (const Result& x : a) {
        mem.portafx.push_back(x.bytesPerConn);
        rate.portafx.push_back(x.acceptsPerSec / 1000);
    }
    for (const Result& x : b) {
        mem.raw.push_back(x.bytesPerConn);
        rate.raw.push_back(x.acceptsPerSec / 1000);
    }
    const std::string name = "W5 " + std::to_string(n) + " idle conns";
    Report(name + ", heap", "B/conn", mem, "Asio async_wait", false, "<= 2048 B/conn");
    Report(name + ", accept rate", "kconn/s", rate, "Asio async_wait", true, "(none)");
}

}  // namespace bench
