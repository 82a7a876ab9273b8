// EventLoop: Run/RunFor/RunOne/Poll/Post/Stop semantics, the per-thread default loop, exceptions from
// notifications, and a loop destroyed with sockets still open.
#include <portafx/event_loop.hpp>

#define BOOST_TEST_MODULE event_loop
#include "loopback.hpp"

#include <atomic>
#include <stdexcept>
#include <thread>

using namespace portafx;
using namespace portafx::test;

BOOST_AUTO_TEST_CASE(post_runs_in_order_on_the_loop_thread) {
    EventLoop loop;
    std::vector<int> order;
    loop.Post([&] { order.push_back(1); });
    loop.Post([&] {
        order.push_back(2);
        BOOST_TEST(loop.IsRunningInThisThread());
    });
    BOOST_TEST(!loop.IsRunningInThisThread());
    BOOST_TEST(loop.Poll() == 2u);
    BOOST_TEST((order == std::vector<int>{1, 2}));
    BOOST_TEST(loop.Poll() == 0u);
}

BOOST_AUTO_TEST_CASE(run_continues_until_stop_posted_from_another_thread) {
    EventLoop loop;
    std::atomic<int> ran{0};
    std::thread other([&] {
        for (int i = 0; i < 100; ++i)
            loop.Post([&] { ++ran; });
        loop.Post([&] { loop.Stop(); });
    });
    loop.Run();  // returns only because of Stop (no work is not a reason to return)
    other.join();
    BOOST_TEST(ran.load() == 100);
}

BOOST_AUTO_TEST_CASE(stop_before_run_ends_exactly_one_call) {
    EventLoop loop;
    loop.Stop();
    BOOST_TEST(loop.Run() == 0u);  // consumed the Stop
    bool ran = false;
    loop.Post([&] {
        ran = true;
        loop.Stop();
    });
    loop.Run();
    BOOST_TEST(ran);
}

BOOST_AUTO_TEST_CASE(run_for_returns_after_its_duration) {
    EventLoop loop;
    const auto start = std::chrono::steady_clock::now();
    BOOST_TEST(loop.RunFor(50ms) == 0u);
    BOOST_TEST((std::chrono::steady_clock::now() - start >= 50ms));
}

BOOST_AUTO_TEST_CASE(run_one_runs_one_handler) {
    EventLoop loop;
    int n = 0;
    loop.Post([&] { ++n; });
    loop.Post([&] { ++n; });
    BOOST_TEST(loop.RunOne() == 1u);
    BOOST_TEST(n == 1);
    BOOST_TEST(loop.RunOneFor(1s) == 1u);
    BOOST_TEST(n == 2);
    BOOST_TEST(loop.RunOneFor(10ms) == 0u);
}

BOOST_AUTO_TEST_CASE(current_is_one_loop_per_thread) {
    EventLoop* mine = &EventLoop::Current();
    BOOST_TEST(mine == &EventLoop::Current());
    EventLoop* theirs = nullptr;
    std::thread([&] { theirs = &EventLoop::Current(); }).join();
    BOOST_TEST(theirs != mine);
    AsyncSocket s;  // belongs to the current thread's loop
    BOOST_TEST(&s.GetEventLoop() == mine);
}

BOOST_AUTO_TEST_CASE(exception_from_a_notification_leaves_run_and_the_loop_goes_on) {
    EventLoop loop;
    AcceptedPair pair(loop);
    pair.server.onReceive = [](Recorder& s, int) {
        s.ReceiveSome(1);
        throw std::runtime_error("from OnReceive");
    };
    pair.peer.Write("ab");
    BOOST_CHECK_THROW(RunUntil(
                          loop, [&] { return false; }, 2000ms),
                      std::runtime_error);
    BOOST_TEST(pair.server.receives == 1);
    // The socket's state is consistent: the Receive re-enabled it and one byte is still queued.
    BOOST_CHECK_THROW(RunUntil(
                          loop, [&] { return false; }, 2000ms),
                      std::runtime_error);
    BOOST_TEST(pair.server.receives == 2);
    BOOST_TEST(pair.server.received == "ab");
}

BOOST_AUTO_TEST_CASE(destroying_the_loop_closes_its_sockets) {
    auto loop = std::make_unique<EventLoop>();
    auto pair = std::make_unique<AcceptedPair>(*loop);
    pair->peer.Write("pending");
    const NativeHandle handle = pair->server.GetHandle();
    BOOST_TEST(handle != InvalidHandle);
    loop.reset();
    BOOST_TEST(!pair->server.IsOpen());
    char c;
    BOOST_TEST(pair->server.Receive(&c, 1) == SocketErrorResult);
    BOOST_TEST(AsyncSocket::GetLastError() == static_cast<int>(SocketError::NotInitialised));
    BOOST_TEST(!pair->server.Create());
    BOOST_TEST(AsyncSocket::GetLastError() == static_cast<int>(SocketError::NotInitialised));
    // The peer sees the connection end.
    boost::system::error_code ec;
    char buf[16];
    pair->peer.socket.read_some(asio::buffer(buf), ec);
    // Closed with unread data: a reset rather than an end of stream.
    BOOST_TEST((ec == asio::error::eof || ec == asio::error::connection_reset), ec.message());
    pair.reset();  // destructors after the loop is gone are fine
}
