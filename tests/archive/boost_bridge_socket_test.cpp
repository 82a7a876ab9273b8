// Boost.Serialization values over sockets (issue 4): a large std::map<std::string, std::vector<double>> and a
// polymorphic object graph through Socket + SocketFile + Archive (blocking, MFC's model), and through the
// non-blocking transaction API in OnReceive, with a message split at every byte.
#include "boost_bridge_types.hpp"

#define BOOST_TEST_MODULE boost_bridge_socket
#include "archive_test_support.hpp"
#include "loopback.hpp"

#include <portafx/socket.hpp>
#include <portafx/socket_file.hpp>

#include <memory>
#include <thread>

BOOST_CLASS_EXPORT_IMPLEMENT(bridge::Circle)
BOOST_CLASS_EXPORT_IMPLEMENT(bridge::Square)

using namespace portafx;
using namespace portafx::test;

namespace {

using Prices = std::map<std::string, std::vector<double>>;

// keys × values doubles: 400 × 2500 is 8 MB on the wire, far beyond every socket buffer.
Prices MakePrices(int keys, int values) {
    Prices prices;
    for (int k = 0; k < keys; ++k) {
        auto& series = prices["instrument-" + std::to_string(k)];
        for (int v = 0; v < values; ++v)
            series.push_back(k * 1000.0 + v / 8.0);
    }
    return prices;
}

bridge::Drawing MakeDrawing() {
    bridge::Drawing d;
    auto circle = std::make_shared<bridge::Circle>();
    circle->name = "sun";
    circle->radius = 2;
    auto square = std::make_shared<bridge::Square>();
    square->name = "house";
    square->side = 4;
    d.shapes = {circle, square, circle};
    d.selected = circle;
    d.background = std::make_unique<bridge::Square>();
    d.background->name = "sky";
    return d;
}

void CheckDrawing(const bridge::Drawing& d) {
    BOOST_REQUIRE(d.shapes.size() == 3u);
    BOOST_TEST(d.shapes[0] == d.shapes[2]);
    BOOST_TEST(d.selected == d.shapes[0]);
    BOOST_TEST(d.shapes[0]->name == "sun");
    BOOST_TEST(d.shapes[0]->Area() == 12.0);
    BOOST_TEST(dynamic_cast<const bridge::Square*>(d.shapes[1].get()) != nullptr);
    BOOST_TEST(d.shapes[1]->Area() == 16.0);
    BOOST_REQUIRE(d.background != nullptr);
    BOOST_TEST(d.background->name == "sky");
}

// A server connection reading Boost values in OnReceive without ever blocking: TryRead, roll back if the value
// has not all arrived, and wait for the next notification.
struct TransactionConnection : Socket {
    using Socket::Socket;
    std::unique_ptr<SocketFile> file;
    std::unique_ptr<Archive> in;
    std::vector<bridge::Drawing> drawings;
    std::vector<Prices> prices;
    bool readPrices = false;
    int rollbacks = 0;
    std::string error;

    void Open() {
        file = std::make_unique<SocketFile>(*this);
        in = std::make_unique<Archive>(*file, Archive::Load);
    }

protected:
    void OnReceive(int) override {
        try {
            if (readPrices) {
                Prices p;
                while (in->TryRead([&](Archive& ar) { ar >> p; }))
                    prices.push_back(std::move(p));
            } else {
                bridge::Drawing d;
                while (in->TryRead([&](Archive& ar) { ar >> d; }))
                    drawings.push_back(std::move(d));
            }
            ++rollbacks;
        } catch (const std::exception& e) {
            error = e.what();
        }
    }
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_large_map_and_an_object_graph_over_blocking_sockets) {
    const Prices prices = MakePrices(400, 2500);
    EventLoop loop;
    Listening listener(loop);
    const unsigned port = listener.Port();
    std::string senderError;
    std::thread sender([&] {
        try {
            Socket s;  // this thread's own loop
            s.SetTimeout(std::chrono::seconds(30));
            if (!s.Connect("127.0.0.1", port)) throw std::runtime_error(AsyncSocket::GetLastErrorInfo().Message());
            SocketFile file(s);
            Archive out(file, Archive::Store);
            out << prices << MakeDrawing();
            out << std::string("end");  // a native value after them, on the same archive
            out.Close();
        } catch (const std::exception& e) {
            senderError = e.what();
        }
    });
    Socket conn(loop);
    conn.SetTimeout(std::chrono::seconds(30));
    listener.AcceptInto(conn);
    SocketFile file(conn);
    Archive in(file, Archive::Load);
    Prices gotPrices;
    bridge::Drawing gotDrawing;
    std::string end;
    try {
        in >> gotPrices >> gotDrawing >> end;
    } catch (const std::exception& e) {
        BOOST_ERROR(e.what());
    }
    sender.join();
    BOOST_TEST(senderError.empty(), senderError);
    BOOST_TEST(gotPrices.size() == 400u);
    BOOST_TEST((gotPrices == prices));
    CheckDrawing(gotDrawing);
    BOOST_TEST(end == "end");
}

BOOST_AUTO_TEST_CASE(transactions_survive_a_split_at_every_byte) {
    const Bytes one = Stored([](Archive& ar) { ar << MakeDrawing(); });
    EventLoop loop;
    Listening listener(loop);
    TransactionConnection conn(loop);
    Peer peer;
    peer.Connect("127.0.0.1", listener.Port());
    peer.socket.set_option(tcp::no_delay(true));
    listener.AcceptInto(conn);
    conn.Open();
    for (std::size_t k = 1; k < one.size(); ++k) {
        const std::size_t before = conn.drawings.size();
        const int rollbacks = conn.rollbacks;
        peer.Write(std::string(one.begin(), one.begin() + static_cast<std::ptrdiff_t>(k)));
        BOOST_REQUIRE(RunUntil(loop, [&] { return conn.rollbacks > rollbacks; }));
        BOOST_TEST(conn.drawings.size() == before);
        peer.Write(std::string(one.begin() + static_cast<std::ptrdiff_t>(k), one.end()));
        BOOST_REQUIRE_MESSAGE(RunUntil(loop, [&] { return conn.drawings.size() == before + 1; }),
                              "split at byte " << k << ": " << conn.error);
        CheckDrawing(conn.drawings.back());
    }
    BOOST_TEST(conn.error.empty(), conn.error);
}

BOOST_AUTO_TEST_CASE(a_large_map_through_transactions) {
    const Prices prices = MakePrices(200, 2500);  // 4 MB: many OnReceives, many rollbacks
    const Bytes bytes = Stored([&](Archive& ar) { ar << prices << prices; });
    EventLoop loop;
    Listening listener(loop);
    TransactionConnection conn(loop);
    conn.readPrices = true;
    Peer peer;
    peer.Connect("127.0.0.1", listener.Port());
    listener.AcceptInto(conn);
    conn.Open();
    std::thread writer([&] {
        for (std::size_t at = 0; at < bytes.size(); at += 65536) {
            const std::size_t n = std::min<std::size_t>(65536, bytes.size() - at);
            asio::write(peer.socket, asio::buffer(bytes.data() + at, n));
        }
    });
    const bool done = RunUntil(loop, [&] { return conn.prices.size() == 2 || !conn.error.empty(); });
    writer.join();
    BOOST_REQUIRE(done);
    BOOST_TEST(conn.error.empty(), conn.error);
    BOOST_REQUIRE(conn.prices.size() == 2u);
    BOOST_TEST((conn.prices[0] == prices));
    BOOST_TEST((conn.prices[1] == prices));
    BOOST_TEST_MESSAGE("OnReceive calls that rolled back: " << conn.rollbacks);
}

BOOST_AUTO_TEST_CASE(a_peer_closing_inside_a_value_is_end_of_file_on_a_blocking_socket) {
    const Bytes one = Stored([](Archive& ar) { ar << MakeDrawing(); });
    EventLoop loop;
    Listening listener(loop);
    Socket conn(loop);
    conn.SetTimeout(std::chrono::seconds(10));
    Peer peer;
    peer.Connect("127.0.0.1", listener.Port());
    listener.AcceptInto(conn);
    peer.Write(std::string(one.begin(), one.begin() + static_cast<std::ptrdiff_t>(one.size() / 2)));
    peer.socket.close();
    SocketFile file(conn);
    Archive in(file, Archive::Load);
    bridge::Drawing d;
    CheckCause([&] { in >> d; }, ArchiveException::endOfFile);
}
