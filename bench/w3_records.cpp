// W3 record stream: records {uint32 id, double price, std::string name (8-16 chars)}.
// (a) Over a socket: portafx Archive over SocketFile (64 KiB buffers) against a raw Asio floor that packs
//     the same bytes by hand (memcpy into a 64 KiB buffer, parse by hand); the server checksums.
// (b) To memory and back: Archive on a MemoryFile against Boost.Serialization's binary_oarchive /
//     binary_iarchive on a std::stringstream.
#include "bench.hpp"

#include <portafx/archive.hpp>
#include <portafx/memory_file.hpp>
#include <portafx/socket.hpp>
#include <portafx/socket_file.hpp>

#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/serialization/string.hpp>

#include <cstring>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace bench {
namespace {

constexpr int kBuffer = 64 * 1024;

/// Names of 8 to 16 characters; record i uses Name(i).
const std::vector<std::string>& Names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> v;
        for (int i = 0; i < 97; ++i)
            v.push_back(std::string(static_cast<std::size_t>(7 + i % 9), static_cast<char>('a' + i % 26)) +
                        std::to_string(i % 10));
        return v;
    }();
    return names;
}

struct Record {
    std::uint32_t id;
    double price;
    std::string name;
};

inline Record Make(std::uint32_t i) {
    return {i, i * 0.25, Names()[i % Names().size()]};
}

/// The checksum the reader computes, folded over every record.
struct Checksum {
    std::uint64_t sum = 0;
    void Add(std::uint32_t id, double price, const char* name, std::size_t len) {
        std::uint64_t bits;
        std::memcpy(&bits, &price, sizeof bits);
        sum = sum * 31 + id + bits + len + static_cast<unsigned char>(len ? name[0] : 0);
    }
};

std::uint64_t Expected(int count) {
    Checksum c;
    for (int i = 0; i < count; ++i) {
        const Record r = Make(static_cast<std::uint32_t>(i));
        c.Add(r.id, r.price, r.name.data(), r.name.size());
    }
    return c.sum;
}

// --- over a socket -------------------------------------------------------------------------------

double PortafxSocket(int count, std::uint64_t expected) {
    portafx::Socket listener;
    if (!listener.Create(0, portafx::SocketType::Stream, "127.0.0.1") || !listener.Listen())
        throw std::runtime_error("W3: listen failed");
    std::string address;
    unsigned port = 0;
    listener.GetSockName(address, port);
    std::thread writer([port, count] {
        portafx::Socket s;
        if (!s.Create(0, portafx::SocketType::Stream, "127.0.0.1") || !s.Connect("127.0.0.1", port)) return;
        portafx::SocketFile file(s);
        portafx::Archive ar(file, portafx::Archive::Store, kBuffer);
        ar << static_cast<std::uint32_t>(count);
        const auto& names = Names();
        for (int i = 0; i < count; ++i) {
            const auto id = static_cast<std::uint32_t>(i);
            ar << id << id * 0.25 << names[id % names.size()];
        }
        ar.Close();
    });
    portafx::Socket conn;
    if (!listener.Accept(conn)) throw std::runtime_error("W3: accept failed");
    const auto start = Clock::now();
    Checksum c;
    {
        portafx::SocketFile file(conn);
        portafx::Archive ar(file, portafx::Archive::Load, kBuffer);
        std::uint32_t n = 0;
        ar >> n;
        std::uint32_t id;
        double price;
        std::string name;
        for (std::uint32_t i = 0; i < n; ++i) {
            ar >> id >> price >> name;
            c.Add(id, price, name.data(), name.size());
        }
    }
    const double secs = Since(start);
    writer.join();
    if (c.sum != expected) throw std::runtime_error("W3: portafx checksum mismatch");
    return count / secs / 1e6;
}

double RawSocket(int count, std::uint64_t expected) {
    asio::io_context io;
    tcp::acceptor acceptor = Acceptor(io);
    const auto ep = acceptor.local_endpoint();
    std::thread writer([ep, count] {
        asio::io_context cio;
        tcp::socket s(cio);
        s.connect(ep);
        std::vector<char> buf(kBuffer);
        std::size_t used = 0;
        auto put = [&](const void* p, std::size_t n) {
            if (used + n > buf.size()) {
                asio::write(s, asio::buffer(buf.data(), used));
                used = 0;
            }
            std::memcpy(buf.data() + used, p, n);
            used += n;
        };
        const auto n32 = static_cast<std::uint32_t>(count);
        put(&n32, 4);
        const auto& names = Names();
        for (int i = 0; i < count; ++i) {
            const auto id = static_cast<std::uint32_t>(i);
            const double price = id * 0.25;
            const std::string& name = names[id % names.size()];
            const auto len = static_cast<std::uint8_t>(name.size());  // MFC's one-byte length (< 255)
            char rec[4 + 8 + 1 + 255];
            std::memcpy(rec, &id, 4);
            std::memcpy(rec + 4, &price, 8);
            rec[12] = static_cast<char>(len);
            std::memcpy(rec + 13, name.data(), len);
            put(rec, 13u + len);
        }
        asio::write(s, asio::buffer(buf.data(), used));
    });
    tcp::socket conn(io);
    acceptor.accept(conn);
    const auto start = Clock::now();
    Checksum c;
    std::vector<char> buf(kBuffer);
    std::size_t have = 0, pos = 0;
    boost::system::error_code ec;
    auto need = [&](std::size_t n) {  // at least n unparsed bytes in buf[pos..have)
        if (have - pos >= n) return true;
        std::memmove(buf.data(), buf.data() + pos, have - pos);
        have -= pos;
        pos = 0;
        while (have < n) {
            const std::size_t got = conn.read_some(asio::buffer(buf.data() + have, buf.size() - have), ec);
            if (ec) return false;
            have += got;
        }
        return true;
    };
    std::uint32_t n = 0;
    if (!need(4)) throw std::runtime_error("W3: raw stream ended");
    std::memcpy(&n, buf.data() + pos, 4);
    pos += 4;
    std::string name;
    for (std::uint32_t i = 0; i < n; ++i) {
        if (!need(13)) throw std::runtime_error("W3: raw stream ended");
        std::uint32_t id;
        double price;
        std::memcpy(&id, buf.data() + pos, 4);
        std::memcpy(&price, buf.data() + pos + 4, 8);
        const auto len = static_cast<std::uint8_t>(buf[pos + 12]);
        if (!need(13u + len)) throw std::runtime_error("W3: raw stream ended");
        name.assign(buf.data() + pos + 13, len);
        pos += 13u + len;
        c.Add(id, price, name.data(), name.size());
    }
    const double secs = Since(start);
    writer.join();
    if (c.sum != expected) throw std::runtime_error("W3: raw checksum mismatch");
    return count / secs / 1e6;
}

// --- to memory and back ----------------------------------------------------------------------------

void WritePortafx(portafx::MemoryFile& file, int count) {
    const auto& names = Names();
    portafx::Archive ar(file, portafx::Archive::Store, kBuffer);
    ar << static_cast<std::uint32_t>(count);
    for (int i = 0; i < count; ++i) {
        const auto id = static_cast<std::uint32_t>(i);
        ar << id << id * 0.25 << names[id % names.size()];
    }
    ar.Close();
}

void WriteBoost(std::ostream& out, int count) {
    const auto& names = Names();
    boost::archive::binary_oarchive oa(out);
    oa << static_cast<std::uint32_t>(count);
    for (int i = 0; i < count; ++i) {
        const auto id = static_cast<std::uint32_t>(i);
        const double price = id * 0.25;
        oa << id << price << names[id % names.size()];
    }
}

double PortafxMemory(int count, std::uint64_t expected) {
    const auto start = Clock::now();
    portafx::MemoryFile file;
    WritePortafx(file, count);
    file.SeekToBegin();
    Checksum c;
    {
        portafx::Archive ar(file, portafx::Archive::Load, kBuffer);
        std::uint32_t n = 0;
        ar >> n;
        std::uint32_t id;
        double price;
        std::string name;
        for (std::uint32_t i = 0; i < n; ++i) {
            ar >> id >> price >> name;
            c.Add(id, price, name.data(), name.size());
        }
    }
    const double secs = Since(start);
    if (c.sum != expected) throw std::runtime_error("W3: portafx memory checksum mismatch");
    return count / secs / 1e6;
}

double BoostMemory(int count, std::uint64_t expected) {
    const auto start = Clock::now();
    std::stringstream ss;
    WriteBoost(ss, count);
    Checksum c;
    {
        boost::archive::binary_iarchive ia(ss);
        std::uint32_t n = 0;
        ia >> n;
        std::uint32_t id;
        double price;
        std::string name;
        for (std::uint32_t i = 0; i < n; ++i) {
            ia >> id >> price >> name;
            c.Add(id, price, name.data(), name.size());
        }
    }
    const double secs = Since(start);
    if (c.sum != expected) throw std::runtime_error("W3: Boost checksum mismatch");
    return count / secs / 1e6;
}

}  // namespace

void W3WritePass(const std::string& side, int records) {
    const auto start = Clock::now();
    std::uint64_t bytes = 0;
    if (side == "portafx") {
        portafx::MemoryFile file;
        WritePortafx(file, records);
        bytes = file.GetLength();
    } else if (side == "boost") {
        std::stringstream ss;
        WriteBoost(ss, records);
        bytes = static_cast<std::uint64_t>(ss.tellp());
    } else {
        throw std::runtime_error("--w3-write-pass takes portafx or boost, not " + side);
    }
    std::printf("W3 write pass, %s: %d records, %llu bytes in %.3f s\n", side.c_str(), records,
                static_cast<unsigned long long>(bytes), Since(start));
}

void RunW3(const Options& o) {
    const std::uint64_t expected = Expected(o.records);
    const std::string n = std::to_string(o.records);
    Pair p = Alternate(
        o.rounds, [&] { return PortafxSocket(o.records, expected); }, [&] { return RawSocket(o.records, expected); });
    Report("W3 " + n + " records, socket", "Mrec/s", p, "hand-packed", true, ">= 0.8x");
    p = Alternate(
        o.rounds, [&] { return PortafxMemory(o.records, expected); }, [&] { return BoostMemory(o.records, expected); });
    Report("W3 " + n + " records, memory + back", "Mrec/s", p, "Boost.Ser.", true, ">= 2x");
}

}  // namespace bench
