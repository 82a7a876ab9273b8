// SocketCore: the per-socket state machine's data. One core per open handle; it outlives its
// AsyncSocket while Asio handlers still refer to it, so a socket may be deleted inside a notification.
#pragma once

#include <portafx/socket_address.hpp>
#include <portafx/socket_error.hpp>
#include <portafx/socket_types.hpp>

#include "reactor_handle.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <cstddef>
#include <memory>
#include <optional>
#include <vector>

namespace portafx {
class AsyncSocket;

namespace detail {
struct LoopState;

enum class CoreState {
    Open,  // created (maybe bound), not connected, not listening
    Listening,
    Resolving,   // Connect(host) waiting for the resolver
    Connecting,  // non-blocking connect under way
    Connected,   // a connected stream socket, or a datagram socket (connected or not)
    // connected, TLS handshake under way: no notifications until it ends (tls_session.cpp)
    Handshaking,
};

class TlsSession;

/// A socket option set through SetSockOpt, replayed on a replacement handle during Connect fallback.
struct RecordedOption {
    int level;
    int name;
    std::vector<unsigned char> value;
};

struct SocketCore {
    LoopState* loop = nullptr;     // null once the loop is destroyed
    AsyncSocket* owner = nullptr;  // null once closed, detached or destroyed: handlers then do nothing
    NativeHandle fd = InvalidHandle;
    std::optional<ReactorHandle> desc;  // readiness: one-shot waits, and the read watch of a connected stream
    int family = 0;
    int type = 0;
    int protocol = 0;
    long mask = 0;
    CoreState state = CoreState::Open;
    unsigned generation = 0;  // bumped whenever outstanding waits become stale

    // Winsock's per-event "re-enabled" flags (reference §1.4) and whether an Asio wait is outstanding.
    bool readEnabled = true;    // FD_READ: cleared when OnReceive is delivered, set by Receive
    bool acceptEnabled = true;  // FD_ACCEPT: cleared when OnAccept is delivered, set by Accept
    bool oobEnabled = true;     // FD_OOB: cleared when delivered, set by Receive
    bool writeWanted = false;   // FD_WRITE: set on connect/accept and after a WouldBlock send
    bool readArmed = false;     // a kernel read wait is outstanding
    // The read watch (ReactorHandle::StartWatch) of a connected stream without TLS: whether the kernel may hold
    // bytes not read yet (set by every readiness edge; cleared by a read that proved the queue empty).
    bool kernelMayHaveData = false;
    // The kernel reports with each read whether it left the queue empty (ops::EnableReadHint), so a read that
    // drains the queue proves it as well as one that would block. Tried once, at the first read of the stream.
    bool readHintTried = false;
    bool readHint = false;
    bool lookDue = false;        // queued in LoopState::dueLooks
    unsigned spuriousReads = 0;  // read wake-ups in a row that found nothing to read
    bool userPostArmed = false;  // a report of user-space bytes is posted
    bool writeArmed = false;
    bool writeKnownReady = false;  // accepted, nothing sent yet: the first OnSend is due without a wait
    bool exceptArmed = false;      // a wait for urgent data or a hang-up/error is outstanding
    bool oobInline = false;        // SO_OOBINLINE: urgent data arrives in the normal stream, no OnOutOfBandData

    bool closeWatchBlocked = false;                 // data is queued but FD_READ is off: end of stream not visible yet
    bool eofSeen = false;                           // end of stream or reset seen: the read side is finished
    SocketError closeError = SocketError::Success;  // why it finished: Receive keeps reporting it
    bool closeReported = false;                     // OnClose is one-shot
    bool exceptDead = false;  // the handle hung up: the urgent-data/error watch has nothing more to see
    bool shutSend = false;

    bool boundExplicitly = false;  // Bind with a port or an address: replayed on a replacement handle
    SocketAddress bindAddress;
    std::vector<RecordedOption> options;

    // A blocking Socket call in progress: the events it waits for (its own notifications of these are
    // consumed by the call instead of delivered), whether one came, and with which error.
    long blockingOn = 0;
    bool blockingSignaled = false;
    int blockingCode = 0;
    std::atomic<bool> cancelRequested{false};  // CancelBlockingCall, from any thread

    // Connect: the candidates of Connect(host) tried in turn.
    std::vector<SocketAddress> candidates;
    std::size_t nextCandidate = 0;
    bool attemptedOnThisHandle = false;
    SocketError lastConnectError = SocketError::Success;
    std::unique_ptr<boost::asio::ip::tcp::resolver> resolver;

    std::shared_ptr<TlsSession> tls;  // EnableTls: the TLS layer under Send/Receive (detail/tls_session.hpp)

    /// Read-ahead of a connected stream without TLS: when the handle is reported readable the engine reads
    /// what is there (instead of peeking one byte to tell data from an end or a reset), and Receive serves it
    /// from memory. These bytes behave as the kernel's queue would: they count in FIONREAD and bring
    /// OnReceive by Winsock's rules (only a Receive re-enables it), and Detach hands them to the next Attach
    /// of the handle. The buffer is allocated at the first read, so an idle connection costs nothing.
    struct ReadAhead {
        static constexpr std::size_t kCapacity = 4096;
        std::unique_ptr<char[]> bytes;
        std::size_t begin = 0;
        std::size_t end = 0;
        bool filled = false;  // the last read filled the buffer: the kernel may hold more right behind
        std::size_t Size() const noexcept { return end - begin; }
        const char* Data() const noexcept { return bytes.get() + begin; }
        void Consume(std::size_t n) noexcept {
            begin += n;
            if (begin == end) begin = end = 0, filled = false;
        }
    } readAhead;
};

}  // namespace detail
}  // namespace portafx
