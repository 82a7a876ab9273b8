// TlsSession: the TLS layer of one stream socket, on OpenSSL memory BIOs.
//
// The socket's non-blocking handle stays the only transport: ciphertext read from it is written into the
// SSL object's read BIO, and what SSL writes into its write BIO is sent on it. Readiness keeps coming from the
// engine's waits on the handle; this layer adds its own waits only while it has work of its own (the
// handshake, ciphertext the kernel did not take yet).
//
// Notifications keep their meaning:
// - during the handshake the core is in CoreState::Handshaking, where the engine arms nothing and delivers
//   nothing; the handshake ends with OnConnect (client, or any EnableTls on a connected socket) or, for a
//   socket accepted from a TLS listener, with OnSend (success) / OnClose(error) — MFC's accepted sockets never
//   get OnConnect;
// - every whole record that arrives is decrypted at once into `plain_` (Pull), so "decrypted bytes are
//   queued" is exactly `Buffered() > 0`, which AsyncSocket::UserBytesQueued counts: nothing is stranded
//   inside SSL (SSL_pending) or its read BIO, and a partial record brings no OnReceive;
// - Send accepts plaintext while the ciphertext not yet taken by the kernel stays under a limit; above it,
//   WouldBlock and OnSend once the kernel took it, as for a plain socket.
#pragma once

#include "socket_core.hpp"

#include <portafx/socket_types.hpp>
#include <portafx/tls_context.hpp>

#include <openssl/ssl.h>

#include <memory>
#include <mutex>
#include <string>

namespace portafx::detail {

/// The state behind a TlsContext: one SSL_CTX and what was configured.
struct TlsContextState {
    TlsRole role = TlsRole::Client;
    SSL_CTX* ctx = nullptr;
    bool verifyPeer = false;
    bool trustConfigured = false;  // a CA was added or the system store loaded
    bool haveCertificate = false;
    bool haveKey = false;
    std::mutex mutex;  // PrepareForUse may run on several loops' threads at once
    ~TlsContextState();

    /// The first EnableTls: a verifying client with no CA configured gets the system's trust store.
    void PrepareForUse();
};

class TlsSession {
public:
    using CorePtr = std::shared_ptr<SocketCore>;

    /// A session for `context`, not started. `peerName` (client): the name to verify, and to send as SNI.
    TlsSession(std::shared_ptr<TlsContextState> context, std::string peerName);
    ~TlsSession();
    TlsSession(const TlsSession&) = delete;
    TlsSession& operator=(const TlsSession&) = delete;

    /// A session for a socket accepted from a listener with `listener`'s settings.
    static std::shared_ptr<TlsSession> ForAccepted(const TlsSession& listener);

    /// Connect(host): the host becomes the name to verify, unless EnableTls gave one.
    void SetPeerNameIfUnset(const char* host);

    /// Starts the handshake on a connected core. `notifyConnect`: its end is reported with OnConnect.
    static void Start(const CorePtr& core, bool notifyConnect);

    /// An accepted socket: starts the server handshake if it has a session, else arms it as usual.
    static void ArmAccepted(const CorePtr& core);

    /// AsyncSocket::Send/Receive on a TLS socket (same contract; the last error is set).
    static int Send(const CorePtr& core, const ConstBuffer* buffers, std::size_t count, int flags,
                    const char* operation);
    static int Receive(const CorePtr& core, void* buf, int len, int flags, const char* operation);

    /// The handle is readable: reads what the kernel has and decrypts every whole record into the buffer.
    static void Pull(const CorePtr& core);

    /// After Pull left nothing decrypted: 0 = the peer ended the TLS stream (close_notify or end of stream),
    /// -1 with `err` = WouldBlock (only part of a record so far) or the error that ended it.
    static int PeekState(const SocketCore& core, SocketError& err) noexcept;

    /// True once the TLS stream has ended (close_notify, end of stream or an error) and every decrypted byte
    /// was received: the end is to be reported, whatever the kernel says.
    static bool EndDecrypted(const SocketCore& core) noexcept {
        return core.tls->readDone_ && core.tls->Buffered() == 0;
    }

    /// Sends close_notify and the ciphertext still held (ShutDown(Sends), Close, the destructor), waiting
    /// (bounded) for the kernel to take it: what Send accepted must not be lost with the handle.
    static void CloseNotify(const CorePtr& core);

    /// Decrypted bytes waiting for Receive.
    std::size_t Buffered() const noexcept { return plain_.size() - plainPos_; }

    /// What a failed handshake or connection reported (for Socket::Connect's error detail).
    const std::string& FailureDetail() const noexcept { return detail_; }
    SocketError Failure() const noexcept { return error_; }

    bool Established() const noexcept { return established_; }
    bool IsServer() const noexcept;

    /// What was negotiated.
    void Describe(TlsInfo& info) const;

private:
    bool MakeSsl(const SocketCore& core, SocketError& err, std::string& why);
    void Feed(const char* bytes, std::size_t n);  // ciphertext from the peer, into OpenSSL's read BIO
    static void Step(const CorePtr& core);
    static void Complete(const CorePtr& core);
    static void FailHandshake(const CorePtr& core, SocketError code, std::string why);
    /// Moves SSL's output into `out_` and writes what the kernel takes; arms a wait for the rest.
    static bool Flush(const CorePtr& core);
    static void ArmFlush(const CorePtr& core);
    /// One non-blocking read into the read BIO: >0 bytes, 0 end of stream, -1 (err: WouldBlock or failure).
    int ReadSome(const SocketCore& core, SocketError& err);
    /// Maps the OpenSSL error state after a failed call to a SocketError and words.
    SocketError Classify(int sslError, bool handshake, std::string& why) const;

    std::shared_ptr<TlsContextState> context_;
    std::string peerName_;
    std::string verifiedName_;  // client: the name or address the certificate must match
    SSL* ssl_ = nullptr;
    BIO* rbio_ = nullptr;  // owned by ssl_
    BIO* wbio_ = nullptr;  // owned by ssl_

    std::string out_;  // ciphertext the kernel has not taken yet
    std::size_t outPos_ = 0;
    std::string plain_;  // decrypted bytes not yet received
    std::size_t plainPos_ = 0;
    std::string firstBytes_;  // the first bytes the peer sent during the handshake (plain-TCP detection)

    bool notifyConnect_ = false;
    bool handshaking_ = false;
    bool established_ = false;
    bool failed_ = false;  // the handshake failed: Send/Receive report error_
    SocketError error_ = SocketError::Success;
    std::string detail_;
    bool sawEof_ = false;    // the kernel reported end of stream
    bool readDone_ = false;  // no more plaintext will come: readError_ says why (Success = graceful)
    SocketError readError_ = SocketError::Success;
    std::string readDetail_;
    SocketError writeError_ = SocketError::Success;  // the kernel refused ciphertext (reset, ...)
    bool shutSent_ = false;
    bool flushArmed_ = false;
    bool readArmed_ = false;
};

/// Socket::Connect's words for a failed connect: the TLS failure's detail if there was one.
std::string ConnectFailureDetail(const SocketCore& core, const char* fallback);

}  // namespace portafx::detail
