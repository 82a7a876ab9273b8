// portafx-chat — MFC's CHATSRVR/CHATTER chat, server and client, on portafx::Socket, SocketFile and Archive.
//
// What the sample shows:
//  * The classic MFC socket-and-archive design: per connection one SocketFile and two Archives (one loading,
//    one storing) kept for the connection's lifetime; messages written with `msg.Serialize(*out);
//    out->Flush();` and read with `do { msg.Serialize(*in); ... } while (!in->IsBufferEmpty());`.
//  * The wire format of MFC's CArchive, so a program that never heard of portafx (the test's Python client,
//    or an MFC program) takes part in the chat: see chat_message.hpp.
//  * CSocket's pseudo-blocking calls (Connect, Send, Receive pump the socket's EventLoop while they wait),
//    bounded by Socket::SetTimeout, and what that means for lifetime: see chat_server.hpp.
//  * One EventLoop per thread: in the demo, each client runs in its own thread with its own loop, and its
//    Socket's blocking calls pump that loop.
//  * Asio objects sharing a loop's thread through loop.Context(): a deadline timer, a signal_set, and the
//    terminal (stdin) read without blocking the loop.
//
// Usage:
//   portafx-chat server [port] [--address A] [--max-clients N]   port 0 = chosen by the OS
//   portafx-chat client <host> <port> <name> --say LINE... [--wait-for N]
//                      says each LINE, waits until N messages have come in (default: as many as it said),
//                      then leaves
//   portafx-chat client <host> <port> <name>                     interactive: lines typed are sent
//   portafx-chat demo                                            a server and three clients in threads
#include "chat_message.hpp"
#include "chat_server.hpp"

#include <portafx/portafx.hpp>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <deque>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

using chat::ChatMessage;
using chat::ChatServer;
using portafx::EventLoop;
using portafx::SocketAddress;

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
constexpr unsigned kDefaultPort = 7008;
constexpr auto kClientTimeLimit = std::chrono::seconds(10);  // a scripted client gives up after this
constexpr auto kDemoTimeLimit = std::chrono::seconds(15);    // the demo gives up after this

// --- output: whole lines, from any thread -------------------------------------------------------------

std::mutex outputMutex;  // the demo's threads print too: one line at a time, never mixed

// One line of output. std::endl flushes, so a script reading our stdout sees each line at once.
void Print(const std::string& line) {
    std::lock_guard<std::mutex> lock(outputMutex);
    std::cout << line << std::endl;
}

void ServerLog(const std::string& line) {
    Print("server: " + line);
}

void Complain(const std::string& what) {
    std::lock_guard<std::mutex> lock(outputMutex);
    std::cerr << "portafx-chat: " << what << std::endl;
}

// --- the client -------------------------------------------------------------------------------------

// One chat client (CHATTER's CChatSocket and the document that owns its archives): a Socket with a
// SocketFile and two Archives for the connection's lifetime. It follows a script of lines to say, and leaves
// once it has received enough messages; without a script (interactive) it stays until Leave.
class ChatClient : public portafx::Socket {
public:
    // Say `text` once `after` messages have come in (0: at once).
    struct Line {
        std::string text;
        std::size_t after = 0;
    };

    // `leaveAfter` > 0: a scripted client, which leaves once it has said every line and received that many
    // messages. 0: an interactive one.
    ChatClient(EventLoop& loop, std::string name, std::vector<Line> script, std::size_t leaveAfter)
        : Socket(loop),
          name_(std::move(name)),
          script_(std::move(script)),
          leaveAfter_(leaveAfter),
          goodbyeTimer_(loop.Context()) {}

    // Connects (blocking, like CSocket::Connect) and opens the archives; then says the lines due at once.
    // False if it could not connect: Outcome() says why.
    bool Join(const std::string& host, unsigned port) {
        SetTimeout(kClientTimeLimit);  // every blocking call of this socket fails with WSAETIMEDOUT after this
        // No Create first: Connect makes a socket of the family of the address it reaches (IPv4 or IPv6).
        if (!Connect(host.c_str(), port)) {
            End(false,
                "cannot connect to " + host + " port " + std::to_string(port) + ": " + GetLastErrorInfo().Message());
            return false;
        }
        file_ = std::make_unique<portafx::SocketFile>(*this);
        in_ = std::make_unique<portafx::Archive>(*file_, portafx::Archive::Load);
        out_ = std::make_unique<portafx::Archive>(*file_, portafx::Archive::Store);
        SocketAddress server;
        GetPeerName(server);
        Print(name_ + ": connected to " + server.ToString());
        FollowScript();
        return true;
    }

    // Sends "<name>: <line>".
    void Say(const std::string& line) {
        if (Scripted()) Print(name_ + " says: " + line);
        ChatMessage msg;
        msg.text = name_ + ": " + line;
        SendMsg(std::move(msg));
    }

    // Sends a message with the close flag set. The client ends when the server has closed the connection.
    void Leave() {
        if (leaving_) return;
        leaving_ = true;
        ChatMessage bye;
        bye.close = 1;
        bye.text = name_ + " has left";
        SendMsg(std::move(bye));
    }

    // Ends the client at once with a failure (the deadline): a blocking call in progress is cancelled.
    void GiveUp(const std::string& why) { End(false, why + Progress()); }

    bool Done() const { return done_; }
    bool Succeeded() const { return succeeded_; }
    const std::string& Outcome() const { return outcome_; }  // why it ended
    const std::vector<std::string>& Received() const { return received_; }

protected:
    // CHATTER's ProcessPendingRead: the same loop as the server's.
    void OnReceive(int errorCode) override {
        if (errorCode != 0) {
            End(false, chat::ErrorText(errorCode));
            return;
        }
        try {
            do {
                ChatMessage msg;
                msg.Serialize(*in_);  // pumps this thread's loop until the whole message has arrived
                if (msg.close) {
                    End(!Scripted(), "the server closed the chat" + Progress());
                    return;
                }
                Show(msg);
                FollowScript();  // may say lines, or leave
            } while (!done_ && !in_->IsBufferEmpty());
        } catch (const portafx::ArchiveException& e) {
            End(false, e.GetCause() == portafx::ArchiveException::endOfFile ? "the server went away"
                                                                            : std::string("bad message: ") + e.what());
        } catch (const portafx::FileException& e) {
            End(false, e.what());
        }
        SendOutbox();  // what was typed while the read above waited
    }

    void OnClose(int errorCode) override {
        if (goodbyeSent_ && errorCode == 0) {
            End(true, "");  // the server has read our goodbye: a clean end
        } else {
            End(false, "the server closed the connection" + Progress() +
                           (errorCode != 0 ? " (" + chat::ErrorText(errorCode) + ")" : std::string()));
        }
    }

private:
    bool Scripted() const { return leaveAfter_ > 0; }

    // " after 2 of 6 messages" for a scripted client, for messages that say how far it got.
    std::string Progress() const {
        if (!Scripted()) return "";
        return " after " + std::to_string(received_.size()) + " of " + std::to_string(leaveAfter_) + " messages";
    }

    void Show(const ChatMessage& msg) {
        received_.push_back(msg.text);
        const std::string prefix = Scripted() ? name_ + " got: " : "";
        Print(prefix + msg.text);
        for (const std::string& item : msg.list)  // MFC's CHATSRVR sends lines in the list too
            Print(prefix + item);
    }

    // Says the lines that are due, then leaves if the script is complete.
    void FollowScript() {
        while (!done_ && next_ < script_.size() && script_[next_].after <= received_.size())
            Say(script_[next_++].text);
        if (!done_ && !leaving_ && Scripted() && next_ == script_.size() && received_.size() >= leaveAfter_) {
            Print(name_ + ": got " + std::to_string(received_.size()) + " messages, leaving");
            Leave();
        }
    }

    // Queues a message and sends it now unless a blocking call of this socket is in progress: the terminal
    // and the deadline are read by the loop, and the loop also turns inside our blocking calls, where
    // another call on the same socket would fail (WSAEINPROGRESS). Such messages go out when the call ends.
    void SendMsg(ChatMessage msg) {
        outbox_.push_back(std::move(msg));
        if (!IsBlocking()) SendOutbox();
    }

    void SendOutbox() {
        try {
            while (!done_ && !outbox_.empty()) {
                ChatMessage msg = std::move(outbox_.front());
                outbox_.pop_front();
                msg.Serialize(*out_);
                out_->Flush();  // CSocket::Send: blocks (pumping the loop) until every byte is sent
                if (msg.close) AfterGoodbye();
            }
        } catch (const portafx::Exception& e) {
            End(false, e.what());
        }
    }

    // The goodbye is out: half-close, and wait for the server to close the connection once it has read it
    // (OnClose). Closing at once while messages are still unread here would reset the connection, and the
    // server could lose the goodbye. A server that does not close is left after a moment anyway.
    void AfterGoodbye() {
        goodbyeSent_ = true;
        ShutDown(Sends);
        goodbyeTimer_.expires_after(std::chrono::seconds(2));
        goodbyeTimer_.async_wait([this](const boost::system::error_code& ec) {
            if (!ec) End(true, "");
        });
    }

    // The first call wins. Closing cancels a blocking call in progress; the loop's Run returns.
    void End(bool ok, const std::string& why) {
        if (done_) return;
        done_ = true;
        succeeded_ = ok;
        outcome_ = why;
        goodbyeTimer_.cancel();
        Close();
        GetEventLoop().Stop();
    }

    std::string name_;
    std::vector<Line> script_;
    std::size_t next_ = 0;  // the next line of the script to say
    std::size_t leaveAfter_;
    std::vector<std::string> received_;
    std::deque<ChatMessage> outbox_;
    bool leaving_ = false;      // Leave was called
    bool goodbyeSent_ = false;  // the message with the close flag has gone out
    bool done_ = false;
    bool succeeded_ = false;
    std::string outcome_;
    std::unique_ptr<portafx::SocketFile> file_;  // declared before the archives, so destroyed after them
    std::unique_ptr<portafx::Archive> in_;
    std::unique_ptr<portafx::Archive> out_;
    boost::asio::steady_timer goodbyeTimer_;  // bounds the wait for the server's close after our goodbye
};

// --- the modes ------------------------------------------------------------------------------------

// A scripted client from start to end, on `loop` (the calling thread's): true if it said every line and got
// the messages it waited for. `received` gets what it received.
bool RunScriptedClient(EventLoop& loop, const std::string& host, unsigned port, const std::string& name,
                       std::vector<ChatClient::Line> script, std::size_t leaveAfter,
                       std::vector<std::string>* received = nullptr) {
    ChatClient client(loop, name, std::move(script), leaveAfter);
    // The overall deadline. Its handler runs on this thread, also inside the socket's blocking calls.
    boost::asio::steady_timer deadline(loop.Context(), kClientTimeLimit);
    deadline.async_wait([&](const boost::system::error_code& ec) {
        if (!ec) client.GiveUp("gave up after " + std::to_string(kClientTimeLimit.count()) + " s");
    });
    if (client.Join(host, port) && !client.Done()) loop.Run();  // until the client ends, which stops the loop
    deadline.cancel();
    if (received != nullptr) *received = client.Received();
    if (!client.Succeeded()) Complain(name + ": " + client.Outcome());
    return client.Succeeded();
}

int RunClient(const std::string& host, unsigned port, const std::string& name, const std::vector<std::string>& lines,
              std::size_t waitFor) {
    std::vector<ChatClient::Line> script;
    for (const std::string& line : lines)
        script.push_back({line, 0});
    EventLoop loop;
    return RunScriptedClient(loop, host, port, name, std::move(script), waitFor) ? kExitOk : kExitFailure;
}

// Puts the terminal's flags back on exit: Asio makes stdin non-blocking, and the shell shares that setting.
class StdinFlagsGuard {
public:
    StdinFlagsGuard() : flags_(::fcntl(STDIN_FILENO, F_GETFL)) {}
    ~StdinFlagsGuard() {
        if (flags_ != -1) ::fcntl(STDIN_FILENO, F_SETFL, flags_);
    }
    StdinFlagsGuard(const StdinFlagsGuard&) = delete;
    StdinFlagsGuard& operator=(const StdinFlagsGuard&) = delete;

private:
    int flags_;
};

int RunInteractiveClient(const std::string& host, unsigned port, const std::string& name) {
    EventLoop loop;
    ChatClient client(loop, name, {}, 0);
    if (!client.Join(host, port)) {
        Complain(client.Outcome());
        return kExitFailure;
    }
    Print("type a line and press Enter to send it; Ctrl+D leaves the chat");

    // The terminal, read on the loop's thread without blocking it. A duplicate descriptor, so that closing
    // this object leaves stdin open.
    StdinFlagsGuard restoreFlags;
    boost::asio::posix::stream_descriptor input(loop.Context());
    boost::system::error_code error;
    input.assign(::dup(STDIN_FILENO), error);
    if (error) {
        Complain("cannot read the terminal: " + error.message());
        return kExitFailure;
    }
    boost::asio::streambuf typed;
    std::function<void()> readLine = [&] {
        boost::asio::async_read_until(input, typed, '\n', [&](const boost::system::error_code& ec, std::size_t n) {
            if (client.Done()) return;
            if (ec) n = typed.size();  // the end of input (Ctrl+D) or an error: what is left, then leave
            std::string line(boost::asio::buffers_begin(typed.data()),
                             boost::asio::buffers_begin(typed.data()) + static_cast<std::ptrdiff_t>(n));
            typed.consume(n);
            while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
                line.pop_back();
            if (!line.empty()) client.Say(line);
            if (ec) {
                client.Leave();
            } else {
                readLine();
            }
        });
    };
    readLine();
    loop.Run();  // until the client leaves or the server ends the chat
    if (!client.Succeeded()) {
        Complain(client.Outcome());
        return kExitFailure;
    }
    if (!client.Outcome().empty()) Print(client.Outcome());
    return kExitOk;
}

int RunServer(unsigned port, const char* address, int maxClients) {
    EventLoop loop;
    ChatServer server(loop, ServerLog, maxClients);
    SocketAddress local;
    if (!server.Start(port, address, local)) {
        Complain(portafx::AsyncSocket::GetLastErrorInfo().Message());
        return kExitFailure;
    }
    Print("listening on " + local.ToString());  // the first line: scripts read the port from it
    // Ctrl+C and SIGTERM stop the loop; then the clients are told, and the sockets closed.
    boost::asio::signal_set signals(loop.Context(), SIGINT, SIGTERM);
    signals.async_wait([&loop](const boost::system::error_code& ec, int signo) {
        if (ec) return;
        Complain("stopping on signal " + std::to_string(signo));
        loop.Stop();
    });
    loop.Run();  // until Stop: the last of --max-clients has left, or a signal came
    server.SayGoodbye();
    return kExitOk;
}

// The server on this thread's loop, and three clients, each in its own thread with its own EventLoop. They
// take turns: each line is said once the line before it has come in, so the conversation reads in order.
int RunDemo() {
    struct Person {
        std::string name;
        std::vector<ChatClient::Line> script;
    };
    const std::vector<Person> people = {
        {"alice", {{"hi bob, hi carol", 0}, {"this chat is MFC's CHATSRVR, on Linux", 3}}},
        {"bob", {{"hello alice", 1}, {"each message is a CArchive stream", 4}}},
        {"carol", {{"hey, both of you", 2}, {"and every client runs in its own thread", 5}}},
    };
    std::vector<std::string> expected;
    for (const Person& person : people) {
        for (const ChatClient::Line& line : person.script)
            expected.push_back(person.name + ": " + line.text);
    }
    std::sort(expected.begin(), expected.end());

    EventLoop loop;
    ChatServer server(loop, ServerLog, 3);  // it stops the loop once its three clients have come and gone
    SocketAddress local;
    if (!server.Start(0, "127.0.0.1", local)) {
        Complain(portafx::AsyncSocket::GetLastErrorInfo().Message());
        return kExitFailure;
    }
    Print("server: listening on " + local.ToString());

    std::array<std::vector<std::string>, 3> received;
    std::array<bool, 3> ok{};
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < people.size(); ++i) {
        threads.emplace_back([&, i] {
            EventLoop clientLoop;  // this thread's message pump; the client's blocking calls turn it
            ok[i] = RunScriptedClient(clientLoop, "127.0.0.1", local.Port(), people[i].name, people[i].script,
                                      expected.size(), &received[i]);
        });
    }

    boost::asio::steady_timer deadline(loop.Context(), kDemoTimeLimit);
    bool expired = false;
    deadline.async_wait([&](const boost::system::error_code& ec) {
        if (ec) return;
        expired = true;
        loop.Stop();
    });
    loop.Run();  // until the three clients have come and gone, or the deadline
    deadline.cancel();
    for (std::thread& thread : threads)
        thread.join();  // each client ends by itself, within its own time limit
    bool complete = !expired && server.Finished();
    server.SayGoodbye();  // to clients still there if something went wrong

    if (expired) Complain("the demo did not finish within " + std::to_string(kDemoTimeLimit.count()) + " s");
    for (std::size_t i = 0; i < people.size(); ++i) {
        std::sort(received[i].begin(), received[i].end());
        if (!ok[i] || received[i] != expected) {
            Complain(people[i].name + " got " + std::to_string(received[i].size()) + " of the " +
                     std::to_string(expected.size()) + " messages");
            complete = false;
        }
    }
    if (!complete) return kExitFailure;
    Print("demo: 3 clients, 6 messages, every client got all 6");
    return kExitOk;
}

// --- the command line ------------------------------------------------------------------------------

int Usage(const std::string& problem = {}) {
    if (!problem.empty()) Complain(problem);
    std::cerr << "usage: portafx-chat server [port] [--address A] [--max-clients N]\n"
                 "       portafx-chat client <host> <port> <name> [--say LINE]... [--wait-for N]\n"
                 "       portafx-chat demo\n";
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

int ServerMain(const std::vector<std::string>& args) {
    unsigned port = kDefaultPort;
    bool portGiven = false;
    std::string address;
    int maxClients = 0;
    unsigned long number = 0;
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

int ClientMain(const std::vector<std::string>& args) {
    if (args.size() < 4) return Usage("client needs a host, a port and a name");
    unsigned long port = 0;
    if (!ParseNumber(args[2], 1, 65535, port)) return Usage("bad port '" + args[2] + "'");
    const std::string& name = args[3];
    if (name.empty() || name.find('\n') != std::string::npos) return Usage("bad name '" + name + "'");
    std::vector<std::string> lines;
    unsigned long waitFor = 0;
    for (std::size_t i = 4; i < args.size(); ++i) {
        const bool hasValue = i + 1 < args.size();
        if (args[i] == "--say" && hasValue) {
            lines.push_back(args[++i]);
            if (lines.back().find('\n') != std::string::npos) return Usage("a line may not contain a newline");
        } else if (args[i] == "--wait-for" && hasValue) {
            if (!ParseNumber(args[++i], 1, 1000000, waitFor)) return Usage("bad --wait-for " + args[i]);
        } else {
            return Usage("unexpected argument '" + args[i] + "'");
        }
    }
    if (lines.empty()) {
        if (waitFor != 0) return Usage("--wait-for needs at least one --say");
        return RunInteractiveClient(args[1], static_cast<unsigned>(port), name);
    }
    return RunClient(args[1], static_cast<unsigned>(port), name, lines, waitFor != 0 ? waitFor : lines.size());
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) return Usage();
    if (args[0] == "server") return ServerMain(args);
    if (args[0] == "client") return ClientMain(args);
    if (args[0] == "demo" && args.size() == 1) return RunDemo();
    return Usage();
}
