// AsyncSocket and Socket: turning TLS on (the layer itself is detail/tls_session.cpp).
#include <portafx/async_socket.hpp>
#include <portafx/socket.hpp>

#include "detail/loop_state.hpp"
#include "detail/socket_engine.hpp"
#include "detail/tls_session.hpp"

#include <sys/socket.h>

namespace portafx {

using detail::CoreState;

bool AsyncSocket::EnableTls(const TlsContext& context, const std::string& peerName) {
    if (!RequireHandle("EnableTls")) return false;
    const auto& state = context.State();
    if (core_->type != SOCK_STREAM) {
        return Fail(SocketError::OperationNotSupported, "EnableTls",
                    "TLS needs a stream socket (DTLS is not supported)");
    }
    if (core_->tls) return Fail(SocketError::InvalidArgument, "EnableTls", "TLS is already enabled on this socket");
    if (state->role == TlsRole::Server && !context.HasCertificate()) {
        return Fail(SocketError::TlsConfiguration, "EnableTls",
                    "a server context needs a certificate and its private key (UseCertificateChain*, UsePrivateKey*)");
    }
    if (core_->state == CoreState::Listening && state->role != TlsRole::Server) {
        return Fail(SocketError::InvalidArgument, "EnableTls", "a listening socket needs a server context");
    }
    if (core_->state == CoreState::Connected && core_->eofSeen) {
        return Fail(SocketError::NotConnected, "EnableTls", "the connection has ended");
    }
    state->PrepareForUse();
    core_->tls = std::make_shared<detail::TlsSession>(state, peerName);
    if (core_->state == CoreState::Connected) {
        // An established connection: the handshake starts now and OnConnect reports its outcome.
        detail::TlsSession::Start(core_, true);
    }
    SetLastError(0);
    return true;
}

bool AsyncSocket::IsTlsEnabled() const noexcept {
    return core_ && core_->tls;
}

bool AsyncSocket::GetTlsInfo(TlsInfo& info) const {
    if (!RequireHandle("GetTlsInfo")) return false;
    if (!core_->tls) return Fail(SocketError::InvalidArgument, "GetTlsInfo", "TLS is not enabled on this socket");
    core_->tls->Describe(info);
    SetLastError(0);
    return true;
}

bool Socket::EnableTls(const TlsContext& context, const std::string& peerName) {
    const bool connected = Core() != nullptr && Core()->state == CoreState::Connected;
    if (!AsyncSocket::EnableTls(context, peerName)) return false;
    if (!connected) return true;  // Connect / Accept do the handshake
    if (!Block(FdConnect, "EnableTls")) return false;
    const int code = detail::SocketEngine::PumpedCode(*Core());
    if (code != 0) {
        return Fail(static_cast<SocketError>(code), "EnableTls",
                    detail::ConnectFailureDetail(*Core(), "the TLS handshake failed"));
    }
    SetLastError(0);
    return true;
}

}  // namespace portafx
