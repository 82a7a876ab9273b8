// portafx_bench: runs the workloads of docs/performance.md, each with portafx and with raw Boost.Asio in
// the same run, and prints one table row per figure. Benchmarks, not tests: nothing fails on a number.
#include "bench.hpp"

#include <cstdlib>
#include <cstring>
#include <exception>
#include <set>
#include <string>

namespace {

void Usage() {
    std::printf(
        "usage: portafx_bench [--quick] [--rounds N] [--bulk-bytes N] [--ping-pongs N] [--records N]\n"
        "                     [--idle N] [W1 W2 W3 W4 W5 ...]\n"
        "       portafx_bench [--records N] --w3-write-pass portafx|boost\n"
        "  --quick       small sizes and 3 rounds, for a smoke run (seconds, not minutes)\n"
        "  --rounds N    rounds per workload (default 5; each round runs portafx and raw Asio once)\n"
        "  --bulk-bytes  W1 bytes per round (default 4 GiB)\n"
        "  --w3-write-pass  only one W3 write pass to memory, for /usr/bin/time (page faults, RSS)\n"
        "  no workload named: all of them\n");
}

}  // namespace

int main(int argc, char** argv) {
    bench::Options o;
    std::set<std::string> only;
    bool roundsGiven = false;
    std::string writePass;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> const char* {
            if (i + 1 >= argc) {
                Usage();
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--quick") {
            o.quick = true;
        } else if (a == "--rounds") {
            o.rounds = std::atoi(next());
            roundsGiven = true;
        } else if (a == "--bulk-bytes") {
            o.bulkBytes = std::strtoull(next(), nullptr, 10);
        } else if (a == "--ping-pongs") {
            o.pingPongs = std::atoi(next());
        } else if (a == "--records") {
            o.records = std::atoi(next());
        } else if (a == "--idle") {
            o.idleConnections = std::atoi(next());
        } else if (a == "--w3-write-pass") {
            writePass = next();
        } else if (a == "-h" || a == "--help") {
            Usage();
            return 0;
        } else if (a.size() == 2 && (a[0] == 'W' || a[0] == 'w') && a[1] >= '1' && a[1] <= '5') {
            only.insert(std::string("W") + a[1]);
        } else {
            Usage();
            return 2;
        }
    }
    if (o.quick) {
        if (!roundsGiven) o.rounds = 3;
        o.bulkBytes = std::min<std::uint64_t>(o.bulkBytes, 256ull << 20);
        o.pingPongs = std::min(o.pingPongs, 10000);
        o.records = std::min(o.records, 200000);
        o.idleConnections = std::min(o.idleConnections, 2000);
    }
    if (o.rounds < 1) o.rounds = 1;
    if (!writePass.empty()) {
        try {
            bench::W3WritePass(writePass, o.records);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "portafx_bench: %s\n", e.what());
            return 1;
        }
        return 0;
    }
    auto want = [&](const char* w) { return only.empty() || only.count(w) != 0; };
    std::printf("| %-34s | %-10s | %-28s | %-40s | %-7s | %-22s | %s |\n", "workload", "unit",
                "portafx median [min-max]", "baseline median [min-max]", "ratio", "round ratios [min-max]", "target");
    std::printf("|---|---|---|---|---|---|---|\n");
    try {
        if (want("W1")) bench::RunW1(o);
        if (want("W2")) bench::RunW2(o);
        if (want("W3")) bench::RunW3(o);
        if (want("W4")) bench::RunW4(o);
        if (want("W5")) bench::RunW5(o);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "portafx_bench: %s\n", e.what());
        return 1;
    }
    return 0;
}
