// Lifetime, beyond tests/framework/async_socket_lifetime_test.cpp (delete this in each of the six
// notifications, deleting another socket of the loop in a notification) and socket_test (Close or delete
// inside OnMessagePending): destroying a Socket while its blocking call pumps, from a handler the pump
// runs; a Socket deleting itself in its own notification after a blocking call; destroying the loop with
// sockets in every state still open — resolving a name, connecting, listening with connections pending,
// connected with data and an Archive reading ahead. Run under ASan in CI: any use after free fails.
#include <portafx/archive.hpp>
#include <portafx/socket.hpp>
#include <portafx/socket_file.hpp>

#define BOOST_TEST_MODULE lifetime
#include "loopback.hpp"

#include <boost/asio/steady_timer.hpp>

#include <memory>

using namespace portafx;
using namespace portafx::test;

namespace {

int LastError() {
    return AsyncSocket::GetLastError();
}

int gDeleted = 0;
struct CountedSocket : Socket {
    using Socket::Socket;
    ~CountedSocket() override { ++gDeleted; }
};

}  // namespace

BOOST_AUTO_TEST_CASE(destroying_a_socket_from_a_posted_handler_while_its_blocking_call_pumps) {
    EventLoop loop;
    SilentPeer peer;
    gDeleted = 0;
    auto* s = new CountedSocket(loop);
    BOOST_REQUIRE(s->Connect("127.0.0.1", peer.Port()));
    s->SetTimeout(std::chrono::seconds(5));  // the bound, should the delete go unnoticed
    loop.Post([s] { delete s; });            // runs inside the pump of the Receive below
    char c;
    const auto start = std::chrono::steady_clock::now();
    BOOST_TEST(s->Receive(&c, 1) == SocketErrorResult);  // returns without touching the object
    BOOST_TEST(LastError() == static_cast<int>(SocketError::Interrupted));
    BOOST_TEST((std::chrono::steady_clock::now() - start < std::chrono::seconds(4)));
    BOOST_TEST(gDeleted == 1);
}

BOOST_AUTO_TEST_CASE(destroying_a_socket_from_a_timer_while_its_blocking_send_pumps) {
    EventLoop loop;
    SilentPeer peer;  // never reads: the Send below fills the buffers and blocks
    gDeleted = 0;
    auto* s = new CountedSocket(loop);
    BOOST_REQUIRE(s->Connect("127.0.0.1", peer.Port()));
    s->SetTimeout(std::chrono::seconds(5));
    asio::steady_timer timer(loop.Context(), std::chrono::milliseconds(100));
    timer.async_wait([s](const boost::system::error_code&) { delete s; });
    const std::string big(64 << 20, 'b');
    BOOST_TEST(s->Send(big.data(), static_cast<int>(big.size())) == SocketErrorResult);
    BOOST_TEST(LastError() == static_cast<int>(SocketError::Interrupted));
    BOOST_TEST(gDeleted == 1);
}

BOOST_AUTO_TEST_CASE(a_socket_deletes_itself_in_its_notification_after_a_blocking_call) {
    EventLoop loop;
    gDeleted = 0;
    struct SelfDeleting : CountedSocket {
        using CountedSocket::CountedSocket;
        std::string got;
        std::string* out = nullptr;
        void OnReceive(int) override {
            char buf[8];
            const int n = Receive(buf, sizeof buf);  // the blocking Receive inside the notification
            if (n > 0) *out = std::string(buf, static_cast<std::size_t>(n));
            delete this;
        }
    };
    Socket listener(loop);
    BOOST_REQUIRE(listener.Create(0, SocketType::Stream, "127.0.0.1"));
    BOOST_REQUIRE(listener.Listen());
    Peer peer;
    peer.Connect("127.0.0.1", LocalPort(listener));
    auto* s = new SelfDeleting(loop);
    std::string received;
    s->out = &received;
    BOOST_REQUIRE(listener.Accept(*s));
    peer.Write("hi");
    BOOST_REQUIRE(RunUntil(loop, [&] { return gDeleted == 1; }));
    BOOST_TEST(received == "hi");
    peer.Write("more");  // nothing is notified any more
    Drain(loop);
}

BOOST_AUTO_TEST_CASE(destroying_the_loop_with_sockets_in_every_state) {
    auto loop = std::make_unique<EventLoop>();
    // Resolving a name (the resolver's answer comes after the loop is gone).
    Recorder resolving(*loop);
    resolving.Connect("localhost", ClosedPort());
    // Connecting to a listener that never accepts, and connected with data queued.
    RawListener raw;
    Recorder connecting(*loop);
    connecting.Connect("127.0.0.1", raw.Port());
    // Listening with a connection pending.
    Recorder listener(*loop);
    BOOST_REQUIRE(listener.Create(0, SocketType::Stream, AllEvents, "127.0.0.1"));
    BOOST_REQUIRE(listener.Listen());
    Peer pending;
    pending.Connect("127.0.0.1", LocalPort(listener));
    // A Socket with a SocketFile and a loading Archive that has read ahead.
    Socket archiveListener(*loop);
    BOOST_REQUIRE(archiveListener.Create(0, SocketType::Stream, "127.0.0.1"));
    BOOST_REQUIRE(archiveListener.Listen());
    Peer writer;
    writer.Connect("127.0.0.1", LocalPort(archiveListener));
    auto conn = std::make_unique<Socket>(*loop);
    BOOST_REQUIRE(archiveListener.Accept(*conn));
    auto file = std::make_unique<SocketFile>(*conn);
    auto in = std::make_unique<Archive>(*file, Archive::Load);
    writer.Write(std::string("\x01\x00\x00\x00\x02\x00\x00\x00", 8));
    std::uint32_t first = 0;
    *in >> first;  // the archive read all 8 bytes ahead; 4 are still in its buffer
    BOOST_TEST(first == 1u);
    BOOST_TEST(!in->IsBufferEmpty());
    // Let the loop take a few turns (bounded: with bytes held by the archive and an OnReceive that does not
    // read them, OnReceive comes again and again, by design — DESIGN §3 — so Poll would never run dry).
    for (int i = 0; i < 50; ++i)
        loop->RunOneFor(std::chrono::milliseconds(2));

    loop.reset();  // every socket is closed; nothing is notified; nothing dangles

    BOOST_TEST(!resolving.IsOpen());
    BOOST_TEST(!connecting.IsOpen());
    BOOST_TEST(!listener.IsOpen());
    BOOST_TEST(!conn->IsOpen());
    std::uint32_t second = 0;
    *in >> second;  // from the archive's own buffer: it needs no socket
    BOOST_TEST(second == 2u);
    try {
        *in >> second;  // the socket is gone: a clean error, not a crash
        BOOST_ERROR("read past the buffer with the loop gone");
    } catch (const FileException& e) {
        BOOST_TEST(e.GetOsError() == static_cast<long>(SocketError::NotInitialised), e.what());
    } catch (const ArchiveException& e) {
        BOOST_TEST(e.GetCause() == ArchiveException::endOfFile, e.what());
    }
    in.reset();  // destructors after the loop is gone, in the usual order
    file.reset();
    conn.reset();
    // The sockets stay usable objects: a call fails cleanly.
    BOOST_TEST(!resolving.Connect("127.0.0.1", raw.Port()));
    BOOST_TEST(LastError() == static_cast<int>(SocketError::NotInitialised));
}
