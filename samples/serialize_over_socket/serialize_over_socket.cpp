// portafx-serialize — classes that already have Boost.Serialization code, sent over a socket with portafx.
//
// What the sample shows:
//  * A message made of ordinary Boost.Serialization types: a struct with a `serialize` member, a versioned
//    class (BOOST_CLASS_VERSION), std::vector, std::map, std::optional, and polymorphic instruments held by
//    std::shared_ptr and exported with BOOST_CLASS_EXPORT — no second serialization system to learn.
//  * The same `ar << x` / `ar >> x` as MFC's CArchive, on a Socket + SocketFile + Archive that lives as long as
//    the connection; each message is self-contained (docs/archive-format.md, "Boost.Serialization values").
//  * Native MFC-format values (here a std::string greeting) and Boost values on one archive.
//  * Errors: a peer that sends something else gets an ArchiveException with MFC's cause, and the server goes on.
//
// Usage:
//   portafx-serialize server [port] [--address A] [--count N]   serves N clients (default 1), then exits
//   portafx-serialize client <host> <port> [--trades N]          sends one portfolio, prints the reply
//   portafx-serialize demo                                       a server and a client in two threads
#include <portafx/boost_serialization.hpp>
#include <portafx/portafx.hpp>
#include <portafx/socket_file.hpp>

#include <boost/serialization/base_object.hpp>
#include <boost/serialization/export.hpp>
#include <boost/serialization/map.hpp>
#include <boost/serialization/shared_ptr.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <boost/serialization/version.hpp>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

// --- the message: plain Boost.Serialization code, as a user already has it ------------------------------------

struct Instrument {
    virtual ~Instrument() = default;
    std::string symbol;
    virtual double Value(double quantity, double price) const = 0;
    template <class Ar>
    void serialize(Ar& ar, const unsigned int) {
        ar& symbol;
    }
};

struct Stock : Instrument {
    std::string exchange;
    double Value(double quantity, double price) const override { return quantity * price; }
    template <class Ar>
    void serialize(Ar& ar, const unsigned int) {
        ar& boost::serialization::base_object<Instrument>(*this);
        ar& exchange;
    }
};

struct Bond : Instrument {
    double faceValue = 100;
    double Value(double quantity, double price) const override { return quantity * price / 100 * faceValue; }
    template <class Ar>
    void serialize(Ar& ar, const unsigned int) {
        ar& boost::serialization::base_object<Instrument>(*this);
        ar& faceValue;
    }
};

BOOST_SERIALIZATION_ASSUME_ABSTRACT(Instrument)
BOOST_CLASS_EXPORT_GUID(Stock, "Stock")
BOOST_CLASS_EXPORT_GUID(Bond, "Bond")

struct Trade {
    std::shared_ptr<Instrument> instrument;  // several trades share one instrument object
    double quantity = 0;
    double price = 0;
    std::optional<std::string> note;  // added in version 1 of Portfolio's format

    template <class Ar>
    void serialize(Ar& ar, const unsigned int version) {
        ar& instrument& quantity& price;
        if (version >= 1) ar& note;
    }
};
BOOST_CLASS_VERSION(Trade, 1)

struct Portfolio {
    std::string owner;
    std::vector<Trade> trades;
    std::map<std::string, std::vector<double>> history;  // closing prices per symbol

    template <class Ar>
    void serialize(Ar& ar, const unsigned int) {
        ar& owner& trades& history;
    }
};

struct Summary {
    std::string owner;
    std::size_t trades = 0;
    std::size_t instruments = 0;  // distinct objects: sharing survived the trip
    double value = 0;

    template <class Ar>
    void serialize(Ar& ar, const unsigned int) {
        ar& owner& trades& instruments& value;
    }
};

namespace {

using portafx::Archive;
using portafx::AsyncSocket;
using portafx::Socket;
using portafx::SocketFile;

constexpr auto kTimeout = std::chrono::seconds(10);  // every blocking call gives up after this
std::mutex outputMutex;

void Print(const std::string& line) {
    std::lock_guard<std::mutex> lock(outputMutex);
    std::cout << line << std::endl;
}

Portfolio MakePortfolio(int tradeCount) {
    auto acme = std::make_shared<Stock>();
    acme->symbol = "ACME";
    acme->exchange = "XNYS";
    auto tbond = std::make_shared<Bond>();
    tbond->symbol = "T-2035";
    tbond->faceValue = 1000;
    Portfolio p;
    p.owner = "Ada";
    for (int i = 0; i < tradeCount; ++i) {
        Trade t;
        t.instrument = i % 3 == 2 ? std::static_pointer_cast<Instrument>(tbond) : acme;
        t.quantity = 10 + i % 7;
        t.price = i % 3 == 2 ? 98.5 : 41.25 + i % 5;
        if (i % 10 == 0) t.note = "rebalance " + std::to_string(i);
        p.trades.push_back(t);
    }
    for (const char* symbol : {"ACME", "T-2035"}) {
        auto& series = p.history[symbol];
        for (int day = 0; day < 250; ++day)
            series.push_back(40 + day * 0.01);
    }
    return p;
}

Summary Summarize(const Portfolio& p) {
    Summary s;
    s.owner = p.owner;
    s.trades = p.trades.size();
    std::vector<const Instrument*> seen;
    for (const auto& t : p.trades) {
        if (!t.instrument) continue;
        s.value += t.instrument->Value(t.quantity, t.price);
        bool known = false;
        for (const Instrument* i : seen)
            known = known || i == t.instrument.get();
        if (!known) seen.push_back(t.instrument.get());
    }
    s.instruments = seen.size();
    return s;
}

std::string Describe(const Summary& s) {
    return "summary for " + s.owner + ": " + std::to_string(s.trades) + " trades, " + std::to_string(s.instruments) +
           " instruments, value " + std::to_string(s.value);
}

// One connection, MFC's way: a SocketFile and two Archives for its lifetime.
bool ServeOne(Socket& listener) {
    Socket conn;
    conn.SetTimeout(kTimeout);
    if (!listener.Accept(conn)) {
        Print("server: accept failed: " + AsyncSocket::GetLastErrorInfo().Message());
        return false;
    }
    SocketFile file(conn);
    Archive in(file, Archive::Load);
    Archive out(file, Archive::Store);
    try {
        std::string greeting;
        Portfolio portfolio;
        in >> greeting >> portfolio;  // a native (MFC-format) string, then a Boost value
        Print("server: " + greeting + ", " + std::to_string(portfolio.trades.size()) + " trades from " +
              portfolio.owner);
        out << Summarize(portfolio);
        out.Flush();
        return true;
    } catch (const portafx::ArchiveException& e) {
        Print(std::string("server: bad message (") + portafx::ArchiveException::CauseName(e.GetCause()) +
              "): " + e.what());
    } catch (const portafx::FileException& e) {
        Print(std::string("server: connection failed: ") + e.what());
    }
    return false;
}

int Server(unsigned port, const char* address, int count) {
    Socket listener;
    if (!listener.Create(port, portafx::SocketType::Stream, address) || !listener.Listen()) {
        std::cerr << "portafx-serialize: cannot listen: " << AsyncSocket::GetLastErrorInfo().Message() << '\n';
        return 1;
    }
    std::string boundAddress;
    unsigned boundPort = 0;
    listener.GetSockName(boundAddress, boundPort);
    Print("listening on " + boundAddress + ":" + std::to_string(boundPort));
    int failures = 0;
    for (int i = 0; i < count; ++i)
        failures += ServeOne(listener) ? 0 : 1;
    return failures == 0 ? 0 : 1;
}

int Client(const std::string& host, unsigned port, int tradeCount) {
    Socket s;
    s.SetTimeout(kTimeout);
    if (!s.Connect(host.c_str(), port)) {
        std::cerr << "portafx-serialize: cannot connect: " << AsyncSocket::GetLastErrorInfo().Message() << '\n';
        return 1;
    }
    SocketFile file(s);
    Archive out(file, Archive::Store);
    Archive in(file, Archive::Load);
    try {
        const Portfolio portfolio = MakePortfolio(tradeCount);
        out << std::string("hello from portafx") << portfolio;
        out.Flush();
        Summary summary;
        in >> summary;
        const Summary expected = Summarize(portfolio);
        Print("client: " + Describe(summary));
        if (summary.trades != expected.trades || summary.instruments != expected.instruments ||
            summary.value != expected.value) {
            std::cerr << "portafx-serialize: the summary does not match what was sent\n";
            return 1;
        }
        return 0;
    } catch (const portafx::Exception& e) {
        std::cerr << "portafx-serialize: " << e.what() << '\n';
        return 1;
    }
}

int Demo() {
    Socket listener;
    if (!listener.Create(0, portafx::SocketType::Stream, "127.0.0.1") || !listener.Listen()) return 1;
    std::string address;
    unsigned port = 0;
    listener.GetSockName(address, port);
    int clientResult = 1;
    std::thread client([&] { clientResult = Client(address, port, 1000); });  // its own EventLoop
    const bool served = ServeOne(listener);
    client.join();
    Print(served && clientResult == 0 ? "demo: ok" : "demo: FAILED");
    return served && clientResult == 0 ? 0 : 1;
}

int Usage() {
    std::cerr << "usage: portafx-serialize server [port] [--address A] [--count N]\n"
                 "       portafx-serialize client <host> <port> [--trades N]\n"
                 "       portafx-serialize demo\n";
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) return Usage();
    if (args[0] == "demo") return Demo();
    if (args[0] == "server") {
        unsigned port = 0;
        std::string address;
        int count = 1;
        for (std::size_t i = 1; i < args.size(); ++i) {
            if (args[i] == "--address" && i + 1 < args.size()) {
                address = args[++i];
            } else if (args[i] == "--count" && i + 1 < args.size()) {
                count = std::atoi(args[++i].c_str());
            } else {
                port = static_cast<unsigned>(std::strtoul(args[i].c_str(), nullptr, 10));
            }
        }
        return Server(port, address.empty() ? nullptr : address.c_str(), count);
    }
    if (args[0] == "client" && args.size() >= 3) {
        int trades = 1000;
        for (std::size_t i = 3; i + 1 < args.size(); ++i)
            if (args[i] == "--trades") trades = std::atoi(args[i + 1].c_str());
        return Client(args[1], static_cast<unsigned>(std::strtoul(args[2].c_str(), nullptr, 10)), trades);
    }
    return Usage();
}
