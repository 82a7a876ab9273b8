// TLS against code we did not write: `openssl s_server` as the server of our client, `openssl s_client` as the
// client of our server, with and without client certificates. Ports come from the OS (s_server -accept 0
// prints the port it got); every wait is bounded.
#define BOOST_TEST_MODULE tls_interop
#include "tls_support.hpp"

#include <string>

using namespace portafx;
using namespace portafx::test;

namespace {

// Starts `openssl s_server` (reversing each line, one connection) with `extra` options; returns its port.
unsigned StartServer(Child& server) {
    BOOST_REQUIRE_MESSAGE(server.WaitFor("ACCEPT"), "s_server did not start: " + server.Output());
    BOOST_REQUIRE(server.WaitFor("\n", std::chrono::seconds(5)));
    const std::string& out = server.Output();
    const std::size_t line = out.find("ACCEPT");
    const std::size_t end = out.find('\n', line);
    const std::size_t colon = out.rfind(':', end);
    BOOST_REQUIRE(colon != std::string::npos && colon > line);
    return static_cast<unsigned>(std::stoul(out.substr(colon + 1, end - colon - 1)));
}

std::vector<std::string> ServerArgs(std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"openssl", "s_server", "-accept",         "0",    "-naccept",       "1",
                                  "-rev",    "-cert",    Pem("server.pem"), "-key", Pem("server.key")};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

// Our blocking client: connects with TLS, sends a line, returns the line that comes back ("" on failure).
std::string Exchange(unsigned port, const TlsContext& context, const std::string& line, int& error) {
    Socket client;
    client.SetTimeout(10s);
    error = 0;
    if (!client.Create() || !client.EnableTls(context) || !client.Connect("localhost", port) ||
        client.Send(line.data(), static_cast<int>(line.size())) != static_cast<int>(line.size())) {
        error = AsyncSocket::GetLastError();
        BOOST_TEST_MESSAGE(LastError());
        return {};
    }
    std::string got;
    char buf[256];
    while (got.find('\n') == std::string::npos) {
        const int n = client.Receive(buf, sizeof buf);
        if (n <= 0) {
            error = n == 0 ? 0 : AsyncSocket::GetLastError();
            BOOST_TEST_MESSAGE(LastError());
            break;
        }
        got.append(buf, static_cast<std::size_t>(n));
    }
    return got;
}

// Our blocking server: listens with TLS, starts `openssl s_client` with `extra`, answers one line with
// "pong: <line>" and closes. Returns s_client's output; `serverError` is our side's error (0 if none).
std::string ServeOneClient(const TlsContext& context, const std::vector<std::string>& extra, int& serverError,
                           int& clientExit) {
    Socket listener;
    listener.SetTimeout(10s);
    BOOST_REQUIRE(listener.Create(0, SocketType::Stream, "127.0.0.1"));
    BOOST_REQUIRE(listener.EnableTls(context));
    BOOST_REQUIRE(listener.Listen());
    std::vector<std::string> args{"openssl",
                                  "s_client",
                                  "-connect",
                                  "127.0.0.1:" + std::to_string(LocalPort(listener)),
                                  "-servername",
                                  "localhost",
                                  "-CAfile",
                                  Pem("ca.pem"),
                                  "-verify_return_error",
                                  "-verify_hostname",
                                  "localhost",
                                  "-quiet"};
    args.insert(args.end(), extra.begin(), extra.end());
    Child client(args);
    client.Write("ping from s_client\n");
    Socket conn;
    conn.SetTimeout(10s);
    serverError = 0;
    std::string line;
    if (!listener.Accept(conn)) {
        serverError = AsyncSocket::GetLastError();
    } else {
        char buf[256];
        while (line.find('\n') == std::string::npos) {
            const int n = conn.Receive(buf, sizeof buf);
            if (n <= 0) {
                serverError = n == 0 ? -1 : AsyncSocket::GetLastError();
                BOOST_TEST_MESSAGE(LastError());
                break;
            }
            line.append(buf, static_cast<std::size_t>(n));
        }
        if (serverError == 0) {
            const std::string reply = "pong: " + line;
            BOOST_CHECK_EQUAL(conn.Send(reply.data(), static_cast<int>(reply.size())), static_cast<int>(reply.size()));
        }
        conn.Close();
    }
    client.CloseStdin();
    clientExit = client.Wait();
    return client.Output();
}

}  // namespace

BOOST_AUTO_TEST_CASE(our_client_against_openssl_s_server) {
    Child server(ServerArgs());
    const unsigned port = StartServer(server);
    int error = 0;
    BOOST_CHECK_EQUAL(Exchange(port, ClientContext(), "hello portafx\n", error), "xfatrop olleh\n");
    BOOST_CHECK_EQUAL(error, 0);
    BOOST_CHECK(server.WaitFor("CONNECTION CLOSED"));
}

BOOST_AUTO_TEST_CASE(our_client_with_certificate_against_s_server_requiring_one) {
    Child server(ServerArgs({"-Verify", "1", "-CAfile", Pem("ca.pem"), "-verify_return_error"}));
    const unsigned port = StartServer(server);
    int error = 0;
    BOOST_CHECK_EQUAL(Exchange(port, ClientContext("client"), "mutual\n", error), "lautum\n");
    BOOST_CHECK(server.WaitFor("CN = portafx-client") || server.WaitFor("CN=portafx-client"));
}

BOOST_AUTO_TEST_CASE(s_server_with_a_self_signed_certificate_is_untrusted) {
    Child server({"openssl", "s_server", "-accept", "0", "-naccept", "1", "-rev", "-cert", Pem("self.pem"), "-key",
                  Pem("self.key")});
    const unsigned port = StartServer(server);
    int error = 0;
    BOOST_CHECK_EQUAL(Exchange(port, ClientContext(), "x\n", error), "");
    BOOST_CHECK_EQUAL(error, static_cast<int>(SocketError::TlsCertificateUntrusted));
}

BOOST_AUTO_TEST_CASE(openssl_s_client_against_our_server) {
    int serverError = 0, exitCode = -1;
    const std::string out = ServeOneClient(ServerContext(), {}, serverError, exitCode);
    BOOST_CHECK_EQUAL(serverError, 0);
    BOOST_CHECK_MESSAGE(out.find("pong: ping from s_client") != std::string::npos, out);
    BOOST_CHECK_MESSAGE(out.find("verify return:1") != std::string::npos, out);
    BOOST_CHECK_EQUAL(exitCode, 0);
}

BOOST_AUTO_TEST_CASE(openssl_s_client_with_certificate_against_our_mutual_server) {
    int serverError = 0, exitCode = -1;
    const std::string out = ServeOneClient(
        MutualServerContext(), {"-cert", Pem("client.pem"), "-key", Pem("client.key")}, serverError, exitCode);
    BOOST_CHECK_EQUAL(serverError, 0);
    BOOST_CHECK_MESSAGE(out.find("pong: ping from s_client") != std::string::npos, out);
}

BOOST_AUTO_TEST_CASE(openssl_s_client_without_certificate_is_refused_by_our_mutual_server) {
    int serverError = 0, exitCode = -1;
    const std::string out = ServeOneClient(MutualServerContext(), {}, serverError, exitCode);
    BOOST_CHECK_EQUAL(serverError, static_cast<int>(SocketError::TlsCertificateRequired));
    BOOST_CHECK_MESSAGE(out.find("pong") == std::string::npos, out);
    BOOST_CHECK_MESSAGE(out.find("certificate required") != std::string::npos, out);
}

BOOST_AUTO_TEST_CASE(openssl_s_client_refuses_our_server_with_an_expired_certificate) {
    int serverError = 0, exitCode = -1;
    const std::string out = ServeOneClient(ServerContext("expired"), {}, serverError, exitCode);
    BOOST_CHECK_NE(serverError, 0);  // the client's alert ends our handshake
    BOOST_CHECK_NE(exitCode, 0);
    BOOST_CHECK_MESSAGE(out.find("certificate has expired") != std::string::npos, out);
}
