// W4 async echo: an echo server on one loop (one thread) — portafx AsyncSocket against the usual raw Asio
// async echo server (completion handlers, async_read_some / async_write) — under the same raw Asio load
// generator: C connections x R round trips of 128 bytes, each echo verified. Then both servers on two
// threads: portafx's EventLoopPool(2) against Asio's io_context-per-thread.
#include "bench.hpp"

#include <portafx/async_socket.hpp>
#include <portafx/event_loop_pool.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <atomic>
#include <cstring>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include <time.h>

namespace bench {
namespace {

constexpr std::size_t kMessage = 128;

/// The share of the last Load's wall time its thread spent on a CPU (user + system): near 1 means the one-thread
/// load generator, not the server, bounds the messages per second.
double gGeneratorBusy = 0;
/// The CPU time (user + system) the server's threads spent per round trip in the last Load, in microseconds: the
/// process's CPU time over the run less the generator thread's. It measures what a server costs even when the
/// generator, not the server, sets the rate.
double gServerCpuPerMessage = 0;

double CpuSeconds(clockid_t clock) {
    timespec ts{};
    ::clock_gettime(clock, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// --- the load generator (raw Asio, one thread) -----------------------------------------------------

struct Client {
    tcp::socket socket;
    std::array<char, kMessage> out{}, in{};
    int left;
    int id;
    std::atomic<int>* failures;
    Client(asio::io_context& io, int trips, int i, std::atomic<int>* f) : socket(io), left(trips), id(i), failures(f) {}

    void Next() {
        if (left-- == 0) {
            boost::system::error_code ignored;
            socket.shutdown(tcp::socket::shutdown_both, ignored);
            socket.close(ignored);
            return;
        }
        std::memcpy(out.data(), &id, sizeof id);
        std::memcpy(out.data() + sizeof id, &left, sizeof left);
        asio::async_write(socket, asio::buffer(out), [this](boost::system::error_code ec, std::size_t) {
            if (ec) {
                ++*failures;
                return;
            }
            asio::async_read(socket, asio::buffer(in), [this](boost::system::error_code ec2, std::size_t) {
                if (ec2 || in != out) {
                    ++*failures;
                    return;
                }
                Next();
            });
        });
    }
};

/// Connects `conns` clients to `ep`, then runs `trips` verified round trips on each; thousands of messages
/// (round trips) per second.
double Load(const tcp::endpoint& ep, int conns, int trips) {
    asio::io_context io(1);
    std::atomic<int> failures{0};
    std::vector<std::unique_ptr<Client>> clients;
    for (int i = 0; i < conns; ++i) {
        clients.push_back(std::make_unique<Client>(io, trips, i, &failures));
        clients.back()->socket.connect(ep);
        clients.back()->socket.set_option(tcp::no_delay(true));
    }
    const auto start = Clock::now();
    const double cpu0 = CpuSeconds(CLOCK_THREAD_CPUTIME_ID), process0 = CpuSeconds(CLOCK_PROCESS_CPUTIME_ID);
    for (auto& c : clients)
        c->Next();
    io.run();
    const double secs = Since(start);
    const double generatorCpu = CpuSeconds(CLOCK_THREAD_CPUTIME_ID) - cpu0;
    const double serverCpu = CpuSeconds(CLOCK_PROCESS_CPUTIME_ID) - process0 - generatorCpu;
    gGeneratorBusy = secs > 0 ? generatorCpu / secs : 0;
    gServerCpuPerMessage = serverCpu / (static_cast<double>(conns) * trips) * 1e6;
    if (failures != 0) throw std::runtime_error("W4: " + std::to_string(failures.load()) + " echoes failed");
    return static_cast<double>(conns) * trips / secs / 1000;
}

// --- portafx echo server ---------------------------------------------------------------------------

class Echo;

/// The sessions of one loop: touched only on that loop's thread.
struct Sessions {
    std::set<Echo*> live;
};

class Echo : public portafx::AsyncSocket {
public:
    Echo(portafx::EventLoop& loop, Sessions* sessions) : AsyncSocket(loop), sessions_(sessions) {}
    Sessions* sessions_;
    bool registered_ = false;

protected:
    void OnReceive(int) override {
        Register();
        char buf[4096];
        const int n = Receive(buf, sizeof buf);
        if (n <= 0) return;
        if (!pending_.empty()) {
            pending_.append(buf, static_cast<std::size_t>(n));
            return;
        }
        const int sent = Send(buf, n);
        if (sent < n) pending_.assign(buf + (sent > 0 ? sent : 0), buf + n);
    }
    void OnSend(int) override {
        Register();
        if (!noDelay_) noDelay_ = SetNoDelay(true);  // as the raw server; OnSend comes first, on our thread
        while (!pending_.empty()) {
            const int sent = Send(pending_.data(), static_cast<int>(pending_.size()));
            if (sent <= 0) return;
            pending_.erase(0, static_cast<std::size_t>(sent));
        }
    }
    void OnClose(int) override {
        Register();
        sessions_->live.erase(this);
        delete this;
    }

private:
    void Register() {
        if (!registered_) {
            registered_ = true;
            sessions_->live.insert(this);
        }
    }
    std::string pending_;
    bool noDelay_ = false;
};

class EchoListener : public portafx::AsyncSocket {
public:
    EchoListener(portafx::EventLoop& loop, portafx::EventLoopPool* pool, std::vector<Sessions>* sessions)
        : AsyncSocket(loop), pool_(pool), sessions_(sessions) {}

protected:
    void OnAccept(int) override {
        portafx::EventLoop& target = pool_ != nullptr ? pool_->Next() : GetEventLoop();
        std::size_t index = 0;
        if (pool_ != nullptr) {
            while (&pool_->Loop(index) != &target)
                ++index;
        }
        auto* s = new Echo(target, &(*sessions_)[index]);
        if (!Accept(*s)) delete s;
    }

private:
    portafx::EventLoopPool* pool_;
    std::vector<Sessions>* sessions_;
};

double PortafxEcho(int threads, int conns, int trips) {
    portafx::EventLoopPool pool(static_cast<std::size_t>(threads));
    std::vector<Sessions> sessions(pool.Size());
    EchoListener listener(pool.Loop(0), threads > 1 ? &pool : nullptr, &sessions);
    if (!listener.Create(0, portafx::SocketType::Stream, portafx::AllEvents, "127.0.0.1") || !listener.Listen(1024))
        throw std::runtime_error("W4: listen failed");
    std::string address;
    unsigned port = 0;
    listener.GetSockName(address, port);
    pool.Start();
    const double rate =
        Load(tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)), conns, trips);
    // Close the listener and any session still open on their own threads, then stop.
    for (std::size_t i = 0; i < pool.Size(); ++i) {
        std::promise<void> done;
        pool.Post(i, [&, i] {
            if (i == 0) listener.Close();
            for (Echo* e : sessions[i].live)
                delete e;
            sessions[i].live.clear();
            done.set_value();
        });
        done.get_future().wait();
    }
    pool.Stop();
    return rate;
}

// --- raw Asio echo server (the usual one) ----------------------------------------------------------

class RawSession : public std::enable_shared_from_this<RawSession> {
public:
    explicit RawSession(tcp::socket s) : socket_(std::move(s)) {}
    void Start() { Read(); }

private:
    void Read() {
        auto self = shared_from_this();
        socket_.async_read_some(asio::buffer(data_), [this, self](boost::system::error_code ec, std::size_t n) {
            if (!ec) Write(n);
        });
    }
    void Write(std::size_t n) {
        auto self = shared_from_this();
        asio::async_write(socket_, asio::buffer(data_, n), [this, self](boost::system::error_code ec, std::size_t) {
            if (!ec) Read();
        });
    }
    tcp::socket socket_;
    std::array<char, 4096> data_;
};

double RawEcho(int threads, int conns, int trips) {
    std::vector<std::unique_ptr<asio::io_context>> ios;
    for (int i = 0; i < threads; ++i)
        ios.push_back(std::make_unique<asio::io_context>(1));
    tcp::acceptor acceptor = Acceptor(*ios[0]);
    const auto ep = acceptor.local_endpoint();
    std::size_t next = 0;
    std::function<void()> accept = [&] {
        asio::io_context& target = *ios[next++ % ios.size()];
        acceptor.async_accept(target, [&](boost::system::error_code ec, tcp::socket s) {
            if (ec) return;
            s.set_option(tcp::no_delay(true));
            std::make_shared<RawSession>(std::move(s))->Start();
            accept();
        });
    };
    accept();
    std::vector<std::thread> pool;
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work;
    for (auto& io : ios)
        work.push_back(asio::make_work_guard(*io));
    for (auto& io : ios)
        pool.emplace_back([&io] { io->run(); });
    const double rate = Load(ep, conns, trips);
    asio::post(*ios[0], [&] { acceptor.close(); });
    for (auto& io : ios)
        io->stop();
    for (auto& t : pool)
        t.join();
    return rate;
}

}  // namespace

void RunW4(const Options& o) {
    struct Shape {
        int threads, conns, trips;
    };
    const int scale = o.quick ? 10 : 1;
    const Shape shapes[] = {{1, 100, 1000 / scale}, {1, 1000, 100 / scale}, {2, 100, 1000 / scale}};
    for (const Shape& s : shapes) {
        Pair busy;  // the load generator's CPU share in each round: the ceiling on any server's rate
        Pair cost;  // the server's CPU time per round trip in each round
        const Pair p = Alternate(
            o.rounds,
            [&] {
                const double rate = PortafxEcho(s.threads, s.conns, s.trips);
                busy.portafx.push_back(100 * gGeneratorBusy);
                cost.portafx.push_back(gServerCpuPerMessage);
                return rate;
            },
            [&] {
                const double rate = RawEcho(s.threads, s.conns, s.trips);
                busy.raw.push_back(100 * gGeneratorBusy);
                cost.raw.push_back(gServerCpuPerMessage);
                return rate;
            });
        const std::string name = "W4 echo " + std::to_string(s.conns) + " x " + std::to_string(s.trips) +
                                 (s.threads > 1 ? ", pool of 2" : ", one loop");
        Report(name, "kmsg/s", p, s.threads > 1 ? "Asio 2 threads" : "Asio async", true, ">= 1.2x");
        Report("  its load generator's CPU", "% busy", busy, "with Asio", true, "(none)");
        Report("  the server's CPU per message", "us", cost, "Asio server", false, "(none)");
    }
}

}  // namespace bench
