// Test support for TLS: the certificates made at test time by make_test_certs.sh (a CTest fixture; the
// directory comes in PORTAFX_TLS_CERTS), contexts built from them, and a child process (openssl s_server /
// s_client) with pipes and a deadline.
#pragma once

#include "loopback.hpp"

#include <portafx/portafx.hpp>

#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace portafx::test {

inline std::string CertDir() {
    const char* dir = std::getenv("PORTAFX_TLS_CERTS");
    BOOST_REQUIRE_MESSAGE(dir != nullptr && *dir != '\0',
                          "PORTAFX_TLS_CERTS is not set (the tls_certs CTest fixture makes the certificates)");
    return dir;
}

inline std::string Pem(const std::string& name) {
    return CertDir() + "/" + name;
}

inline std::string ReadText(const std::string& path) {
    std::ifstream in(path);
    BOOST_REQUIRE_MESSAGE(in, "cannot read " + path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

inline std::string LastError() {
    return AsyncSocket::GetLastErrorInfo().Message();
}

/// A server context with `<name>.pem` / `<name>.key`.
inline TlsContext ServerContext(const std::string& name = "server") {
    TlsContext ctx(TlsRole::Server);
    BOOST_REQUIRE_MESSAGE(ctx.UseCertificateChainFile(Pem(name + ".pem")), LastError());
    BOOST_REQUIRE_MESSAGE(ctx.UsePrivateKeyFile(Pem(name + ".key")), LastError());
    return ctx;
}

/// A server context that requires a client certificate issued by the test CA (mutual TLS).
inline TlsContext MutualServerContext() {
    TlsContext ctx = ServerContext();
    ctx.SetVerifyPeer(true);
    BOOST_REQUIRE_MESSAGE(ctx.AddTrustedCaFile(Pem("ca.pem")), LastError());
    return ctx;
}

/// A verifying client context that trusts the test CA; with `certificate`, it presents that client cert.
inline TlsContext ClientContext(const std::string& certificate = {}) {
    TlsContext ctx(TlsRole::Client);
    BOOST_REQUIRE_MESSAGE(ctx.AddTrustedCaFile(Pem("ca.pem")), LastError());
    if (!certificate.empty()) {
        BOOST_REQUIRE_MESSAGE(ctx.UseCertificateChainFile(Pem(certificate + ".pem")), LastError());
        BOOST_REQUIRE_MESSAGE(ctx.UsePrivateKeyFile(Pem(certificate + ".key")), LastError());
    }
    return ctx;
}

/// A child process with its stdin and stdout+stderr on pipes. Killed by the destructor if still running.
class Child {
public:
    explicit Child(const std::vector<std::string>& argv) {
        int in[2], out[2];
        BOOST_REQUIRE(::pipe(in) == 0);
        BOOST_REQUIRE(::pipe(out) == 0);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, in[0], 0);
        posix_spawn_file_actions_adddup2(&actions, out[1], 1);
        posix_spawn_file_actions_adddup2(&actions, out[1], 2);
        posix_spawn_file_actions_addclose(&actions, in[1]);
        posix_spawn_file_actions_addclose(&actions, out[0]);
        std::vector<char*> args;
        for (const std::string& a : argv)
            args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        const int rc = ::posix_spawnp(&pid_, args[0], &actions, nullptr, args.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        ::close(in[0]);
        ::close(out[1]);
        stdin_ = in[1];
        stdout_ = out[0];
        ::fcntl(stdout_, F_SETFL, ::fcntl(stdout_, F_GETFL) | O_NONBLOCK);
        BOOST_REQUIRE_MESSAGE(rc == 0, "cannot start " + argv[0]);
    }

    ~Child() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
        CloseStdin();
        if (stdout_ >= 0) ::close(stdout_);
    }

    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    void Write(const std::string& text) {
        BOOST_REQUIRE(::write(stdin_, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
    }

    void CloseStdin() {
        if (stdin_ >= 0) ::close(stdin_);
        stdin_ = -1;
    }

    /// Reads the child's output until it contains `text` or `limit` passes.
    bool WaitFor(const std::string& text, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (output_.find(text) == std::string::npos) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return false;
            pollfd p{stdout_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
            if (!ReadAvailable()) return output_.find(text) != std::string::npos;
        }
        return true;
    }

    /// Waits (bounded) for the child to exit and returns its exit status (-1 if killed or still running).
    int Wait(std::chrono::milliseconds limit = std::chrono::seconds(10)) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        for (;;) {
            ReadAvailable();
            int status = 0;
            const pid_t r = ::waitpid(pid_, &status, WNOHANG);
            if (r == pid_) {
                pid_ = -1;
                while (ReadAvailable()) {
                }
                return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
            }
            if (std::chrono::steady_clock::now() >= deadline) return -1;
            pollfd p{stdout_, POLLIN, 0};
            ::poll(&p, 1, 50);  // wakes on output; bounded so the exit is noticed
        }
    }

    const std::string& Output() {
        ReadAvailable();
        return output_;
    }

private:
    // Appends what can be read now; false at end of output.
    bool ReadAvailable() {
        char buf[4096];
        for (;;) {
            const ssize_t n = ::read(stdout_, buf, sizeof buf);
            if (n > 0) {
                output_.append(buf, static_cast<std::size_t>(n));
                continue;
            }
            return n < 0;  // 0 = end of output; -1 = nothing now (EAGAIN)
        }
    }

    pid_t pid_ = -1;
    int stdin_ = -1;
    int stdout_ = -1;
    std::string output_;
};

}  // namespace portafx::test
