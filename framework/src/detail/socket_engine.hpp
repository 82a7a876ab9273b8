// SocketEngine: the per-socket state machine between AsyncSocket (the MFC-shaped class) and Asio.
//
// It owns Winsock's re-enabling rules: which readiness waits are armed, when a notification is
// delivered, and what re-arms it. Readiness is "bytes available to the user" — the kernel's queue or
// bytes a layer above holds in user space (AsyncSocket::UserBytesQueued) — so read-ahead and TLS are
// additions, not rewrites.
//
// The rule for every handler: update the state and arm what must be armed first, deliver the
// notification last. Nothing touches the AsyncSocket after its notification returns, so the object
// may be deleted inside it, and an exception from it leaves a consistent state.
#pragma once

#include "socket_core.hpp"

#include <boost/system/error_code.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace portafx::detail {

struct LoopState;

class SocketEngine {
public:
    using CorePtr = std::shared_ptr<SocketCore>;

    // --- lifetime -------------------------------------------------------------------------------

    /// Makes a core for `fd` owned by `socket` and registers the handle with the socket's loop (and, if
    /// `registerHandle`, its handle map — which only that loop's thread may touch).
    static CorePtr Install(AsyncSocket& socket, NativeHandle fd, int family, int type, int protocol, SocketError& err,
                           bool registerHandle = true);

    /// Ends the core's life as a live socket: no more notifications, waits cancelled, removed from the
    /// handle map; the handle is closed (`closeHandle`) or released to the caller.
    static void Retire(SocketCore& core, bool closeHandle) noexcept;

    /// Swaps the core's handle for a new socket of `family` (Connect fallback): options and an explicit
    /// bind are replayed; the old handle is closed and its waits made stale.
    static bool ReplaceHandle(SocketCore& core, int family, SocketError& err);

    /// Registers / unregisters a socket object with its loop (so a dying loop can detach it).
    static void Register(LoopState& loop, AsyncSocket& socket);
    static void Unregister(LoopState& loop, AsyncSocket& socket) noexcept;

    /// ~EventLoop: closes every socket of the loop and cuts them loose from it.
    static void DetachAll(LoopState& loop) noexcept;

    // --- arming ---------------------------------------------------------------------------------

    /// Arms every wait the current state and mask call for (used after AsyncSelect, Attach, Accept).
    static void ArmAll(const CorePtr& core);
    static void ArmRead(const CorePtr& core);
    static void ArmWrite(const CorePtr& core);
    static void ArmExcept(const CorePtr& core);

    /// The error OnClose reports for a failure `e` of a connected socket (ConnectionReset or
    /// ConnectionAborted), or Success if `e` does not end the connection (a bad argument, WouldBlock).
    static SocketError ClosingError(SocketError e) noexcept;

    /// Reports end of stream or a reset seen by a Receive call: OnClose once, delivered from the loop.
    static void ReportClose(const CorePtr& core, SocketError code);

    // --- read-ahead (SocketCore::ReadAhead) ------------------------------------------------------------

    /// Records a read of a connected stream that proved the kernel's queue empty (`queueEmpty`: it would block,
    /// or the kernel reported it drained): SocketCore::kernelMayHaveData is cleared until the watch reports
    /// the next readiness edge.
    static void NoteRead(SocketCore& core, bool queueEmpty) noexcept;

    /// Before a read of a connected stream: whether the kernel can report with it what it left queued (asks
    /// once per handle, where the read watch is there to use the report).
    static bool ReadHint(SocketCore& core) noexcept;

    /// Whether a read of the stream now would certainly find nothing: the read watch runs, the last read proved
    /// the kernel's queue empty and no edge came since, nothing is read ahead and the stream has not ended. A
    /// blocking Receive then waits for the edge at once instead of making a read that would block.
    static bool QueueKnownEmpty(const SocketCore& core) noexcept;

    /// Reads what the kernel holds into the core's read-ahead buffer, unless it holds bytes already: 1 if
    /// bytes are there, 0 at the end of the stream, -1 on an error (`err`; WouldBlock when nothing came).
    static int FillReadAhead(SocketCore& core, SocketError& err) noexcept;

    /// Detach: keeps the core's read-ahead bytes for the next Attach of its handle (any loop, any thread).
    static void HandOff(SocketCore& core);

    /// The bytes a Detach left for `fd`, removed from the hand-off table (empty if none). Install drops what a
    /// new handle with a reused number would otherwise inherit; Attach takes them first.
    static std::vector<char> TakeHandOff(NativeHandle fd);

    /// Puts bytes taken by TakeHandOff back (an Attach that failed).
    static void RestoreHandOff(NativeHandle fd, std::vector<char> bytes);

    // --- connecting -----------------------------------------------------------------------------

    /// Tries the remaining candidates in turn. Success = an attempt is under way (OnConnect will tell);
    /// otherwise the error of the last candidate, with no attempt left.
    static SocketError StartConnect(const CorePtr& core);

    /// Resolves `host` without blocking the loop, then StartConnect; failures arrive in OnConnect.
    static void StartResolve(const CorePtr& core, const std::string& host, unsigned port);

    // --- blocking calls (Socket) -------------------------------------------------------------------

    /// Pumps the socket's loop until one of `events` comes for this socket (true), or the call is
    /// cancelled (`Interrupted`), times out (`TimedOut`, when `timeout` is non-zero) or the socket is closed
    /// or destroyed meanwhile (`Interrupted`): false with `err`. Other notifications are held back and
    /// delivered in order once the outermost blocking call returns. `onPending` runs after each handler
    /// the pump ran, while the socket still exists (Socket::OnMessagePending).
    static bool Pump(const CorePtr& core, long events, std::chrono::steady_clock::duration timeout,
                     const std::function<void()>& onPending, SocketError& err);

    /// The event a blocking call got: the `nErrorCode` that came with it.
    static int PumpedCode(const SocketCore& core) noexcept { return core.blockingCode; }

private:
    friend class TlsSession;  // the TLS layer ends its handshake with the engine's notifications
    static void OnReadReady(const CorePtr& core, unsigned generation, const boost::system::error_code& ec,
                            bool fromUserBytes);
    static void OnWriteReady(const CorePtr& core, unsigned generation, const boost::system::error_code& ec);
    static void StartReadWatch(const CorePtr& core);
    static void LookAtBytes(const CorePtr& core, unsigned generation);

public:
    /// Runs (`synchronous`, from a blocking call's pump) or posts the looks queued in LoopState::dueLooks.
    static void RunDueLooks(LoopState& loop, bool synchronous);
    /// The loop is entered by Run*/Poll on its thread: posts what waited for that (the drain of notifications
    /// held by blocking calls that ended meanwhile, LoopState::drainDue) and the due looks.
    static void EnterLoop(LoopState& loop);

private:
    static void PostReadEdge(const CorePtr& core);
    static void OnExceptReady(const CorePtr& core, unsigned generation, const boost::system::error_code& ec);
    static void FinishConnect(const CorePtr& core);
    static void FailConnect(const CorePtr& core, SocketError code);

    /// Delivers notification `event` to the owner, if it still has one and selected it; consumed by a
    /// blocking call waiting for it; held back while a blocking call pumps the loop.
    /// Returns true if the notification was called (not consumed, dropped or held back).
    static bool Deliver(const CorePtr& core, long event, int code);

    /// After an OnReceive was delivered: if user-space bytes are still held, OnReceive comes again.
    static void AfterReceive(const CorePtr& core);

    /// Calls the owner's notification for `event`.
    static void Notify(AsyncSocket& owner, long event, int code);

    /// Delivers the held-back notifications, one per loop turn, in order.
    static void DrainHeld(LoopState& loop);
    static void PostDrain(LoopState& loop);
};

/// Maps an Asio/Boost error code (system, netdb, addrinfo categories) to a SocketError.
SocketError FromBoostError(const boost::system::error_code& ec) noexcept;

}  // namespace portafx::detail
