// Archives over sockets (DESIGN §5): read-ahead with a truthful IsBufferEmpty and no byte stranded,
// unread bytes kept on Close, non-blocking transactions split at every byte boundary, a peer that closes
// inside a message.
#include <portafx/archive.hpp>

#define BOOST_TEST_MODULE archive_socket
#include "archive_test_support.hpp"
#include "loopback.hpp"

#include <portafx/socket.hpp>
#include <portafx/socket_file.hpp>

#include <future>
#include <memory>

using namespace portafx;
using namespace portafx::test;

namespace {

// The classic MFC chat message (CHATSRVR's CMsg, serialized directly): WORD close flag, CString text,
// CStringList (count + strings).
struct ChatMsg {
    std::uint16_t close = 0;
    std::string text;
    std::vector<std::string> list;

    void Serialize(Archive& ar) {
        if (ar.IsStoring()) {
            ar << close << text;
            ar.WriteCount(list.size());
            for (const auto& s : list)
                ar << s;
        } else {
            ar >> close >> text;
            list.resize(static_cast<std::size_t>(ar.ReadCount()));
            for (auto& s : list)
                ar >> s;
        }
    }
};

Bytes StoreMessages(int count, const std::string& prefix = "message ") {
    return Stored([&](Archive& ar) {
        for (int i = 0; i < count; ++i) {
            ChatMsg m;
            m.text = prefix + std::to_string(i);
            m.list = {"a", std::string(static_cast<std::size_t>(i % 7), 'x')};
            m.Serialize(ar);
        }
    });
}

// A server connection in MFC's style: a Socket with a SocketFile and a loading Archive for its lifetime.
struct Connection : Socket {
    using Socket::Socket;
    std::unique_ptr<SocketFile> file;
    std::unique_ptr<Archive> in;
    std::vector<ChatMsg> received;
    int receives = 0;
    bool useLoop = false;          // the classic do { } while (!IsBufferEmpty()) loop
    bool useTransactions = false;  // non-blocking reads
    int rollbacks = 0;
    std::string error;

    void Open() {
        file = std::make_unique<SocketFile>(*this);
        in = std::make_unique<Archive>(*file, Archive::Load);
    }

protected:
    void OnReceive(int) override {
        ++receives;
        try {
            if (useTransactions) {
                ChatMsg m;
                while (in->TryRead([&](Archive& ar) { m.Serialize(ar); }))
                    received.push_back(m);
                ++rollbacks;
                return;
            }
            do {
                ChatMsg m;
                m.Serialize(*in);  // may block (pump) until the whole message is there
                received.push_back(m);
            } while (useLoop && !in->IsBufferEmpty());
        } catch (const std::exception& e) {
            error = e.what();
        }
    }
};

struct Server {
    EventLoop& loop;
    Listening listener{loop};
    Connection conn{loop};
    explicit Server(EventLoop& l) : loop(l) {}
    void Accept() {
        listener.AcceptInto(conn);
        conn.Open();
    }
};

}  // namespace

BOOST_AUTO_TEST_CASE(one_message_per_on_receive_still_gets_a_whole_burst) {
    EventLoop loop;
    Server server(loop);
    Peer peer;
    peer.Connect("127.0.0.1", server.listener.Port());
    server.Accept();
    const int count = 200;
    const Bytes burst = StoreMessages(count);
    peer.Write(std::string(burst.begin(), burst.end()));  // one write: the archive reads ahead
    BOOST_REQUIRE(RunUntil(loop, [&] { return server.conn.received.size() == count; }));
    BOOST_TEST(server.conn.error.empty(), server.conn.error);
    for (int i = 0; i < count; ++i)
        BOOST_TEST(server.conn.received[static_cast<std::size_t>(i)].text == "message " + std::to_string(i));
    // Fewer OnReceives than messages would mean read-ahead; every message still arrived.
    BOOST_TEST_MESSAGE("OnReceive calls for " << count << " messages: " << server.conn.receives);
    BOOST_TEST(server.conn.in->IsBufferEmpty());
    Drain(loop);
    BOOST_TEST(server.conn.received.size() == static_cast<std::size_t>(count));
}

BOOST_AUTO_TEST_CASE(classic_is_buffer_empty_loop) {
    EventLoop loop;
    Server server(loop);
    server.conn.useLoop = true;
    Peer peer;
    peer.Connect("127.0.0.1", server.listener.Port());
    server.Accept();
    const Bytes burst = StoreMessages(50);
    peer.Write(std::string(burst.begin(), burst.end()));
    BOOST_REQUIRE(RunUntil(loop, [&] { return server.conn.received.size() == 50; }));
    BOOST_TEST(server.conn.error.empty(), server.conn.error);
    BOOST_TEST(server.conn.in->IsBufferEmpty());
}

BOOST_AUTO_TEST_CASE(closing_a_loading_archive_keeps_its_unread_bytes) {
    EventLoop loop;
    Server server(loop);
    Peer peer;
    peer.Connect("127.0.0.1", server.listener.Port());
    server.Accept();
    server.conn.AsyncSelect(0);  // read by hand here
    const Bytes three = StoreMessages(3);
    peer.Write(std::string(three.begin(), three.end()));
    BOOST_REQUIRE(WaitQueued(server.conn.GetHandle(), three.size()));
    ChatMsg first;
    first.Serialize(*server.conn.in);
    BOOST_TEST(first.text == "message 0");
    BOOST_TEST(!server.conn.in->IsBufferEmpty());  // it read ahead
    unsigned long queued = 0;
    BOOST_REQUIRE(server.conn.IOCtl(FionRead, &queued));
    BOOST_TEST(queued == three.size() - StoreMessages(1).size());  // the rest: queued (kernel + archive)
    server.conn.in->Close();                                       // MFC would drop the read-ahead here
    Archive again(*server.conn.file, Archive::Load);
    ChatMsg second, third;
    second.Serialize(again);
    third.Serialize(again);
    BOOST_TEST(second.text == "message 1");
    BOOST_TEST(third.text == "message 2");
}

BOOST_AUTO_TEST_CASE(transactions_survive_a_split_at_every_byte) {
    ChatMsg m;
    m.text = "split me anywhere";
    m.list = {"one", "two"};
    const Bytes one = Stored([&](Archive& ar) { m.Serialize(ar); });
    EventLoop loop;
    Server server(loop);
    server.conn.useTransactions = true;
    Peer peer;
    peer.Connect("127.0.0.1", server.listener.Port());
    peer.socket.set_option(tcp::no_delay(true));
    server.Accept();
    for (std::size_t k = 1; k < one.size(); ++k) {
        const std::size_t before = server.conn.received.size();
        const int rollbacks = server.conn.rollbacks;
        peer.Write(std::string(one.begin(), one.begin() + static_cast<std::ptrdiff_t>(k)));
        // The handler tries, finds the message incomplete, rolls back, and returns without blocking.
        BOOST_REQUIRE(RunUntil(loop, [&] { return server.conn.rollbacks > rollbacks; }));
        BOOST_TEST(server.conn.received.size() == before);
        peer.Write(std::string(one.begin() + static_cast<std::ptrdiff_t>(k), one.end()));
        BOOST_REQUIRE_MESSAGE(RunUntil(loop, [&] { return server.conn.received.size() == before + 1; }),
                              "split at byte " << k);
        BOOST_TEST(server.conn.received.back().text == m.text);
        BOOST_TEST((server.conn.received.back().list == m.list));
    }
    BOOST_TEST(server.conn.error.empty(), server.conn.error);
    // Not a busy loop: with nothing new, rolled-back bytes bring no more OnReceive.
    peer.Write(std::string(one.begin(), one.begin() + 3));
    const int rollbacks = server.conn.rollbacks;
    BOOST_REQUIRE(RunUntil(loop, [&] { return server.conn.rollbacks > rollbacks; }));
    const int receives = server.conn.receives;
    for (int i = 0; i < 20; ++i)
        loop.Poll();
    BOOST_TEST(server.conn.receives == receives);
}

BOOST_AUTO_TEST_CASE(transactions_read_a_burst_in_one_go) {
    EventLoop loop;
    Server server(loop);
    server.conn.useTransactions = true;
    Peer peer;
    peer.Connect("127.0.0.1", server.listener.Port());
    server.Accept();
    const Bytes burst = StoreMessages(100);
    peer.Write(std::string(burst.begin(), burst.end()));
    BOOST_REQUIRE(RunUntil(loop, [&] { return server.conn.received.size() == 100; }));
    BOOST_TEST(server.conn.error.empty(), server.conn.error);
    BOOST_TEST(server.conn.received[99].text == "message 99");
}

BOOST_AUTO_TEST_CASE(a_peer_closing_inside_a_message_is_end_of_file) {
    EventLoop loop;
    Server server(loop);
    Peer peer;
    peer.Connect("127.0.0.1", server.listener.Port());
    server.Accept();
    const Bytes one = StoreMessages(1);
    peer.Write(std::string(one.begin(), one.begin() + 5));
    peer.socket.close();
    BOOST_REQUIRE(RunUntil(loop, [&] { return !server.conn.error.empty(); }));
    BOOST_TEST(server.conn.error.find("endOfFile") != std::string::npos, server.conn.error);
}

BOOST_AUTO_TEST_CASE(store_over_a_socket_then_flush_sends) {
    EventLoop loop;
    std::promise<Bytes> got;
    const Bytes expected = StoreMessages(20);
    PeerThread peer([&](tcp::socket& s) {
        Bytes buf(expected.size());
        asio::read(s, asio::buffer(buf));
        got.set_value(buf);
    });
    Socket client(loop);
    BOOST_REQUIRE(client.Connect("127.0.0.1", peer.Port()));
    SocketFile file(client);
    Archive out(file, Archive::Store);
    for (int i = 0; i < 20; ++i) {
        ChatMsg m;
        m.text = "message " + std::to_string(i);
        m.list = {"a", std::string(static_cast<std::size_t>(i % 7), 'x')};
        m.Serialize(out);
    }
    out.Flush();  // nothing went out before: the messages fit the buffer
    auto future = got.get_future();
    BOOST_REQUIRE(future.wait_for(10s) == std::future_status::ready);
    BOOST_TEST((future.get() == expected));
}

BOOST_AUTO_TEST_CASE(a_socket_file_closed_before_its_archive) {
    EventLoop loop;
    Server server(loop);
    Peer peer;
    peer.Connect("127.0.0.1", server.listener.Port());
    server.Accept();
    const Bytes two = StoreMessages(2);
    peer.Write(std::string(two.begin(), two.end()));
    ChatMsg m;
    m.Serialize(*server.conn.in);  // reads ahead: the archive holds the second message
    server.conn.file->Close();     // the file goes first: the archive must no longer count for the socket
    server.conn.in.reset();
    unsigned long queued = 0;
    BOOST_TEST(server.conn.IOCtl(FionRead, &queued));  // no dangling holder (ASan would see one)
}

BOOST_AUTO_TEST_CASE(an_exact_socket_file_is_asked_only_for_what_an_item_needs) {
    EventLoop loop;
    Server server(loop);
    Peer peer;
    peer.Connect("127.0.0.1", server.listener.Port());
    server.listener.AcceptInto(server.conn);
    server.conn.AsyncSelect(0);
    server.conn.SetTimeout(5s);
    SocketFile exact(server.conn, false);  // not archive compatible: a Read waits for its whole count
    Archive ar(exact, Archive::Load);
    peer.Write(std::string("\x2A\x00\x00\x00", 4));
    std::uint32_t v = 0;
    ar >> v;  // would wait for 4 KiB (and time out) if the archive asked for a whole buffer
    BOOST_TEST(v == 42u);
}
