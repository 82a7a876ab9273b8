// Lifetime: `delete this` as the last statement of every notification, and destroying another socket
// of the same loop inside a notification, are clean (run under ASan in CI).
#include <portafx/async_socket.hpp>

#define BOOST_TEST_MODULE async_socket_lifetime
#include "loopback.hpp"

using namespace portafx;
using namespace portafx::test;

namespace {
// Counts deletions so the tests can see the object really went.
int gDeleted = 0;
struct Owned : Recorder {
    using Recorder::Recorder;
    ~Owned() override { ++gDeleted; }
};
auto DeleteSelf = [](Recorder& s, int) { delete &s; };
}  // namespace

BOOST_AUTO_TEST_CASE(delete_this_in_on_accept) {
    EventLoop loop;
    gDeleted = 0;
    auto* listener = new Owned(loop);
    BOOST_REQUIRE(listener->Create(0, SocketType::Stream, AllEvents, "127.0.0.1"));
    BOOST_REQUIRE(listener->Listen());  // an Owned, so that its deletion is counted
    listener->onAccept = DeleteSelf;
    Peer peer;
    peer.Connect("127.0.0.1", LocalPort(*listener));
    BOOST_REQUIRE(RunUntil(loop, [&] { return gDeleted == 1; }));
    Drain(loop);
}

BOOST_AUTO_TEST_CASE(delete_this_in_on_connect_and_on_send) {
    EventLoop loop;
    RawListener raw;
    gDeleted = 0;
    auto* a = new Owned(loop);
    a->onConnect = DeleteSelf;
    a->Connect("127.0.0.1", raw.Port());
    auto* b = new Owned(loop);
    b->onSend = DeleteSelf;
    b->Connect("127.0.0.1", raw.Port());
    auto* c = new Owned(loop);
    c->onConnect = DeleteSelf;  // a failed connect
    c->Connect("127.0.0.1", ClosedPort());
    BOOST_REQUIRE(RunUntil(loop, [&] { return gDeleted == 3; }));
    Drain(loop);
}

BOOST_AUTO_TEST_CASE(delete_this_in_on_receive_with_more_queued) {
    EventLoop loop;
    gDeleted = 0;
    Listening listener(loop);
    Peer peer;
    peer.Connect("127.0.0.1", listener.Port());
    auto* s = new Owned(loop);
    listener.AcceptInto(*s);
    s->onReceive = [](Recorder& self, int) {
        self.ReceiveSome(1);  // re-enables: another notification is due...
        delete &self;         // ...and must never reach the deleted object
    };
    peer.Write("more than one byte");
    BOOST_REQUIRE(RunUntil(loop, [&] { return gDeleted == 1; }));
    Drain(loop);
}

BOOST_AUTO_TEST_CASE(delete_this_in_on_close_and_on_oob) {
    EventLoop loop;
    gDeleted = 0;
    Listening listener(loop);
    Peer p1, p2;
    p1.Connect("127.0.0.1", listener.Port());
    p2.Connect("127.0.0.1", listener.Port());
    auto* closing = new Owned(loop);
    auto* urgent = new Owned(loop);
    listener.AcceptInto(*closing);
    listener.AcceptInto(*urgent);
    closing->onClose = DeleteSelf;
    urgent->onOob = DeleteSelf;
    p1.Reset();
    p2.socket.send(asio::buffer("!", 1), tcp::socket::message_out_of_band);
    BOOST_REQUIRE(RunUntil(loop, [&] { return gDeleted == 2; }));
    Drain(loop);
}

BOOST_AUTO_TEST_CASE(destroying_another_socket_inside_a_notification) {
    EventLoop loop;
    gDeleted = 0;
    Listening listener(loop);
    Peer pa, pb;
    pa.Connect("127.0.0.1", listener.Port());
    pb.Connect("127.0.0.1", listener.Port());
    auto* a = new Owned(loop);
    auto* b = new Owned(loop);
    listener.AcceptInto(*a);
    listener.AcceptInto(*b);
    BOOST_REQUIRE(RunUntil(loop, [&] { return a->sends == 1 && b->sends == 1; }));
    // Both get data at once; whichever is notified first deletes the other, then itself.
    Owned* victims[2] = {a, b};
    auto killOther = [&](Recorder& self, int) {
        Recorder* other = &self == victims[0] ? victims[1] : victims[0];
        victims[0] = victims[1] = nullptr;
        delete other;
        delete &self;
    };
    a->onReceive = killOther;
    b->onReceive = killOther;
    pa.Write("x");
    pb.Write("y");
    BOOST_REQUIRE(WaitQueued(*a, 1));
    BOOST_REQUIRE(WaitQueued(*b, 1));
    BOOST_REQUIRE(RunUntil(loop, [&] { return gDeleted == 2; }));
    Drain(loop);
}
