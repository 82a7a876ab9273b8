// portafx — TlsContext: the certificates, keys, trust and policy a TLS connection uses (OpenSSL 3).
//
// A TlsContext is made for one role (client or server) and configured once; then any number of sockets use
// it through `AsyncSocket::EnableTls`. Copies share one configuration (a copy is a cheap handle). Changes
// made after a socket started its handshake apply to later handshakes only. docs/tls.md describes the whole
// picture: what is verified by default, the errors, and how to test against `openssl s_server/s_client`.
//
// Defaults:
// - client: the server's certificate chain is verified, and so is its host name (the name given to
//   EnableTls, else the host given to Connect, else the numeric address connected to). Trust anchors are the
//   CAs added with AddTrustedCa*/UseSystemTrustStore; with none added, the system's default trust store.
//   `SetVerifyPeer(false)` is the explicit opt-out.
// - server: no client certificate is asked for. `SetVerifyPeer(true)` asks for one, requires it and verifies
//   it against the trusted CAs (mutual TLS).
// - minimum protocol version TLS 1.2.
//
// Errors: the members returning bool return false with `AsyncSocket::GetLastError()` ==
// `SocketError::TlsConfiguration` and `GetLastErrorInfo().detail` saying what OpenSSL refused (file not found,
// not PEM, key does not match the certificate, ...).
//
// Threading: configure a context on one thread before use; once configured it may be used by sockets of any
// loop and thread at the same time.
#pragma once

#include <portafx/socket_error.hpp>

#include <memory>
#include <string>

namespace portafx {

namespace detail {
struct TlsContextState;
}

/// Which end of the TLS handshake a socket plays.
enum class TlsRole { Client, Server };

/// Protocol versions for SetMinimumVersion.
enum class TlsVersion { Tls1_2, Tls1_3 };

/// What a TLS connection negotiated, from AsyncSocket::GetTlsInfo.
struct TlsInfo {
    bool established = false;      ///< The handshake completed.
    std::string version;           ///< "TLSv1.3", "TLSv1.2".
    std::string cipher;            ///< e.g. "TLS_AES_256_GCM_SHA384".
    bool peerCertificate = false;  ///< The peer presented a certificate.
    bool peerVerified = false;     ///< ... and it was verified (chain, validity, and for clients the name).
    std::string peerSubject;       ///< The peer certificate's subject, one line ("CN=localhost").
    std::string peerIssuer;        ///< Its issuer, one line.
    std::string serverName;        ///< Client: the name verified/sent as SNI; server: the SNI the client sent.
};

/// Certificates, keys, trusted CAs and policy for TLS connections of one role.
class TlsContext {
public:
    /// A context for `role` with the defaults above. Throws std::bad_alloc if OpenSSL cannot make one.
    explicit TlsContext(TlsRole role);

    /// The role the context was made for.
    TlsRole Role() const noexcept;

    /// This end's certificate chain (leaf first, then intermediates) from a PEM file / PEM text.
    /// Required for a server; for a client it is the client certificate of mutual TLS.
    bool UseCertificateChainFile(const std::string& path);
    bool UseCertificateChain(const std::string& pem);

    /// This end's private key (unencrypted PEM) from a file / PEM text; checked against the certificate if
    /// one is loaded already (and the certificate is checked against the key if it comes second).
    bool UsePrivateKeyFile(const std::string& path);
    bool UsePrivateKey(const std::string& pem);

    /// Adds the CA certificate(s) of a PEM file / PEM text to the trust anchors used to verify the peer.
    bool AddTrustedCaFile(const std::string& path);
    bool AddTrustedCa(const std::string& pem);

    /// Adds the system's default trust store (OpenSSL's default paths, /etc/ssl/certs on Debian).
    bool UseSystemTrustStore();

    /// The oldest protocol version accepted (default TLS 1.2).
    bool SetMinimumVersion(TlsVersion version);

    /// The newest protocol version offered or accepted (default: the newest OpenSSL has, TLS 1.3).
    bool SetMaximumVersion(TlsVersion version);

    /// Client: verify the server's certificate and host name (default true; false is the explicit opt-out).
    /// Server: ask for, require and verify a client certificate (default false; true = mutual TLS).
    void SetVerifyPeer(bool on) noexcept;
    bool GetVerifyPeer() const noexcept;

    /// True once both a certificate and its private key are loaded.
    bool HasCertificate() const noexcept;

    /// Implementation state, for portafx's sockets.
    const std::shared_ptr<detail::TlsContextState>& State() const noexcept { return state_; }

private:
    std::shared_ptr<detail::TlsContextState> state_;
};

}  // namespace portafx
