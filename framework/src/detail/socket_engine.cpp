// The per-socket state machine: Winsock's WSAAsyncSelect rules on Asio readiness waits.
#include "socket_engine.hpp"

#include "loop_state.hpp"
#include "socket_ops.hpp"
#include "tls_session.hpp"

#include <portafx/async_socket.hpp>

#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <memory>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

namespace portafx::detail {

SocketError FromBoostError(const boost::system::error_code& ec) noexcept {
    if (!ec) return SocketError::Success;
    if (ec.category() == boost::asio::error::get_netdb_category()) {
        switch (ec.value()) {
        case boost::asio::error::host_not_found: return SocketError::HostNotFound;
        case boost::asio::error::host_not_found_try_again: return SocketError::TryAgain;
        case boost::asio::error::no_data: return SocketError::NoData;
        default: return SocketError::NoRecovery;
        }
    }
    if (ec.category() == boost::asio::error::get_addrinfo_category()) {
        return ec == boost::asio::error::service_not_found ? SocketError::InvalidArgument
                                                           : SocketError::SocketTypeNotSupported;
    }
    if (ec.category() == boost::system::system_category() || ec.category() == boost::system::generic_category()) {
        return FromErrno(ec.value());
    }
    return SocketError::NoRecovery;
}

// --- lifetime ------------------------------------------------------------------------------------

SocketEngine::CorePtr SocketEngine::Install(AsyncSocket& socket, NativeHandle fd, int family, int type, int protocol,
                                            SocketError& err, bool registerHandle) {
    LoopState* loop = socket.loop_;
    auto core = std::make_shared<SocketCore>();
    core->loop = loop;
    core->owner = &socket;
    core->fd = fd;
    core->family = family;
    core->type = type;
    core->protocol = protocol;
    boost::system::error_code ec;
    core->desc.emplace(loop->io);
    core->desc->Assign(fd, ec);
    if (ec) {
        core->desc.reset();
        err = FromBoostError(ec);
        return nullptr;
    }
    if (registerHandle) loop->handles[fd] = core.get();
    TakeHandOff(fd);  // bytes left by a Detach of an earlier handle with this number are not this one's
    return core;
}

void SocketEngine::Retire(SocketCore& core, bool closeHandle) noexcept {
    core.owner = nullptr;
    ++core.generation;
    core.readArmed = core.writeArmed = core.exceptArmed = core.userPostArmed = false;
    if (core.resolver) core.resolver->cancel();
    if (core.loop != nullptr) {
        auto it = core.loop->handles.find(core.fd);
        if (it != core.loop->handles.end() && it->second == &core) core.loop->handles.erase(it);
    }
    if (core.desc) {
        boost::system::error_code ignored;
        if (closeHandle) {
            core.desc->Close(ignored);
        } else {
            core.desc->Release();
        }
    } else if (closeHandle) {
        ops::Close(core.fd);
    }
    core.fd = InvalidHandle;
}

bool SocketEngine::ReplaceHandle(SocketCore& core, int family, SocketError& err) {
    NativeHandle fresh = ops::Open(family, core.type, core.protocol, err);
    if (fresh == InvalidHandle) return false;
    auto fail = [&](SocketError e) {
        ops::Close(fresh);
        err = e;
        return false;
    };
    if (family == AF_INET6) {
        int off = 0;  // dual-stack unless a replayed option says otherwise
        ::setsockopt(fresh, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
    }
    for (const RecordedOption& o : core.options) {
        if (o.level == IPPROTO_IPV6 && family != AF_INET6) continue;
        if (::setsockopt(fresh, o.level, o.name, o.value.data(), static_cast<socklen_t>(o.value.size())) < 0) {
            return fail(FromErrno(errno));
        }
    }
    if (core.boundExplicitly) {
        SocketAddress local = core.bindAddress;
        if (family == AF_INET6 && local.Family() == AddressFamily::IPv4) local = local.ToV4Mapped();
        if (::bind(fresh, static_cast<const sockaddr*>(local.Data()), static_cast<socklen_t>(local.Size())) < 0) {
            return fail(FromErrno(errno));
        }
    }
    // Stale waits of the old handle complete with operation_aborted and a mismatched generation.
    ++core.generation;
    core.readArmed = core.writeArmed = core.exceptArmed = core.userPostArmed = false;
    if (core.loop != nullptr) {
        auto it = core.loop->handles.find(core.fd);
        if (it != core.loop->handles.end() && it->second == &core) core.loop->handles.erase(it);
    }
    boost::system::error_code ec;
    core.desc->Close(ec);
    core.desc->Assign(fresh, ec);
    if (ec) {
        core.fd = InvalidHandle;
        return fail(FromBoostError(ec));
    }
    core.fd = fresh;
    core.family = family;
    core.attemptedOnThisHandle = false;
    if (core.loop != nullptr) core.loop->handles[fresh] = &core;
    return true;
}

void SocketEngine::Register(LoopState& loop, AsyncSocket& socket) {
    std::lock_guard<std::mutex> lock(loop.registryMutex);
    loop.sockets.insert(&socket);
}

void SocketEngine::Unregister(LoopState& loop, AsyncSocket& socket) noexcept {
    std::lock_guard<std::mutex> lock(loop.registryMutex);
    loop.sockets.erase(&socket);
}

void SocketEngine::DetachAll(LoopState& loop) noexcept {
    loop.dueLooks.clear();  // the loop is going: no look will run
    std::unordered_set<AsyncSocket*> sockets;
    {
        std::lock_guard<std::mutex> lock(loop.registryMutex);
        sockets.swap(loop.sockets);
    }
    for (AsyncSocket* s : sockets) {
        if (s->core_) {
            Retire(*s->core_, true);
            s->core_->desc.reset();  // Asio objects must die before their io_context
            s->core_->loop = nullptr;
            s->core_.reset();
        }
        s->loop_ = nullptr;
    }
}

// --- delivery ------------------------------------------------------------------------------------

namespace {
// Whether notifications of `event` are wanted: selected by the mask, or awaited by a blocking call.
bool Selected(const SocketCore& c, long event) {
    return ((c.mask | c.blockingOn) & event) != 0;
}
}  // namespace

void SocketEngine::Notify(AsyncSocket& owner, long event, int code) {
    switch (event) {
    case FdRead: owner.OnReceive(code); break;
    case FdWrite: owner.OnSend(code); break;
    case FdOob: owner.OnOutOfBandData(code); break;
    case FdAccept: owner.OnAccept(code); break;
    case FdConnect: owner.OnConnect(code); break;
    default: owner.OnClose(code); break;
    }
}

bool SocketEngine::Deliver(const CorePtr& core, long event, int code) {
    SocketCore& c = *core;
    if (c.owner == nullptr) return false;
    if (c.blockingOn & event) {
        // The blocking call waiting for this event consumes it (MFC's PumpMessages stop flag). An end of
        // stream also ends any blocking call; its OnClose is still delivered afterwards.
        c.blockingSignaled = true;
        c.blockingCode = code;
        if (event != FdClose) return false;
    }
    if (!(c.mask & event)) return false;
    LoopState& loop = *c.loop;
    if (loop.blockingDepth > 0 || !loop.held.empty()) {
        // No notification inside a blocking call: hold it back, in order, for when the call returns.
        loop.held.push_back({core, c.generation, event, code});
        return false;
    }
    // Nothing may touch the owner after this call: it may delete itself.
    Notify(*c.owner, event, code);
    return true;
}

void SocketEngine::DrainHeld(LoopState& loop) {
    loop.drainPosted = false;
    if (loop.blockingDepth > 0 || loop.held.empty()) return;
    LoopState::Held h = std::move(loop.held.front());
    loop.held.pop_front();
    if (!loop.held.empty()) PostDrain(loop);  // one at a time, so a throwing notification loses none
    SocketCore& c = *h.core;
    if (h.generation != c.generation || c.owner == nullptr || !(c.mask & h.event)) return;
    if (h.event == FdRead && c.type == SOCK_STREAM && !c.eofSeen && c.owner->UserBytesQueued() == 0 &&
        c.readAhead.Size() == 0 && !ops::Readable(c.fd)) {
        return;  // stale: the data was read meanwhile (that Receive re-enabled OnReceive)
    }
    Notify(*c.owner, h.event, h.code);
    if (h.event == FdRead) AfterReceive(h.core);
}

void SocketEngine::AfterReceive(const CorePtr& core) {
    // DESIGN §3: bytes held in user space that are still there after OnReceive returns bring another
    // OnReceive, whether or not the handler called Receive (it may have read them from the buffer).
    SocketCore& c = *core;
    if (c.owner == nullptr || c.owner->UserBytesQueued() == 0) return;
    c.readEnabled = true;
    ArmRead(core);
}

void SocketEngine::PostDrain(LoopState& loop) {
    if (loop.drainPosted) return;
    loop.drainPosted = true;
    LoopState* l = &loop;
    boost::asio::post(loop.io, [l] { DrainHeld(*l); });
}

// --- arming --------------------------------------------------------------------------------------

void SocketEngine::ArmAll(const CorePtr& core) {
    ArmRead(core);
    ArmWrite(core);
    ArmExcept(core);
}

void SocketEngine::ArmRead(const CorePtr& core) {
    SocketCore& c = *core;
    if (c.owner == nullptr || !c.desc) return;
    bool want = false;
    if (c.state == CoreState::Listening) {
        want = Selected(c, FdAccept) && c.acceptEnabled;
    } else if (c.type == SOCK_DGRAM) {
        want = Selected(c, FdRead) && c.readEnabled;
    } else if (c.state == CoreState::Connected && !c.eofSeen) {
        const bool wantData = Selected(c, FdRead) && c.readEnabled;
        const bool wantClose = Selected(c, FdClose) && !c.closeReported && !c.closeWatchBlocked;
        want = wantData || wantClose;
        // TLS: the end of the stream (close_notify, an error) may be decrypted already, with no kernel
        // readiness left to announce it.
        const bool tlsEnded = want && c.tls && TlsSession::EndDecrypted(c);
        const bool readAhead = c.readAhead.Size() > 0;
        if (((wantData && (c.owner->UserBytesQueued() > 0 || readAhead)) || tlsEnded) && !c.userPostArmed) {
            // Bytes held in user space: no kernel readiness will announce them; report from the loop.
            c.userPostArmed = true;
            const unsigned gen = c.generation;
            boost::asio::post(c.loop->io, [core, gen] {
                if (gen != core->generation) return;
                core->userPostArmed = false;
                OnReadReady(core, gen, {}, true);
            });
        }
        // Read-ahead bytes are the front of the stream: no kernel readiness to wait for until they are read
        // (the end of the stream is behind them; a reset is the error watch's).
        if (readAhead) return;
        if (!c.tls && c.desc->CanWatch()) {
            // The watch reports every readiness edge with nothing to re-arm; what an edge may have left unread
            // is looked at now (it came while nothing was wanted, or the last read did not drain the queue).
            if (!c.desc->Watching()) StartReadWatch(core);
            if (want && c.kernelMayHaveData) PostReadEdge(core);
            return;
        }
    }
    if (!want || c.readArmed) return;
    c.readArmed = true;
    const unsigned gen = c.generation;
    c.desc->AsyncWait(ReactorHandle::WaitRead,
                      [core, gen](const boost::system::error_code& ec) { OnReadReady(core, gen, ec, false); });
}

void SocketEngine::ArmWrite(const CorePtr& core) {
    SocketCore& c = *core;
    if (c.owner == nullptr || c.writeArmed || !c.desc) return;
    bool want = false;
    if (c.state == CoreState::Connecting) {
        want = true;  // the connect's outcome is needed whatever the mask says
    } else if (c.state == CoreState::Connected || c.type == SOCK_DGRAM) {
        want = c.writeWanted && Selected(c, FdWrite);
    }
    // Only the first arming after Accept knows the send buffer is empty.
    const bool knownReady = c.writeKnownReady;
    c.writeKnownReady = false;
    if (!want) return;
    c.writeArmed = true;
    const unsigned gen = c.generation;
    if (knownReady) {
        // A socket just accepted has an empty send buffer: its first OnSend needs no readiness wait, and
        // without one Asio never adds EPOLLOUT to its registration (which would wake the loop for nothing
        // each time a read wait re-arms it).
        boost::asio::post(c.loop->io, [core, gen] { OnWriteReady(core, gen, {}); });
        return;
    }
    c.desc->AsyncWait(ReactorHandle::WaitWrite,
                      [core, gen](const boost::system::error_code& ec) { OnWriteReady(core, gen, ec); });
}

void SocketEngine::ArmExcept(const CorePtr& core) {
    SocketCore& c = *core;
    if (c.owner == nullptr || c.exceptArmed || !c.desc) return;
    if (c.type != SOCK_STREAM || c.state != CoreState::Connected || c.exceptDead || c.eofSeen) return;
    // One wait serves two purposes: urgent data (OnOutOfBandData), and a reset or error, which Winsock
    // reports in OnClose at once, whether or not the application is reading.
    const bool wantOob = Selected(c, FdOob) && c.oobEnabled && !c.oobInline;
    const bool wantError = Selected(c, FdClose) && !c.closeReported;
    if (!wantOob && !wantError) return;
    c.exceptArmed = true;
    const unsigned gen = c.generation;
    c.desc->AsyncWait(ReactorHandle::WaitError,
                      [core, gen](const boost::system::error_code& ec) { OnExceptReady(core, gen, ec); });
}

// --- the read watch ------------------------------------------------------------------------------

namespace {
// Whether a connected stream without TLS wants the kernel's bytes looked at now: OnReceive is enabled, or
// OnClose (or a blocking call) waits for the end, and no read-ahead bytes come first.
bool ReadWanted(const SocketCore& c) {
    if (c.owner == nullptr || c.state != CoreState::Connected || c.type != SOCK_STREAM || c.eofSeen || c.tls) {
        return false;
    }
    if (c.readAhead.Size() > 0) return false;
    return (Selected(c, FdRead) && c.readEnabled) || (Selected(c, FdClose) && !c.closeReported && !c.closeWatchBlocked);
}
}  // namespace

void SocketEngine::StartReadWatch(const CorePtr& core) {
    const unsigned gen = core->generation;
    // Starting the watch re-arms the handle once (EPOLL_CTL_MOD), and the kernel then reports readiness it
    // already had as an edge: so nothing is assumed until one comes. No speculative read, which matters where
    // a read that would block drops urgent data not yet noticed (gVisor).
    core->kernelMayHaveData = false;
    // Runs inside the reactor, under its lock for this handle: only flags and a post (DESIGN's rule of
    // delivering from the loop holds: the look at the bytes and the notification come from the posted handler).
    core->desc->StartWatch([core, gen] {
        SocketCore& c = *core;
        if (gen != c.generation) return;
        c.kernelMayHaveData = true;
        if ((c.blockingOn & FdRead) && c.readEnabled && c.state == CoreState::Connected) {
            // A blocking Receive of this socket waits for exactly this edge, and its pump is the caller of the
            // reactor (one thread runs a loop): end the wait here as OnReadReady would (the call reads at once
            // and sees data, the end or a reset itself). Deliver only sets the blocking call's flags for an
            // event it waits on, so nothing reaches the reactor from inside it. A posted look would cost the
            // pump one more turn of the loop, and with it a poll of the reactor, before the call could read.
            c.readEnabled = false;
            Deliver(core, FdRead, 0);
            return;
        }
        if (ReadWanted(c)) PostReadEdge(core);
    });
}

void SocketEngine::PostReadEdge(const CorePtr& core) {
    SocketCore& c = *core;
    if (c.loop == nullptr) return;
    // Every call posts: no "already posted" flag. Asio's one-thread scheduler keeps a handler posted from inside
    // another handler in that handler's private queue until it returns, so a blocking call made further down
    // the same handler pumps the loop without ever seeing it; a flag would then suppress the post of the very
    // edge that blocking call waits for. A look that finds nothing costs a few instructions (the checks below).
    if (IsIdleHomeLoop(*c.loop)) {
        // Nothing runs this loop until this thread enters it: look then (RunDueLooks), without a handler queued.
        if (!c.lookDue) {
            c.lookDue = true;
            c.loop->dueLooks.push_back(core);
        }
        return;
    }
    const unsigned gen = c.generation;
    boost::asio::post(c.loop->io, [core, gen] { LookAtBytes(core, gen); });
}

void SocketEngine::LookAtBytes(const CorePtr& core, unsigned gen) {
    SocketCore& c = *core;
    // A Receive since the edge may have found the queue empty: then there is nothing to look at.
    if (gen != c.generation || !c.kernelMayHaveData || !ReadWanted(c)) return;
    OnReadReady(core, gen, {}, true);
}

void SocketEngine::EnterLoop(LoopState& loop) {
    if (loop.drainDue) {
        loop.drainDue = false;
        if (loop.blockingDepth == 0 && !loop.held.empty()) PostDrain(loop);
    }
    RunDueLooks(loop, false);
}

void SocketEngine::RunDueLooks(LoopState& loop, bool synchronous) {
    if (loop.dueLooks.empty()) return;
    std::vector<CorePtr> due;
    due.swap(loop.dueLooks);
    for (CorePtr& core : due) {
        core->lookDue = false;
        const unsigned gen = core->generation;
        if (synchronous) {
            LookAtBytes(core, gen);
        } else {
            boost::asio::post(loop.io, [core, gen] { LookAtBytes(core, gen); });
        }
    }
}

void SocketEngine::NoteRead(SocketCore& c, bool queueEmpty) noexcept {
    // A read that would block proves the queue empty, and so does the kernel's report that a read drained it
    // (ReadHint). One that merely returned less than asked does not: it may have stopped at the urgent mark, or
    // have left an end of stream that arrived with the data; neither brings a new edge. (Asio's own reads make
    // the same choice: only an empty read stops its speculative reads.) The report counts both as queued.
    if (queueEmpty) c.kernelMayHaveData = false;
}

bool SocketEngine::ReadHint(SocketCore& c) noexcept {
    if (!c.readHintTried) {
        c.readHintTried = true;
        // Only the watch makes use of the report: without it (TLS, the public-API build) no call is spent.
        c.readHint = c.type == SOCK_STREAM && !c.tls && c.desc && c.desc->CanWatch() && ops::EnableReadHint(c.fd);
    }
    return c.readHint;
}

bool SocketEngine::QueueKnownEmpty(const SocketCore& c) noexcept {
    return c.owner != nullptr && c.state == CoreState::Connected && c.type == SOCK_STREAM && !c.tls && c.desc &&
           c.desc->Watching() && !c.kernelMayHaveData && c.readAhead.Size() == 0 && !c.eofSeen &&
           c.closeError == SocketError::Success;
}

SocketError SocketEngine::ClosingError(SocketError e) noexcept {
    switch (e) {
    case SocketError::ConnectionReset: return SocketError::ConnectionReset;
    case SocketError::ConnectionAborted:
    case SocketError::TimedOut:
    case SocketError::NetworkReset:
    case SocketError::HostUnreachable:
    case SocketError::NetworkUnreachable:
    case SocketError::HostDown: return SocketError::ConnectionAborted;
    default: return SocketError::Success;
    }
}

// --- read-ahead ----------------------------------------------------------------------------------

int SocketEngine::FillReadAhead(SocketCore& c, SocketError& err) noexcept {
    SocketCore::ReadAhead& ra = c.readAhead;
    if (ra.Size() > 0) return 1;
    if (!ra.bytes) {
        ra.bytes.reset(new (std::nothrow) char[SocketCore::ReadAhead::kCapacity]);  // no zero-filling
        if (!ra.bytes) return ops::PeekOne(c.fd, err);  // out of memory: tell data from the end without it
    }
    bool drained = false;
    const ssize_t n = ops::ReceiveStream(c.fd, ra.bytes.get(), SocketCore::ReadAhead::kCapacity, ReadHint(c), drained);
    if (n < 0) {
        err = FromErrno(errno);
        NoteRead(c, err == SocketError::WouldBlock);
        return -1;
    }
    NoteRead(c, drained);
    ra.begin = 0;
    ra.end = static_cast<std::size_t>(n);
    ra.filled = ra.end == SocketCore::ReadAhead::kCapacity;
    return n > 0 ? 1 : 0;
}

namespace {
// Bytes read ahead on handles that were detached and not attached yet. `count` spares Install the lock in
// the usual case, where nothing was handed off.
struct HandOffTable {
    std::mutex mutex;
    std::unordered_map<NativeHandle, std::vector<char>> bytes;
    std::atomic<std::size_t> count{0};
};
HandOffTable& HandOffs() {
    static HandOffTable table;
    return table;
}
}  // namespace

void SocketEngine::HandOff(SocketCore& c) {
    SocketCore::ReadAhead& ra = c.readAhead;
    if (ra.Size() == 0) return;  // Install dropped whatever an earlier handle of this number left
    HandOffTable& t = HandOffs();
    std::lock_guard<std::mutex> lock(t.mutex);
    t.bytes[c.fd].assign(ra.Data(), ra.Data() + ra.Size());
    t.count.store(t.bytes.size(), std::memory_order_release);
    ra.Consume(ra.Size());
}

std::vector<char> SocketEngine::TakeHandOff(NativeHandle fd) {
    HandOffTable& t = HandOffs();
    std::vector<char> out;
    if (t.count.load(std::memory_order_acquire) == 0) return out;
    std::lock_guard<std::mutex> lock(t.mutex);
    auto it = t.bytes.find(fd);
    if (it == t.bytes.end()) return out;
    out = std::move(it->second);
    t.bytes.erase(it);
    t.count.store(t.bytes.size(), std::memory_order_release);
    return out;
}

void SocketEngine::RestoreHandOff(NativeHandle fd, std::vector<char> bytes) {
    HandOffTable& t = HandOffs();
    std::lock_guard<std::mutex> lock(t.mutex);
    t.bytes[fd] = std::move(bytes);
    t.count.store(t.bytes.size(), std::memory_order_release);
}

// --- readiness -----------------------------------------------------------------------------------

void SocketEngine::OnReadReady(const CorePtr& core, unsigned gen, const boost::system::error_code& ec,
                               bool fromUserBytes) {
    SocketCore& c = *core;
    if (gen != c.generation || c.owner == nullptr) return;
    if (!fromUserBytes) c.readArmed = false;
    const int error = ec ? static_cast<int>(FromBoostError(ec)) : 0;

    if (c.state == CoreState::Listening) {
        if (Selected(c, FdAccept) && c.acceptEnabled) {
            c.acceptEnabled = false;  // re-enabled by Accept
            Deliver(core, FdAccept, error);
        }
        return;
    }
    if (c.type == SOCK_DGRAM) {
        if (Selected(c, FdRead) && c.readEnabled) {
            c.readEnabled = false;  // re-enabled by Receive/ReceiveFrom
            Deliver(core, FdRead, error);
        }
        return;
    }
    if (c.state != CoreState::Connected) return;

    // TLS: whole records are decrypted now and count as user-space bytes; a partial record is no data.
    if (c.tls) TlsSession::Pull(core);

    // Bytes held in user space: reading them is what re-enables OnReceive, so delivering it leaves the
    // flag set. Nothing to re-arm otherwise: the next Receive does.
    if (c.owner->UserBytesQueued() > 0) {
        if (Selected(c, FdRead) && c.readEnabled && Deliver(core, FdRead, error)) AfterReceive(core);
        return;
    }

    if ((c.blockingOn & FdRead) && c.readEnabled) {
        // A blocking Receive waits for this: it reads at once and sees data, the end or a reset itself (and
        // reports OnClose as a Receive does), so the peek below would be one system call too many.
        c.readEnabled = false;
        Deliver(core, FdRead, error);
        return;
    }

    // A stream: data, end of stream, or a reset?
    SocketError peekError = SocketError::Success;
    const int peeked = c.tls ? TlsSession::PeekState(c, peekError) : FillReadAhead(c, peekError);

    if (peeked > 0) {
        if (Selected(c, FdRead) && c.readEnabled) {
            c.readEnabled = false;
            if (Deliver(core, FdRead, error)) AfterReceive(core);
        } else {
            // Data waits for a Receive; the end of stream behind it is not visible until then.
            c.closeWatchBlocked = true;
        }
        return;
    }
    if (peeked < 0 && peekError == SocketError::WouldBlock && c.desc->Watching()) return;  // the next edge tells
    if (peeked < 0 && peekError == SocketError::WouldBlock) {
        // A spurious wake-up. Some kernels (gVisor, after urgent data was read) keep reporting the handle
        // readable while a read would block; re-arming at once would spin inside one poll of the loop. After two
        // in a row, look again after a short, growing pause (1 ms to 32 ms) instead.
        if (++c.spuriousReads <= 2) {
            ArmRead(core);
            return;
        }
        c.readArmed = true;
        const unsigned backoff = std::min(c.spuriousReads - 3, 5u);
        auto timer = std::make_shared<boost::asio::steady_timer>(c.loop->io, std::chrono::milliseconds(1u << backoff));
        timer->async_wait([core, gen, timer](const boost::system::error_code&) {
            if (gen != core->generation || core->owner == nullptr) return;
            core->readArmed = false;
            ArmRead(core);
        });
        return;
    }
    c.spuriousReads = 0;
    if (c.eofSeen) return;  // already reported (a reset seen by the error watch)
    // End of stream (0) or a failed connection (<0): the read side is finished.
    SocketError code = SocketError::Success;
    if (peeked < 0) {
        code = ClosingError(peekError);
        if (code == SocketError::Success) code = peekError;
    }
    c.eofSeen = true;
    c.closeError = code;  // the peek consumed the socket's error: Receive reports it from here on
    if (Selected(c, FdClose) && !c.closeReported) {
        c.closeReported = true;
        Deliver(core, FdClose, static_cast<int>(code));
    } else if (Selected(c, FdRead) && c.readEnabled && !Selected(c, FdClose)) {
        // No OnClose selected: let OnReceive see the end (Receive returns 0 or the error).
        c.readEnabled = false;
        Deliver(core, FdRead, 0);
    }
}

void SocketEngine::OnWriteReady(const CorePtr& core, unsigned gen, const boost::system::error_code& ec) {
    SocketCore& c = *core;
    if (gen != c.generation || c.owner == nullptr) return;
    c.writeArmed = false;
    if (c.state == CoreState::Connecting) {
        const int err = ec ? ec.value() : ops::PendingError(c.fd);
        if (err == 0) {
            FinishConnect(core);
            return;
        }
        if (err == ECONNRESET && !ec && !c.tls) {
            // The connection was made and then reset before this look (a reset while connecting reads as
            // ECONNREFUSED): as in Winsock, the connect succeeded (FD_CONNECT with 0) and the connection is then
            // reset (FD_CLOSE with WSAECONNRESET, Receive fails with it). Trying the next address would connect
            // elsewhere after the server accepted. Recorded before OnConnect, which may delete the socket.
            ReportClose(core, SocketError::ConnectionReset);
            FinishConnect(core);
            return;
        }
        c.lastConnectError = FromErrno(err);
        const SocketError next = StartConnect(core);
        if (next != SocketError::Success) FailConnect(core, next);
        return;
    }
    if (c.writeWanted && Selected(c, FdWrite)) {
        c.writeWanted = false;  // re-enabled only by a Send that fails with WouldBlock
        Deliver(core, FdWrite, ec ? static_cast<int>(FromBoostError(ec)) : 0);
    }
}

void SocketEngine::OnExceptReady(const CorePtr& core, unsigned gen, const boost::system::error_code& ec) {
    SocketCore& c = *core;
    if (gen != c.generation || c.owner == nullptr) return;
    c.exceptArmed = false;
    if (!ec && !c.oobInline && ops::OobWaiting(c.fd)) {
        if (Selected(c, FdOob) && c.oobEnabled) {
            c.oobEnabled = false;  // re-enabled by Receive
            Deliver(core, FdOob, 0);
        }
        return;
    }
    if (ec || ops::HungUp(c.fd)) {
        c.exceptDead = true;  // a hang-up stays: waiting again would only spin
        const SocketError pending = FromErrno(ops::PendingError(c.fd));
        const SocketError code = ClosingError(pending);
        if (code != SocketError::Success && !c.eofSeen) {
            // A reset or an abort: the connection is gone, queued data or not.
            c.eofSeen = true;
            c.closeError = code;
            if (Selected(c, FdClose) && !c.closeReported) {
                c.closeReported = true;
                Deliver(core, FdClose, static_cast<int>(code));
            }
        }
        // A graceful end of stream is left to the read side: OnClose comes once the data is read.
        return;
    }
    // Woken with nothing to report (urgent data already read inline): the next Receive re-arms.
}

void SocketEngine::ReportClose(const CorePtr& core, SocketError code) {
    SocketCore& c = *core;
    c.eofSeen = true;
    if (c.closeError == SocketError::Success) c.closeError = code;
    if (!Selected(c, FdClose) || c.closeReported || c.owner == nullptr) return;
    c.closeReported = true;
    const unsigned gen = c.generation;
    boost::asio::post(c.loop->io, [core, gen, code] {
        if (gen != core->generation) return;
        Deliver(core, FdClose, static_cast<int>(code));
    });
}

// --- connecting ----------------------------------------------------------------------------------

SocketError SocketEngine::StartConnect(const CorePtr& core) {
    SocketCore& c = *core;
    SocketError last = c.lastConnectError == SocketError::Success ? SocketError::HostNotFound : c.lastConnectError;
    while (c.nextCandidate < c.candidates.size()) {
        SocketAddress target = c.candidates[c.nextCandidate++];
        const bool targetV6 = target.Family() == AddressFamily::IPv6;
        int needFamily = targetV6 ? AF_INET6 : AF_INET;
        if (c.family == AF_INET6 && !targetV6) {
            int v6only = 0;
            socklen_t len = sizeof v6only;
            ::getsockopt(c.fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &len);
            if (!v6only) {
                target = target.ToV4Mapped();  // a dual-stack socket reaches IPv4 peers too
                needFamily = AF_INET6;
            }
        }
        SocketError err = SocketError::Success;
        if (needFamily != c.family) {
            if (c.boundExplicitly && c.bindAddress.Family() != AddressFamily::Unspecified &&
                !(needFamily == AF_INET6 && c.bindAddress.Family() == AddressFamily::IPv4)) {
                last = c.lastConnectError = SocketError::AddressFamilyNotSupported;
                continue;
            }
            if (!ReplaceHandle(c, needFamily, err)) {
                last = c.lastConnectError = err;
                continue;
            }
        } else if (c.attemptedOnThisHandle && !ReplaceHandle(c, needFamily, err)) {
            // A socket whose connect failed is not reusable everywhere: connect again on a fresh one.
            last = c.lastConnectError = err;
            continue;
        }
        c.attemptedOnThisHandle = true;
        int rc;
        do {
            rc = ::connect(c.fd, static_cast<const sockaddr*>(target.Data()), static_cast<socklen_t>(target.Size()));
        } while (rc < 0 && errno == EINTR);
        if (rc == 0 || errno == EINPROGRESS) {
            // Connected at once or under way: either way the outcome is read when writable.
            c.state = CoreState::Connecting;
            ArmWrite(core);
            return SocketError::Success;
        }
        last = c.lastConnectError = FromErrno(errno);
    }
    c.state = CoreState::Open;
    return last;
}

void SocketEngine::FinishConnect(const CorePtr& core) {
    SocketCore& c = *core;
    // The connect's writability wait left EPOLLOUT in Asio's registration of the handle for good, and with
    // it every later re-arm of a read wait (EPOLL_CTL_MOD) wakes the loop once for nothing. Registering the
    // handle afresh (nothing else is armed while connecting) drops it: one wake-up less per message.
    boost::system::error_code ec;
    const NativeHandle fd = c.desc->Release();  // deregisters; never fails on an open descriptor
    c.desc->Assign(fd, ec);
    if (ec) {
        // Without its registration the handle is of no use: close it and keep a closed descriptor object, as
        // after a failed attempt (a later Connect replaces the handle; Retire finds nothing left to close).
        ops::Close(fd);
        c.desc.emplace(c.loop->io);
        FailConnect(core, FromBoostError(ec));
        return;
    }
    c.state = CoreState::Connected;
    c.candidates.clear();
    c.nextCandidate = 0;
    c.lastConnectError = SocketError::Success;
    if (c.tls) return TlsSession::Start(core, true);  // OnConnect comes when the handshake ends
    c.readEnabled = c.oobEnabled = true;
    c.writeWanted = true;  // FD_WRITE is recorded when the socket becomes connected
    ArmAll(core);
    Deliver(core, FdConnect, 0);
}

void SocketEngine::FailConnect(const CorePtr& core, SocketError code) {
    SocketCore& c = *core;
    c.state = CoreState::Open;
    c.candidates.clear();
    c.nextCandidate = 0;
    c.lastConnectError = SocketError::Success;
    Deliver(core, FdConnect, static_cast<int>(code));
}

void SocketEngine::StartResolve(const CorePtr& core, const std::string& host, unsigned port) {
    SocketCore& c = *core;
    if (!c.resolver) c.resolver = std::make_unique<boost::asio::ip::tcp::resolver>(c.loop->io);
    c.state = CoreState::Resolving;
    const unsigned gen = c.generation;
    // numeric_service only: no AI_ADDRCONFIG, so ::1 resolves on hosts whose only IPv6 is loopback.
    c.resolver->async_resolve(
        host, std::to_string(port), boost::asio::ip::tcp::resolver::numeric_service,
        [core, gen](const boost::system::error_code& ec, boost::asio::ip::tcp::resolver::results_type results) {
            SocketCore& r = *core;
            if (gen != r.generation || r.owner == nullptr) return;
            if (ec) {
                FailConnect(core, FromBoostError(ec));
                return;
            }
            r.candidates.clear();
            for (const auto& entry : results) {
                const auto ep = entry.endpoint();
                r.candidates.emplace_back(ep.data(), ep.size());
            }
            r.nextCandidate = 0;
            const SocketError err = StartConnect(core);
            if (err != SocketError::Success) FailConnect(core, err);
        });
}

}  // namespace portafx::detail

namespace portafx::detail {

// --- blocking calls ------------------------------------------------------------------------------

bool SocketEngine::Pump(const CorePtr& core, long events, std::chrono::steady_clock::duration timeout,
                        const std::function<void()>& onPending, SocketError& err) {
    SocketCore& c = *core;
    LoopState& loop = *c.loop;
    auto& io = loop.io;

    c.blockingOn = events;
    c.blockingSignaled = false;
    c.blockingCode = 0;
    ++loop.blockingDepth;
    std::shared_ptr<bool> timedOut;  // made only with a timeout: no allocation per blocking call otherwise
    std::optional<boost::asio::steady_timer> timer;
    if (timeout > std::chrono::steady_clock::duration::zero()) {
        timedOut = std::make_shared<bool>(false);
        timer.emplace(io, timeout);
        timer->async_wait([timedOut](const boost::system::error_code& ec) {
            if (!ec) *timedOut = true;
        });
    }
    bool stopRequested = false;
    struct Restore {
        SocketCore& c;
        LoopState& loop;
        std::optional<boost::asio::steady_timer>& timer;
        bool& stopRequested;
        ~Restore() {
            c.blockingOn = 0;
            if (timer) timer->cancel();
            if (--loop.blockingDepth == 0 && !loop.held.empty()) {
                if (IsIdleHomeLoop(loop)) {
                    loop.drainDue = true;  // posted by EnterLoop, when this thread next runs the loop
                } else {
                    PostDrain(loop);
                }
            }
            if (stopRequested) loop.io.stop();  // a Stop meant for the outer Run is not lost
        }
    } restore{c, loop, timer, stopRequested};

    RunningScope running(loop);
    // Make sure the awaited readiness is watched even if the mask does not select it.
    if (events & FdWrite) c.writeWanted = true;
    if (events & FdAccept) c.acceptEnabled = true;
    if (events & FdRead) c.readEnabled = true;
    ArmAll(core);

    for (;;) {
        if (c.blockingSignaled) return true;
        if (c.owner == nullptr) {
            err = SocketError::Interrupted;  // closed or destroyed while blocking
            return false;
        }
        if (c.cancelRequested.exchange(false)) {
            err = SocketError::Interrupted;
            return false;
        }
        if (timedOut && *timedOut) {
            err = SocketError::TimedOut;
            return false;
        }
        if (io.stopped()) {
            stopRequested = true;
            io.restart();
        }
        RunDueLooks(loop, true);  // looks queued by Receive calls made before this pump (see PostReadEdge)
        if (c.blockingSignaled) return true;
        if (io.run_one() != 0 && c.owner != nullptr && !c.blockingSignaled && onPending) onPending();
    }
}

}  // namespace portafx::detail
