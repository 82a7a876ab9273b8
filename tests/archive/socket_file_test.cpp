// SocketFile (CSocketFile) over loopback against raw Boost.Asio peers: archive-compatible and "read fully"
// reads, writes, the peer's close and reset, timeouts, the non-blocking ReadAvailable, Close, and what is
// not supported.
#include <portafx/socket_file.hpp>

#define BOOST_TEST_MODULE socket_file
#include "loopback.hpp"

#include <portafx/exceptions.hpp>

#include <future>

using namespace portafx;
using namespace portafx::test;

namespace {

// A Socket whose OnMessagePending runs a hook (to let a peer act while a blocking call waits).
struct Pending : Socket {
    using Socket::Socket;
    std::function<void()> hook;
    bool OnMessagePending() override {
        if (hook) hook();
        return false;
    }
};

// The FileException `f` throws (cause none if it throws nothing).
template <class F>
FileException Thrown(F&& f) {
    try {
        f();
    } catch (const FileException& e) {
        return e;
    }
    return FileException(FileException::none, 0, "nothing thrown");
}

template <class F>
bool ThrowsNotSupported(F&& f) {
    try {
        f();
    } catch (const NotSupportedException&) {
        return true;
    }
    return false;
}

bool Contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

constexpr int kReset = static_cast<int>(SocketError::ConnectionReset);
constexpr int kTimedOut = static_cast<int>(SocketError::TimedOut);

}  // namespace

BOOST_AUTO_TEST_CASE(write_then_read_back_through_an_echo_peer) {
    EventLoop loop;
    const std::size_t size = 1024 * 1024;
    PeerThread peer([&](tcp::socket& s) {
        std::vector<char> buf(size);
        asio::read(s, asio::buffer(buf));
        asio::write(s, asio::buffer(buf));
    });
    Socket client(loop);
    BOOST_REQUIRE_MESSAGE(client.Connect("127.0.0.1", peer.Port()), AsyncSocket::GetLastErrorInfo().Message());
    SocketFile file(client);
    BOOST_TEST(file.GetSocket() == &client);
    BOOST_TEST(file.IsArchiveCompatible());
    BOOST_TEST(!file.IsBlocking());  // archive compatible: a Read returns what has arrived
    BOOST_TEST(file.GetFilePath() == "socket 127.0.0.1:" + std::to_string(peer.Port()));
    std::vector<char> data(size);
    for (std::size_t i = 0; i < size; ++i)
        data[i] = static_cast<char>(i * 13);
    file.Write(data.data(), size);
    file.Flush();
    std::vector<char> back(size);
    std::size_t got = 0;
    while (got < size) {
        const std::size_t n = file.Read(back.data() + got, size - got);
        BOOST_REQUIRE(n > 0u);
        got += n;
    }
    BOOST_TEST((back == data));
    BOOST_TEST(peer.Join().empty());
    char c;
    BOOST_TEST(file.Read(&c, 1) == 0u);  // then the peer closed
    BOOST_TEST(file.Read(&c, 0) == 0u);
}

BOOST_AUTO_TEST_CASE(archive_compatible_read_returns_what_arrived) {
    EventLoop loop;
    std::promise<void> done;
    auto doneFuture = done.get_future();
    PeerThread peer([&](tcp::socket& s) {
        asio::write(s, asio::buffer("abc", 3));
        doneFuture.wait_for(10s);
    });
    Socket client(loop);
    BOOST_REQUIRE(client.Connect("127.0.0.1", peer.Port()));
    client.SetTimeout(5s);  // a bound, should the test be wrong
    SocketFile file(client);
    BOOST_REQUIRE(WaitQueued(client.GetHandle(), 3));
    char buf[100];
    BOOST_TEST(file.Read(buf, sizeof buf) == 3u);
    BOOST_TEST(std::string(buf, 3) == "abc");
    done.set_value();
}

BOOST_AUTO_TEST_CASE(non_compatible_read_waits_for_the_whole_count) {
    EventLoop loop;
    std::promise<void> more, done;
    auto moreFuture = more.get_future();
    auto doneFuture = done.get_future();
    PeerThread peer([&](tcp::socket& s) {
        asio::write(s, asio::buffer("abc", 3));
        moreFuture.wait_for(10s);  // until the client waits inside Read
        asio::write(s, asio::buffer("defg", 4));
        doneFuture.wait_for(10s);
    });
    Pending client(loop);
    BOOST_REQUIRE(client.Connect("127.0.0.1", peer.Port()));
    client.SetTimeout(5s);
    SocketFile file(client, false);
    BOOST_TEST(file.IsBlocking());  // waits for the whole count
    BOOST_TEST(!file.IsArchiveCompatible());
    BOOST_REQUIRE(WaitQueued(client.GetHandle(), 3));
    bool released = false;
    client.hook = [&] {
        if (!released) more.set_value();
        released = true;
    };
    loop.Post([] {});  // an event while Read waits: OnMessagePending runs and lets the peer go on
    char buf[7];
    BOOST_TEST(file.Read(buf, sizeof buf) == 7u);
    BOOST_TEST(std::string(buf, 7) == "abcdefg");
    BOOST_TEST(released);
    done.set_value();
}

BOOST_AUTO_TEST_CASE(non_compatible_read_stops_when_the_peer_closes) {
    EventLoop loop;
    PeerThread peer([](tcp::socket& s) { asio::write(s, asio::buffer("abc", 3)); });
    Socket client(loop);
    BOOST_REQUIRE(client.Connect("127.0.0.1", peer.Port()));
    SocketFile file(client, false);
    BOOST_TEST(peer.Join().empty());
    char buf[100];
    BOOST_TEST(file.Read(buf, sizeof buf) == 3u);
    BOOST_TEST(file.Read(buf, sizeof buf) == 0u);
}

BOOST_AUTO_TEST_CASE(read_returns_zero_when_the_peer_closes) {
    EventLoop loop;
    PeerThread peer([](tcp::socket&) {});
    Socket client(loop);
    BOOST_REQUIRE(client.Connect("127.0.0.1", peer.Port()));
    SocketFile file(client);
    char buf[10];
    BOOST_TEST(file.Read(buf, sizeof buf) == 0u);
    BOOST_TEST(peer.Join().empty());
}

BOOST_AUTO_TEST_CASE(a_reset_is_a_file_exception_with_wsaeconnreset) {
    EventLoop loop;
    std::promise<void> go;
    auto goFuture = go.get_future();
    PeerThread peer([&](tcp::socket& s) {
        goFuture.wait_for(10s);
        s.set_option(asio::socket_base::linger(true, 0));
        s.close();
    });
    Socket client(loop);
    BOOST_REQUIRE(client.Connect("127.0.0.1", peer.Port()));
    SocketFile file(client);  // learns the peer's address while connected
    go.set_value();
    char buf[10];
    const FileException e = Thrown([&] { file.Read(buf, sizeof buf); });
    BOOST_TEST(e.GetCause() == FileException::genericException);
    BOOST_TEST(e.m_lOsError == kReset);
    BOOST_TEST(Contains(e.what(), "WSAECONNRESET"));
    BOOST_TEST(e.GetFileName() == "socket 127.0.0.1:" + std::to_string(peer.Port()));  // remembered
}

BOOST_AUTO_TEST_CASE(a_read_timeout_is_a_file_exception_with_wsaetimedout) {
    EventLoop loop;
    std::promise<void> done;
    auto doneFuture = done.get_future();
    PeerThread peer([&](tcp::socket& s) {
        asio::write(s, asio::buffer("abc", 3));
        doneFuture.wait_for(10s);
    });
    Socket client(loop);
    BOOST_REQUIRE(client.Connect("127.0.0.1", peer.Port()));
    client.SetTimeout(200ms);
    SocketFile file(client, false);
    char buf[10];
    const auto start = std::chrono::steady_clock::now();
    const FileException e = Thrown([&] { file.Read(buf, sizeof buf); });
    const auto took = std::chrono::steady_clock::now() - start;
    BOOST_TEST(e.GetCause() == FileException::genericException);
    BOOST_TEST(e.m_lOsError == kTimedOut);
    BOOST_TEST(Contains(e.what(), "3 of 10 bytes"));
    BOOST_TEST((took >= 200ms && took < 5s));
    done.set_value();
}

BOOST_AUTO_TEST_CASE(a_write_timeout_says_how_much_was_sent) {
    EventLoop loop;
    std::promise<void> done;
    auto doneFuture = done.get_future();
    PeerThread peer([&](tcp::socket&) { doneFuture.wait_for(10s); });  // never reads
    Socket client(loop);
    BOOST_REQUIRE(client.Connect("127.0.0.1", peer.Port()));
    BOOST_REQUIRE(client.SetSendBufferSize(16 * 1024));
    client.SetTimeout(300ms);
    SocketFile file(client);
    const std::vector<char> data(64 * 1024 * 1024, 'w');
    const FileException e = Thrown([&] { file.Write(data.data(), data.size()); });
    BOOST_TEST(e.m_lOsError == kTimedOut);
    BOOST_TEST(Contains(e.what(), "bytes were sent"));
    done.set_value();
}

BOOST_AUTO_TEST_CASE(read_available_does_not_wait) {
    EventLoop loop;
    std::promise<void> go, finish;
    auto goFuture = go.get_future();
    auto finishFuture = finish.get_future();
    PeerThread peer([&](tcp::socket& s) {
        goFuture.wait_for(10s);
        asio::write(s, asio::buffer("abc", 3));
        finishFuture.wait_for(10s);
    });
    Socket client(loop);
    BOOST_REQUIRE(client.Connect("127.0.0.1", peer.Port()));
    SocketFile file(client);
    char buf[100];
    bool eof = false;
    BOOST_TEST(file.ReadAvailable(buf, sizeof buf, eof) == 0u);  // nothing yet
    BOOST_TEST(!eof);
    go.set_value();
    BOOST_REQUIRE(WaitQueued(client.GetHandle(), 3));
    BOOST_TEST(file.ReadAvailable(buf, 0, eof) == 0u);
    BOOST_TEST(!eof);
    BOOST_TEST(file.ReadAvailable(buf, sizeof buf, eof) == 3u);
    BOOST_TEST(std::string(buf, 3) == "abc");
    BOOST_TEST(!eof);
    finish.set_value();
    BOOST_TEST(peer.Join().empty());
    BOOST_REQUIRE(WaitReadable(client.GetHandle()));
    BOOST_TEST(file.ReadAvailable(buf, sizeof buf, eof) == 0u);
    BOOST_TEST(eof);
}

BOOST_AUTO_TEST_CASE(read_available_throws_on_a_reset) {
    EventLoop loop;
    PeerThread peer([](tcp::socket& s) {
        s.set_option(asio::socket_base::linger(true, 0));
        s.close();
    });
    Socket client(loop);
    BOOST_REQUIRE(client.Connect("127.0.0.1", peer.Port()));
    SocketFile file(client);
    BOOST_TEST(peer.Join().empty());
    BOOST_REQUIRE(WaitReadable(client.GetHandle()));
    char buf[10];
    bool eof = false;
    BOOST_TEST(Thrown([&] { file.ReadAvailable(buf, sizeof buf, eof); }).m_lOsError == kReset);
    BOOST_TEST(!eof);
}

BOOST_AUTO_TEST_CASE(close_forgets_the_socket_and_leaves_it_open) {
    EventLoop loop;
    std::string received;
    PeerThread peer([&](tcp::socket& s) {
        char buf[2];
        asio::read(s, asio::buffer(buf));
        received.assign(buf, 2);
    });
    Socket client(loop);
    BOOST_REQUIRE(client.Connect("127.0.0.1", peer.Port()));
    {
        SocketFile file(client);
        file.Close();
        BOOST_TEST(file.GetSocket() == nullptr);
        BOOST_TEST(file.GetFilePath() == "socket");
        BOOST_TEST(client.IsOpen());
        char c;
        BOOST_TEST(Thrown([&] { file.Read(&c, 1); }).GetCause() == FileException::invalidFile);
        BOOST_TEST(Thrown([&] { file.Write("x", 1); }).GetCause() == FileException::invalidFile);
        file.Close();  // twice is fine
    }
    {
        SocketFile file(client);  // the destructor leaves the socket alone too
    }
    BOOST_TEST(client.IsOpen());
    BOOST_TEST(client.Send("ok", 2) == 2);
    BOOST_TEST(peer.Join().empty());
    BOOST_TEST(received == "ok");
}

BOOST_AUTO_TEST_CASE(seeking_and_lengths_are_not_supported) {
    EventLoop loop;
    PeerThread peer([](tcp::socket&) {});
    Socket client(loop);
    BOOST_REQUIRE(client.Connect("127.0.0.1", peer.Port()));
    SocketFile file(client);
    BOOST_TEST(ThrowsNotSupported([&] { file.Seek(0, File::current); }));
    BOOST_TEST(ThrowsNotSupported([&] { file.SeekToBegin(); }));
    BOOST_TEST(ThrowsNotSupported([&] { file.SeekToEnd(); }));
    BOOST_TEST(ThrowsNotSupported([&] { file.GetLength(); }));
    BOOST_TEST(ThrowsNotSupported([&] { file.GetPosition(); }));
    BOOST_TEST(ThrowsNotSupported([&] { file.SetLength(0); }));
}

BOOST_AUTO_TEST_CASE(only_open_stream_sockets_are_accepted) {
    EventLoop loop;
    Socket datagram(loop);
    BOOST_REQUIRE(datagram.Create(0, SocketType::Datagram, "127.0.0.1"));
    BOOST_TEST(ThrowsNotSupported([&] { SocketFile file(datagram); }));
    Socket empty(loop);
    const FileException e = Thrown([&] { SocketFile file(empty); });
    BOOST_TEST(e.GetCause() == FileException::invalidFile);
    Socket unconnected(loop);
    BOOST_REQUIRE(unconnected.Create());
    SocketFile file(unconnected);
    BOOST_TEST(file.GetFilePath() == "socket");
}

BOOST_AUTO_TEST_CASE(get_file_path_keeps_the_last_error) {
    EventLoop loop;
    Socket unconnected(loop);
    BOOST_REQUIRE(unconnected.Create());
    SocketFile file(unconnected);
    AsyncSocket::SetLastError(kTimedOut, "Receive", "earlier");
    BOOST_TEST(file.GetFilePath() == "socket");  // GetPeerName fails inside
    BOOST_TEST(AsyncSocket::GetLastError() == kTimedOut);
    BOOST_TEST(AsyncSocket::GetLastErrorInfo().detail == "earlier");
}
