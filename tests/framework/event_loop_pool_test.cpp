// EventLoopPool: N loops on N threads; a listener hands each accepted connection to the next loop; each
// socket's notifications run on its own loop's thread, never two at once; Post from any thread; a clean
// shutdown with connections open. Built and run under ThreadSanitizer too (CTest label `threaded`).
#include <portafx/event_loop_pool.hpp>

#define BOOST_TEST_MODULE event_loop_pool
#include "loopback.hpp"

#include <atomic>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

using namespace portafx;
using namespace portafx::test;

namespace {

/// An echo session that checks, in every notification, that it runs on its own loop's thread and that no
/// other notification of it is running.
class Session : public AsyncSocket {
public:
    explicit Session(EventLoop& loop) : AsyncSocket(loop), loop_(&loop) {}

    EventLoop* loop_;
    std::atomic<bool> wrongThread{false};
    std::atomic<bool> overlapped{false};
    std::atomic<int> notifications{0};
    std::atomic<bool> closed{false};
    std::thread::id thread;  // the thread of the first notification; written and read on that thread

protected:
    void OnReceive(int) override {
        Enter guard(*this);
        char buf[4096];
        const int n = Receive(buf, sizeof buf);
        if (n > 0) Send(buf, n);  // loopback and small messages: the whole echo fits at once
    }
    void OnSend(int) override { Enter guard(*this); }
    void OnClose(int) override {
        Enter guard(*this);
        closed = true;
    }

private:
    struct Enter {
        Session& s;
        explicit Enter(Session& session) : s(session) {
            if (s.busy_.exchange(true)) s.overlapped = true;
            if (!s.loop_->IsRunningInThisThread()) s.wrongThread = true;
            if (s.thread == std::thread::id{}) s.thread = std::this_thread::get_id();
            if (s.thread != std::this_thread::get_id()) s.wrongThread = true;
            ++s.notifications;
        }
        ~Enter() { s.busy_ = false; }
    };
    std::atomic<bool> busy_{false};
};

/// A listener that hands every connection to the pool's next loop; the sessions are kept here.
class PoolListener : public AsyncSocket {
public:
    PoolListener(EventLoop& loop, EventLoopPool& pool) : AsyncSocket(loop), pool_(pool) {}

    std::vector<Session*> Sessions() {
        std::lock_guard<std::mutex> lock(mutex_);
        std::vector<Session*> out;
        for (auto& s : sessions_)
            out.push_back(s.get());
        return out;
    }
    std::size_t Count() {
        std::lock_guard<std::mutex> lock(mutex_);
        return sessions_.size();
    }
    /// Deletes the sessions. Only once no thread runs their loops (or the loops are gone).
    void DropSessions() {
        std::lock_guard<std::mutex> lock(mutex_);
        sessions_.clear();
    }
    std::atomic<int> failedAccepts{0};

protected:
    void OnAccept(int errorCode) override {
        if (errorCode != 0) return;
        Session* s = pool_.AcceptNext<Session>(*this, nullptr);
        if (s == nullptr) {
            ++failedAccepts;
            return;
        }
        std::lock_guard<std::mutex> lock(mutex_);
        sessions_.emplace_back(s);
    }

private:
    EventLoopPool& pool_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<Session>> sessions_;
};

/// The thread id of each of the pool's loops (posted to each and waited for).
std::vector<std::thread::id> LoopThreads(EventLoopPool& pool) {
    std::vector<std::thread::id> ids;
    for (std::size_t i = 0; i < pool.Size(); ++i) {
        std::promise<std::thread::id> p;
        auto f = p.get_future();
        pool.Post(i, [&p] { p.set_value(std::this_thread::get_id()); });
        BOOST_REQUIRE(f.wait_for(5s) == std::future_status::ready);
        ids.push_back(f.get());
    }
    return ids;
}

/// Opens `n` raw Asio connections to `port` and checks one echo on each.
std::vector<std::unique_ptr<Peer>> EchoClients(unsigned port, int n) {
    std::vector<std::unique_ptr<Peer>> peers;
    for (int i = 0; i < n; ++i) {
        auto p = std::make_unique<Peer>();
        p->Connect("127.0.0.1", port);
        const std::string msg = "hello from client " + std::to_string(i);
        p->Write(msg);
        BOOST_TEST(p->Read(msg.size()) == msg);
        peers.push_back(std::move(p));
    }
    return peers;
}

/// Waits (bounded, 5 s) until `done()` holds; `done` reads state the pool's threads publish under a lock.
template <class Pred>
bool WaitFor(Pred done) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!done() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::yield();
    return done();
}

/// Stops the pool when a test ends, even by a failed BOOST_REQUIRE, before the sockets declared after it go.
struct StopAtExit {
    EventLoopPool& pool;
    ~StopAtExit() { pool.Stop(); }
};

/// Waits (bounded: the peer's 5 s receive deadline) on a blocking peer for the end of the stream or a
/// reset, skipping echoed bytes still in flight.
bool SeesEnd(Peer& p) {
    char buf[256];
    boost::system::error_code ec;
    for (int i = 0; i < 100 && !ec; ++i)
        p.socket.read_some(asio::buffer(buf), ec);
    return ec == asio::error::eof || ec == asio::error::connection_reset;
}

}  // namespace

BOOST_AUTO_TEST_CASE(default_size_is_the_number_of_cores) {
    EventLoopPool pool;
    const std::size_t cores = std::thread::hardware_concurrency();
    BOOST_TEST(pool.Size() == (cores == 0 ? 1 : cores));
    BOOST_TEST(!pool.IsRunning());
    EventLoopPool three(3);
    BOOST_TEST(three.Size() == 3u);
    BOOST_CHECK_THROW(three.Loop(3), std::out_of_range);
    BOOST_TEST(&three.Next() == &three.Loop(0));  // round robin
    BOOST_TEST(&three.Next() == &three.Loop(1));
    BOOST_TEST(&three.Next() == &three.Loop(2));
    BOOST_TEST(&three.Next() == &three.Loop(0));
    BOOST_TEST(three.ThisThreadLoop() == nullptr);
}

BOOST_AUTO_TEST_CASE(connections_spread_over_the_loops_and_notify_on_their_threads) {
    EventLoopPool pool(2);
    PoolListener listener(pool.Loop(0), pool);  // set up before Start, on this thread
    StopAtExit stop{pool};
    BOOST_REQUIRE(listener.Create(0, SocketType::Stream, AllEvents, "127.0.0.1"));
    BOOST_REQUIRE(listener.Listen(64));
    const unsigned port = LocalPort(listener);
    pool.Start();
    BOOST_TEST(pool.IsRunning());
    const auto threads = LoopThreads(pool);
    BOOST_TEST(threads[0] != threads[1]);
    BOOST_TEST((threads[0] != std::this_thread::get_id()));

    const int n = 8;
    auto peers = EchoClients(port, n);
    // A session may echo before the listener's thread has recorded it: wait (bounded) for the last one.
    BOOST_REQUIRE(WaitFor([&] { return listener.Count() == static_cast<std::size_t>(n); }));

    pool.Stop();  // joins: from here on this thread may look at (and delete) the sessions
    BOOST_TEST(!pool.IsRunning());
    std::map<EventLoop*, int> perLoop;
    for (Session* s : listener.Sessions()) {
        ++perLoop[s->loop_];
        BOOST_TEST(!s->wrongThread);
        BOOST_TEST(!s->overlapped);
        BOOST_TEST(s->notifications >= 1);  // OnReceive at least (OnSend may still be queued at Stop)
        const std::size_t index = s->loop_ == &pool.Loop(0) ? 0 : 1;
        BOOST_TEST((s->thread == threads[index]));
    }
    BOOST_TEST(perLoop.size() == 2u);  // both loops got connections
    // Round robin: each loop got half, unless an OnAccept found nothing pending (then one turn was skipped).
    if (listener.failedAccepts == 0) {
        BOOST_TEST(perLoop[&pool.Loop(0)] == n / 2);
        BOOST_TEST(perLoop[&pool.Loop(1)] == n / 2);
    }
    listener.DropSessions();  // closes them: the peers see the end
    for (auto& p : peers)
        BOOST_TEST(SeesEnd(*p));
}

BOOST_AUTO_TEST_CASE(a_listener_on_another_thread_hands_connections_to_the_pool) {
    EventLoop front;  // this thread's loop, run here with RunUntil
    EventLoopPool pool(2);
    pool.Start();
    PoolListener listener(front, pool);
    StopAtExit stop{pool};
    BOOST_REQUIRE(listener.Create(0, SocketType::Stream, AllEvents, "127.0.0.1"));
    BOOST_REQUIRE(listener.Listen(64));
    const unsigned port = LocalPort(listener);

    std::vector<std::unique_ptr<Peer>> peers;
    for (int i = 0; i < 6; ++i) {
        peers.push_back(std::make_unique<Peer>());
        peers.back()->Connect("127.0.0.1", port);
    }
    BOOST_REQUIRE(RunUntil(front, [&] { return listener.Count() == 6; }));  // recorded on this thread
    for (std::size_t i = 0; i < peers.size(); ++i) {
        const std::string msg = "message " + std::to_string(i);
        peers[i]->Write(msg);
        BOOST_TEST(peers[i]->Read(msg.size()) == msg);
    }
    pool.Stop();
    for (Session* s : listener.Sessions()) {
        BOOST_TEST((s->loop_ == &pool.Loop(0) || s->loop_ == &pool.Loop(1)));
        BOOST_TEST(!s->wrongThread);
        BOOST_TEST(!s->overlapped);
    }
    listener.DropSessions();
}

BOOST_AUTO_TEST_CASE(accept_next_with_nothing_pending_fails_with_would_block) {
    EventLoop front;
    EventLoopPool pool(2);
    Listening listener(front);
    Session* s = pool.AcceptNext<Session>(listener, nullptr);
    BOOST_TEST(s == nullptr);
    BOOST_TEST(AsyncSocket::GetLastError() == static_cast<int>(SocketError::WouldBlock));
}

BOOST_AUTO_TEST_CASE(peer_closing_brings_on_close_on_the_sessions_loop) {
    EventLoopPool pool(2);
    PoolListener listener(pool.Loop(1), pool);
    StopAtExit stop{pool};
    BOOST_REQUIRE(listener.Create(0, SocketType::Stream, AllEvents, "127.0.0.1"));
    BOOST_REQUIRE(listener.Listen());
    pool.Start();
    auto peers = EchoClients(LocalPort(listener), 4);
    for (auto& p : peers)
        p->socket.close();
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    auto allClosed = [&] {
        for (Session* s : listener.Sessions())
            if (!s->closed) return false;
        return true;
    };
    while (!allClosed() && std::chrono::steady_clock::now() < deadline) {
        std::vector<std::future<void>> turns;  // one turn of each loop, then look again
        for (std::size_t i = 0; i < pool.Size(); ++i) {
            auto p = std::make_shared<std::promise<void>>();
            turns.push_back(p->get_future());
            pool.Post(i, [p] { p->set_value(); });
        }
        for (auto& t : turns)
            t.wait_for(1s);
    }
    BOOST_TEST(allClosed());
    pool.Stop();
    for (Session* s : listener.Sessions()) {
        BOOST_TEST(!s->wrongThread);
        BOOST_TEST(!s->overlapped);
    }
    listener.DropSessions();
}

BOOST_AUTO_TEST_CASE(clean_shutdown_with_connections_open) {
    auto pool = std::make_unique<EventLoopPool>(2);
    PoolListener listener(pool->Loop(0), *pool);
    BOOST_REQUIRE(listener.Create(0, SocketType::Stream, AllEvents, "127.0.0.1"));
    BOOST_REQUIRE(listener.Listen(64));
    pool->Start();
    auto peers = EchoClients(LocalPort(listener), 6);
    for (auto& p : peers)
        p->Write("unread");  // data in flight while the pool goes
    pool.reset();            // stops, joins, destroys the loops: every socket of theirs is closed
    for (auto& p : peers)
        BOOST_TEST(SeesEnd(*p));
    BOOST_TEST(!listener.IsOpen());
    for (Session* s : listener.Sessions())
        BOOST_TEST(!s->IsOpen());
    BOOST_TEST(listener.Send("x", 1) == SocketErrorResult);
    BOOST_TEST(AsyncSocket::GetLastError() == static_cast<int>(SocketError::NotInitialised));
    listener.DropSessions();  // objects of destroyed loops may be deleted on any thread
}

BOOST_AUTO_TEST_CASE(post_from_many_threads_runs_on_the_loops_thread) {
    EventLoopPool pool(2);
    pool.Start();
    const auto threads = LoopThreads(pool);
    // Plain ints: only each loop's own thread touches its counter (ThreadSanitizer would see otherwise).
    int counts[2] = {0, 0};
    std::atomic<bool> wrong{false};
    std::vector<std::thread> posters;
    for (int t = 0; t < 4; ++t) {
        posters.emplace_back([&, t] {
            const std::size_t i = static_cast<std::size_t>(t % 2);
            for (int k = 0; k < 500; ++k) {
                pool.Post(i, [&, i] {
                    ++counts[i];
                    if (std::this_thread::get_id() != threads[i]) wrong = true;
                    if (&EventLoop::Current() != &pool.Loop(i)) wrong = true;  // the thread adopted its loop
                    if (pool.ThisThreadLoop() != &pool.Loop(i)) wrong = true;
                });
            }
        });
    }
    for (auto& p : posters)
        p.join();
    LoopThreads(pool);  // everything posted before has run
    pool.Stop();
    BOOST_TEST(counts[0] == 1000);
    BOOST_TEST(counts[1] == 1000);
    BOOST_TEST(!wrong);
}

BOOST_AUTO_TEST_CASE(stop_keeps_queued_work_for_the_next_start) {
    EventLoopPool pool(2);
    pool.Start();
    pool.Stop();
    pool.Stop();  // twice is fine
    int ran = 0;
    pool.Post(1, [&] { ++ran; });
    BOOST_TEST(ran == 0);
    pool.Start();
    LoopThreads(pool);
    pool.Stop();
    BOOST_TEST(ran == 1);
}

BOOST_AUTO_TEST_CASE(stop_on_a_pool_thread_is_refused) {
    EventLoopPool pool(1);
    pool.Start();
    std::promise<std::string> got;
    pool.Post(0, [&] {
        try {
            pool.Stop();
            got.set_value("no exception");
        } catch (const std::logic_error& e) {
            got.set_value(e.what());
        }
    });
    auto f = got.get_future();
    BOOST_REQUIRE(f.wait_for(5s) == std::future_status::ready);
    const std::string what = f.get();
    BOOST_TEST(what.find("own threads") != std::string::npos, what);
    BOOST_TEST(pool.IsRunning());
    pool.Stop();
}

BOOST_AUTO_TEST_CASE(an_exception_from_a_handler_goes_to_the_error_handler_and_the_loop_goes_on) {
    EventLoopPool pool(2);
    std::promise<std::string> error;
    pool.SetErrorHandler([&](std::size_t index, std::exception_ptr e) {
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            error.set_value(std::to_string(index) + ": " + ex.what());
        }
    });
    pool.Start();
    pool.Post(1, [] { throw std::runtime_error("boom"); });
    auto f = error.get_future();
    BOOST_REQUIRE(f.wait_for(5s) == std::future_status::ready);
    BOOST_TEST(f.get() == "1: boom");
    LoopThreads(pool);  // loop 1 still runs
    pool.Stop();
}
