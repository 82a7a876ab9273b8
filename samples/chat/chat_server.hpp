// portafx-chat — the server: MFC's CHATSRVR on portafx::Socket, SocketFile and Archive.
//
// ChatServer is the listening Socket (CHATSRVR's CListeningSocket, plus the document that keeps the list of
// connections). Each accepted connection is a ClientConnection (CHATSRVR's CClientSocket): a Socket that owns
// a SocketFile and two Archives on it, one loading and one storing, for the connection's whole life.
//
// Every message a client sends is relayed to every connected client, the sender included. A client that
// joins late first receives the conversation so far, so every client sees every message whatever the order
// in which they joined.
//
// Lifetime: a connection that ends (its close flag, OnClose, an exception) is dropped: closed and taken off
// the list at once, deleted by ReapDropped() as the last statement of the notification that is running. The
// only connection that can be on the stack then is the one whose notification it is, and it returns right
// after, as it would after `delete this`. Nothing is ever deleted inside a connection's own read loop.
#pragma once

#include "chat_message.hpp"

#include <portafx/archive.hpp>
#include <portafx/socket.hpp>
#include <portafx/socket_file.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace chat {

// A connection's blocking calls (the rest of a message that has begun, a send to a client that does not read)
// give up after this long, and the connection is dropped. While one waits, the other clients wait too: that
// is CSocket's model. (Archive::TryRead reads messages without ever blocking; see archive.hpp.)
inline constexpr std::chrono::seconds kConnectionTimeout{10};

// The server keeps this many messages for clients that join late.
inline constexpr std::size_t kHistoryLength = 1000;

inline std::string ErrorText(int code) {
    return std::string(portafx::SocketErrorName(code)) + " " + std::to_string(code) + ": " +
           portafx::SocketErrorMessage(code);
}

class ChatServer;

// One accepted client. Lives from ChatServer::OnAccept's `new` to ChatServer::ReapDropped's `delete`.
class ClientConnection : public portafx::Socket {
public:
    ClientConnection(ChatServer& server, portafx::EventLoop& loop) : Socket(loop), server_(server) {}

    // The socket is closed by then (the connection was dropped): nothing more can be sent, so nothing is
    // flushed (MFC's CHATSRVR aborts its archives too).
    ~ClientConnection() override {
        if (out_) out_->Abort();
    }

    // After Accept: the file and the two archives, kept until the connection is deleted (CHATSRVR's Init).
    void Init() {
        file_ = std::make_unique<portafx::SocketFile>(*this);
        in_ = std::make_unique<portafx::Archive>(*file_, portafx::Archive::Load);
        out_ = std::make_unique<portafx::Archive>(*file_, portafx::Archive::Store);
    }

    // Stores one message and sends it at once. Throws FileException when the client cannot be reached.
    void SendMsg(ChatMessage& msg) {
        msg.Serialize(*out_);
        out_->Flush();  // without it nothing leaves until 4 KB have accumulated
    }

    std::string peer;  // "address:port", for the log

protected:
    void OnReceive(int errorCode) override;
    void OnClose(int errorCode) override;

private:
    ChatServer& server_;
    std::unique_ptr<portafx::SocketFile> file_;  // declared before the archives, so destroyed after them
    std::unique_ptr<portafx::Archive> in_;
    std::unique_ptr<portafx::Archive> out_;
};

// The listening socket and the list of connections.
class ChatServer : public portafx::Socket {
public:
    using Log = std::function<void(const std::string&)>;

    // `log` receives one line per event. With `maxClients` > 0 the server takes that many clients, then stops
    // the loop once all of them have left.
    ChatServer(portafx::EventLoop& loop, Log log, int maxClients)
        : Socket(loop), log_(std::move(log)), maxClients_(maxClients) {}

    // Connections still open when the server goes away are closed with it.
    ~ChatServer() override {
        for (ClientConnection* client : clients_)
            delete client;
        for (ClientConnection* client : dropped_)
            delete client;
    }

    // Create + Listen. `local` receives the address listened on, with the port the OS chose for port 0.
    bool Start(unsigned port, const char* address, portafx::SocketAddress& local) {
        return Create(port, portafx::SocketType::Stream, address) && Listen(SOMAXCONN) && GetSockName(local);
    }

    // True once `maxClients` clients have come and all of them have left.
    bool Finished() const { return maxClients_ > 0 && accepted_ == maxClients_ && clients_.empty(); }

    // Sends each client a message with the close flag set, as CHATSRVR does when it shuts down. Call it outside
    // the loop's notifications (after Run returns).
    void SayGoodbye() {
        Close();  // no new clients
        ChatMessage bye;
        bye.close = 1;
        bye.text = "the server is shutting down";
        for (ClientConnection* client : std::vector<ClientConnection*>(clients_)) {
            if (Deliver(*client, bye)) Drop(*client, "the server said goodbye");
        }
        ReapDropped();
    }

    // Sends `msg` to every client and keeps it for those who join later.
    void Relay(ChatMessage& msg) {
        history_.push_back(msg);
        if (history_.size() > kHistoryLength) history_.pop_front();
        log_("relay \"" + msg.text + "\" to " + Clients(clients_.size()));
        // A copy: Deliver drops the clients it cannot reach, which takes them off clients_.
        for (ClientConnection* client : std::vector<ClientConnection*>(clients_))
            Deliver(*client, msg);
    }

    // Closes the connection and takes it off the list; ReapDropped deletes it. Does nothing the second time.
    void Drop(ClientConnection& client, const std::string& why) {
        const auto it = std::find(clients_.begin(), clients_.end(), &client);
        if (it == clients_.end()) return;
        clients_.erase(it);
        client.Close();  // no notification reaches it any more
        dropped_.push_back(&client);
        log_(client.peer + " left (" + why + "); " + Clients(clients_.size()) + " still connected");
        if (Finished()) GetEventLoop().Stop();
    }

    // Deletes the dropped connections. Call it only as the last statement of a notification.
    void ReapDropped() {
        std::vector<ClientConnection*> dead;
        dead.swap(dropped_);
        for (ClientConnection* client : dead)
            delete client;
    }

protected:
    void OnAccept(int errorCode) override {
        if (errorCode != 0) log_("accept error " + ErrorText(errorCode));
        auto* client = new ClientConnection(*this, GetEventLoop());
        portafx::SocketAddress peer;
        // CAsyncSocket's Accept, which does not wait: OnAccept says a connection is pending, and a Socket's
        // blocking Accept would hold every client up if that connection had been withdrawn meanwhile.
        if (!AsyncSocket::Accept(*client, &peer)) {
            if (GetLastError() != static_cast<int>(portafx::SocketError::WouldBlock))
                log_("Accept failed: " + GetLastErrorInfo().Message());
            delete client;
            return;
        }
        client->peer = peer.ToString();
        client->SetTimeout(kConnectionTimeout);
        client->Init();
        clients_.push_back(client);
        ++accepted_;
        log_("accepted " + client->peer + "; " + Clients(clients_.size()));
        if (maxClients_ > 0 && accepted_ == maxClients_) Close();  // that was the last one we take

        // The conversation so far, one message at a time, as if the newcomer had been there.
        if (!history_.empty())
            log_("sending " + client->peer + " the conversation so far: " + Messages(history_.size()));
        for (ChatMessage earlier : history_) {  // a copy: Serialize is not const (it also loads)
            if (!Deliver(*client, earlier)) break;
        }
        ReapDropped();
    }

private:
    // Sends one message; on failure drops the client and returns false.
    bool Deliver(ClientConnection& client, ChatMessage& msg) {
        try {
            client.SendMsg(msg);
            return true;
        } catch (const portafx::Exception& e) {  // FileException: reset, timeout, ...
            Drop(client, e.what());
            return false;
        }
    }

    static std::string Clients(std::size_t n) { return std::to_string(n) + (n == 1 ? " client" : " clients"); }
    static std::string Messages(std::size_t n) { return std::to_string(n) + (n == 1 ? " message" : " messages"); }

    Log log_;
    int maxClients_;  // 0: serve until stopped
    int accepted_ = 0;
    std::vector<ClientConnection*> clients_;  // connected, in the order they came
    std::vector<ClientConnection*> dropped_;  // closed, waiting for ReapDropped
    std::deque<ChatMessage> history_;         // the last kHistoryLength messages relayed
};

// The classic receive handler: read a whole message (pumping the loop while its bytes arrive), act on it, and
// go on while the archive still holds bytes it read ahead, since no OnReceive announces those.
inline void ClientConnection::OnReceive(int errorCode) {
    if (errorCode != 0) {
        server_.Drop(*this, ErrorText(errorCode));
    } else {
        try {
            do {
                ChatMessage msg;
                msg.Serialize(*in_);
                if (msg.close) {
                    server_.Drop(*this, "said goodbye");
                    break;
                }
                server_.Relay(msg);
            } while (IsOpen() && !in_->IsBufferEmpty());  // closed: Relay could not reach this client
        } catch (const portafx::ArchiveException& e) {
            // endOfFile: the client went away in the middle of a message. Other causes: bytes that are not
            // a ChatMessage (badly formed, or over the archive's limits).
            server_.Drop(*this, e.GetCause() == portafx::ArchiveException::endOfFile
                                    ? "the connection ended inside a message"
                                    : std::string("bad message: ") + e.what());
        } catch (const portafx::FileException& e) {
            server_.Drop(*this, e.what());  // a socket error: reset, timeout
        }
    }
    server_.ReapDropped();  // may delete this object: the last statement
}

// The client closed (or reset) the connection without sending the close flag first. A graceful close comes
// only after every byte before it has been read, so no message is lost here.
inline void ClientConnection::OnClose(int errorCode) {
    server_.Drop(*this, errorCode == 0 ? "closed without saying goodbye" : ErrorText(errorCode));
    server_.ReapDropped();  // deletes this object: the last statement
}

}  // namespace chat
