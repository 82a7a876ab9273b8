// CAsyncSocket, CSocket and CSocketFile through the MFC names, on loopback with OS-chosen ports: BOOL results and
// GetLastError, Receive returning 0 on close, CSocket::Send sending everything, m_hSocket, SOCKADDR_IN from Accept,
// Detach/Attach to a worker thread, and socket errors reaching CArchive users as CFileException*.
#include <portafx/afxsock.h>

#define BOOST_TEST_MODULE compat_socket_test
#include <boost/test/unit_test.hpp>

#include "compat_test_support.hpp"

#include <poll.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;

// Runs the calling thread's loop until `done()` or 5 s.
template <class Pred>
bool RunUntil(Pred done) {
    auto& loop = portafx::EventLoop::Current();
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!done() && std::chrono::steady_clock::now() < deadline)
        loop.RunOneFor(20ms);
    return done();
}

class CServerConn : public CAsyncSocket {
public:
    std::string received;
    int zeroReceives = 0;
    int closeCode = -1;

protected:
    void OnReceive(int nErrorCode) override {
        BOOST_TEST(nErrorCode == 0);
        char buf[256];
        const int n = Receive(buf, sizeof buf);
        if (n > 0) {
            received.append(buf, static_cast<std::size_t>(n));
        } else if (n == 0) {
            ++zeroReceives;  // the peer closed: MFC's 0
        }
    }
    void OnClose(int nErrorCode) override { closeCode = nErrorCode; }
};

class CListener : public CAsyncSocket {
public:
    std::unique_ptr<CServerConn> conn;
    SOCKADDR_IN peer{};
    int peerLength = 0;

protected:
    void OnAccept(int nErrorCode) override {
        BOOST_TEST(nErrorCode == 0);
        conn = std::make_unique<CServerConn>();
        peerLength = sizeof peer;
        BOOST_TEST(Accept(*conn, reinterpret_cast<SOCKADDR*>(&peer), &peerLength) == TRUE);
    }
};

class CClient : public CAsyncSocket {
public:
    int connectCode = -1;

protected:
    void OnConnect(int nErrorCode) override { connectCode = nErrorCode; }
};

UINT PortOf(CAsyncSocket& s) {
    CString address;
    UINT port = 0;
    BOOST_REQUIRE(s.GetSockName(address, port) == TRUE);
    return port;
}

}  // namespace

BOOST_AUTO_TEST_CASE(async_socket_the_mfc_way) {
    BOOST_REQUIRE(AfxSocketInit() == TRUE);
    CListener listener;
    BOOST_TEST(listener.m_hSocket == INVALID_SOCKET);
    BOOST_REQUIRE(listener.Create(0, SOCK_STREAM, FD_ACCEPT | FD_READ | FD_CLOSE, _T("127.0.0.1")) == TRUE);
    BOOST_TEST(listener.m_hSocket != INVALID_SOCKET);
    BOOST_TEST(static_cast<SOCKET>(listener) == static_cast<SOCKET>(listener.m_hSocket));
    BOOST_TEST(CAsyncSocket::FromHandle(listener.m_hSocket) == &listener);
    BOOST_REQUIRE(listener.Listen() == TRUE);
    const UINT port = PortOf(listener);

    CClient client;
    BOOST_REQUIRE(client.Create() == TRUE);  // MFC's client Create: IPv4, bound to an ephemeral port
    BOOST_TEST(client.Connect(_T("127.0.0.1"), port) == FALSE);
    BOOST_TEST(client.GetLastError() == WSAEWOULDBLOCK);
    BOOST_REQUIRE(RunUntil([&] { return client.connectCode == 0 && listener.conn != nullptr; }));
    BOOST_TEST(listener.peer.sin_family == AF_INET);
    BOOST_TEST(listener.peerLength == static_cast<int>(sizeof(SOCKADDR_IN)));
    BOOST_TEST(std::string(inet_ntoa(listener.peer.sin_addr)) == "127.0.0.1");
    CString peerAddress;
    UINT peerPort = 0;
    BOOST_TEST(client.GetPeerName(peerAddress, peerPort) == TRUE);
    BOOST_TEST(peerAddress == _T("127.0.0.1"));
    BOOST_TEST(peerPort == port);

    CServerConn& conn = *listener.conn;
    char buf[16];
    BOOST_TEST(conn.Receive(buf, sizeof buf) == SOCKET_ERROR);  // nothing yet
    BOOST_TEST(CAsyncSocket::GetLastError() == WSAEWOULDBLOCK);
    BOOST_TEST(WSAGetLastError() == WSAEWOULDBLOCK);
    BOOST_TEST(client.Send("hello", 5) == 5);
    BOOST_REQUIRE(RunUntil([&] { return conn.received == "hello"; }));
    DWORD queued = 99;
    BOOST_TEST(conn.IOCtl(FIONREAD, &queued) == TRUE);
    BOOST_TEST(queued == 0u);

    client.Close();
    BOOST_TEST(client.m_hSocket == INVALID_SOCKET);
    BOOST_REQUIRE(RunUntil([&] { return conn.closeCode == 0; }));
    BOOST_TEST(conn.Receive(buf, sizeof buf) == 0);  // MFC: 0 means the peer closed gracefully
}

BOOST_AUTO_TEST_CASE(bad_arguments_fail_with_wsa_codes) {
    CAsyncSocket s;
    BOOST_TEST(s.Create(70000) == FALSE);
    BOOST_TEST(s.GetLastError() == WSAEINVAL);
    BOOST_TEST(s.Create(0, 12345) == FALSE);
    BOOST_TEST(s.GetLastError() == WSAESOCKTNOSUPPORT);
    BOOST_TEST(s.Connect(nullptr, 80) == FALSE);
    BOOST_TEST(s.GetLastError() == WSAEINVAL);
    BOOST_TEST(s.SendToEx("x", 1, 9, nullptr) == SOCKET_ERROR);
    BOOST_TEST(s.GetLastError() == WSAEINVAL);
    CSocket none;
    int cause = 0;
    LONG osError = 0;
    TRY {
        CSocketFile file(&none);
    }
    CATCH(CFileException, e) {
        cause = e->m_cause;
        osError = e->m_lOsError;
    }
    END_CATCH
    BOOST_TEST(cause == CFileException::invalidFile);
    BOOST_TEST(osError == WSA_INVALID_HANDLE);
    bool invalidArg = false;
    TRY {
        CSocketFile file(nullptr);
    }
    CATCH(CInvalidArgException, e) {
        invalidArg = true;
    }
    END_CATCH
    BOOST_TEST(invalidArg);
}

namespace {

// A message for the archive tests.
class CLine : public CObject {
    DECLARE_DYNCREATE(CLine)
public:
    CString m_text;
    virtual void Serialize(CArchive& ar) {
        if (ar.IsStoring()) {
            ar << m_text;
        } else {
            ar >> m_text;
        }
    }
};

// The accepted side of a CSocket connection: CSocketFile + two CArchives, the IsBufferEmpty loop.
class CArchiveConn : public CSocket {
public:
    std::vector<CString> lines;
    int fileErrors = 0;
    LONG lastOsError = 0;

    void Init() {
        m_file = std::make_unique<CSocketFile>(this);
        m_in = std::make_unique<CArchive>(m_file.get(), CArchive::load);
        m_out = std::make_unique<CArchive>(m_file.get(), CArchive::store);
    }
    void Reply(const CString& text) {
        CLine line;
        line.m_text = text;
        line.Serialize(*m_out);
        m_out->Flush();
    }

protected:
    void OnReceive(int /*nErrorCode*/) override {
        TRY {
            do {
                CLine line;
                line.Serialize(*m_in);
                lines.push_back(line.m_text);
            } while (!m_in->IsBufferEmpty());
        }
        CATCH(CFileException, e) {
            ++fileErrors;
            lastOsError = e->m_lOsError;
        }
        AND_CATCH(CArchiveException, e) {
            lines.push_back(_T("<archive error>"));
        }
        END_CATCH
    }

private:
    std::unique_ptr<CSocketFile> m_file;
    std::unique_ptr<CArchive> m_in;
    std::unique_ptr<CArchive> m_out;
};

class CArchiveListener : public CSocket {
public:
    std::unique_ptr<CArchiveConn> conn;

protected:
    void OnAccept(int /*nErrorCode*/) override {
        conn = std::make_unique<CArchiveConn>();
        if (Accept(*conn)) conn->Init();
    }
};

}  // namespace

IMPLEMENT_DYNCREATE(CLine, CObject)

BOOST_AUTO_TEST_CASE(csocket_with_archives) {
    CArchiveListener listener;
    BOOST_REQUIRE(listener.Create(0, SOCK_STREAM, _T("127.0.0.1")) == TRUE);
    BOOST_REQUIRE(listener.Listen() == TRUE);
    const UINT port = PortOf(listener);

    CSocket client;
    BOOST_REQUIRE(client.Create() == TRUE);
    BOOST_REQUIRE(client.Connect(_T("127.0.0.1"), port) == TRUE);  // CSocket: waits for the outcome
    CSocketFile file(&client);
    CArchive out(&file, CArchive::store);
    CArchive in(&file, CArchive::load);
    for (const TCHAR* text : {_T("one"), _T("two"), _T("three")}) {
        CLine line;
        line.m_text = text;
        line.Serialize(out);
    }
    out.Flush();  // three messages in one send: the server's IsBufferEmpty loop reads them all
    BOOST_REQUIRE(RunUntil([&] { return listener.conn != nullptr && listener.conn->lines.size() == 3; }));
    BOOST_TEST(listener.conn->lines[2] == _T("three"));

    listener.conn->Reply(_T("ok"));
    CLine reply;
    reply.Serialize(in);  // blocks (pumping) until the reply has arrived
    BOOST_TEST(reply.m_text == _T("ok"));
    BOOST_TEST(file.m_pSocket == &client);
    BOOST_TEST(file.GetFilePath().Find(_T("127.0.0.1")) >= 0);

    // A peer that stops: portafx's SetTimeout makes the blocking read fail with WSAETIMEDOUT, as CFileException*.
    client.SetTimeout(200ms);
    LONG osError = 0;
    TRY {
        CLine none;
        none.Serialize(in);
    }
    CATCH(CFileException, e) {
        osError = e->m_lOsError;
        e->Delete();
    }
    END_CATCH
    BOOST_TEST(osError == WSAETIMEDOUT);
}

namespace {

// Legacy code without the IsBufferEmpty loop: one message per OnReceive. On MFC the archive's read-ahead strands the
// later messages (no FD_READ announces them); on portafx they bring OnReceive again.
class COneAtATime : public CSocket {
public:
    std::vector<CString> lines;
    void Init() {
        m_file = std::make_unique<CSocketFile>(this);
        m_in = std::make_unique<CArchive>(m_file.get(), CArchive::load);
    }

protected:
    void OnReceive(int /*nErrorCode*/) override {
        CLine line;
        line.Serialize(*m_in);
        lines.push_back(line.m_text);
    }

private:
    std::unique_ptr<CSocketFile> m_file;
    std::unique_ptr<CArchive> m_in;
};

int selfDeleted = 0;

// `delete this` as the last statement of a notification (CHATTER deletes its socket that way).
class CSelfDeleting : public CAsyncSocket {
public:
    ~CSelfDeleting() override { ++selfDeleted; }

protected:
    void OnReceive(int /*nErrorCode*/) override {
        char buf[64];
        if (Receive(buf, sizeof buf) == 0) delete this;
    }
    void OnClose(int /*nErrorCode*/) override { delete this; }
};

}  // namespace

BOOST_AUTO_TEST_CASE(no_stranded_bytes_and_safe_delete_this) {
    CArchiveListener listener;
    BOOST_REQUIRE(listener.Create(0, SOCK_STREAM, _T("127.0.0.1")) == TRUE);
    BOOST_REQUIRE(listener.Listen() == TRUE);
    CSocket client;
    BOOST_REQUIRE(client.Create() == TRUE);
    BOOST_REQUIRE(client.Connect(_T("127.0.0.1"), PortOf(listener)) == TRUE);
    BOOST_REQUIRE(RunUntil([&] { return listener.conn != nullptr; }));
    COneAtATime reader;
    BOOST_REQUIRE(reader.Attach(listener.conn->Detach()) == TRUE);
    reader.Init();
    {
        CSocketFile file(&client);
        CArchive out(&file, CArchive::store);
        for (const TCHAR* text : {_T("first"), _T("second"), _T("third")}) {
            CLine line;
            line.m_text = text;
            line.Serialize(out);
        }
        out.Flush();  // one send: the reader's archive reads all three ahead at its first OnReceive
    }
    BOOST_REQUIRE(RunUntil([&] { return reader.lines.size() == 3; }));
    BOOST_TEST(reader.lines[2] == _T("third"));

    // A socket that deletes itself in its own notification, twice over (OnReceive with 0, or OnClose).
    CListener deleting;
    BOOST_REQUIRE(deleting.Create(0, SOCK_STREAM, PORTAFX_COMPAT_ALL_EVENTS, _T("127.0.0.1")) == TRUE);
    BOOST_REQUIRE(deleting.Listen() == TRUE);
    auto* victim = new CSelfDeleting;
    BOOST_REQUIRE(victim->Create() == TRUE);
    victim->Connect(_T("127.0.0.1"), PortOf(deleting));
    BOOST_REQUIRE(RunUntil([&] { return deleting.conn != nullptr; }));
    deleting.conn->Close();  // the peer goes: the victim deletes itself inside a notification
    BOOST_REQUIRE(RunUntil([&] { return selfDeleted == 1; }));
    portafx::EventLoop::Current().RunFor(50ms);  // nothing touches the deleted object afterwards (ASan would say)
    BOOST_TEST(selfDeleted == 1);
}

BOOST_AUTO_TEST_CASE(archive_transaction_never_blocks) {
    CArchiveListener listener;
    BOOST_REQUIRE(listener.Create(0, SOCK_STREAM, _T("127.0.0.1")) == TRUE);
    BOOST_REQUIRE(listener.Listen() == TRUE);
    CSocket client;
    BOOST_REQUIRE(client.Create() == TRUE);
    BOOST_REQUIRE(client.Connect(_T("127.0.0.1"), PortOf(listener)) == TRUE);
    BOOST_REQUIRE(RunUntil([&] { return listener.conn != nullptr; }));
    const SOCKET handle = listener.conn->Detach();  // read it here with an archive of our own
    CSocket server;
    BOOST_REQUIRE(server.Attach(handle) == TRUE);
    CSocketFile file(&server);
    CArchive in(&file, CArchive::load);

    // Half of a message: FF FE FF 02 'o' 00 | 'k' 00
    const unsigned char first[] = {0xFF, 0xFE, 0xFF, 0x02, 'o', 0x00};
    const unsigned char rest[] = {'k', 0x00};
    BOOST_REQUIRE(client.Send(first, sizeof first) == static_cast<int>(sizeof first));
    DWORD queued = 0;
    BOOST_REQUIRE(RunUntil([&] { return server.IOCtl(FIONREAD, &queued) && queued == sizeof first; }));
    CLine line;
    BOOST_TEST(in.TryRead([&](CArchive& ar) { line.Serialize(ar); }) == FALSE);  // not all there: no wait
    BOOST_REQUIRE(client.Send(rest, sizeof rest) == static_cast<int>(sizeof rest));
    BOOL done = FALSE;
    BOOST_REQUIRE(RunUntil([&] {
        if (!done) done = in.TryRead([&](CArchive& ar) { line.Serialize(ar); });
        return done == TRUE;
    }));
    BOOST_TEST(line.m_text == _T("ok"));
}

BOOST_AUTO_TEST_CASE(csocket_send_sends_everything) {
    CListener listener;
    BOOST_REQUIRE(listener.Create(0, SOCK_STREAM, FD_ACCEPT, _T("127.0.0.1")) == TRUE);
    BOOST_REQUIRE(listener.Listen() == TRUE);
    const UINT port = PortOf(listener);
    // The reader is a raw socket in another thread: the bytes leave only as fast as it reads them.
    std::promise<std::size_t> total;
    std::thread reader([port, &total] {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(static_cast<std::uint16_t>(port));
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        std::size_t n = 0;
        if (::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0) {
            char buf[65536];
            pollfd p{fd, POLLIN, 0};
            while (::poll(&p, 1, 5000) > 0) {
                const ssize_t got = ::recv(fd, buf, sizeof buf, 0);
                if (got <= 0) break;
                n += static_cast<std::size_t>(got);
            }
        }
        ::close(fd);
        total.set_value(n);
    });
    BOOST_REQUIRE(RunUntil([&] { return listener.conn != nullptr; }));
    CSocket sender;
    const SOCKET handle = listener.conn->Detach();
    BOOST_REQUIRE(handle != INVALID_SOCKET);
    BOOST_REQUIRE(sender.Attach(handle) == TRUE);
    const std::vector<char> big(8 << 20, 'x');
    BOOST_TEST(sender.Send(big.data(), static_cast<int>(big.size())) == static_cast<int>(big.size()));
    sender.Close();
    auto result = total.get_future();
    BOOST_REQUIRE(result.wait_for(10s) == std::future_status::ready);
    BOOST_TEST(result.get() == big.size());
    reader.join();
}

BOOST_AUTO_TEST_CASE(detach_attach_hand_off_to_a_worker_thread) {
    CListener listener;
    BOOST_REQUIRE(listener.Create(0, SOCK_STREAM, PORTAFX_COMPAT_ALL_EVENTS, _T("127.0.0.1")) == TRUE);
    BOOST_REQUIRE(listener.Listen() == TRUE);
    CSocket client;
    BOOST_REQUIRE(client.Create() == TRUE);
    BOOST_REQUIRE(client.Connect(_T("127.0.0.1"), PortOf(listener)) == TRUE);
    BOOST_REQUIRE(RunUntil([&] { return listener.conn != nullptr; }));

    // The MFC pattern (csocket-class_2..4): Detach here, Attach to a new CSocket in the worker thread.
    const SOCKET handle = listener.conn->Detach();
    BOOST_TEST(listener.conn->m_hSocket == INVALID_SOCKET);
    std::promise<std::string> echoed;
    std::thread worker([handle, &echoed] {
        AfxSocketInit();
        CSocket socket;  // belongs to this thread's loop
        if (!socket.Attach(handle)) {
            echoed.set_value("Attach failed");
            return;
        }
        socket.SetTimeout(5s);
        char buf[64];
        const int n = socket.Receive(buf, sizeof buf);  // blocks, pumping this thread's loop
        std::string text = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "Receive failed";
        socket.Send(("echo " + text).c_str(), static_cast<int>(text.size() + 5));
        echoed.set_value(text);
    });
    BOOST_TEST(client.Send("ping", 4) == 4);
    client.SetTimeout(5s);
    char buf[64];
    int got = 0;
    while (got < 9) {
        const int n = client.Receive(buf + got, static_cast<int>(sizeof buf) - got);
        if (n <= 0) break;
        got += n;
    }
    worker.join();
    BOOST_TEST(echoed.get_future().get() == "ping");
    BOOST_TEST(std::string(buf, static_cast<std::size_t>(got)) == "echo ping");
}
