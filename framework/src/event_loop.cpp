// EventLoop: a thin owner of an io_context with MFC message-loop semantics (Run until Stop).
#include <portafx/event_loop.hpp>

#include "detail/loop_state.hpp"
#include "detail/socket_engine.hpp"

#include <boost/asio/post.hpp>

namespace portafx {

namespace detail {
namespace {
thread_local LoopState* tRunning = nullptr;
thread_local LoopState* tDefault = nullptr;
thread_local LoopState* tAdopted = nullptr;  // an EventLoopPool thread's loop
}  // namespace

LoopState* ThisThreadLoop() noexcept {
    if (tRunning != nullptr) return tRunning;
    return tAdopted != nullptr ? tAdopted : tDefault;
}

bool IsIdleHomeLoop(const LoopState& loop) noexcept {
    return tRunning == nullptr && (tAdopted != nullptr ? tAdopted : tDefault) == &loop;
}

AdoptScope::AdoptScope(LoopState& loop) noexcept : previous_(tAdopted) {
    tAdopted = &loop;
}

AdoptScope::~AdoptScope() {
    tAdopted = previous_;
}

RunningScope::RunningScope(LoopState& loop) noexcept : previous_(tRunning) {
    tRunning = &loop;
}

RunningScope::~RunningScope() {
    tRunning = previous_;
}
}  // namespace detail

EventLoop::EventLoop() : state_(std::make_unique<detail::LoopState>(*this)) {}

EventLoop::~EventLoop() {
    // Close the sockets first: their Asio objects must go before the io_context does.
    detail::SocketEngine::DetachAll(*state_);
    state_->work.reset();
}

EventLoop& EventLoop::Current() {
    if (detail::tAdopted != nullptr) return *detail::tAdopted->owner;
    thread_local struct Default {
        EventLoop loop;
        Default() { detail::tDefault = &loop.State(); }
        ~Default() { detail::tDefault = nullptr; }
    } current;
    return current.loop;
}

template <class F>
std::size_t EventLoop::RunWith(F&& f) {
    auto& io = state_->io;
    struct Restart {
        boost::asio::io_context& io;
        ~Restart() {
            // A Stop() is consumed by the call it ended, so the next call runs again.
            if (io.stopped()) io.restart();
        }
    } restart{io};
    detail::RunningScope running(*state_);
    detail::SocketEngine::EnterLoop(*state_);
    return f(io);
}

std::size_t EventLoop::Run() {
    return RunWith([](boost::asio::io_context& io) { return io.run(); });
}

std::size_t EventLoop::RunFor(Duration duration) {
    return RunWith([&](boost::asio::io_context& io) { return io.run_for(duration); });
}

std::size_t EventLoop::RunOne() {
    return RunWith([](boost::asio::io_context& io) { return io.run_one(); });
}

std::size_t EventLoop::RunOneFor(Duration duration) {
    return RunWith([&](boost::asio::io_context& io) { return io.run_one_for(duration); });
}

std::size_t EventLoop::Poll() {
    return RunWith([](boost::asio::io_context& io) { return io.poll(); });
}

void EventLoop::Post(std::function<void()> fn) {
    boost::asio::post(state_->io, std::move(fn));
}

void EventLoop::Stop() {
    state_->io.stop();
}

std::size_t EventLoop::HeldNotifications() const noexcept {
    return state_->held.size();
}

bool EventLoop::IsRunningInThisThread() const noexcept {
    return state_->io.get_executor().running_in_this_thread();
}

boost::asio::io_context& EventLoop::Context() noexcept {
    return state_->io;
}

}  // namespace portafx
