// Handles: Attach/Detach hand-off between loops on different threads, FromHandle per loop, and Accept
// into a socket that belongs to another loop.
#include <portafx/async_socket.hpp>

#define BOOST_TEST_MODULE async_socket_handles
#include "loopback.hpp"

#include <atomic>
#include <future>
#include <thread>

using namespace portafx;
using namespace portafx::test;

BOOST_AUTO_TEST_CASE(from_handle_is_per_loop_of_the_calling_thread) {
    Recorder s;  // EventLoop::Current()
    BOOST_REQUIRE(s.Create());
    BOOST_TEST(AsyncSocket::FromHandle(s.GetHandle()) == &s);
    AsyncSocket* seen = &s;
    std::thread([&] { seen = AsyncSocket::FromHandle(s.GetHandle()); }).join();
    BOOST_TEST(seen == nullptr);
    const NativeHandle h = s.GetHandle();
    s.Close();
    BOOST_TEST(AsyncSocket::FromHandle(h) == nullptr);
}

BOOST_AUTO_TEST_CASE(detach_attach_hands_a_connection_to_another_thread) {
    EventLoop loop;
    AcceptedPair pair(loop);
    pair.peer.Write("queued before the hand-off");
    BOOST_REQUIRE(WaitQueued(pair.server, 26));
    const NativeHandle h = pair.server.Detach();
    BOOST_REQUIRE(h != InvalidHandle);
    BOOST_TEST(!pair.server.IsOpen());
    BOOST_TEST(AsyncSocket::FromHandle(h) == nullptr);
    Drain(loop);
    BOOST_TEST(pair.server.receives == 0);

    std::promise<std::string> got;
    int thanksSent = 0;  // checked on the test's thread: Boost.Test's checks are not thread-safe
    bool foundOnWorker = false;
    std::thread worker([&] {
        Recorder adopted;  // the worker thread's own loop
        adopted.onReceive = [&](Recorder& s, int) {
            s.ReceiveSome();
            if (s.received.size() == 26) {
                thanksSent = s.Send("thanks", 6);
                EventLoop::Current().Stop();
            }
        };
        if (!adopted.Attach(h)) {
            got.set_value("attach failed: " + AsyncSocket::GetLastErrorInfo().Message());
            return;
        }
        foundOnWorker = AsyncSocket::FromHandle(h) == &adopted;
        EventLoop::Current().RunFor(5s);  // Attach re-checks: the queued data is reported at once
        got.set_value(adopted.received);
    });
    auto result = got.get_future();
    BOOST_REQUIRE(result.wait_for(10s) == std::future_status::ready);
    worker.join();
    BOOST_TEST(result.get() == "queued before the hand-off");
    BOOST_TEST(thanksSent == 6);
    BOOST_TEST(foundOnWorker);
    BOOST_TEST(pair.peer.Read(6) == "thanks");
}

BOOST_AUTO_TEST_CASE(attach_rejects_bad_handles) {
    EventLoop loop;
    Recorder s(loop);
    BOOST_TEST(!s.Attach(InvalidHandle));
    BOOST_TEST(AsyncSocket::GetLastError() == static_cast<int>(SocketError::NoHandle));
    BOOST_TEST(!s.Attach(0));  // standard input is not a socket
    BOOST_TEST(!s.IsOpen());
    Recorder owner(loop);
    BOOST_REQUIRE(owner.Create());
    BOOST_TEST(!s.Attach(owner.GetHandle()));
    BOOST_TEST(AsyncSocket::GetLastError() == static_cast<int>(SocketError::InvalidArgument));
}

BOOST_AUTO_TEST_CASE(accept_into_a_socket_of_another_loop) {
    EventLoop loop;
    PendingConnection pending(loop);
    Recorder& listener = pending.listener;
    Peer& peer = pending.peer;

    EventLoop other;
    Recorder accepted(other);
    std::atomic<bool> done{false};
    std::atomic<bool> ponged{false};  // no BOOST_TEST on the worker: Boost.Test is not thread-safe
    std::thread::id notifiedOn;
    auto finish = [&](Recorder& s) {
        notifiedOn = std::this_thread::get_id();
        if (s.received == "ping" && s.sends == 1) {
            ponged = s.Send("pong", 4) == 4;
            done = true;
            other.Stop();
        }
    };
    accepted.onReceive = [&](Recorder& s, int) {
        s.ReceiveSome();
        finish(s);
    };
    accepted.onSend = [&](Recorder& s, int) { finish(s); };
    std::atomic<bool> running{false};
    other.Post([&] { running = true; });
    std::thread worker([&] { other.RunFor(5s); });  // the other loop runs while we accept into it
    for (int i = 0; i < 100000 && !running; ++i)
        std::this_thread::yield();
    BOOST_REQUIRE(running.load());
    BOOST_REQUIRE(listener.Accept(accepted));
    const auto workerId = worker.get_id();
    peer.Write("ping");
    BOOST_TEST(peer.Read(4) == "pong");
    worker.join();
    BOOST_TEST(done.load());
    BOOST_TEST(ponged.load());
    BOOST_TEST((notifiedOn == workerId));  // the accepted socket's notifications run on its own loop
    BOOST_TEST(accepted.sends == 1);
}

BOOST_AUTO_TEST_CASE(from_handle_sees_the_loop_this_thread_runs) {
    EventLoop loop;  // not the thread's default loop
    AcceptedPair pair(loop);
    AsyncSocket* found = nullptr;
    pair.server.onReceive = [&](Recorder& s, int) {
        s.ReceiveSome();
        found = AsyncSocket::FromHandle(s.GetHandle());
    };
    pair.peer.Write("?");
    BOOST_REQUIRE(RunUntil(loop, [&] { return found != nullptr; }));
    BOOST_TEST(found == &pair.server);
    BOOST_TEST(AsyncSocket::FromHandle(pair.server.GetHandle()) == nullptr);  // outside the loop's run
}

BOOST_AUTO_TEST_CASE(attach_with_unknown_event_bits_keeps_nothing) {
    EventLoop loop;
    AsyncSocket owner(loop);
    BOOST_REQUIRE(owner.Create());
    const NativeHandle h = owner.Detach();
    AsyncSocket s(loop);
    BOOST_TEST(!s.Attach(h, 0x4000));
    BOOST_TEST(AsyncSocket::GetLastError() == static_cast<int>(SocketError::InvalidArgument));
    BOOST_TEST(AsyncSocket::GetLastErrorInfo().operation == "Attach");
    BOOST_TEST(!s.IsOpen());
    BOOST_REQUIRE(s.Attach(h));
}

BOOST_AUTO_TEST_CASE(calls_after_the_loop_is_gone) {
    auto loop = std::make_unique<EventLoop>();
    AsyncSocket s(*loop);
    BOOST_REQUIRE(s.Create());
    loop.reset();
    BOOST_TEST(s.Detach() == InvalidHandle);
    BOOST_TEST(AsyncSocket::GetLastError() == static_cast<int>(SocketError::NotInitialised));
    BOOST_CHECK_THROW(s.GetEventLoop(), std::logic_error);
}
