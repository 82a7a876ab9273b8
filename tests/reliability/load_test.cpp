// Load: many concurrent clients, each sending many messages of random sizes (up to 64 KiB, each with a
// CRC-32; at most four unacknowledged per client), to an AsyncSocket server and to a Socket + Archive
// server. Each server checks every message (sequence number and checksum) and acknowledges it; each client
// checks every acknowledgement. Nothing may be lost, duplicated, reordered or corrupted.
//
// CTest runs 100 clients x 100 messages (also under ASan in CI). `scripts/stress` runs the full scale:
// `load_test -- --clients=1000 --messages=1000 --seconds=1800`.
//
// The message is in MFC's archive format: DWORD sequence, CString payload, DWORD checksum; the reply is
// DWORD sequence, DWORD checksum.
#include <portafx/archive.hpp>
#include <portafx/socket.hpp>
#include <portafx/socket_file.hpp>

#define BOOST_TEST_MODULE load
#include "loopback.hpp"

#include <boost/crc.hpp>

#include <sys/resource.h>

#include <atomic>
#include <cstring>
#include <future>
#include <memory>
#include <random>

using namespace portafx;
using namespace portafx::test;

namespace {

struct Config {
    int clients = 100;
    int messages = 100;
    int seconds = 300;  // the bound on one server's whole run
};

Config ReadConfig() {
    Config c;
    auto& suite = boost::unit_test::framework::master_test_suite();
    for (int i = 1; i < suite.argc; ++i) {
        const std::string arg = suite.argv[i];
        auto value = [&](const char* name, int& out) {
            const std::string prefix = std::string("--") + name + "=";
            if (arg.rfind(prefix, 0) == 0) out = std::stoi(arg.substr(prefix.size()));
        };
        value("clients", c.clients);
        value("messages", c.messages);
        value("seconds", c.seconds);
    }
    return c;
}

std::uint32_t Checksum(std::uint32_t seq, const std::uint8_t* data, std::size_t size) {
    boost::crc_32_type crc;
    std::uint8_t s[4];
    for (int i = 0; i < 4; ++i)
        s[i] = static_cast<std::uint8_t>(seq >> (8 * i));
    crc.process_bytes(s, 4);
    crc.process_bytes(data, size);
    return crc.checksum();
}

void PutU32(std::vector<std::uint8_t>& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
        out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

std::uint32_t GetU32(const std::uint8_t* p) {
    return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
           static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}

// Message `seq` of client `client`: its bytes, and the checksum the reply must carry.
std::vector<std::uint8_t> MakeMessage(std::mt19937& rng, std::uint32_t seq, std::uint32_t& checksum) {
    std::uniform_int_distribution<std::size_t> size(0, 64 * 1024);
    std::vector<std::uint8_t> payload(size(rng));
    std::uint64_t x = rng() | 1u;  // xorshift64 for the bytes: cheap, so that the servers are what is measured
    for (std::size_t i = 0; i < payload.size(); i += 8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        std::memcpy(payload.data() + i, &x, std::min<std::size_t>(8, payload.size() - i));
    }
    checksum = Checksum(seq, payload.data(), payload.size());
    std::vector<std::uint8_t> out;
    out.reserve(payload.size() + 16);
    PutU32(out, seq);
    const std::size_t n = payload.size();
    if (n < 0xFF) {
        out.push_back(static_cast<std::uint8_t>(n));
    } else if (n < 0xFFFE) {
        out.push_back(0xFF);
        out.push_back(static_cast<std::uint8_t>(n));
        out.push_back(static_cast<std::uint8_t>(n >> 8));
    } else {
        out.insert(out.end(), {0xFF, 0xFF, 0xFF});
        PutU32(out, static_cast<std::uint32_t>(n));
    }
    out.insert(out.end(), payload.begin(), payload.end());
    PutU32(out, checksum);
    return out;
}

// What a server saw.
struct ServerStats {
    std::atomic<long> messages{0};
    std::atomic<long> bad{0};  // wrong sequence or checksum
    std::atomic<long> connections{0};
    std::atomic<long> errors{0};  // a connection that ended other than by the client's close
    std::string firstProblem;     // written once, on the server thread, read after it is joined
    void Problem(const std::string& what) {
        if (firstProblem.empty()) firstProblem = what;
    }
};

// --- the AsyncSocket server: raw bytes, its own parser, non-blocking sends --------------------------

class RawConnection : public AsyncSocket {
public:
    RawConnection(EventLoop& loop, ServerStats& stats) : AsyncSocket(loop), stats_(stats) {}
    bool done = false;

protected:
    void OnReceive(int error) override {
        if (error != 0) return End(error);
        std::uint8_t buf[65536];
        const int n = Receive(buf, sizeof buf);
        if (n == 0) return End(0);
        if (n < 0) {
            if (GetLastError() != static_cast<int>(SocketError::WouldBlock)) End(GetLastError());
            return;
        }
        in_.insert(in_.end(), buf, buf + n);
        Parse();
        Flush();
    }
    void OnSend(int) override { Flush(); }
    void OnClose(int error) override { End(error); }

private:
    void Parse() {
        std::size_t pos = 0;
        for (;;) {
            const std::uint8_t* p = in_.data() + pos;
            const std::size_t left = in_.size() - pos;
            if (left < 5) break;
            std::size_t header = 5, length = p[4];
            if (length == 0xFF) {
                if (left < 7) break;
                length = p[5] | (p[6] << 8);
                header = 7;
                if (length == 0xFFFF) {
                    if (left < 11) break;
                    length = GetU32(p + 7);
                    header = 11;
                }
            }
            if (left < header + length + 4) break;
            const std::uint32_t seq = GetU32(p);
            const std::uint32_t sum = GetU32(p + header + length);
            if (seq != next_ || Checksum(seq, p + header, length) != sum) {
                ++stats_.bad;
                stats_.Problem("AsyncSocket server: message " + std::to_string(seq) + " expected " +
                               std::to_string(next_));
            }
            ++next_;
            ++stats_.messages;
            PutU32(out_, seq);
            PutU32(out_, sum);
            pos += header + length + 4;
        }
        in_.erase(in_.begin(), in_.begin() + static_cast<std::ptrdiff_t>(pos));
    }
    void Flush() {
        while (!out_.empty()) {
            const int n = Send(out_.data(), static_cast<int>(out_.size()));
            if (n <= 0) return;  // WouldBlock: OnSend comes when there is room
            out_.erase(out_.begin(), out_.begin() + n);
        }
    }
    void End(int error) {
        if (done) return;
        done = true;
        if (error != 0 || !in_.empty()) ++stats_.errors;
        Close();
    }

    ServerStats& stats_;
    std::vector<std::uint8_t> in_, out_;
    std::uint32_t next_ = 0;
};

// --- the Socket + Archive server: CHATSRVR's pattern, an archive each way per connection ----------------

class ArchiveConnection : public Socket {
public:
    ArchiveConnection(EventLoop& loop, ServerStats& stats) : Socket(loop), stats_(stats) {}
    void Init() {
        SetTimeout(std::chrono::seconds(60));  // a bound on every blocking call
        file_ = std::make_unique<SocketFile>(*this);
        in_ = std::make_unique<Archive>(*file_, Archive::Load);
        out_ = std::make_unique<Archive>(*file_, Archive::Store);
    }
    bool done = false;

protected:
    void OnReceive(int) override {
        if (done) return;
        try {
            do {
                std::uint32_t seq = 0, sum = 0;
                std::string payload;
                *in_ >> seq >> payload >> sum;
                if (seq != next_ ||
                    Checksum(seq, reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size()) != sum) {
                    ++stats_.bad;
                    stats_.Problem("Archive server: message " + std::to_string(seq) + " expected " +
                                   std::to_string(next_));
                }
                ++next_;
                ++stats_.messages;
                *out_ << seq << sum;
                out_->Flush();
            } while (!in_->IsBufferEmpty());
        } catch (const ArchiveException& e) {
            // The client closed after its last acknowledgement: the end of the stream, between messages.
            End(e.GetCause() == ArchiveException::endOfFile && in_->IsBufferEmpty() ? "" : e.what());
        } catch (const FileException& e) {
            End(e.what());
        }
    }
    void OnClose(int) override { End(""); }

private:
    void End(const std::string& error) {
        if (done) return;
        done = true;
        if (!error.empty()) {
            ++stats_.errors;
            stats_.Problem("Archive server: " + error);
        }
        out_->Abort();
        in_->Abort();
        Close();
    }

    ServerStats& stats_;
    std::unique_ptr<SocketFile> file_;
    std::unique_ptr<Archive> in_, out_;
    std::uint32_t next_ = 0;
};

// A server on its own thread and EventLoop; `Conn` is one of the two above.
template <class Conn>
class Server {
public:
    explicit Server(int backlog) {
        std::promise<unsigned> port;
        auto ready = port.get_future();
        thread_ = std::thread([this, backlog, &port] {
            EventLoop& loop = EventLoop::Current();
            loop_ = &loop;
            Listener listener(loop, *this);
            if (!listener.Create(0, SocketType::Stream, AllEvents, "127.0.0.1") || !listener.Listen(backlog)) {
                port.set_value(0);
                return;
            }
            port.set_value(LocalPort(listener));
            while (!stop_)
                loop.RunOneFor(std::chrono::milliseconds(50));
            conns_.clear();  // before the loop goes
        });
        port_ = ready.get();
    }
    ~Server() { Stop(); }
    unsigned Port() const { return port_; }
    void Stop() {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
    }
    ServerStats stats;

private:
    struct Listener : AsyncSocket {
        Listener(EventLoop& loop, Server& s) : AsyncSocket(loop), server(s) {}
        Server& server;
        void OnAccept(int) override {
            auto c = std::make_unique<Conn>(GetEventLoop(), server.stats);
            if (!Accept(*c)) {
                ++server.stats.errors;
                server.stats.Problem("Accept: " + GetLastErrorInfo().Message());
                return;
            }
            if constexpr (std::is_same_v<Conn, ArchiveConnection>) c->Init();
            ++server.stats.connections;
            server.conns_.push_back(std::move(c));
        }
    };

    std::thread thread_;
    EventLoop* loop_ = nullptr;
    std::atomic<bool> stop_{false};
    std::vector<std::unique_ptr<Conn>> conns_;
    unsigned port_ = 0;
};

// --- the clients: asio on the test's thread; each writes its messages back to back and reads the acks ---

struct ClientStats {
    long acks = 0, bad = 0, errors = 0, done = 0;
    std::string firstProblem;
};

// At most kWindow messages unacknowledged per client. Without a window, a thousand clients pipelining
// 64 KiB messages fill the kernel's TCP memory (about 1 MiB queued per connection) while a CSocket-style
// server blocks on one connection; the kernel then closes that connection's window too, and the server
// waits for bytes that cannot come (seen at 1000 x 1000: the client's Send-Q full, the server's Recv-Q
// empty). A real protocol's request/response or flow control avoids that; so does this window.
constexpr int kWindow = 4;

class Client : public std::enable_shared_from_this<Client> {
public:
    Client(asio::io_context& io, int id, int messages, ClientStats& stats)
        : socket_(io),
          rng_(static_cast<std::mt19937::result_type>(id) * 7919u + 1),
          messages_(messages),
          stats_(stats) {}

    void Start(unsigned port) {
        auto self = shared_from_this();
        socket_.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)),
                              [self](const boost::system::error_code& ec) {
                                  if (ec) return self->Fail("connect: " + ec.message());
                                  self->WriteNext();
                                  self->ReadAck();
                              });
    }

    /// "client <id>: sent N, acknowledged M" for a client that did not finish.
    std::string Describe(int id) const {
        return "client " + std::to_string(id) + ": sent " + std::to_string(sent_) + ", acknowledged " +
               std::to_string(acked_) + (failed_ ? ", failed" : "");
    }
    bool Finished() const noexcept { return failed_ || acked_ == messages_; }

private:
    void WriteNext() {
        if (writing_ || sent_ == messages_ || sent_ - acked_ >= kWindow) return;
        writing_ = true;
        std::uint32_t sum = 0;
        message_ = MakeMessage(rng_, static_cast<std::uint32_t>(sent_), sum);
        sums_.push_back(sum);
        auto self = shared_from_this();
        asio::async_write(socket_, asio::buffer(message_), [self](const boost::system::error_code& ec, std::size_t) {
            self->writing_ = false;
            if (ec) return self->Fail("write: " + ec.message());
            ++self->sent_;
            self->WriteNext();
        });
    }
    void ReadAck() {
        auto self = shared_from_this();
        asio::async_read(socket_, asio::buffer(ack_), [self](const boost::system::error_code& ec, std::size_t) {
            if (ec) return self->Fail("read: " + ec.message());
            const std::uint32_t seq = GetU32(self->ack_), sum = GetU32(self->ack_ + 4);
            if (seq != static_cast<std::uint32_t>(self->acked_) || seq >= self->sums_.size() ||
                self->sums_[seq] != sum) {
                ++self->stats_.bad;
                if (self->stats_.firstProblem.empty())
                    self->stats_.firstProblem =
                        "ack " + std::to_string(seq) + " expected " + std::to_string(self->acked_);
            }
            ++self->acked_;
            ++self->stats_.acks;
            self->WriteNext();  // the window moved
            if (self->acked_ == self->messages_) {
                ++self->stats_.done;
                boost::system::error_code ignored;
                self->socket_.shutdown(tcp::socket::shutdown_both, ignored);
                self->socket_.close(ignored);
                return;
            }
            self->ReadAck();
        });
    }
    void Fail(const std::string& what) {
        if (failed_) return;
        failed_ = true;
        ++stats_.errors;
        if (stats_.firstProblem.empty()) stats_.firstProblem = what;
        boost::system::error_code ignored;
        socket_.close(ignored);
    }

    tcp::socket socket_;
    std::mt19937 rng_;
    int messages_;
    ClientStats& stats_;
    std::vector<std::uint8_t> message_;
    std::vector<std::uint32_t> sums_;
    std::uint8_t ack_[8] = {};
    int sent_ = 0, acked_ = 0;
    bool writing_ = false;
    bool failed_ = false;
};

void RaiseFileLimit(int clients) {
    rlimit r{};
    if (::getrlimit(RLIMIT_NOFILE, &r) != 0) return;
    const rlim_t want = static_cast<rlim_t>(clients) * 2 + 256;
    if (r.rlim_cur < want) {
        r.rlim_cur = std::min(want, r.rlim_max);
        ::setrlimit(RLIMIT_NOFILE, &r);
    }
    BOOST_TEST_REQUIRE(r.rlim_cur >= want, "RLIMIT_NOFILE " << r.rlim_cur << " < " << want << ": raise ulimit -n");
}

template <class Conn>
void RunLoad(const char* name) {
    const Config config = ReadConfig();
    RaiseFileLimit(config.clients);
    Server<Conn> server(config.clients + 16);
    BOOST_REQUIRE(server.Port() != 0);
    asio::io_context io;
    ClientStats stats;
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::shared_ptr<Client>> clients;
    for (int i = 0; i < config.clients; ++i) {
        clients.push_back(std::make_shared<Client>(io, i, config.messages, stats));
        clients.back()->Start(server.Port());
    }
    const auto deadline = start + std::chrono::seconds(config.seconds);
    while (stats.done + stats.errors < config.clients && std::chrono::steady_clock::now() < deadline)
        io.run_for(std::chrono::milliseconds(100));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const long expected = static_cast<long>(config.clients) * config.messages;
    // Every acknowledgement was sent after its message was counted: the server has seen them all.
    std::string stuck;  // the first few clients that did not finish, for the diagnosis
    for (int i = 0, shown = 0; i < config.clients && shown < 5; ++i) {
        if (!clients[static_cast<std::size_t>(i)]->Finished()) {
            stuck += "; " + clients[static_cast<std::size_t>(i)]->Describe(i);
            ++shown;
        }
    }
    server.Stop();
    BOOST_TEST_MESSAGE(name << ": " << config.clients << " clients x " << config.messages << " messages in " << seconds
                            << " s (" << static_cast<double>(stats.acks) / seconds << " msg/s); server "
                            << server.stats.messages << " messages, " << server.stats.connections << " connections, "
                            << server.stats.bad << " bad, " << server.stats.errors << " errors; clients " << stats.acks
                            << " acks, " << stats.bad << " bad, " << stats.errors << " errors");
    BOOST_TEST(stats.errors == 0, stats.firstProblem);
    BOOST_TEST(stats.done == config.clients, "unfinished" << stuck);
    BOOST_TEST(stats.acks == expected);
    BOOST_TEST(stats.bad == 0, stats.firstProblem);
    BOOST_TEST(server.stats.messages == expected);
    BOOST_TEST(server.stats.bad == 0, server.stats.firstProblem);
    BOOST_TEST(server.stats.errors == 0, server.stats.firstProblem);
    BOOST_TEST(server.stats.connections == config.clients);
}

}  // namespace

BOOST_AUTO_TEST_CASE(async_socket_server_loses_nothing) {
    RunLoad<RawConnection>("AsyncSocket server");
}

BOOST_AUTO_TEST_CASE(socket_and_archive_server_loses_nothing) {
    RunLoad<ArchiveConnection>("Socket + Archive server");
}
