// TlsContext: one SSL_CTX per role, configured from PEM files or memory.
#include <portafx/async_socket.hpp>
#include <portafx/tls_context.hpp>

#include "detail/tls_session.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <new>

namespace portafx {

namespace {

std::string OpenSslErrors() {
    std::string text;
    char buf[256];
    for (unsigned long e = ERR_get_error(); e != 0; e = ERR_get_error()) {
        ERR_error_string_n(e, buf, sizeof buf);
        if (!text.empty()) text += "; ";
        text += buf;
    }
    return text.empty() ? std::string("no reason given") : text;
}

bool Fail(const char* operation, const std::string& what) {
    AsyncSocket::SetLastError(static_cast<int>(SocketError::TlsConfiguration), operation,
                              what + ": " + OpenSslErrors());
    return false;
}

// OpenSSL checks a key against the loaded certificate itself: say so plainly when that is why it failed.
bool KeyMismatch() {
    const unsigned long e = ERR_peek_last_error();
    return ERR_GET_LIB(e) == ERR_LIB_X509 && ERR_GET_REASON(e) == X509_R_KEY_VALUES_MISMATCH;
}

// Never prompt on the terminal for a pass phrase: an encrypted key is refused instead.
int NoPassword(char*, int, int, void*) {
    return 0;
}

struct BioFree {
    void operator()(BIO* b) const noexcept { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

BioPtr MemoryBio(const std::string& pem) {
    return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

// PEM_read_bio_* ends a sequence with a "no start line" error: not a failure.
void ClearEndOfPem() {
    const unsigned long e = ERR_peek_last_error();
    if (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE) ERR_clear_error();
}

}  // namespace

TlsContext::TlsContext(TlsRole role) : state_(std::make_shared<detail::TlsContextState>()) {
    state_->role = role;
    state_->ctx = SSL_CTX_new(role == TlsRole::Client ? TLS_client_method() : TLS_server_method());
    if (state_->ctx == nullptr) throw std::bad_alloc();
    SSL_CTX* ctx = state_->ctx;
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    // A peer that closes without close_notify ends the stream as a TCP close would (docs/tls.md).
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_RENEGOTIATION);
    SSL_CTX_set_default_passwd_cb(ctx, NoPassword);
    if (role == TlsRole::Server) {
        // No session tickets: nothing is resumed, and a client that only sends never has unread bytes.
        SSL_CTX_set_num_tickets(ctx, 0);
        SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    }
    SetVerifyPeer(role == TlsRole::Client);
}

TlsRole TlsContext::Role() const noexcept {
    return state_->role;
}

bool TlsContext::UseCertificateChainFile(const std::string& path) {
    ERR_clear_error();
    if (SSL_CTX_use_certificate_chain_file(state_->ctx, path.c_str()) != 1) {
        return Fail("UseCertificateChainFile", "cannot load a PEM certificate chain from '" + path + "'");
    }
    state_->haveCertificate = true;
    if (state_->haveKey && SSL_CTX_check_private_key(state_->ctx) != 1) {
        state_->haveCertificate = false;
        return Fail("UseCertificateChainFile", "the certificate of '" + path + "' does not match the private key");
    }
    AsyncSocket::SetLastError(0);
    return true;
}

bool TlsContext::UseCertificateChain(const std::string& pem) {
    ERR_clear_error();
    BioPtr bio = MemoryBio(pem);
    X509* leaf = bio ? PEM_read_bio_X509_AUX(bio.get(), nullptr, NoPassword, nullptr) : nullptr;
    if (leaf == nullptr) return Fail("UseCertificateChain", "no PEM certificate in the text");
    const int ok = SSL_CTX_use_certificate(state_->ctx, leaf);
    X509_free(leaf);
    if (ok != 1) return Fail("UseCertificateChain", "the certificate was refused");
    SSL_CTX_clear_chain_certs(state_->ctx);
    while (X509* extra = PEM_read_bio_X509(bio.get(), nullptr, NoPassword, nullptr)) {
        if (SSL_CTX_ctrl(state_->ctx, SSL_CTRL_CHAIN_CERT, 0, extra) != 1) {  // SSL_CTX_add0_chain_cert
            X509_free(extra);
            return Fail("UseCertificateChain", "an intermediate certificate was refused");
        }
    }
    ClearEndOfPem();
    state_->haveCertificate = true;
    if (state_->haveKey && SSL_CTX_check_private_key(state_->ctx) != 1) {
        state_->haveCertificate = false;
        return Fail("UseCertificateChain", "the certificate does not match the private key");
    }
    AsyncSocket::SetLastError(0);
    return true;
}

bool TlsContext::UsePrivateKeyFile(const std::string& path) {
    ERR_clear_error();
    if (SSL_CTX_use_PrivateKey_file(state_->ctx, path.c_str(), SSL_FILETYPE_PEM) != 1) {
        if (KeyMismatch()) {
            return Fail("UsePrivateKeyFile", "the private key of '" + path + "' does not match the certificate");
        }
        return Fail("UsePrivateKeyFile", "cannot load an unencrypted PEM private key from '" + path + "'");
    }
    if (state_->haveCertificate && SSL_CTX_check_private_key(state_->ctx) != 1) {
        return Fail("UsePrivateKeyFile", "the private key of '" + path + "' does not match the certificate");
    }
    state_->haveKey = true;
    AsyncSocket::SetLastError(0);
    return true;
}

bool TlsContext::UsePrivateKey(const std::string& pem) {
    ERR_clear_error();
    BioPtr bio = MemoryBio(pem);
    EVP_PKEY* key = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassword, nullptr) : nullptr;
    if (key == nullptr) return Fail("UsePrivateKey", "no unencrypted PEM private key in the text");
    const int ok = SSL_CTX_use_PrivateKey(state_->ctx, key);
    EVP_PKEY_free(key);
    if (ok != 1) {
        return Fail("UsePrivateKey",
                    KeyMismatch() ? "the private key does not match the certificate" : "the private key was refused");
    }
    if (state_->haveCertificate && SSL_CTX_check_private_key(state_->ctx) != 1) {
        return Fail("UsePrivateKey", "the private key does not match the certificate");
    }
    state_->haveKey = true;
    AsyncSocket::SetLastError(0);
    return true;
}

bool TlsContext::AddTrustedCaFile(const std::string& path) {
    ERR_clear_error();
    if (SSL_CTX_load_verify_locations(state_->ctx, path.c_str(), nullptr) != 1) {
        return Fail("AddTrustedCaFile", "cannot load PEM CA certificates from '" + path + "'");
    }
    state_->trustConfigured = true;
    AsyncSocket::SetLastError(0);
    return true;
}

bool TlsContext::AddTrustedCa(const std::string& pem) {
    ERR_clear_error();
    BioPtr bio = MemoryBio(pem);
    X509_STORE* store = SSL_CTX_get_cert_store(state_->ctx);
    int added = 0;
    while (X509* ca = bio ? PEM_read_bio_X509(bio.get(), nullptr, NoPassword, nullptr) : nullptr) {
        const int ok = X509_STORE_add_cert(store, ca);
        X509_free(ca);
        if (ok != 1) return Fail("AddTrustedCa", "a CA certificate was refused");
        ++added;
    }
    if (added == 0) return Fail("AddTrustedCa", "no PEM certificate in the text");
    ClearEndOfPem();
    state_->trustConfigured = true;
    AsyncSocket::SetLastError(0);
    return true;
}

bool TlsContext::UseSystemTrustStore() {
    ERR_clear_error();
    if (SSL_CTX_set_default_verify_paths(state_->ctx) != 1) {
        return Fail("UseSystemTrustStore", "cannot load the system's trust store");
    }
    state_->trustConfigured = true;
    AsyncSocket::SetLastError(0);
    return true;
}

bool TlsContext::SetMinimumVersion(TlsVersion version) {
    ERR_clear_error();
    const int v = version == TlsVersion::Tls1_3 ? TLS1_3_VERSION : TLS1_2_VERSION;
    if (SSL_CTX_set_min_proto_version(state_->ctx, v) != 1) {
        return Fail("SetMinimumVersion", "the version was refused");
    }
    AsyncSocket::SetLastError(0);
    return true;
}

bool TlsContext::SetMaximumVersion(TlsVersion version) {
    ERR_clear_error();
    const int v = version == TlsVersion::Tls1_3 ? TLS1_3_VERSION : TLS1_2_VERSION;
    if (SSL_CTX_set_max_proto_version(state_->ctx, v) != 1) {
        return Fail("SetMaximumVersion", "the version was refused");
    }
    AsyncSocket::SetLastError(0);
    return true;
}

void TlsContext::SetVerifyPeer(bool on) noexcept {
    state_->verifyPeer = on;
    int mode = SSL_VERIFY_NONE;
    if (on)
        mode = state_->role == TlsRole::Client ? SSL_VERIFY_PEER : SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    SSL_CTX_set_verify(state_->ctx, mode, nullptr);
}

bool TlsContext::GetVerifyPeer() const noexcept {
    return state_->verifyPeer;
}

bool TlsContext::HasCertificate() const noexcept {
    return state_->haveCertificate && state_->haveKey;
}

}  // namespace portafx
