// Shared pieces of the benchmarks: options, timing, statistics and the report lines.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace bench {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

struct Options {
    int rounds = 5;
    bool quick = false;
    std::uint64_t bulkBytes = 4ull << 30;  // W1
    int pingPongs = 100000;                // W2
    int records = 2000000;                 // W3
    int idleConnections = 10000;           // W5
};

/// Seconds since `start`.
inline double Since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

struct Stats {
    double median = 0, min = 0, max = 0;
};

inline Stats Summarise(std::vector<double> v) {
    Stats s;
    if (v.empty()) return s;
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    s.min = v.front();
    s.max = v.back();
    return s;
}

/// The figures of each round, portafx's and the baseline's.
struct Pair {
    std::vector<double> portafx, raw;
};

/// Runs `portafx` and `raw` for `rounds` rounds, alternating which goes first, each returning its figure.
inline Pair Alternate(int rounds, const std::function<double()>& portafx, const std::function<double()>& raw) {
    Pair p;
    for (int r = 0; r < rounds; ++r) {
        if (r % 2 == 0) {
            p.portafx.push_back(portafx());
            p.raw.push_back(raw());
        } else {
            p.raw.push_back(raw());
            p.portafx.push_back(portafx());
        }
    }
    return p;
}

/// The ratio portafx / baseline of each round on its own (the two figures of a round were taken minutes, not
/// hours, apart, so a slow phase of the machine moves both): their median [min-max].
inline Stats RoundRatios(const Pair& p) {
    std::vector<double> r;
    for (std::size_t i = 0; i < p.portafx.size() && i < p.raw.size(); ++i) {
        if (p.raw[i] > 0) r.push_back(p.portafx[i] / p.raw[i]);
    }
    return Summarise(r);
}

/// One row of the figures table: workload, unit, portafx median [min-max], baseline median [min-max], the
/// ratio of the medians (portafx / baseline), the median [min-max] of the rounds' own ratios, and the target,
/// stated in the ratio of the medians.
inline void Report(const std::string& name, const std::string& unit, const Pair& p, const std::string& baseline,
                   bool higherIsBetter, const std::string& target) {
    const Stats a = Summarise(p.portafx), b = Summarise(p.raw), r = RoundRatios(p);
    const double ratio = b.median > 0 ? a.median / b.median : 0;
    std::printf(
        "| %-34s | %-10s | %10.4g [%.4g-%.4g] | %-14s %10.4g [%.4g-%.4g] | %6.3fx | %5.3fx [%.3f-%.3f] | "
        "%s%s |\n",
        name.c_str(), unit.c_str(), a.median, a.min, a.max, (baseline + ":").c_str(), b.median, b.min, b.max, ratio,
        r.median, r.min, r.max, target.c_str(), higherIsBetter ? "" : " (lower is better)");
    std::fflush(stdout);
}

/// A loopback acceptor on 127.0.0.1 with a port from the OS.
inline tcp::acceptor Acceptor(asio::io_context& io) {
    tcp::acceptor a(io);
    tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
    a.open(ep.protocol());
    a.set_option(tcp::acceptor::reuse_address(true));
    a.bind(ep);
    a.listen(1024);
    return a;
}

void RunW1(const Options&);
void RunW2(const Options&);
void RunW3(const Options&);
void RunW4(const Options&);
void RunW5(const Options&);

/// One W3 write pass to memory, `side` "portafx" (Archive on a MemoryFile) or "boost" (binary_oarchive on a
/// std::stringstream), then the bytes and the time; run it under `/usr/bin/time` to see page faults and RSS.
void W3WritePass(const std::string& side, int records);

}  // namespace bench
