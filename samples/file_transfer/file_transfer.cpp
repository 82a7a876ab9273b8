// portafx-file-transfer — a file sent over Socket + SocketFile + Archive (MFC's CSocket, CSocketFile and
// CArchive), optionally over TLS, with a progress bar and the throughput on the terminal, and a SHA-256
// checksum the receiver verifies at the end.
//
// The wire format is plain CArchive data, so an MFC program could speak it:
//   sender -> receiver:  CString "portafx-file/1", CString file name, ULONGLONG size,
//                        then chunks (DWORD length + bytes) ended by a DWORD 0, then CString SHA-256 (hex)
//   receiver -> sender:  BOOL verified, CString the SHA-256 the receiver computed
//
// Usage:
//   portafx-file-transfer receive <port> <output-file> [--address A] [--tls --cert C --key K] [--quiet]
//   portafx-file-transfer send <host> <port> <file> [--tls [--ca CA | --insecure] [--name N]] [--quiet]
// The receiver prints "listening on <address>:<port>" first (port 0 = chosen by the OS), takes one file and
// exits 0 if its checksum matched. The progress bar goes to stderr; the summary lines to stdout.
#include <portafx/archive.hpp>
#include <portafx/exceptions.hpp>
#include <portafx/portafx.hpp>
#include <portafx/socket_file.hpp>

#include <openssl/evp.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace {

using portafx::Archive;
using portafx::AsyncSocket;
using portafx::Socket;
using portafx::SocketFile;
using portafx::TlsContext;
using portafx::TlsRole;
using Clock = std::chrono::steady_clock;

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
constexpr std::size_t kChunk = 64 * 1024;
const char* const kMagic = "portafx-file/1";

void Complain(const std::string& what) {
    std::cerr << "portafx-file-transfer: " << what << std::endl;
}

std::string SocketProblem() {
    return AsyncSocket::GetLastErrorInfo().Message();
}

// SHA-256 over the bytes fed to it (OpenSSL's EVP interface).
class Sha256 {
public:
    Sha256() : ctx_(EVP_MD_CTX_new()) {
        if (ctx_ == nullptr || EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1) throw std::bad_alloc();
    }
    ~Sha256() { EVP_MD_CTX_free(ctx_); }
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    void Add(const void* data, std::size_t n) { EVP_DigestUpdate(ctx_, data, n); }
    std::string Hex() {
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        EVP_DigestFinal_ex(ctx_, digest, &len);
        static const char hex[] = "0123456789abcdef";
        std::string text;
        for (unsigned int i = 0; i < len; ++i) {
            text += hex[digest[i] >> 4];
            text += hex[digest[i] & 15];
        }
        return text;
    }

private:
    EVP_MD_CTX* ctx_;
};

// A progress bar on stderr, redrawn at most ten times a second, and the throughput.
class Progress {
public:
    Progress(std::string verb, std::uint64_t total, bool quiet)
        : verb_(std::move(verb)), total_(total), quiet_(quiet) {}

    void Update(std::uint64_t done, bool last = false) {
        const auto now = Clock::now();
        if (quiet_ || (!last && now - drawn_ < std::chrono::milliseconds(100))) return;
        drawn_ = now;
        const double fraction = total_ == 0 ? 1.0 : static_cast<double>(done) / static_cast<double>(total_);
        const int width = 30;
        const int filled = static_cast<int>(fraction * width);
        std::string bar(static_cast<std::size_t>(filled), '#');
        bar.resize(width, '.');
        char line[160];
        std::snprintf(line, sizeof line, "\r%s [%s] %3d%%  %.1f/%.1f MiB  %.1f MiB/s", verb_.c_str(), bar.c_str(),
                      static_cast<int>(fraction * 100), Mib(done), Mib(total_), Rate(done));
        std::cerr << line << (last ? "\n" : "") << std::flush;
    }

    double Seconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }
    double Rate(std::uint64_t done) const { return Seconds() > 0 ? Mib(done) / Seconds() : 0.0; }
    static double Mib(std::uint64_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

private:
    std::string verb_;
    std::uint64_t total_;
    bool quiet_;
    Clock::time_point start_ = Clock::now();
    Clock::time_point drawn_{};
};

std::string Summary(const char* verb, std::uint64_t bytes, const Progress& progress) {
    char line[160];
    std::snprintf(line, sizeof line, "%s %llu bytes in %.2f s (%.1f MiB/s)", verb,
                  static_cast<unsigned long long>(bytes), progress.Seconds(), progress.Rate(bytes));
    return line;
}

std::string BaseName(const std::string& path) {
    const std::size_t slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// --- sending ------------------------------------------------------------------------------------

int Send(const std::string& host, unsigned port, const std::string& path, const TlsContext* tls,
         const std::string& name, bool quiet) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        Complain("cannot open '" + path + "'");
        return kExitFailure;
    }
    in.seekg(0, std::ios::end);
    const auto size = static_cast<std::uint64_t>(in.tellg());
    in.seekg(0);

    Socket socket;
    socket.SetTimeout(std::chrono::seconds(30));
    if (!socket.Create() || (tls != nullptr && !socket.EnableTls(*tls, name)) || !socket.Connect(host.c_str(), port)) {
        Complain(SocketProblem());
        return kExitFailure;
    }
    if (tls != nullptr) {
        portafx::TlsInfo info;
        socket.GetTlsInfo(info);
        std::cout << "TLS: " << info.version << " " << info.cipher << ", server " << info.peerSubject
                  << (info.peerVerified ? " (verified)" : " (not verified)") << std::endl;
    }
    try {
        SocketFile file(socket);
        Archive out(file, Archive::Store);
        Archive reply(file, Archive::Load);
        out << kMagic << BaseName(path) << size;
        Sha256 sum;
        Progress progress("sending  ", size, quiet);
        std::vector<char> buf(kChunk);
        std::uint64_t sent = 0;
        while (sent < size) {
            in.read(buf.data(), static_cast<std::streamsize>(std::min<std::uint64_t>(kChunk, size - sent)));
            const auto n = static_cast<std::size_t>(in.gcount());
            if (n == 0) throw std::runtime_error("'" + path + "' became shorter while it was sent");
            sum.Add(buf.data(), n);
            out << static_cast<std::uint32_t>(n);
            out.Write(buf.data(), n);
            sent += n;
            progress.Update(sent);
        }
        const std::string hex = sum.Hex();
        out << std::uint32_t{0} << hex;
        out.Flush();
        progress.Update(sent, true);
        bool verified = false;
        std::string theirs;
        reply >> verified >> theirs;
        std::cout << Summary("sent", sent, progress) << std::endl;
        std::cout << "sha256 " << hex
                  << (verified ? " verified by the receiver" : " NOT verified: receiver has " + theirs) << std::endl;
        return verified ? kExitOk : kExitFailure;
    } catch (const portafx::Exception& e) {
        Complain(e.what());
    } catch (const std::exception& e) {
        Complain(e.what());
    }
    return kExitFailure;
}

// --- receiving ----------------------------------------------------------------------------------

int Receive(unsigned port, const char* address, const std::string& output, const TlsContext* tls, bool quiet) {
    Socket listener;
    Socket conn;
    listener.SetTimeout(std::chrono::seconds(30));
    conn.SetTimeout(std::chrono::seconds(30));
    portafx::SocketAddress local;
    if (!listener.Create(port, portafx::SocketType::Stream, address) || (tls != nullptr && !listener.EnableTls(*tls)) ||
        !listener.Listen() || !listener.GetSockName(local)) {
        Complain(SocketProblem());
        return kExitFailure;
    }
    std::cout << "listening on " << local.ToString() << std::endl;
    portafx::SocketAddress peer;
    if (!listener.Accept(conn, &peer)) {
        Complain(SocketProblem());
        return kExitFailure;
    }
    listener.Close();
    try {
        SocketFile file(conn);
        Archive in(file, Archive::Load);
        Archive reply(file, Archive::Store);
        std::string magic, name;
        std::uint64_t size = 0;
        in >> magic;
        if (magic != kMagic) throw std::runtime_error("the peer does not send portafx files ('" + magic + "')");
        in >> name >> size;
        std::cout << "receiving '" << name << "' (" << size << " bytes) from " << peer.ToString() << std::endl;
        std::ofstream out(output, std::ios::binary | std::ios::trunc);
        if (!out) throw std::runtime_error("cannot write '" + output + "'");
        Sha256 sum;
        Progress progress("receiving", size, quiet);
        std::vector<char> buf(kChunk);
        std::uint64_t got = 0;
        for (;;) {
            std::uint32_t n = 0;
            in >> n;
            if (n == 0) break;
            if (n > kChunk || got + n > size) throw std::runtime_error("a chunk larger than announced");
            if (in.Read(buf.data(), n) != n) throw std::runtime_error("the sender stopped inside a chunk");
            sum.Add(buf.data(), n);
            out.write(buf.data(), n);
            got += n;
            progress.Update(got);
        }
        progress.Update(got, true);
        std::string theirs;
        in >> theirs;
        out.close();
        const std::string mine = sum.Hex();
        const bool verified = got == size && mine == theirs && out.good();
        reply << verified << mine;
        reply.Flush();
        std::cout << Summary("received", got, progress) << std::endl;
        std::cout << "sha256 " << mine << (verified ? " verified" : " MISMATCH (sender: " + theirs + ")") << std::endl;
        conn.Close();
        return verified ? kExitOk : kExitFailure;
    } catch (const portafx::Exception& e) {
        Complain(e.what());
    } catch (const std::exception& e) {
        Complain(e.what());
    }
    return kExitFailure;
}

int Usage(const std::string& problem = {}) {
    if (!problem.empty()) Complain(problem);
    std::cerr << "usage: portafx-file-transfer receive <port> <output-file> [--address A]"
                 " [--tls --cert C --key K] [--quiet]\n"
                 "       portafx-file-transfer send <host> <port> <file> [--tls [--ca CA | --insecure]"
                 " [--name N]] [--quiet]\n";
    return kExitUsage;
}

bool ParsePort(const std::string& text, bool allowZero, unsigned& port) {
    if (text.empty() || text.size() > 5 || text.find_first_not_of("0123456789") != std::string::npos) return false;
    const unsigned long v = std::strtoul(text.c_str(), nullptr, 10);
    if (v > 65535 || (v == 0 && !allowZero)) return false;
    port = static_cast<unsigned>(v);
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) return Usage();
    std::string cert, key, ca, address, name;
    bool useTls = false, insecure = false, quiet = false;
    std::vector<std::string> positional;
    for (std::size_t i = 1; i < args.size(); ++i) {
        const bool hasValue = i + 1 < args.size();
        const std::string& a = args[i];
        if (a == "--cert" && hasValue) {
            cert = args[++i];
        } else if (a == "--key" && hasValue) {
            key = args[++i];
        } else if (a == "--ca" && hasValue) {
            ca = args[++i];
        } else if (a == "--address" && hasValue) {
            address = args[++i];
        } else if (a == "--name" && hasValue) {
            name = args[++i];
        } else if (a == "--tls") {
            useTls = true;
        } else if (a == "--insecure") {
            insecure = true;
        } else if (a == "--quiet") {
            quiet = true;
        } else if (a.rfind("--", 0) == 0) {
            return Usage("unknown option " + a);
        } else {
            positional.push_back(a);
        }
    }
    try {
        unsigned port = 0;
        if (args[0] == "receive") {
            if (positional.size() != 2 || !ParsePort(positional[0], true, port)) return Usage("receive <port> <file>");
            std::unique_ptr<TlsContext> tls;
            if (useTls) {
                tls = std::make_unique<TlsContext>(TlsRole::Server);
                if (!tls->UseCertificateChainFile(cert) || !tls->UsePrivateKeyFile(key)) {
                    Complain(SocketProblem());
                    return kExitFailure;
                }
            }
            return Receive(port, address.empty() ? nullptr : address.c_str(), positional[1], tls.get(), quiet);
        }
        if (args[0] == "send") {
            if (positional.size() != 3 || !ParsePort(positional[1], false, port)) {
                return Usage("send <host> <port> <file>");
            }
            std::unique_ptr<TlsContext> tls;
            if (useTls) {
                tls = std::make_unique<TlsContext>(TlsRole::Client);
                if (insecure) tls->SetVerifyPeer(false);
                if (!ca.empty() && !tls->AddTrustedCaFile(ca)) {
                    Complain(SocketProblem());
                    return kExitFailure;
                }
            }
            return Send(positional[0], port, positional[2], tls.get(), name, quiet);
        }
    } catch (const std::exception& e) {
        Complain(e.what());
        return kExitFailure;
    }
    return Usage();
}
