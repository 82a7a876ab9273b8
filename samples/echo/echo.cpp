// portafx-echo — an echo server and client written the way MFC programs use CAsyncSocket.
//
// What the sample shows:
//  * A listening socket subclass whose OnAccept does `new ClientSocket` + Accept, and connection
//    objects that end with `delete this` in their notifications, as MFC servers do.
//  * The WSAAsyncSelect rules portafx keeps: OnReceive comes once and is re-enabled by the one Receive
//    call it makes; OnSend comes once after connecting or accepting and then only after a Send failed
//    with WouldBlock (10035). So bytes a Send could not queue wait in a pending buffer until OnSend.
//  * A non-blocking Connect whose outcome arrives in OnConnect.
//  * Errors as MFC code sees them: GetLastError() numbers and GetLastErrorInfo() in words.
//  * Asio objects (a timer, a signal_set) sharing the EventLoop's thread through loop.Context().
//
// Usage:
//   portafx-echo server [port] [--address A] [--max-clients N]   port 0 = chosen by the OS
//   portafx-echo client <host> <port> <line>...                  sends each line, checks its echo
//   portafx-echo demo                                            both in one process, on 127.0.0.1
#include <portafx/portafx.hpp>

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace {

using portafx::AsyncSocket;
using portafx::EventLoop;
using portafx::SocketAddress;
using portafx::SocketError;

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
constexpr unsigned kDefaultPort = 7007;
constexpr auto kTimeLimit = std::chrono::seconds(10);  // client and demo give up after this

// One line of output. std::endl flushes, so a script reading our stdout sees each line at once.
void Say(const std::string& line) {
    std::cout << line << std::endl;
}

void Complain(const std::string& what) {
    std::cerr << "portafx-echo: " << what << std::endl;
}

// True if the calling thread's last socket error is `e` (MFC: GetLastError() == WSAEWOULDBLOCK).
bool LastErrorIs(SocketError e) {
    return AsyncSocket::GetLastError() == static_cast<int>(e);
}

// The text of an error code a notification was given.
std::string ErrorText(int code) {
    return std::string(portafx::SocketErrorName(code)) + " " + std::to_string(code) + ": " +
           portafx::SocketErrorMessage(code);
}

// --- the server ---------------------------------------------------------------------------------

class ListeningSocket;

// One accepted connection. It lives from ListeningSocket::OnAccept's `new` to its own `delete this`.
class ClientSocket : public AsyncSocket {
public:
    ClientSocket(ListeningSocket& server, EventLoop& loop) : AsyncSocket(loop), server_(server) {}

    std::string peer;  // "address:port", for messages

protected:
    void OnReceive(int errorCode) override;
    void OnSend(int errorCode) override;
    void OnClose(int errorCode) override;

private:
    bool ReceiveAndEcho();
    bool Flush();
    void Finish(const std::string& why);  // closes, tells the server, and deletes this object

    static constexpr std::size_t kMaxPending = 64 * 1024;  // stop reading while this much is unsent

    ListeningSocket& server_;
    std::string pending_;    // received, not yet sent back. While non-empty, an OnSend is on its way.
    bool paused_ = false;    // an OnReceive was left unanswered because pending_ was full
    bool peerDone_ = false;  // the peer has finished sending: close once pending_ is sent
};

// The listening socket: accepts connections and keeps count of them.
class ListeningSocket : public AsyncSocket {
public:
    // `prefix` starts every message; `maxClients` > 0 stops the loop once that many have come and gone.
    ListeningSocket(EventLoop& loop, std::string prefix, int maxClients)
        : AsyncSocket(loop), prefix_(std::move(prefix)), maxClients_(maxClients) {}

    // Connections still open when the server goes away (stopped by a signal) are closed with it.
    ~ListeningSocket() override {
        for (ClientSocket* client : clients_)
            delete client;
    }

    // Create + Listen, then prints "listening on <address>:<port>" (the port the OS chose, for port 0).
    bool Start(unsigned port, const char* address) {
        SocketAddress local;
        if (!Create(port, portafx::SocketType::Stream, portafx::AllEvents, address) || !Listen(SOMAXCONN) ||
            !GetSockName(local)) {
            Complain(GetLastErrorInfo().Message());
            return false;
        }
        Log("listening on " + local.ToString());
        return true;
    }

    void Log(const std::string& text) const { Say(prefix_ + text); }

    // Called by a ClientSocket that is about to delete itself.
    void ClientGone(ClientSocket* client, const std::string& why) {
        clients_.erase(client);
        Log("client closed (" + client->peer + ")" + (why.empty() ? "" : ": " + why));
        if (maxClients_ > 0 && ++finished_ == maxClients_) GetEventLoop().Stop();
    }

    bool Finished() const { return maxClients_ > 0 && finished_ == maxClients_; }

protected:
    void OnAccept(int errorCode) override {
        if (errorCode != 0) Log("accept error " + ErrorText(errorCode));
        auto* client = new ClientSocket(*this, GetEventLoop());
        SocketAddress peer;
        if (!Accept(*client, &peer)) {  // every Accept, even a failing one, re-enables OnAccept
            if (!LastErrorIs(SocketError::WouldBlock)) Log("Accept failed: " + GetLastErrorInfo().Message());
            delete client;
            return;
        }
        client->peer = peer.ToString();
        clients_.insert(client);
        Log("accepted " + client->peer);
        if (maxClients_ > 0 && ++accepted_ == maxClients_) Close();  // that was the last one we take
    }

private:
    std::string prefix_;
    int maxClients_;  // 0: serve until stopped
    int accepted_ = 0;
    int finished_ = 0;
    std::set<ClientSocket*> clients_;
};

void ClientSocket::OnReceive(int errorCode) {
    if (errorCode != 0) {
        Finish(ErrorText(errorCode));
        return;
    }
    if (pending_.size() >= kMaxPending) {
        paused_ = true;  // no Receive now, so no OnReceive either until OnSend resumes reading
        return;
    }
    if (!ReceiveAndEcho()) Finish(GetLastErrorInfo().Message());
}

// Receives once (which re-enables OnReceive) and sends the bytes back. False on a real error.
bool ClientSocket::ReceiveAndEcho() {
    char buf[4096];
    const int n = Receive(buf, static_cast<int>(sizeof buf));
    if (n == portafx::SocketErrorResult) return LastErrorIs(SocketError::WouldBlock);
    pending_.append(buf, static_cast<std::size_t>(n));  // n == 0: the peer has closed; OnClose follows
    return Flush();
}

// Sends as much of pending_ as the socket takes. False on a real error; after WouldBlock, OnSend
// comes when there is room again.
bool ClientSocket::Flush() {
    while (!pending_.empty()) {
        const int n = Send(pending_.data(), static_cast<int>(pending_.size()));
        if (n == portafx::SocketErrorResult) return LastErrorIs(SocketError::WouldBlock);
        server_.Log("echoed " + std::to_string(n) + " bytes");
        pending_.erase(0, static_cast<std::size_t>(n));
    }
    return true;
}

void ClientSocket::OnSend(int errorCode) {
    if (errorCode != 0) {
        Finish(ErrorText(errorCode));
        return;
    }
    if (!Flush()) {
        Finish(GetLastErrorInfo().Message());
        return;
    }
    if (!pending_.empty()) return;  // still no room: another OnSend will come
    if (peerDone_) {
        Finish("");
    } else if (paused_) {
        paused_ = false;
        if (!ReceiveAndEcho()) Finish(GetLastErrorInfo().Message());
    }
}

void ClientSocket::OnClose(int errorCode) {
    if (errorCode != 0) {  // reset or aborted: there is nobody left to echo to
        Finish(ErrorText(errorCode));
        return;
    }
    // A graceful close: echo whatever is still queued, then close once everything has been sent.
    peerDone_ = true;
    char buf[4096];
    int n;
    while ((n = Receive(buf, static_cast<int>(sizeof buf))) > 0)
        pending_.append(buf, static_cast<std::size_t>(n));
    if (!Flush()) {
        Finish(GetLastErrorInfo().Message());
    } else if (pending_.empty()) {
        Finish("");
    }
}

void ClientSocket::Finish(const std::string& why) {
    Close();
    server_.ClientGone(this, why);
    delete this;  // MFC style; nothing may touch the object after this line
}

// --- the client ---------------------------------------------------------------------------------

// Sends each line followed by "\n", waits for its echo, then sends the next one.
class EchoClient : public AsyncSocket {
public:
    // `done(ok)` is called once, when every echo has come back (ok) or something failed.
    EchoClient(EventLoop& loop, std::vector<std::string> lines, std::string prefix, std::function<void(bool)> done)
        : AsyncSocket(loop), lines_(std::move(lines)), prefix_(std::move(prefix)), done_(std::move(done)) {}

    bool Start(const char* host, unsigned port) {
        // On an AsyncSocket, Connect "fails" with WouldBlock: the outcome arrives in OnConnect.
        if (!Connect(host, port) && !LastErrorIs(SocketError::WouldBlock)) {
            Complain(GetLastErrorInfo().Message());
            return false;
        }
        return true;
    }

    bool Succeeded() const { return succeeded_; }

protected:
    void OnConnect(int errorCode) override {
        if (errorCode != 0) {
            Finish(false, "cannot connect: " + ErrorText(errorCode));
            return;
        }
        SocketAddress server;
        GetPeerName(server);
        connected_ = true;
        Log("connected to " + server.ToString());
        SendLine();
    }

    void OnSend(int errorCode) override {  // also comes once right after connecting, with nothing to send
        if (errorCode != 0) {
            Finish(false, "send: " + ErrorText(errorCode));
            return;
        }
        Flush();
    }

    void OnReceive(int errorCode) override {
        if (errorCode != 0) {
            Finish(false, "receive: " + ErrorText(errorCode));
            return;
        }
        char buf[4096];
        const int n = Receive(buf, static_cast<int>(sizeof buf));  // once per OnReceive
        if (n == portafx::SocketErrorResult) {
            if (!LastErrorIs(SocketError::WouldBlock)) Finish(false, GetLastErrorInfo().Message());
            return;
        }
        inbox_.append(buf, static_cast<std::size_t>(n));  // n == 0: the server closed; OnClose follows
        std::size_t end;
        while ((end = inbox_.find('\n')) != std::string::npos) {
            const std::string line = inbox_.substr(0, end);
            inbox_.erase(0, end + 1);
            Log("echoed: " + line);
            if (line != lines_[echoed_]) {
                Finish(false, "expected the echo '" + lines_[echoed_] + "', got '" + line + "'");
                return;
            }
            if (++echoed_ == lines_.size()) {
                Finish(true, "");
                return;
            }
            SendLine();
        }
    }

    void OnClose(int errorCode) override {
        Finish(false, "the server closed the connection after " + std::to_string(echoed_) + " of " +
                          std::to_string(lines_.size()) + " echoes" +
                          (errorCode != 0 ? " (" + ErrorText(errorCode) + ")" : ""));
    }

private:
    void Log(const std::string& text) const { Say(prefix_ + text); }

    void SendLine() {
        outbox_ = lines_[echoed_] + "\n";
        Flush();
    }

    // Sends what is left of outbox_. After WouldBlock, OnSend calls this again.
    void Flush() {
        while (!outbox_.empty()) {
            const int n = Send(outbox_.data(), static_cast<int>(outbox_.size()));
            if (n == portafx::SocketErrorResult) {
                if (!LastErrorIs(SocketError::WouldBlock)) Finish(false, GetLastErrorInfo().Message());
                return;
            }
            outbox_.erase(0, static_cast<std::size_t>(n));
            if (outbox_.empty()) Log("sent: " + lines_[echoed_]);
        }
    }

    void Finish(bool ok, const std::string& why) {
        succeeded_ = ok;
        if (!ok) Complain(why);
        Close();  // nothing is left unread, so the server sees a graceful close
        if (connected_) Log("closed");
        done_(ok);
    }

    std::vector<std::string> lines_;
    std::size_t echoed_ = 0;  // lines whose echo came back; lines_[echoed_] is the one in flight
    std::string outbox_;
    std::string inbox_;
    std::string prefix_;
    std::function<void(bool)> done_;
    bool connected_ = false;
    bool succeeded_ = false;
};

// --- the three modes ----------------------------------------------------------------------------

// Runs `loop` until something stops it; false if kTimeLimit passed first.
bool RunWithTimeLimit(EventLoop& loop) {
    boost::asio::steady_timer timer(loop.Context(), kTimeLimit);
    bool expired = false;
    timer.async_wait([&](const boost::system::error_code& ec) {
        if (ec) return;  // cancelled
        expired = true;
        loop.Stop();
    });
    loop.Run();
    if (expired) Complain("gave up after " + std::to_string(kTimeLimit.count()) + " s");
    return !expired;
}

int RunServer(unsigned port, const char* address, int maxClients) {
    EventLoop loop;
    ListeningSocket server(loop, "", maxClients);
    if (!server.Start(port, address)) return kExitFailure;
    // Ctrl+C and SIGTERM stop the loop; the sockets are closed as the objects go away.
    boost::asio::signal_set signals(loop.Context(), SIGINT, SIGTERM);
    signals.async_wait([&loop](const boost::system::error_code& ec, int signo) {
        if (ec) return;
        Complain("stopping on signal " + std::to_string(signo));
        loop.Stop();
    });
    loop.Run();  // until Stop: the last of --max-clients has gone, or a signal came
    return kExitOk;
}

int RunClient(const char* host, unsigned port, std::vector<std::string> lines) {
    EventLoop loop;
    EchoClient client(loop, std::move(lines), "", [&loop](bool) { loop.Stop(); });
    if (!client.Start(host, port) || !RunWithTimeLimit(loop)) return kExitFailure;
    return client.Succeeded() ? kExitOk : kExitFailure;
}

int RunDemo() {
    EventLoop loop;                               // one loop, one thread: the server and the client take turns
    ListeningSocket server(loop, "server: ", 1);  // stops the loop once its one client has gone
    SocketAddress local;
    if (!server.Start(0, "127.0.0.1") || !server.GetSockName(local)) return kExitFailure;
    EchoClient client(loop, {"hello", "portafx echo", "goodbye"}, "client: ", [&loop](bool ok) {
        if (!ok) loop.Stop();  // on success, wait for the server to see the close
    });
    if (!client.Start("127.0.0.1", local.Port()) || !RunWithTimeLimit(loop)) return kExitFailure;
    if (!client.Succeeded() || !server.Finished()) return kExitFailure;
    Say("demo: every echo came back and the server saw the close");
    return kExitOk;
}

int Usage(const std::string& problem = {}) {
    if (!problem.empty()) Complain(problem);
    std::cerr << "usage: portafx-echo server [port] [--address A] [--max-clients N]\n"
                 "       portafx-echo client <host> <port> <line>...\n"
                 "       portafx-echo demo\n";
    return kExitUsage;
}

// A whole decimal number in [min, max].
bool ParseNumber(const std::string& text, unsigned long min, unsigned long max, unsigned long& out) {
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return false;
    const unsigned long value = std::strtoul(text.c_str(), nullptr, 10);  // ULONG_MAX if too long
    if (value < min || value > max) return false;
    out = value;
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) return Usage();
    const std::string& mode = args[0];
    unsigned long number = 0;

    if (mode == "server") {
        unsigned port = kDefaultPort;
        bool portGiven = false;
        std::string address;
        int maxClients = 0;
        for (std::size_t i = 1; i < args.size(); ++i) {
            const bool hasValue = i + 1 < args.size();
            if (args[i] == "--address" && hasValue) {
                address = args[++i];
            } else if (args[i] == "--max-clients" && hasValue) {
                if (!ParseNumber(args[++i], 1, 1000000, number)) return Usage("bad --max-clients " + args[i]);
                maxClients = static_cast<int>(number);
            } else if (!portGiven && args[i].rfind("--", 0) != 0) {
                if (!ParseNumber(args[i], 0, 65535, number)) return Usage("bad port '" + args[i] + "'");
                port = static_cast<unsigned>(number);
                portGiven = true;
            } else {
                return Usage("unexpected argument '" + args[i] + "'");
            }
        }
        return RunServer(port, address.empty() ? nullptr : address.c_str(), maxClients);
    }
    if (mode == "client") {
        if (args.size() < 4) return Usage("client needs a host, a port and at least one line");
        if (!ParseNumber(args[2], 1, 65535, number)) return Usage("bad port '" + args[2] + "'");
        for (std::size_t i = 3; i < args.size(); ++i) {
            if (args[i].find('\n') != std::string::npos) return Usage("a line may not contain a newline");
        }
        return RunClient(args[1].c_str(), static_cast<unsigned>(number), {args.begin() + 3, args.end()});
    }
    if (mode == "demo" && args.size() == 1) return RunDemo();
    return Usage();
}
