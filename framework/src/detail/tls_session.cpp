// The TLS layer of a stream socket: OpenSSL over memory BIOs, pumped through the socket's non-blocking
// handle. See tls_session.hpp for how notifications keep their meaning.
#include "tls_session.hpp"

#include "loop_state.hpp"
#include "socket_engine.hpp"
#include "socket_ops.hpp"

#include <portafx/async_socket.hpp>
#include <portafx/socket_address.hpp>

#include <boost/asio/post.hpp>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

namespace portafx::detail {

namespace {

constexpr std::size_t kPlainLimit = 256 * 1024;  // decrypted bytes held before reading from the kernel stops
constexpr std::size_t kOutLimit = 64 * 1024;     // ciphertext held before Send says WouldBlock
constexpr std::size_t kSendChunk = 64 * 1024;    // plaintext one Send call encrypts at most
constexpr int kLingerMs = 2000;                  // Close/ShutDown: how long the last ciphertext may take

int Fail(SocketError code, const char* operation, std::string why) {
    AsyncSocket::SetLastError(static_cast<int>(code), operation, std::move(why));
    return SocketErrorResult;
}

// OpenSSL's error queue of this thread, as text; empties it.
std::string OpenSslErrors() {
    std::string text;
    char buf[256];
    for (unsigned long e = ERR_get_error(); e != 0; e = ERR_get_error()) {
        ERR_error_string_n(e, buf, sizeof buf);
        if (!text.empty()) text += "; ";
        text += buf;
    }
    return text;
}

// A TLS record starts with a content type (20-24) and a major version of 3.
bool LooksLikeTls(const std::string& bytes) {
    if (bytes.empty()) return true;
    const auto type = static_cast<unsigned char>(bytes[0]);
    if (type < 20 || type > 24) return false;
    return bytes.size() < 2 || static_cast<unsigned char>(bytes[1]) == 3;
}

// The first bytes, printable: "hello\n" -> hello\x0a.
std::string Printable(const std::string& bytes) {
    static const char hex[] = "0123456789abcdef";
    std::string text;
    for (std::size_t i = 0; i < bytes.size() && i < 16; ++i) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            text += static_cast<char>(c);
        } else {
            text += "\\x";
            text += hex[c >> 4];
            text += hex[c & 15];
        }
    }
    return text;
}

std::string NameLine(const X509_NAME* name) {
    if (name == nullptr) return {};
    BIO* bio = BIO_new(BIO_s_mem());
    if (bio == nullptr) return {};
    X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253);
    char* data = nullptr;
    const long len = BIO_ctrl(bio, BIO_CTRL_INFO, 0, static_cast<void*>(&data));  // BIO_get_mem_data
    std::string text(data != nullptr && len > 0 ? std::string(data, static_cast<std::size_t>(len)) : std::string());
    BIO_free(bio);
    return text;
}

}  // namespace

// --- TlsContextState ----------------------------------------------------------------------------

TlsContextState::~TlsContextState() {
    SSL_CTX_free(ctx);
}

void TlsContextState::PrepareForUse() {
    std::lock_guard<std::mutex> lock(mutex);
    if (role == TlsRole::Client && verifyPeer && !trustConfigured) {
        SSL_CTX_set_default_verify_paths(ctx);  // no CA given: the system's trust store
        ERR_clear_error();
        trustConfigured = true;
    }
}

// --- construction --------------------------------------------------------------------------------

TlsSession::TlsSession(std::shared_ptr<TlsContextState> context, std::string peerName)
    : context_(std::move(context)), peerName_(std::move(peerName)) {}

TlsSession::~TlsSession() {
    SSL_free(ssl_);  // frees both BIOs
}

std::shared_ptr<TlsSession> TlsSession::ForAccepted(const TlsSession& listener) {
    return std::make_shared<TlsSession>(listener.context_, std::string());
}

void TlsSession::SetPeerNameIfUnset(const char* host) {
    if (peerName_.empty() && host != nullptr) peerName_ = host;
}

bool TlsSession::IsServer() const noexcept {
    return context_->role == TlsRole::Server;
}

bool TlsSession::MakeSsl(const SocketCore& core, SocketError& err, std::string& why) {
    ERR_clear_error();
    ssl_ = SSL_new(context_->ctx);
    rbio_ = BIO_new(BIO_s_mem());
    wbio_ = BIO_new(BIO_s_mem());
    if (ssl_ == nullptr || rbio_ == nullptr || wbio_ == nullptr) {
        if (ssl_ == nullptr) {
            BIO_free(rbio_);
            BIO_free(wbio_);
        } else {
            if (rbio_ != nullptr) BIO_free(rbio_);
            if (wbio_ != nullptr) BIO_free(wbio_);
        }
        rbio_ = wbio_ = nullptr;
        err = SocketError::NoBufferSpace;
        why = "OpenSSL cannot make a TLS session: " + OpenSslErrors();
        return false;
    }
    BIO_set_mem_eof_return(rbio_, -1);  // empty means "more to come" until the kernel reports the end
    SSL_set_bio(ssl_, rbio_, wbio_);
    if (IsServer()) {
        SSL_set_accept_state(ssl_);
        return true;
    }
    SSL_set_connect_state(ssl_);
    std::string name = peerName_;
    SocketAddress numeric;
    if (name.empty()) {
        // Connected by address: the address itself is what the certificate must name.
        SocketAddress peer;
        SocketError ignored;
        if (ops::PeerAddress(core.fd, peer, ignored)) name = peer.Address();
    }
    const bool isNumeric = !name.empty() && SocketAddress::Parse(name.c_str(), 0, numeric);
    if (!name.empty() && !isNumeric) {  // SNI (SSL_set_tlsext_host_name, without its C cast)
        SSL_ctrl(ssl_, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, const_cast<char*>(name.c_str()));
    }
    if (context_->verifyPeer) {
        if (name.empty()) {
            err = SocketError::TlsConfiguration;
            why = "no host name or address to verify the server's certificate against";
            return false;
        }
        int ok;
        if (isNumeric) {
            ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), numeric.Address().c_str());
        } else {
            SSL_set_hostflags(ssl_, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
            ok = SSL_set1_host(ssl_, name.c_str());
        }
        if (ok != 1) {
            err = SocketError::TlsConfiguration;
            why = "cannot verify against '" + name + "': " + OpenSslErrors();
            return false;
        }
    }
    verifiedName_ = name;
    return true;
}

// --- handshake -----------------------------------------------------------------------------------

void TlsSession::Start(const CorePtr& core, bool notifyConnect) {
    SocketCore& c = *core;
    TlsSession& s = *c.tls;
    c.state = CoreState::Handshaking;  // the engine now arms and delivers nothing until Complete/FailHandshake
    if (c.desc) c.desc->StopWatch();   // TLS reads with one-shot waits of its own
    s.notifyConnect_ = notifyConnect;
    s.handshaking_ = true;
    // From the loop, never inside the caller (Accept, EnableTls, a connect handler): the outcome is a
    // notification.
    const unsigned gen = c.generation;
    boost::asio::post(c.loop->io, [core, gen] {
        if (gen != core->generation || core->owner == nullptr || !core->tls) return;
        TlsSession& t = *core->tls;
        SocketError err = SocketError::Success;
        std::string why;
        if (t.ssl_ == nullptr && !t.MakeSsl(*core, err, why)) {
            FailHandshake(core, err, why);
            return;
        }
        // EnableTls on a connection whose first TLS bytes the engine already read ahead: they come first.
        SocketCore::ReadAhead& ahead = core->readAhead;
        if (ahead.Size() > 0) {
            t.Feed(ahead.Data(), ahead.Size());
            ahead.Consume(ahead.Size());
        }
        Step(core);
    });
}

void TlsSession::ArmAccepted(const CorePtr& core) {
    if (core->tls) {
        Start(core, false);
    } else {
        SocketEngine::ArmAll(core);
    }
}

void TlsSession::Step(const CorePtr& core) {
    SocketCore& c = *core;
    TlsSession& s = *c.tls;
    for (;;) {
        ERR_clear_error();
        const int r = SSL_do_handshake(s.ssl_);
        const int e = r == 1 ? SSL_ERROR_NONE : SSL_get_error(s.ssl_, r);
        SocketError code = SocketError::Success;
        std::string why;
        if (r != 1 && e != SSL_ERROR_WANT_READ) code = s.Classify(e, true, why);
        // Send what SSL produced: the next flight, or the alert that tells the peer why it failed.
        if (!Flush(core) && code == SocketError::Success) {
            code = s.writeError_;
            why = "the connection failed during the TLS handshake";
        }
        if (code != SocketError::Success) {
            FailHandshake(core, code, why);
            return;
        }
        if (r == 1) {
            Complete(core);
            return;
        }
        SocketError readError = SocketError::Success;
        const int n = s.ReadSome(c, readError);
        if (n > 0) continue;
        if (n == 0) {
            if (!LooksLikeTls(s.firstBytes_)) {
                FailHandshake(core, SocketError::TlsNotTls,
                              "the peer does not speak TLS: it sent '" + Printable(s.firstBytes_) +
                                  "' and closed the connection");
            } else {
                FailHandshake(core, SocketError::TlsHandshakeFailed,
                              "the peer closed the connection during the TLS handshake");
            }
            return;
        }
        if (readError != SocketError::WouldBlock) {
            FailHandshake(core, readError, "the connection failed during the TLS handshake");
            return;
        }
        if (!s.readArmed_ && c.desc) {
            s.readArmed_ = true;
            const unsigned gen = c.generation;
            c.desc->AsyncWait(ReactorHandle::WaitRead, [core, gen](const boost::system::error_code&) {
                if (gen != core->generation || core->owner == nullptr || !core->tls) return;
                core->tls->readArmed_ = false;
                if (core->state == CoreState::Handshaking) Step(core);
            });
        }
        return;
    }
}

void TlsSession::Complete(const CorePtr& core) {
    SocketCore& c = *core;
    TlsSession& s = *c.tls;
    s.handshaking_ = false;
    s.established_ = true;
    s.firstBytes_.clear();
    c.state = CoreState::Connected;
    c.readEnabled = c.oobEnabled = true;
    c.writeWanted = true;  // OnSend once, as after a plain connect or accept
    Pull(core);            // application data that came with the last flight
    SocketEngine::ArmAll(core);
    if (s.notifyConnect_) SocketEngine::Deliver(core, FdConnect, 0);
}

void TlsSession::FailHandshake(const CorePtr& core, SocketError code, std::string why) {
    SocketCore& c = *core;
    TlsSession& s = *c.tls;
    s.handshaking_ = false;
    s.failed_ = true;
    s.error_ = code;
    s.detail_ = std::move(why);
    // The connection is finished: Send and Receive report the error from now on.
    c.state = CoreState::Connected;
    c.eofSeen = true;
    c.closeError = code;
    if (s.notifyConnect_) {
        c.closeReported = true;  // OnConnect(error) is the one report, as for a failed connect
        AsyncSocket::SetLastError(static_cast<int>(code), "Connect", s.detail_);
        SocketEngine::Deliver(core, FdConnect, static_cast<int>(code));
        return;
    }
    // An accepted socket: OnClose(error), or OnReceive if only that is selected, so Receive can tell.
    if ((c.mask | c.blockingOn) & FdClose) {
        SocketEngine::ReportClose(core, code);
    } else if ((c.mask | c.blockingOn) & FdRead) {
        const unsigned gen = c.generation;
        boost::asio::post(c.loop->io, [core, gen] {
            if (gen != core->generation) return;
            SocketEngine::Deliver(core, FdRead, 0);
        });
    }
}

// --- transport -----------------------------------------------------------------------------------

void TlsSession::Feed(const char* bytes, std::size_t n) {
    if (handshaking_ && firstBytes_.size() < 16)
        firstBytes_.append(bytes, std::min<std::size_t>(n, 16 - firstBytes_.size()));
    BIO_write(rbio_, bytes, static_cast<int>(n));
}

int TlsSession::ReadSome(const SocketCore& core, SocketError& err) {
    char buf[16 * 1024];
    ssize_t n;
    do {
        n = ::recv(core.fd, buf, sizeof buf, 0);
    } while (n < 0 && errno == EINTR);
    if (n > 0) {
        Feed(buf, static_cast<std::size_t>(n));
        return static_cast<int>(n);
    }
    if (n == 0) {
        sawEof_ = true;
        BIO_set_mem_eof_return(rbio_, 0);  // SSL now sees the end of the stream
        return 0;
    }
    err = FromErrno(errno);
    return -1;
}

namespace {
// Moves SSL's output into the session's buffer and writes what the kernel takes. False on a send failure.
bool FlushCore(SocketCore& c, BIO* wbio, std::string& out, std::size_t& outPos, SocketError& writeError) {
    char buf[16 * 1024];
    for (int n = BIO_read(wbio, buf, sizeof buf); n > 0; n = BIO_read(wbio, buf, sizeof buf)) {
        out.append(buf, static_cast<std::size_t>(n));
    }
    if (writeError != SocketError::Success || c.fd == InvalidHandle) {
        out.clear();
        outPos = 0;
        return writeError == SocketError::Success;
    }
    while (outPos < out.size()) {
        int flags = 0;
#ifdef MSG_NOSIGNAL
        flags |= MSG_NOSIGNAL;
#endif
        const ssize_t w = ::send(c.fd, out.data() + outPos, out.size() - outPos, flags);
        if (w > 0) {
            outPos += static_cast<std::size_t>(w);
            continue;
        }
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        writeError = FromErrno(w < 0 ? errno : EPIPE);
        out.clear();
        outPos = 0;
        return false;
    }
    if (outPos == out.size()) {
        out.clear();
        outPos = 0;
    }
    return true;
}
}  // namespace

bool TlsSession::Flush(const CorePtr& core) {
    SocketCore& c = *core;
    TlsSession& s = *c.tls;
    if (s.ssl_ == nullptr) return true;
    const bool ok = FlushCore(c, s.wbio_, s.out_, s.outPos_, s.writeError_);
    if (ok && !s.out_.empty()) ArmFlush(core);
    return ok;
}

void TlsSession::ArmFlush(const CorePtr& core) {
    SocketCore& c = *core;
    TlsSession& s = *c.tls;
    if (s.flushArmed_ || !c.desc || c.owner == nullptr) return;
    s.flushArmed_ = true;
    const unsigned gen = c.generation;
    c.desc->AsyncWait(ReactorHandle::WaitWrite, [core, gen](const boost::system::error_code&) {
        if (gen != core->generation || core->owner == nullptr || !core->tls) return;
        core->tls->flushArmed_ = false;
        Flush(core);
    });
}

// --- data ----------------------------------------------------------------------------------------

void TlsSession::Pull(const CorePtr& core) {
    SocketCore& c = *core;
    TlsSession& s = *c.tls;
    if (!s.established_ || s.failed_ || s.readDone_) return;
    if (s.plainPos_ > 0 && s.plainPos_ * 2 >= s.plain_.size()) {
        s.plain_.erase(0, s.plainPos_);
        s.plainPos_ = 0;
    }
    char buf[16 * 1024];
    while (s.Buffered() < kPlainLimit) {
        ERR_clear_error();
        const int n = SSL_read(s.ssl_, buf, sizeof buf);
        if (n > 0) {
            s.plain_.append(buf, static_cast<std::size_t>(n));
            continue;
        }
        const int e = SSL_get_error(s.ssl_, n);
        if (e == SSL_ERROR_WANT_READ) {
            if (s.sawEof_) {  // cannot happen with the EOF return set; never spin on it
                s.readDone_ = true;
                break;
            }
            SocketError err = SocketError::Success;
            const int got = s.ReadSome(c, err);
            if (got >= 0) continue;  // more ciphertext, or the end (SSL_read reports it next)
            if (err == SocketError::WouldBlock) break;
            s.readDone_ = true;
            s.readError_ = err;
            s.readDetail_ = "the connection failed";
            break;
        }
        s.readDone_ = true;
        if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && s.sawEof_ && ERR_peek_error() == 0)) {
            s.readError_ = SocketError::Success;  // close_notify, or the end of the stream
        } else {
            s.readError_ = s.Classify(e, false, s.readDetail_);
        }
        break;
    }
    Flush(core);  // SSL_read may answer (a key update, an alert)
}

int TlsSession::PeekState(const SocketCore& core, SocketError& err) noexcept {
    const TlsSession& s = *core.tls;
    if (s.failed_) {
        err = s.error_;
        return -1;
    }
    if (!s.readDone_) {
        err = SocketError::WouldBlock;
        return -1;
    }
    if (s.readError_ == SocketError::Success) return 0;
    err = s.readError_;
    return -1;
}

int TlsSession::Receive(const CorePtr& core, void* buf, int len, int flags, const char* operation) {
    SocketCore& c = *core;
    TlsSession& s = *c.tls;
    if (flags & MsgOob) {
        return Fail(SocketError::OperationNotSupported, operation, "a TLS connection has no urgent data");
    }
    if (s.failed_) return Fail(s.error_, operation, s.detail_);
    if (!s.established_) return Fail(SocketError::WouldBlock, operation, "the TLS handshake is not finished yet");
    if (s.Buffered() == 0) Pull(core);
    if (s.Buffered() > 0 && len > 0) {
        const std::size_t n = std::min(s.Buffered(), static_cast<std::size_t>(len));
        std::memcpy(buf, s.plain_.data() + s.plainPos_, n);
        if (!(flags & MsgPeek)) s.plainPos_ += n;
        if (s.plainPos_ == s.plain_.size()) {
            s.plain_.clear();
            s.plainPos_ = 0;
        }
        AsyncSocket::SetLastError(0);
        return static_cast<int>(n);
    }
    if (len == 0) {
        AsyncSocket::SetLastError(0);
        return 0;
    }
    if (s.readDone_) {
        SocketError code = s.readError_;
        std::string why = s.readDetail_;
        if (code == SocketError::Success && c.closeError != SocketError::Success) {
            code = c.closeError;  // a reset seen by the engine's error watch
            why = "the connection was reset";
        }
        if (code == SocketError::Success) {
            if (!(flags & MsgPeek)) SocketEngine::ReportClose(core, SocketError::Success);
            AsyncSocket::SetLastError(0);
            return 0;
        }
        const SocketError closing = SocketEngine::ClosingError(code);
        SocketEngine::ReportClose(core, closing != SocketError::Success ? closing : code);
        return Fail(code, operation, why);
    }
    return Fail(SocketError::WouldBlock, operation, "no decrypted data is queued");
}

int TlsSession::Send(const CorePtr& core, const ConstBuffer* buffers, std::size_t count, int flags,
                     const char* operation) {
    SocketCore& c = *core;
    TlsSession& s = *c.tls;
    if (flags & MsgOob) {
        return Fail(SocketError::OperationNotSupported, operation, "urgent data cannot be sent over TLS");
    }
    std::size_t total = 0;
    for (std::size_t i = 0; i < count; ++i) {
        if (buffers[i].data == nullptr && buffers[i].size != 0) {
            return Fail(SocketError::Fault, operation, "buffer " + std::to_string(i) + " is null");
        }
        total += buffers[i].size;
    }
    if (s.failed_) return Fail(s.error_, operation, s.detail_);
    if (s.shutSent_ || c.shutSend) {
        return Fail(SocketError::Shutdown, operation, "sending was shut down (TLS close_notify sent)");
    }
    if (!s.established_) {
        c.writeWanted = true;  // the end of the handshake brings OnSend
        return Fail(SocketError::WouldBlock, operation, "the TLS handshake is not finished; OnSend tells when to send");
    }
    if (!Flush(core)) return Fail(s.writeError_, operation, "the connection failed");
    if (s.out_.size() - s.outPos_ >= kOutLimit) {
        c.writeWanted = true;  // the only thing that brings another OnSend
        SocketEngine::ArmWrite(core);
        return Fail(SocketError::WouldBlock, operation, "the send buffer is full; OnSend tells when to retry");
    }
    std::size_t accepted = 0;
    for (std::size_t i = 0; i < count && accepted < kSendChunk && accepted < total; ++i) {
        const char* data = static_cast<const char*>(buffers[i].data);
        std::size_t left = buffers[i].size;
        while (left > 0 && accepted < kSendChunk) {
            const std::size_t chunk = std::min(left, kSendChunk - accepted);
            ERR_clear_error();
            const int n = SSL_write(s.ssl_, data, static_cast<int>(chunk));
            if (n <= 0) {
                std::string why;
                const SocketError code = s.Classify(SSL_get_error(s.ssl_, n), false, why);
                Flush(core);
                if (accepted > 0) break;
                return Fail(code, operation, why);
            }
            accepted += static_cast<std::size_t>(n);
            data += n;
            left -= static_cast<std::size_t>(n);
        }
    }
    Flush(core);  // a failure shows in the next call, as a plain socket's would
    AsyncSocket::SetLastError(0);
    return static_cast<int>(accepted);
}

void TlsSession::CloseNotify(const CorePtr& core) {
    SocketCore& c = *core;
    if (!c.tls || c.fd == InvalidHandle) return;
    TlsSession& s = *c.tls;
    if (s.ssl_ == nullptr || !s.established_ || s.failed_) return;
    if (!s.shutSent_) {
        ERR_clear_error();
        SSL_shutdown(s.ssl_);  // queues close_notify; the peer's is not awaited
        ERR_clear_error();
        s.shutSent_ = true;
    }
    // What Send accepted must reach the kernel before the handle goes: wait for room, within a bound.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kLingerMs);
    while (FlushCore(c, s.wbio_, s.out_, s.outPos_, s.writeError_) && !s.out_.empty()) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        pollfd p{c.fd, POLLOUT, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0 && errno != EINTR) break;
    }
}

// --- errors and information ----------------------------------------------------------------------

SocketError TlsSession::Classify(int sslError, bool handshake, std::string& why) const {
    const unsigned long e = ERR_peek_last_error();
    const std::string queue = OpenSslErrors();
    const int reason = e != 0 ? ERR_GET_REASON(e) : 0;
    const bool sslLib = e != 0 && ERR_GET_LIB(e) == ERR_LIB_SSL;
    const SocketError general = handshake ? SocketError::TlsHandshakeFailed : SocketError::TlsProtocolError;
    if (handshake && !LooksLikeTls(firstBytes_)) {
        why = "the peer does not speak TLS: it sent '" + Printable(firstBytes_) + "', not a TLS record";
        return SocketError::TlsNotTls;
    }
    if (sslError == SSL_ERROR_SSL && sslLib && reason == SSL_R_CERTIFICATE_VERIFY_FAILED) {
        const long v = SSL_get_verify_result(ssl_);
        const std::string verify =
            std::string(X509_verify_cert_error_string(v)) + " (X509 verify error " + std::to_string(v) + ")";
        const char* whose = IsServer() ? "the client's certificate" : "the server's certificate";
        switch (v) {
        case X509_V_ERR_CERT_HAS_EXPIRED:
        case X509_V_ERR_CERT_NOT_YET_VALID:
            why = std::string(whose) + " is not valid now: " + verify;
            return SocketError::TlsCertificateExpired;
        case X509_V_ERR_HOSTNAME_MISMATCH:
        case X509_V_ERR_IP_ADDRESS_MISMATCH:
            why = std::string(whose) + " is not for '" + verifiedName_ + "': " + verify;
            return SocketError::TlsHostNameMismatch;
        default: why = std::string(whose) + " is not trusted: " + verify; return SocketError::TlsCertificateUntrusted;
        }
    }
    if (sslLib && reason == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE) {
        why = "the client presented no certificate, and this server requires one";
        return SocketError::TlsCertificateRequired;
    }
    if (sslLib && reason == SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED) {
        why = "the server requires a client certificate (TLS alert: certificate required)";
        return SocketError::TlsCertificateRequired;
    }
    if (sslLib && reason >= SSL_AD_REASON_OFFSET) {
        const char* text = ERR_reason_error_string(e);
        why = std::string("the peer sent a TLS alert: ") + (text != nullptr ? text : std::to_string(reason));
        return general;
    }
    if (sslError == SSL_ERROR_SYSCALL && queue.empty()) {
        why = handshake ? "the connection ended during the TLS handshake" : "the connection ended without close_notify";
        return general;
    }
    why = std::string(handshake ? "TLS handshake failed: " : "TLS error: ") +
          (queue.empty() ? "SSL error " + std::to_string(sslError) : queue);
    return general;
}

void TlsSession::Describe(TlsInfo& info) const {
    info = TlsInfo{};
    info.established = established_;
    if (ssl_ == nullptr) return;
    info.version = SSL_get_version(ssl_);
    if (const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl_)) info.cipher = SSL_CIPHER_get_name(cipher);
    if (X509* peer = SSL_get1_peer_certificate(ssl_)) {
        info.peerCertificate = true;
        info.peerSubject = NameLine(X509_get_subject_name(peer));
        info.peerIssuer = NameLine(X509_get_issuer_name(peer));
        info.peerVerified = context_->verifyPeer && SSL_get_verify_result(ssl_) == X509_V_OK;
        X509_free(peer);
    }
    if (IsServer()) {
        const char* sni = SSL_get_servername(ssl_, TLSEXT_NAMETYPE_host_name);
        info.serverName = sni != nullptr ? sni : "";
    } else {
        info.serverName = verifiedName_;
    }
}

std::string ConnectFailureDetail(const SocketCore& core, const char* fallback) {
    if (core.tls && core.tls->Failure() != SocketError::Success) return core.tls->FailureDetail();
    return fallback;
}

}  // namespace portafx::detail
