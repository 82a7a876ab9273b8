// portafx-tls-echo — an echo server and client over TLS, written the way MFC programs use CAsyncSocket and
// CSocket, with TLS switched on by one call (docs/tls.md).
//
// What the sample shows:
//  * A TlsContext per role: the server's certificate and key from PEM files; the client's trusted CA (or the
//    system store), verification of the server's certificate and host name by default, `--insecure` as the
//    explicit opt-out; client certificates (mutual TLS) on both sides.
//  * The server: a listening AsyncSocket with EnableTls; each accepted socket does the server handshake
//    before its first notification, then OnReceive / OnSend as on a plain socket (decrypted bytes).
//  * The client: a blocking Socket; EnableTls before Connect, and Connect returns once the handshake is done
//    or fails with a TLS error whose words say why (untrusted, expired, wrong host name, not TLS, ...).
//
// Usage:
//   portafx-tls-echo server <port> --cert C --key K [--address A] [--max-clients N] [--client-ca CA]
//   portafx-tls-echo client <host> <port> [--ca CA | --insecure] [--cert C --key K] [--name N] <line>...
// make-test-cert.sh (next to this file) makes a self-signed certificate for localhost to try it with.
#include <portafx/portafx.hpp>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <set>
#include <string>
#include <vector>

namespace {

using portafx::AsyncSocket;
using portafx::EventLoop;
using portafx::SocketAddress;
using portafx::SocketError;
using portafx::TlsContext;
using portafx::TlsRole;

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

void Say(const std::string& line) {
    std::cout << line << std::endl;  // flushed: a script reading our output sees each line at once
}

void Complain(const std::string& what) {
    std::cerr << "portafx-tls-echo: " << what << std::endl;
}

bool LastErrorIs(SocketError e) {
    return AsyncSocket::GetLastError() == static_cast<int>(e);
}

std::string ErrorText(int code) {
    return std::string(portafx::SocketErrorName(code)) + " " + std::to_string(code) + ": " +
           portafx::SocketErrorMessage(code);
}

// What a TLS connection negotiated, in one line.
std::string Describe(const AsyncSocket& socket) {
    portafx::TlsInfo info;
    if (!socket.GetTlsInfo(info)) return "no TLS";
    std::string text = info.version + " " + info.cipher;
    if (info.peerCertificate) {
        text += ", peer " + info.peerSubject + (info.peerVerified ? " (verified)" : " (not verified)");
    }
    return text;
}

// --- the server ---------------------------------------------------------------------------------

class Listener;

// One accepted TLS connection: echoes what it receives; deletes itself when the connection ends.
class Connection : public AsyncSocket {
public:
    Connection(Listener& server, EventLoop& loop) : AsyncSocket(loop), server_(server) {}
    std::string peer;

protected:
    void OnSend(int errorCode) override;
    void OnReceive(int errorCode) override;
    void OnClose(int errorCode) override;

private:
    bool Flush();
    void Finish(const std::string& why);

    Listener& server_;
    std::string pending_;  // received, not yet sent back
    bool greeted_ = false;
};

class Listener : public AsyncSocket {
public:
    Listener(EventLoop& loop, int maxClients) : AsyncSocket(loop), maxClients_(maxClients) {}
    ~Listener() override {
        for (Connection* c : clients_)
            delete c;
    }

    bool Start(unsigned port, const char* address, const TlsContext& context) {
        SocketAddress local;
        if (!Create(port, portafx::SocketType::Stream, portafx::AllEvents, address) || !EnableTls(context) ||
            !Listen(SOMAXCONN) || !GetSockName(local)) {
            Complain(GetLastErrorInfo().Message());
            return false;
        }
        Say("listening on " + local.ToString());
        return true;
    }

    void Gone(Connection* c, const std::string& why) {
        clients_.erase(c);
        Say("client closed (" + c->peer + ")" + (why.empty() ? "" : ": " + why));
        if (maxClients_ > 0 && ++finished_ == maxClients_) GetEventLoop().Stop();
    }

protected:
    void OnAccept(int) override {
        auto* c = new Connection(*this, GetEventLoop());
        SocketAddress peer;
        if (!Accept(*c, &peer)) {
            if (!LastErrorIs(SocketError::WouldBlock)) Say("Accept failed: " + GetLastErrorInfo().Message());
            delete c;
            return;
        }
        c->peer = peer.ToString();
        clients_.insert(c);
        Say("accepted " + c->peer + " (TLS handshake under way)");
        if (maxClients_ > 0 && ++accepted_ == maxClients_) Close();
    }

private:
    int maxClients_;
    int accepted_ = 0;
    int finished_ = 0;
    std::set<Connection*> clients_;
};

void Connection::OnSend(int errorCode) {
    if (errorCode != 0) return Finish(ErrorText(errorCode));
    if (!greeted_) {  // the first OnSend: the handshake is done
        greeted_ = true;
        Say("TLS with " + peer + ": " + Describe(*this));
    }
    if (!Flush()) Finish(GetLastErrorInfo().Message());
}

void Connection::OnReceive(int errorCode) {
    if (errorCode != 0) return Finish(ErrorText(errorCode));
    char buf[4096];
    const int n = Receive(buf, sizeof buf);  // decrypted bytes
    if (n == portafx::SocketErrorResult) {
        if (!LastErrorIs(SocketError::WouldBlock)) Finish(GetLastErrorInfo().Message());
        return;
    }
    pending_.append(buf, static_cast<std::size_t>(n));
    if (!Flush()) Finish(GetLastErrorInfo().Message());
}

bool Connection::Flush() {
    while (!pending_.empty()) {
        const int n = Send(pending_.data(), static_cast<int>(pending_.size()));
        if (n == portafx::SocketErrorResult) return LastErrorIs(SocketError::WouldBlock);  // OnSend will come
        pending_.erase(0, static_cast<std::size_t>(n));
    }
    return true;
}

void Connection::OnClose(int errorCode) {
    // A failed handshake ends here too, with the TLS error (e.g. PFX_TLS_NOT_TLS for a plain-TCP client).
    if (errorCode != 0) {
        char c;
        Receive(&c, 1);  // the words for the error
        return Finish(ErrorText(errorCode) + " — " + GetLastErrorInfo().detail);
    }
    Flush();
    Finish("");
}

void Connection::Finish(const std::string& why) {
    Close();
    server_.Gone(this, why);
    delete this;
}

int RunServer(unsigned port, const char* address, int maxClients, const TlsContext& context) {
    EventLoop loop;
    Listener server(loop, maxClients);
    if (!server.Start(port, address, context)) return kExitFailure;
    loop.Run();
    return kExitOk;
}

// --- the client ---------------------------------------------------------------------------------

int RunClient(const std::string& host, unsigned port, const TlsContext& context, const std::string& name,
              const std::vector<std::string>& lines) {
    portafx::Socket socket;
    socket.SetTimeout(std::chrono::seconds(10));
    if (!socket.Create() || !socket.EnableTls(context, name) || !socket.Connect(host.c_str(), port)) {
        Complain(AsyncSocket::GetLastErrorInfo().Message());
        return kExitFailure;
    }
    Say("connected: " + Describe(socket));
    for (const std::string& line : lines) {
        const std::string out = line + "\n";
        if (socket.Send(out.data(), static_cast<int>(out.size())) != static_cast<int>(out.size())) {
            Complain(AsyncSocket::GetLastErrorInfo().Message());
            return kExitFailure;
        }
        std::string back;
        char buf[4096];
        while (back.size() < out.size()) {
            const int n = socket.Receive(buf, static_cast<int>(std::min(sizeof buf, out.size() - back.size())));
            if (n <= 0) {
                Complain(n == 0 ? "the server closed the connection" : AsyncSocket::GetLastErrorInfo().Message());
                return kExitFailure;
            }
            back.append(buf, static_cast<std::size_t>(n));
        }
        if (back != out) {
            Complain("echo mismatch: sent '" + line + "', got '" + back + "'");
            return kExitFailure;
        }
        Say("echo: " + line);
    }
    socket.Close();  // sends close_notify
    return kExitOk;
}

int Usage(const std::string& problem = {}) {
    if (!problem.empty()) Complain(problem);
    std::cerr << "usage: portafx-tls-echo server <port> --cert C --key K [--address A] [--max-clients N]"
                 " [--client-ca CA]\n"
                 "       portafx-tls-echo client <host> <port> [--ca CA | --insecure] [--cert C --key K]"
                 " [--name N] <line>...\n";
    return kExitUsage;
}

bool ParseNumber(const std::string& text, unsigned long min, unsigned long max, unsigned long& out) {
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return false;
    const unsigned long value = std::strtoul(text.c_str(), nullptr, 10);
    if (value < min || value > max) return false;
    out = value;
    return true;
}

// Loads this end's certificate and key, if given; false (with a message) on failure.
bool LoadIdentity(TlsContext& context, const std::string& cert, const std::string& key) {
    if (cert.empty() != key.empty()) {
        Complain("--cert and --key go together");
        return false;
    }
    if (cert.empty()) return true;
    if (!context.UseCertificateChainFile(cert) || !context.UsePrivateKeyFile(key)) {
        Complain(AsyncSocket::GetLastErrorInfo().Message());
        return false;
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (args.size() < 2) return Usage();
    const std::string& mode = args[0];
    std::string cert, key, ca, address, name;
    bool insecure = false;
    int maxClients = 0;
    std::vector<std::string> positional;
    unsigned long number = 0;
    for (std::size_t i = 1; i < args.size(); ++i) {
        const bool hasValue = i + 1 < args.size();
        const std::string& a = args[i];
        if (a == "--cert" && hasValue) {
            cert = args[++i];
        } else if (a == "--key" && hasValue) {
            key = args[++i];
        } else if ((a == "--ca" || a == "--client-ca") && hasValue) {
            ca = args[++i];
        } else if (a == "--address" && hasValue) {
            address = args[++i];
        } else if (a == "--name" && hasValue) {
            name = args[++i];
        } else if (a == "--max-clients" && hasValue) {
            if (!ParseNumber(args[++i], 1, 1000000, number)) return Usage("bad --max-clients");
            maxClients = static_cast<int>(number);
        } else if (a == "--insecure") {
            insecure = true;
        } else if (a.rfind("--", 0) == 0) {
            return Usage("unknown option " + a);
        } else {
            positional.push_back(a);
        }
    }
    try {
        if (mode == "server") {
            if (positional.size() != 1 || !ParseNumber(positional[0], 0, 65535, number)) return Usage("bad port");
            if (cert.empty()) return Usage("a server needs --cert and --key");
            TlsContext context(TlsRole::Server);
            if (!LoadIdentity(context, cert, key)) return kExitFailure;
            if (!ca.empty()) {  // mutual TLS: clients must present a certificate this CA issued
                context.SetVerifyPeer(true);
                if (!context.AddTrustedCaFile(ca)) {
                    Complain(AsyncSocket::GetLastErrorInfo().Message());
                    return kExitFailure;
                }
            }
            return RunServer(static_cast<unsigned>(number), address.empty() ? nullptr : address.c_str(), maxClients,
                             context);
        }
        if (mode == "client") {
            if (positional.size() < 3) return Usage("client needs a host, a port and at least one line");
            if (!ParseNumber(positional[1], 1, 65535, number)) return Usage("bad port");
            TlsContext context(TlsRole::Client);
            if (insecure) context.SetVerifyPeer(false);  // the explicit opt-out
            if (!ca.empty() && !context.AddTrustedCaFile(ca)) {
                Complain(AsyncSocket::GetLastErrorInfo().Message());
                return kExitFailure;
            }
            if (!LoadIdentity(context, cert, key)) return kExitFailure;
            return RunClient(positional[0], static_cast<unsigned>(number), context, name,
                             {positional.begin() + 2, positional.end()});
        }
    } catch (const std::exception& e) {
        Complain(e.what());
        return kExitFailure;
    }
    return Usage();
}
