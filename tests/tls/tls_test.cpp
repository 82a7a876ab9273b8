// TLS on AsyncSocket and Socket (DESIGN §6, docs/tls.md): our client against our server, the defaults
// (verification of chain and host name), each failure as its own error with OpenSSL's reason, mutual TLS,
// notifications that keep their meaning, and Archive + SocketFile over a TLS Socket. Certificates are made at
// test time by make_test_certs.sh.
#define BOOST_TEST_MODULE tls
#include "tls_support.hpp"

#include <portafx/archive.hpp>
#include <portafx/socket_file.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <atomic>
#include <future>
#include <memory>
#include <thread>

using namespace portafx;
using namespace portafx::test;

namespace {

bool Contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// An echo connection: what it receives it sends back (small messages: one Send suffices).
void Echo(Recorder& r, int) {
    char buf[4096];
    const int n = r.Receive(buf, sizeof buf);
    if (n > 0) BOOST_CHECK_EQUAL(r.Send(buf, n), n);
}

// A TLS listener and a TLS client on one loop; the listener accepts into `server`.
struct TlsPair {
    EventLoop& loop;
    Recorder listener{loop};
    Recorder server{loop};
    Recorder client{loop};

    TlsPair(EventLoop& l, const TlsContext& serverContext, const char* address = "127.0.0.1") : loop(l) {
        BOOST_REQUIRE(listener.Create(0, SocketType::Stream, AllEvents, address));
        BOOST_REQUIRE_MESSAGE(listener.EnableTls(serverContext), LastError());
        BOOST_REQUIRE(listener.Listen());
        listener.onAccept = [this](Recorder& r, int) { BOOST_CHECK_MESSAGE(r.Accept(server), LastError()); };
    }

    unsigned Port() { return LocalPort(listener); }

    /// Starts the client's connect with TLS; the outcome comes in client.connects / lastConnectError.
    void Connect(const TlsContext& clientContext, const char* host = "localhost", const std::string& name = {}) {
        BOOST_REQUIRE(client.Create());
        BOOST_REQUIRE_MESSAGE(client.EnableTls(clientContext, name), LastError());
        BOOST_CHECK(!client.Connect(host, Port()));
        BOOST_CHECK_EQUAL(AsyncSocket::GetLastError(), static_cast<int>(SocketError::WouldBlock));
    }

    bool WaitConnect() {
        return RunUntil(
            loop, [&] { return client.connects == 1; }, 10000ms);
    }
};

// Connects with `clientContext` to a server using `serverCert`; returns the client's OnConnect code and, in
// `detail`, GetLastErrorInfo's detail as seen inside OnConnect.
int ConnectCode(const std::string& serverCert, const TlsContext& clientContext, const char* host = "localhost",
                std::string* detail = nullptr) {
    EventLoop loop;
    TlsPair pair(loop, ServerContext(serverCert));
    std::string seen;
    pair.client.onConnect = [&](Recorder&, int) { seen = AsyncSocket::GetLastErrorInfo().detail; };
    pair.Connect(clientContext, host);
    BOOST_REQUIRE(pair.WaitConnect());
    if (detail != nullptr) *detail = seen;
    return pair.client.lastConnectError;
}

// A test-side TLS server: OpenSSL used directly on a blocking socket, so that a test can send what our layer
// never would. After the handshake it runs `script`, then waits for the client to close.
class RawTlsServer {
public:
    using Script = std::function<void(tcp::socket&, SSL*)>;
    explicit RawTlsServer(Script script) {
        thread_ = std::thread([this, script = std::move(script)] {
            SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
            SSL_CTX_set_num_tickets(ctx, 0);
            SSL_CTX_use_certificate_chain_file(ctx, Pem("server.pem").c_str());
            SSL_CTX_use_PrivateKey_file(ctx, Pem("server.key").c_str(), SSL_FILETYPE_PEM);
            tcp::socket s(listener_.io);
            listener_.acceptor.accept(s);
            SSL* ssl = SSL_new(ctx);
            SSL_set_fd(ssl, s.native_handle());
            if (SSL_accept(ssl) == 1) {
                script(s, ssl);
            } else {
                error_ = "SSL_accept failed";
            }
            char c;
            boost::system::error_code ec;
            while (s.read_some(asio::buffer(&c, 1), ec) > 0 && !ec) {
            }
            SSL_free(ssl);
            SSL_CTX_free(ctx);
        });
    }
    ~RawTlsServer() { Join(); }
    unsigned Port() const { return listener_.Port(); }
    std::string Join() {
        if (thread_.joinable()) thread_.join();
        return error_;
    }

private:
    RawListener listener_;
    std::thread thread_;
    std::string error_;
};

}  // namespace

// --- working connections ---------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(async_client_and_server_verify_and_echo) {
    EventLoop loop;
    TlsPair pair(loop, ServerContext());
    pair.server.onReceive = Echo;
    pair.Connect(ClientContext());
    BOOST_REQUIRE(pair.WaitConnect());
    BOOST_REQUIRE_EQUAL(pair.client.lastConnectError, 0);

    TlsInfo info;
    BOOST_REQUIRE(pair.client.GetTlsInfo(info));
    BOOST_CHECK(info.established);
    BOOST_CHECK_EQUAL(info.version, "TLSv1.3");
    BOOST_CHECK(info.peerCertificate);
    BOOST_CHECK(info.peerVerified);
    BOOST_CHECK_EQUAL(info.peerSubject, "CN=localhost");
    BOOST_CHECK_EQUAL(info.serverName, "localhost");

    // OnSend came once after the handshake, as after a plain connect.
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.client.sends == 1; }));
    const std::string message = "hello over TLS";
    BOOST_REQUIRE_EQUAL(pair.client.Send(message.data(), static_cast<int>(message.size())),
                        static_cast<int>(message.size()));
    pair.client.onReceive = [](Recorder& r, int) { r.ReceiveSome(); };
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.client.received == message; }));

    // The server side saw SNI and no client certificate.
    TlsInfo serverInfo;
    BOOST_REQUIRE(pair.server.GetTlsInfo(serverInfo));
    BOOST_CHECK_EQUAL(serverInfo.serverName, "localhost");
    BOOST_CHECK(!serverInfo.peerCertificate);
}

BOOST_AUTO_TEST_CASE(numeric_address_is_verified_against_ip_san) {
    BOOST_CHECK_EQUAL(ConnectCode("server", ClientContext(), "127.0.0.1"), 0);
}

BOOST_AUTO_TEST_CASE(ipv6_loopback_is_verified_against_ip_san) {
    EventLoop loop;
    AsyncSocket probe(loop);
    if (!probe.Create(0, SocketType::Stream, AllEvents, "::1")) {
        BOOST_TEST_MESSAGE("no IPv6 loopback here: skipped");
        return;
    }
    probe.Close();
    TlsPair pair(loop, ServerContext(), "::1");
    pair.Connect(ClientContext(), "::1");
    BOOST_REQUIRE(pair.WaitConnect());
    BOOST_CHECK_EQUAL(pair.client.lastConnectError, 0);
    TlsInfo info;
    BOOST_REQUIRE(pair.client.GetTlsInfo(info));
    BOOST_CHECK_EQUAL(info.serverName, "::1");
    BOOST_CHECK(info.peerVerified);
}

BOOST_AUTO_TEST_CASE(shutdown_sends_close_notify_and_the_other_direction_stays_open) {
    EventLoop loop;
    TlsPair pair(loop, ServerContext());
    pair.Connect(ClientContext());
    BOOST_REQUIRE(pair.WaitConnect());
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.IsOpen() && pair.server.sends >= 1; }));
    BOOST_REQUIRE_EQUAL(pair.client.Send("last words", 10), 10);
    BOOST_REQUIRE(pair.client.ShutDown(AsyncSocket::Sends));
    BOOST_CHECK_EQUAL(pair.client.Send("more", 4), SocketErrorResult);
    BOOST_CHECK_EQUAL(AsyncSocket::GetLastError(), static_cast<int>(SocketError::Shutdown));
    pair.server.onReceive = [](Recorder& r, int) { r.ReceiveSome(); };
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.closes == 1; }));
    BOOST_CHECK_EQUAL(pair.server.lastCloseError, 0);
    BOOST_CHECK_EQUAL(pair.server.received, "last words");
    // The server may still answer over the half-closed connection.
    BOOST_REQUIRE_EQUAL(pair.server.Send("reply", 5), 5);
    pair.client.onReceive = [](Recorder& r, int) { r.ReceiveSome(); };
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.client.received == "reply"; }));
}

BOOST_AUTO_TEST_CASE(receive_before_handshake_would_block_and_send_waits_for_onsend) {
    EventLoop loop;
    TlsPair pair(loop, ServerContext());
    pair.Connect(ClientContext());
    char c;
    BOOST_CHECK_EQUAL(pair.client.Send("x", 1), SocketErrorResult);
    BOOST_CHECK_EQUAL(AsyncSocket::GetLastError(), static_cast<int>(SocketError::WouldBlock));
    BOOST_CHECK_EQUAL(pair.client.Receive(&c, 1), SocketErrorResult);
    BOOST_CHECK_EQUAL(AsyncSocket::GetLastError(), static_cast<int>(SocketError::WouldBlock));
    BOOST_REQUIRE(pair.WaitConnect());
    // No notification before OnConnect: the handshake is invisible.
    BOOST_REQUIRE(!pair.client.log.empty());
    BOOST_CHECK_EQUAL(pair.client.log.front(), "connect");
}

BOOST_AUTO_TEST_CASE(bytes_buffered_inside_tls_are_not_stranded) {
    // The server sends many records at once; the client reads one byte per OnReceive. Every byte must come:
    // decrypted bytes held in user space count as queued data.
    EventLoop loop;
    TlsPair pair(loop, ServerContext());
    pair.Connect(ClientContext());
    BOOST_REQUIRE(pair.WaitConnect());
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.IsOpen() && pair.server.sends >= 1; }));
    std::string expected;
    for (int i = 0; i < 50; ++i) {
        const std::string record = "record " + std::to_string(i) + ";";
        BOOST_REQUIRE_EQUAL(pair.server.Send(record.data(), static_cast<int>(record.size())),
                            static_cast<int>(record.size()));
        expected += record;
    }
    pair.client.onReceive = [](Recorder& r, int) { r.ReceiveSome(1); };
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.client.received.size() == expected.size(); }));
    BOOST_CHECK_EQUAL(pair.client.received, expected);
    unsigned long queued = 1;
    BOOST_REQUIRE(pair.client.IOCtl(FionRead, &queued));
    BOOST_CHECK_EQUAL(queued, 0u);
}

BOOST_AUTO_TEST_CASE(a_partial_record_brings_no_onreceive) {
    // A test-side TLS server (OpenSSL directly, on a blocking socket) sends one record in two pieces. The first
    // piece is in the client's kernel buffer but is no data: no OnReceive until the record is whole.
    RawListener raw;
    std::promise<void> firstAllowed, firstSent, secondAllowed, secondSent;
    std::string serverError;
    std::thread server([&] {
        SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
        SSL_CTX_set_num_tickets(ctx, 0);
        SSL_CTX_use_certificate_chain_file(ctx, Pem("server.pem").c_str());
        SSL_CTX_use_PrivateKey_file(ctx, Pem("server.key").c_str(), SSL_FILETYPE_PEM);
        tcp::socket s(raw.io);
        raw.acceptor.accept(s);
        SSL* ssl = SSL_new(ctx);
        SSL_set_fd(ssl, s.native_handle());
        if (SSL_accept(ssl) == 1) {
            BIO* held = BIO_new(BIO_s_mem());
            SSL_set0_wbio(ssl, held);  // records now collect here, to be written by hand
            SSL_write(ssl, "partial", 7);
            std::string record(static_cast<std::size_t>(BIO_ctrl_pending(held)), '\0');
            BIO_read(held, record.data(), static_cast<int>(record.size()));
            firstAllowed.get_future().wait_for(10s);  // once the client's loop has stopped
            asio::write(s, asio::buffer(record.data(), 5));
            firstSent.set_value();
            secondAllowed.get_future().wait_for(10s);
            asio::write(s, asio::buffer(record.data() + 5, record.size() - 5));
            secondSent.set_value();
        } else {
            char why[256];
            ERR_error_string_n(ERR_get_error(), why, sizeof why);
            serverError = std::string("SSL_accept failed: ") + why;
            firstSent.set_value();
            secondSent.set_value();
        }
        char c;
        boost::system::error_code ec;
        s.read_some(asio::buffer(&c, 1), ec);  // until the client closes
        SSL_free(ssl);
        SSL_CTX_free(ctx);
    });
    EventLoop loop;
    Recorder client(loop);
    BOOST_REQUIRE(client.Create());
    BOOST_REQUIRE(client.EnableTls(ClientContext()));
    client.Connect("localhost", raw.Port());
    BOOST_REQUIRE(RunUntil(
        loop, [&] { return client.connects == 1; }, 10000ms));
    BOOST_REQUIRE_EQUAL(client.lastConnectError, 0);
    firstAllowed.set_value();
    firstSent.get_future().wait();
    BOOST_REQUIRE_MESSAGE(serverError.empty(), serverError);
    BOOST_REQUIRE(WaitQueued(client.GetHandle(), 5));
    Drain(loop);
    BOOST_CHECK_EQUAL(client.receives, 0);
    char buf[16];
    BOOST_CHECK_EQUAL(client.Receive(buf, sizeof buf), SocketErrorResult);
    BOOST_CHECK_EQUAL(AsyncSocket::GetLastError(), static_cast<int>(SocketError::WouldBlock));
    secondAllowed.set_value();
    secondSent.get_future().wait();
    client.onReceive = [](Recorder& r, int) { r.ReceiveSome(); };
    BOOST_REQUIRE(RunUntil(loop, [&] { return client.receives == 1; }));
    BOOST_CHECK_EQUAL(client.received, "partial");
    client.Close();
    server.join();
    BOOST_CHECK_MESSAGE(serverError.empty(), serverError);
}

BOOST_AUTO_TEST_CASE(a_corrupt_record_after_the_handshake_is_a_protocol_error) {
    // After the handshake, an application-data record whose authentication tag cannot be right.
    RawTlsServer server([](tcp::socket& s, SSL*) {
        std::string garbage("\x17\x03\x03\x00\x20", 5);
        garbage.append(32, '\x5a');
        asio::write(s, asio::buffer(garbage));
    });
    EventLoop loop;
    Recorder client(loop);
    BOOST_REQUIRE(client.Create());
    BOOST_REQUIRE(client.EnableTls(ClientContext()));
    client.Connect("localhost", server.Port());
    BOOST_REQUIRE(RunUntil(
        loop, [&] { return client.connects == 1; }, 10000ms));
    BOOST_CHECK_EQUAL(client.lastConnectError, 0);
    BOOST_REQUIRE(RunUntil(
        loop, [&] { return client.closes == 1; }, 10000ms));
    BOOST_CHECK_EQUAL(client.lastCloseError, static_cast<int>(SocketError::TlsProtocolError));
    BOOST_CHECK_EQUAL(client.receives, 0);
    char buf[8];
    BOOST_CHECK_EQUAL(client.Receive(buf, sizeof buf), SocketErrorResult);
    BOOST_CHECK_EQUAL(AsyncSocket::GetLastError(), static_cast<int>(SocketError::TlsProtocolError));
    BOOST_CHECK_MESSAGE(Contains(LastError(), "TLS error"), LastError());
    client.Close();
    BOOST_CHECK_EQUAL(server.Join(), "");
}

BOOST_AUTO_TEST_CASE(close_notify_without_tcp_close_ends_the_stream) {
    // The peer sends data and close_notify but keeps TCP open: OnClose(0) must come anyway, after the data.
    RawTlsServer server([](tcp::socket& s, SSL* ssl) {
        BIO* held = BIO_new(BIO_s_mem());
        SSL_set0_wbio(ssl, held);  // both records in one write: they arrive together
        SSL_write(ssl, "final", 5);
        SSL_shutdown(ssl);
        std::string records(static_cast<std::size_t>(BIO_ctrl_pending(held)), '\0');
        BIO_read(held, records.data(), static_cast<int>(records.size()));
        asio::write(s, asio::buffer(records));
    });
    EventLoop loop;
    Recorder client(loop);
    client.onReceive = [](Recorder& r, int) { r.ReceiveSome(2); };  // small reads: data is buffered
    BOOST_REQUIRE(client.Create());
    BOOST_REQUIRE(client.EnableTls(ClientContext()));
    client.Connect("localhost", server.Port());
    BOOST_REQUIRE(RunUntil(
        loop, [&] { return client.closes == 1; }, 10000ms));
    BOOST_CHECK_EQUAL(client.lastCloseError, 0);
    BOOST_CHECK_EQUAL(client.received, "final");
    char c;
    BOOST_CHECK_EQUAL(client.Receive(&c, 1), 0);
    client.Close();
    BOOST_CHECK_EQUAL(server.Join(), "");
}

BOOST_AUTO_TEST_CASE(close_sends_close_notify_and_peer_gets_onclose_after_data) {
    EventLoop loop;
    TlsPair pair(loop, ServerContext());
    pair.Connect(ClientContext());
    BOOST_REQUIRE(pair.WaitConnect());
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.IsOpen() && pair.server.sends >= 1; }));
    BOOST_REQUIRE_EQUAL(pair.server.Send("bye", 3), 3);
    pair.server.Close();
    pair.client.onReceive = [](Recorder& r, int) { r.ReceiveSome(); };
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.client.closes == 1; }));
    BOOST_CHECK_EQUAL(pair.client.lastCloseError, 0);
    BOOST_CHECK_EQUAL(pair.client.received, "bye");
    char c;
    BOOST_CHECK_EQUAL(pair.client.Receive(&c, 1), 0);
}

BOOST_AUTO_TEST_CASE(blocking_sockets_move_a_megabyte_both_ways) {
    // A blocking Socket server in its own thread and loop echoes everything; the client sends 1 MiB (more than
    // the kernel and the TLS layer buffer, so Send waits for OnSend) and reads it all back.
    std::promise<unsigned> port;
    std::string serverError;
    std::thread server([&] {
        EventLoop loop;
        Socket listener(loop);
        Socket conn(loop);
        listener.SetTimeout(20s);
        conn.SetTimeout(20s);
        if (!listener.Create(0, SocketType::Stream, "127.0.0.1") || !listener.EnableTls(ServerContext()) ||
            !listener.Listen()) {
            serverError = LastError();
            port.set_value(0);
            return;
        }
        port.set_value(LocalPort(listener));
        if (!listener.Accept(conn)) {
            serverError = LastError();
            return;
        }
        std::vector<char> buf(70000);
        for (;;) {
            const int n = conn.Receive(buf.data(), static_cast<int>(buf.size()));
            if (n == 0) break;
            if (n < 0 || conn.Send(buf.data(), n) != n) {
                serverError = LastError();
                break;
            }
        }
        conn.Close();
    });
    const unsigned p = port.get_future().get();
    BOOST_REQUIRE_MESSAGE(p != 0, serverError);

    Socket client;
    client.SetTimeout(20s);
    BOOST_REQUIRE(client.Create());
    BOOST_REQUIRE(client.EnableTls(ClientContext()));
    BOOST_REQUIRE_MESSAGE(client.Connect("localhost", p), LastError());
    std::string data(1 << 20, '\0');
    for (std::size_t i = 0; i < data.size(); ++i)
        data[i] = static_cast<char>(i * 7 + i / 4096);
    std::string back;
    // Socket is single-threaded: send and receive alternately, never more than 32 KiB ahead of the echo.
    std::size_t sent = 0;
    std::vector<char> buf(65536);
    while (back.size() < data.size()) {
        if (sent < data.size()) {
            const int chunk = static_cast<int>(std::min<std::size_t>(32768, data.size() - sent));
            BOOST_REQUIRE_MESSAGE(client.Send(data.data() + sent, chunk) == chunk, LastError());
            sent += static_cast<std::size_t>(chunk);
        }
        while (back.size() + 32768 < sent || (sent == data.size() && back.size() < data.size())) {
            const int n = client.Receive(buf.data(), static_cast<int>(buf.size()));
            BOOST_REQUIRE_MESSAGE(n > 0, LastError());
            back.append(buf.data(), static_cast<std::size_t>(n));
        }
    }
    BOOST_CHECK(back == data);
    client.Close();
    server.join();
    BOOST_CHECK_MESSAGE(serverError.empty(), serverError);
}

BOOST_AUTO_TEST_CASE(accepting_into_a_socket_of_another_loop_does_the_handshake_there) {
    EventLoop loop;
    AsyncSocket listener(loop);
    BOOST_REQUIRE(listener.Create(0, SocketType::Stream, AllEvents, "127.0.0.1"));
    BOOST_REQUIRE(listener.EnableTls(ServerContext()));
    BOOST_REQUIRE(listener.Listen());
    const unsigned port = LocalPort(listener);

    EventLoop other;
    Recorder accepted(other);
    std::atomic<bool> done{false};
    std::thread::id notifiedOn;
    accepted.onReceive = [&](Recorder& s, int) {
        s.ReceiveSome();
        notifiedOn = std::this_thread::get_id();
        if (s.received == "ping") {
            BOOST_TEST(s.Send("pong", 4) == 4);
            done = true;
        }
    };
    std::atomic<bool> running{false};
    other.Post([&] { running = true; });
    std::thread worker([&] { other.RunFor(10s); });
    std::string clientGot, clientError;
    std::thread clientThread([&] {
        EventLoop clientLoop;
        Socket client(clientLoop);
        client.SetTimeout(10s);
        char buf[8];
        if (!client.Create() || !client.EnableTls(ClientContext()) || !client.Connect("localhost", port) ||
            client.Send("ping", 4) != 4) {
            clientError = LastError();
            return;
        }
        const int n = client.Receive(buf, sizeof buf);
        if (n > 0) clientGot.assign(buf, static_cast<std::size_t>(n));
        if (n <= 0) clientError = LastError();
        other.Stop();
    });
    for (int i = 0; i < 100000 && !running; ++i)
        std::this_thread::yield();
    BOOST_REQUIRE(running.load());
    BOOST_REQUIRE(WaitReadable(listener.GetHandle()));
    BOOST_REQUIRE_MESSAGE(listener.Accept(accepted), LastError());
    const auto workerId = worker.get_id();
    clientThread.join();
    worker.join();
    BOOST_CHECK_MESSAGE(clientError.empty(), clientError);
    BOOST_CHECK_EQUAL(clientGot, "pong");
    BOOST_CHECK(done.load());
    BOOST_CHECK(notifiedOn == workerId);
}

BOOST_AUTO_TEST_CASE(enable_tls_on_connected_sockets_upgrades_them) {
    // STARTTLS-style: a plain connection, then both ends turn TLS on (Socket waits for the handshake).
    std::promise<unsigned> port;
    std::string serverError, serverGot;
    std::thread server([&] {
        EventLoop loop;
        Socket listener(loop);
        Socket conn(loop);
        listener.SetTimeout(10s);
        conn.SetTimeout(10s);
        listener.Create(0, SocketType::Stream, "127.0.0.1");
        listener.Listen();
        port.set_value(LocalPort(listener));
        char buf[64];
        if (!listener.Accept(conn) || conn.Receive(buf, 9) != 9 || !conn.EnableTls(ServerContext())) {
            serverError = LastError();
            return;
        }
        const int n = conn.Receive(buf, sizeof buf);
        if (n > 0) serverGot.assign(buf, static_cast<std::size_t>(n));
        conn.Send("ok", 2);
    });
    const unsigned p = port.get_future().get();
    Socket client;
    client.SetTimeout(10s);
    BOOST_REQUIRE(client.Create());
    BOOST_REQUIRE(client.Connect("127.0.0.1", p));
    BOOST_REQUIRE_EQUAL(client.Send("STARTTLS\n", 9), 9);
    BOOST_REQUIRE_MESSAGE(client.EnableTls(ClientContext(), "localhost"), LastError());
    BOOST_REQUIRE_EQUAL(client.Send("secret", 6), 6);
    char buf[8];
    BOOST_REQUIRE_EQUAL(client.Receive(buf, sizeof buf), 2);
    BOOST_CHECK_EQUAL(std::string(buf, 2), "ok");
    server.join();
    BOOST_CHECK_MESSAGE(serverError.empty(), serverError);
    BOOST_CHECK_EQUAL(serverGot, "secret");
}

BOOST_AUTO_TEST_CASE(contexts_from_memory) {
    TlsContext server(TlsRole::Server);
    BOOST_REQUIRE_MESSAGE(server.UseCertificateChain(ReadText(Pem("server.pem"))), LastError());
    BOOST_REQUIRE_MESSAGE(server.UsePrivateKey(ReadText(Pem("server.key"))), LastError());
    TlsContext client(TlsRole::Client);
    BOOST_REQUIRE_MESSAGE(client.AddTrustedCa(ReadText(Pem("ca.pem"))), LastError());
    EventLoop loop;
    TlsPair pair(loop, server);
    pair.Connect(client);
    BOOST_REQUIRE(pair.WaitConnect());
    BOOST_CHECK_EQUAL(pair.client.lastConnectError, 0);
}

// --- verification failures: each its own error, with OpenSSL's reason --------------------------------------

BOOST_AUTO_TEST_CASE(untrusted_certificate) {
    std::string detail;
    BOOST_CHECK_EQUAL(ConnectCode("self", ClientContext(), "localhost", &detail),
                      static_cast<int>(SocketError::TlsCertificateUntrusted));
    BOOST_CHECK_MESSAGE(Contains(detail, "self-signed certificate") && Contains(detail, "X509 verify error 18"),
                        detail);
}

BOOST_AUTO_TEST_CASE(no_trust_configured_uses_the_system_store_and_rejects_the_test_ca) {
    TlsContext bare(TlsRole::Client);
    std::string detail;
    BOOST_CHECK_EQUAL(ConnectCode("server", bare, "localhost", &detail),
                      static_cast<int>(SocketError::TlsCertificateUntrusted));
    BOOST_CHECK_MESSAGE(Contains(detail, "unable to get local issuer certificate"), detail);
}

BOOST_AUTO_TEST_CASE(expired_certificate) {
    std::string detail;
    BOOST_CHECK_EQUAL(ConnectCode("expired", ClientContext(), "localhost", &detail),
                      static_cast<int>(SocketError::TlsCertificateExpired));
    BOOST_CHECK_MESSAGE(Contains(detail, "certificate has expired"), detail);
}

BOOST_AUTO_TEST_CASE(host_name_mismatch) {
    std::string detail;
    BOOST_CHECK_EQUAL(ConnectCode("other", ClientContext(), "localhost", &detail),
                      static_cast<int>(SocketError::TlsHostNameMismatch));
    BOOST_CHECK_MESSAGE(Contains(detail, "'localhost'") && Contains(detail, "mismatch"), detail);
    // By address: the certificate has no IP entry for it.
    BOOST_CHECK_EQUAL(ConnectCode("other", ClientContext(), "127.0.0.1", &detail),
                      static_cast<int>(SocketError::TlsHostNameMismatch));
    BOOST_CHECK_MESSAGE(Contains(detail, "'127.0.0.1'"), detail);
}

BOOST_AUTO_TEST_CASE(explicit_peer_name_overrides_the_connect_host) {
    EventLoop loop;
    TlsPair pair(loop, ServerContext("other"));
    pair.Connect(ClientContext(), "127.0.0.1", "other.example");
    BOOST_REQUIRE(pair.WaitConnect());
    BOOST_CHECK_EQUAL(pair.client.lastConnectError, 0);
}

BOOST_AUTO_TEST_CASE(verification_off_is_explicit_and_accepts_anything) {
    TlsContext trusting(TlsRole::Client);
    BOOST_CHECK(trusting.GetVerifyPeer());  // on by default
    trusting.SetVerifyPeer(false);
    BOOST_CHECK_EQUAL(ConnectCode("self", trusting), 0);
    BOOST_CHECK_EQUAL(ConnectCode("expired", trusting), 0);
}

BOOST_AUTO_TEST_CASE(blocking_connect_reports_the_tls_error_and_reason) {
    // The server runs in its own thread and loop: a blocking call holds back this loop's notifications.
    std::promise<unsigned> port;
    int serverError = 0;
    std::thread server([&] {
        EventLoop loop;
        Socket listener(loop);
        Socket conn(loop);
        listener.SetTimeout(10s);
        conn.SetTimeout(10s);
        listener.Create(0, SocketType::Stream, "127.0.0.1");
        listener.EnableTls(ServerContext("expired"));
        listener.Listen();
        port.set_value(LocalPort(listener));
        char c;
        if (listener.Accept(conn) && conn.Receive(&c, 1) < 0) serverError = AsyncSocket::GetLastError();
    });
    Socket client;
    client.SetTimeout(10s);
    BOOST_REQUIRE(client.Create());
    BOOST_REQUIRE(client.EnableTls(ClientContext()));
    BOOST_CHECK(!client.Connect("localhost", port.get_future().get()));
    BOOST_CHECK_EQUAL(AsyncSocket::GetLastError(), static_cast<int>(SocketError::TlsCertificateExpired));
    const std::string message = LastError();
    BOOST_CHECK_MESSAGE(Contains(message, "certificate has expired") && Contains(message, "PFX_TLS_CERT_EXPIRED"),
                        message);
    // The socket stays in error: Send and Receive say why.
    BOOST_CHECK_EQUAL(client.Send("x", 1), SocketErrorResult);
    BOOST_CHECK_EQUAL(AsyncSocket::GetLastError(), static_cast<int>(SocketError::TlsCertificateExpired));
    client.Close();
    server.join();
    // The server learns it from the client's alert.
    BOOST_CHECK_EQUAL(serverError, static_cast<int>(SocketError::TlsHandshakeFailed));
}

// --- a peer that speaks plain TCP ---------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(tls_client_against_plain_server) {
    PeerThread plain([](tcp::socket& s) {
        asio::write(s, asio::buffer(std::string("220 plain service ready\r\n")));
        char buf[512];
        boost::system::error_code ec;
        s.read_some(asio::buffer(buf), ec);  // the ClientHello; then close
    });
    EventLoop loop;
    Recorder client(loop);
    std::string detail;
    client.onConnect = [&](Recorder&, int) { detail = AsyncSocket::GetLastErrorInfo().detail; };
    BOOST_REQUIRE(client.Create());
    BOOST_REQUIRE(client.EnableTls(ClientContext()));
    client.Connect("localhost", plain.Port());
    BOOST_REQUIRE(RunUntil(
        loop, [&] { return client.connects == 1; }, 10000ms));
    BOOST_CHECK_EQUAL(client.lastConnectError, static_cast<int>(SocketError::TlsNotTls));
    BOOST_CHECK_MESSAGE(Contains(detail, "does not speak TLS") && Contains(detail, "220 plain"), detail);
}

BOOST_AUTO_TEST_CASE(plain_client_against_tls_server) {
    EventLoop loop;
    TlsPair pair(loop, ServerContext());
    Peer plain;
    plain.Connect("127.0.0.1", pair.Port());
    plain.Write("GET / HTTP/1.0\r\n\r\n");
    BOOST_REQUIRE(RunUntil(
        loop, [&] { return pair.server.closes == 1; }, 10000ms));
    BOOST_CHECK_EQUAL(pair.server.lastCloseError, static_cast<int>(SocketError::TlsNotTls));
    char c;
    BOOST_CHECK_EQUAL(pair.server.Receive(&c, 1), SocketErrorResult);
    BOOST_CHECK_EQUAL(AsyncSocket::GetLastError(), static_cast<int>(SocketError::TlsNotTls));
    BOOST_CHECK_MESSAGE(Contains(LastError(), "GET / HTTP"), LastError());
    BOOST_CHECK_EQUAL(pair.server.receives, 0);  // no OnReceive for bytes that were never data
}

BOOST_AUTO_TEST_CASE(peer_closing_during_handshake) {
    PeerThread closer([](tcp::socket& s) {
        char buf[512];
        boost::system::error_code ec;
        s.read_some(asio::buffer(buf), ec);  // the ClientHello, then close without a word
    });
    EventLoop loop;
    Recorder client(loop);
    BOOST_REQUIRE(client.Create());
    BOOST_REQUIRE(client.EnableTls(ClientContext()));
    client.Connect("localhost", closer.Port());
    BOOST_REQUIRE(RunUntil(
        loop, [&] { return client.connects == 1; }, 10000ms));
    BOOST_CHECK_EQUAL(client.lastConnectError, static_cast<int>(SocketError::TlsHandshakeFailed));
}

BOOST_AUTO_TEST_CASE(a_silent_peer_times_the_blocking_handshake_out) {
    SilentPeer silent;  // accepts, never answers the ClientHello
    Socket client;
    client.SetTimeout(300ms);
    BOOST_REQUIRE(client.Create());
    BOOST_REQUIRE(client.EnableTls(ClientContext()));
    const auto start = std::chrono::steady_clock::now();
    BOOST_CHECK(!client.Connect("localhost", silent.Port()));
    BOOST_CHECK_EQUAL(AsyncSocket::GetLastError(), static_cast<int>(SocketError::TimedOut));
    BOOST_CHECK(std::chrono::steady_clock::now() - start < 5s);
    client.Close();
    silent.Release();
}

BOOST_AUTO_TEST_CASE(minimum_version_mismatch_fails_the_handshake) {
    TlsContext server = ServerContext();
    BOOST_REQUIRE(server.SetMinimumVersion(TlsVersion::Tls1_3));
    TlsContext client = ClientContext();
    BOOST_REQUIRE(client.SetMaximumVersion(TlsVersion::Tls1_2));
    EventLoop loop;
    TlsPair pair(loop, server);
    pair.Connect(client);
    BOOST_REQUIRE(pair.WaitConnect());
    BOOST_CHECK_EQUAL(pair.client.lastConnectError, static_cast<int>(SocketError::TlsHandshakeFailed));
}

// --- mutual TLS -------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(mutual_tls_with_a_client_certificate) {
    EventLoop loop;
    TlsPair pair(loop, MutualServerContext());
    pair.server.onReceive = Echo;
    pair.Connect(ClientContext("client"));
    BOOST_REQUIRE(pair.WaitConnect());
    BOOST_REQUIRE_EQUAL(pair.client.lastConnectError, 0);
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.client.sends == 1; }));
    BOOST_REQUIRE_EQUAL(pair.client.Send("mtls", 4), 4);
    pair.client.onReceive = [](Recorder& r, int) { r.ReceiveSome(); };
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.client.received == "mtls"; }));
    TlsInfo info;
    BOOST_REQUIRE(pair.server.GetTlsInfo(info));
    BOOST_CHECK(info.peerCertificate);
    BOOST_CHECK(info.peerVerified);
    BOOST_CHECK_EQUAL(info.peerSubject, "CN=portafx-client");
    BOOST_CHECK_EQUAL(info.peerIssuer, "CN=portafx test CA");
}

BOOST_AUTO_TEST_CASE(mutual_tls_without_a_client_certificate) {
    EventLoop loop;
    TlsPair pair(loop, MutualServerContext());
    pair.Connect(ClientContext());
    // TLS 1.3: the client finishes its handshake before the server checks; the server refuses and says why,
    // and the client learns it from the server's alert.
    BOOST_REQUIRE(RunUntil(
        loop, [&] { return pair.server.closes == 1; }, 10000ms));
    BOOST_CHECK_EQUAL(pair.server.lastCloseError, static_cast<int>(SocketError::TlsCertificateRequired));
    pair.client.onReceive = [](Recorder& r, int) { r.ReceiveSome(); };
    BOOST_REQUIRE(RunUntil(
        loop, [&] { return pair.client.closes == 1; }, 10000ms));
    char c;
    BOOST_CHECK_EQUAL(pair.client.Receive(&c, 1), SocketErrorResult);
    BOOST_CHECK_EQUAL(AsyncSocket::GetLastError(), static_cast<int>(SocketError::TlsCertificateRequired));
}

BOOST_AUTO_TEST_CASE(mutual_tls_with_an_untrusted_client_certificate) {
    EventLoop loop;
    TlsPair pair(loop, MutualServerContext());
    pair.Connect(ClientContext("rogue-client"));
    BOOST_REQUIRE(RunUntil(
        loop, [&] { return pair.server.closes == 1; }, 10000ms));
    BOOST_CHECK_EQUAL(pair.server.lastCloseError, static_cast<int>(SocketError::TlsCertificateUntrusted));
    char c;
    pair.server.Receive(&c, 1);
    BOOST_CHECK_MESSAGE(Contains(LastError(), "the client's certificate is not trusted"), LastError());
}

// --- configuration errors ---------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(configuration_errors) {
    TlsContext ctx(TlsRole::Server);
    BOOST_CHECK(!ctx.UseCertificateChainFile(Pem("does-not-exist.pem")));
    BOOST_CHECK_EQUAL(AsyncSocket::GetLastError(), static_cast<int>(SocketError::TlsConfiguration));
    BOOST_CHECK_MESSAGE(Contains(LastError(), "does-not-exist.pem"), LastError());
    BOOST_CHECK(!ctx.UseCertificateChain("not a certificate"));
    BOOST_CHECK_EQUAL(AsyncSocket::GetLastError(), static_cast<int>(SocketError::TlsConfiguration));
    BOOST_CHECK(!ctx.AddTrustedCa("nothing here"));
    BOOST_CHECK_EQUAL(AsyncSocket::GetLastError(), static_cast<int>(SocketError::TlsConfiguration));

    // A key that does not match the certificate.
    BOOST_REQUIRE(ctx.UseCertificateChainFile(Pem("server.pem")));
    BOOST_CHECK(!ctx.UsePrivateKeyFile(Pem("client.key")));
    BOOST_CHECK_MESSAGE(Contains(LastError(), "does not match"), LastError());
    BOOST_CHECK(!ctx.HasCertificate());

    // A server context without its key cannot be enabled.
    EventLoop loop;
    AsyncSocket listener(loop);
    BOOST_REQUIRE(listener.Create(0, SocketType::Stream, AllEvents, "127.0.0.1"));
    BOOST_CHECK(!listener.EnableTls(ctx));
    BOOST_CHECK_EQUAL(AsyncSocket::GetLastError(), static_cast<int>(SocketError::TlsConfiguration));
    BOOST_CHECK(!listener.IsTlsEnabled());

    // A listener needs a server context; TLS cannot be enabled twice; no TLS without a handle or on UDP.
    BOOST_REQUIRE(listener.Listen());
    BOOST_CHECK(!listener.EnableTls(ClientContext()));
    BOOST_CHECK_EQUAL(AsyncSocket::GetLastError(), static_cast<int>(SocketError::InvalidArgument));
    BOOST_REQUIRE(listener.EnableTls(ServerContext()));
    BOOST_CHECK(!listener.EnableTls(ServerContext()));
    BOOST_CHECK_EQUAL(AsyncSocket::GetLastError(), static_cast<int>(SocketError::InvalidArgument));
    AsyncSocket empty(loop);
    BOOST_CHECK(!empty.EnableTls(ClientContext()));
    BOOST_CHECK_EQUAL(AsyncSocket::GetLastError(), static_cast<int>(SocketError::NotSocket));
    AsyncSocket udp(loop);
    BOOST_REQUIRE(udp.Create(0, SocketType::Datagram, AllEvents, "127.0.0.1"));
    BOOST_CHECK(!udp.EnableTls(ClientContext()));
    BOOST_CHECK_EQUAL(AsyncSocket::GetLastError(), static_cast<int>(SocketError::OperationNotSupported));
    TlsInfo info;
    BOOST_CHECK(!udp.GetTlsInfo(info));

    // Each TLS error has its name and message.
    BOOST_CHECK_EQUAL(std::string(SocketErrorName(12004)), "PFX_TLS_HOSTNAME_MISMATCH");
    BOOST_CHECK(Contains(SocketErrorMessage(12002), "not trusted"));
}

// --- Archive + SocketFile over a TLS Socket ----------------------------------------------------------------

BOOST_AUTO_TEST_CASE(archive_over_tls_socket) {
    std::promise<unsigned> port;
    std::string serverError;
    std::vector<std::string> got;
    std::uint32_t gotCount = 0;
    std::thread server([&] {
        try {
            EventLoop loop;
            Socket listener(loop);
            Socket conn(loop);
            listener.SetTimeout(10s);
            conn.SetTimeout(10s);
            listener.Create(0, SocketType::Stream, "127.0.0.1");
            listener.EnableTls(MutualServerContext());
            listener.Listen();
            port.set_value(LocalPort(listener));
            if (!listener.Accept(conn)) throw std::runtime_error(LastError());
            SocketFile file(conn);
            Archive in(file, Archive::Load);
            in >> gotCount;
            for (std::uint32_t i = 0; i < gotCount; ++i) {
                std::string s;
                in >> s;
                got.push_back(s);
            }
        } catch (const std::exception& e) {
            serverError = e.what();
        }
    });
    const unsigned p = port.get_future().get();
    {
        Socket client;
        client.SetTimeout(10s);
        BOOST_REQUIRE(client.Create());
        BOOST_REQUIRE(client.EnableTls(ClientContext("client")));
        BOOST_REQUIRE_MESSAGE(client.Connect("localhost", p), LastError());
        SocketFile file(client);
        Archive out(file, Archive::Store);
        const std::uint32_t count = 300;
        out << count;
        for (std::uint32_t i = 0; i < count; ++i)
            out << std::string(i, static_cast<char>('a' + i % 26));
        out.Flush();
    }
    server.join();
    BOOST_REQUIRE_MESSAGE(serverError.empty(), serverError);
    BOOST_REQUIRE_EQUAL(gotCount, 300u);
    for (std::uint32_t i = 0; i < gotCount; ++i)
        BOOST_CHECK(got[i] == std::string(i, static_cast<char>('a' + i % 26)));
}
