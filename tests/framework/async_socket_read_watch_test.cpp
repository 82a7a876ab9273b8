// The read watch (framework/src/detail/reactor_handle.hpp): a connected stream's readiness is watched by one
// reactor operation that stays queued, instead of a wait re-armed (one epoll_ctl) after every Receive. With
// nothing re-armed, no kernel re-check covers for a missed edge; these tests pin the cases where the bytes
// are there and no new edge will come.
#include <portafx/async_socket.hpp>
#include <portafx/socket.hpp>

#define BOOST_TEST_MODULE async_socket_read_watch
#include "loopback.hpp"

#include <atomic>
#include <thread>

using namespace portafx;
using namespace portafx::test;

// Data and the end of the stream queued before the loop looks: one edge for both. A read of the data that
// returns less than asked must not be taken for an empty queue, or OnClose never comes.
BOOST_AUTO_TEST_CASE(data_and_the_end_in_one_edge_bring_on_receive_then_on_close) {
    EventLoop loop;
    AcceptedPair pair(loop);
    pair.server.onReceive = [](Recorder& s, int) { s.ReceiveSome(); };
    pair.peer.Write("last words");
    pair.peer.socket.shutdown(tcp::socket::shutdown_send);
    BOOST_REQUIRE(WaitQueued(pair.server.GetHandle(), 10));  // both are in the kernel before the loop runs
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.closes == 1; }));
    BOOST_TEST(pair.server.received == "last words");
    BOOST_TEST(pair.server.lastCloseError == 0);
    Drain(loop);
    BOOST_TEST(pair.server.closes == 1);
    BOOST_TEST(pair.server.log.back() == "close");
}

// A read stops at the urgent mark; the bytes behind it bring no new edge, yet they must be read.
BOOST_AUTO_TEST_CASE(bytes_behind_the_urgent_mark_are_delivered) {
    EventLoop loop;
    AcceptedPair pair(loop);
    char urgent = 0;
    pair.server.onOob = [&](Recorder& s, int) { s.Receive(&urgent, 1, MsgOob); };
    pair.server.onReceive = [](Recorder& s, int) { s.ReceiveSome(); };
    pair.peer.Write("abc");
    pair.peer.socket.send(asio::buffer("!", 1), tcp::socket::message_out_of_band);
    pair.peer.Write("def");
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.received.size() >= 6; }));
    BOOST_TEST(pair.server.received == "abcdef");  // the urgent byte is not in the normal stream
}

// Each OnReceive reads until Receive would block; more data later must bring OnReceive again, from the edge
// alone (the would-block read told the engine the queue was empty).
BOOST_AUTO_TEST_CASE(after_a_read_that_would_block_the_next_data_brings_on_receive) {
    EventLoop loop;
    AcceptedPair pair(loop);
    int wouldBlock = 0;
    pair.server.onReceive = [&](Recorder& s, int) {
        while (s.ReceiveSome() > 0) {
        }
        if (AsyncSocket::GetLastError() == static_cast<int>(SocketError::WouldBlock)) ++wouldBlock;
    };
    std::string expected;
    for (int i = 0; i < 20; ++i) {
        const std::string piece = "piece " + std::to_string(i) + ";";
        expected += piece;
        pair.peer.Write(piece);
        BOOST_REQUIRE_MESSAGE(RunUntil(loop, [&] { return pair.server.received == expected; }), "round " << i);
    }
    BOOST_TEST(wouldBlock >= 20);
}

// A socket whose mask ignored reads while data came (AsyncSelect(0)) sees the data once it selects FD_READ:
// the edge came while nothing was wanted, and is remembered.
BOOST_AUTO_TEST_CASE(data_that_came_while_reads_were_not_selected_is_reported_on_reselect) {
    EventLoop loop;
    AcceptedPair pair(loop);
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.sends == 1; }));
    BOOST_REQUIRE(pair.server.AsyncSelect(FdWrite));
    pair.peer.Write("while away");
    BOOST_REQUIRE(WaitQueued(pair.server, 10));
    Drain(loop);  // the edge is seen now, with FD_READ not selected
    BOOST_TEST(pair.server.receives == 0);
    pair.server.onReceive = [](Recorder& s, int) { s.ReceiveSome(); };
    BOOST_REQUIRE(pair.server.AsyncSelect(FdRead | FdClose));
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.received == "while away"; }));
}

namespace {
// A blocking Socket that, inside OnReceive, reads the first part and then waits (blocking Receive) for the
// second, which the peer sends only once the handler is about to wait.
class TwoPartReader : public Socket {
public:
    explicit TwoPartReader(EventLoop& loop) : Socket(loop) {}
    std::atomic<bool> waiting{false};
    std::string got;
    int secondResult = 0;
    int secondError = 0;

protected:
    void OnReceive(int) override {
        if (!got.empty()) return;
        char buf[16];
        const int n = Receive(buf, 5);  // the first part: bytes read, so the kernel may hold more (a look is posted)
        if (n <= 0) return;
        got.assign(buf, static_cast<std::size_t>(n));
        waiting = true;
        secondResult = Receive(buf, 6);  // blocks: nothing more is queued yet
        secondError = GetLastError();
        if (secondResult > 0) got.append(buf, static_cast<std::size_t>(secondResult));
    }
};
}  // namespace

// The look at the bytes that a Receive posts is held, by Asio's one-thread scheduler, in the private queue of
// the handler that made it until that handler returns. A blocking Receive further down the same handler pumps
// the loop without it, and must still be woken by the next edge: nothing may depend on that post having run.
BOOST_AUTO_TEST_CASE(a_blocking_receive_inside_on_receive_wakes_on_the_next_edge) {
    EventLoop loop;
    PendingConnection pending(loop);
    Peer& peer = pending.peer;
    TwoPartReader server(loop);
    BOOST_REQUIRE(pending.listener.Accept(server));
    server.SetTimeout(std::chrono::seconds(10));  // a stall fails the test instead of hanging it
    std::thread second([&] {
        peer.Write("first");
        // Once the handler has read the first part and the kernel queue is empty, it is blocking (or about to).
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (!server.waiting && std::chrono::steady_clock::now() < deadline)
            std::this_thread::yield();
        peer.Write("second");
    });
    const bool done = RunUntil(loop, [&] { return server.got.size() >= 11 || server.secondResult < 0; });
    second.join();
    BOOST_REQUIRE(done);
    BOOST_TEST(server.secondError == 0);
    BOOST_TEST(server.got == "firstsecond");
}

// A Receive made on the loop's own thread while nothing runs the loop (a blocking Socket between calls, or code
// outside any handler) queues its look at the kernel's bytes for when the loop is entered, instead of posting
// it. Entering the loop must run it: here the only bytes left are in the kernel, with their edge already seen.
BOOST_AUTO_TEST_CASE(a_look_queued_outside_the_loop_runs_when_the_loop_is_entered) {
    EventLoop& loop = EventLoop::Current();  // this thread's own loop: the queued path
    AcceptedPair pair(loop);
    pair.server.onReceive = [](Recorder&, int) {};  // reads nothing: OnReceive stays off until a Receive
    pair.peer.Write("first");
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.receives == 1; }));
    pair.peer.Write("second");
    BOOST_REQUIRE(WaitQueued(pair.server.GetHandle(), 6));
    Drain(loop);  // the edge of "second" is seen while OnReceive is off
    BOOST_TEST(pair.server.receives == 1);
    char buf[16];
    BOOST_TEST(pair.server.Receive(buf, sizeof buf) == 5);  // outside the loop: re-enables OnReceive
    BOOST_TEST(std::string(buf, 5) == "first");
    pair.server.onReceive = [](Recorder& s, int) { s.ReceiveSome(); };
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.receives == 2; }));
    BOOST_TEST(pair.server.received == "second");
}
