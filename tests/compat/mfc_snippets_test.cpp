// Typical MFC socket code — the shapes of the documented CAsyncSocket and CSocket examples (MicrosoftDocs cpp-docs:
// casyncsocket-class, csocket-class, "Windows Sockets: Sequence of Operations", "Using Sockets with Archives",
// "Byte Ordering") — compiled against portafx's afxsock.h as they are written, C-style casts included (this target
// alone allows -Wold-style-cast, see tests/compat/CMakeLists.txt), and run on loopback.
#include <portafx/afxsock.h>
#include <portafx/afxwin.h>

#define BOOST_TEST_MODULE mfc_snippets_test
#include <boost/test/unit_test.hpp>

#include "compat_test_support.hpp"

#include <portafx/event_loop.hpp>

#include <chrono>
#include <thread>

namespace {

using namespace std::chrono_literals;

// The tests' message loop: the calling thread's EventLoop, until `done()` or 5 s.
template <class Pred>
bool PumpUntil(Pred done) {
    auto& loop = portafx::EventLoop::Current();
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!done() && std::chrono::steady_clock::now() < deadline)
        loop.RunOneFor(20ms);
    return done();
}

UINT PortOf(CAsyncSocket& s) {
    CString strAddr;
    UINT nPort = 0;
    s.GetSockName(strAddr, nPort);
    return nPort;
}

}  // namespace

// --- CAsyncSocket::OnReceive (casyncsocket-class: the OnReceive example) -----------------------------------

class CMyAsyncSocket : public CAsyncSocket {
public:
    CString m_strRecv;
    BOOL m_bDone = FALSE;

    virtual void OnReceive(int nErrorCode) {
        static int i = 0;
        i++;

        TCHAR buff[4096];
        int nRead;
        nRead = Receive(buff, 4096);

        switch (nRead) {
        case 0: Close(); break;
        case SOCKET_ERROR:
            if (GetLastError() != WSAEWOULDBLOCK) {
                AfxMessageBox(_T("Error occurred"));
                Close();
            }
            break;
        default:
            buff[nRead / sizeof(TCHAR)] = _T('\0');  // terminate the string
            CString szTemp(buff);
            m_strRecv += szTemp;  // m_strRecv is a CString declared in CMyAsyncSocket
            if (szTemp.CompareNoCase(_T("bye")) == 0) {
                ShutDown();
                m_bDone = TRUE;
            }
        }
        CAsyncSocket::OnReceive(nErrorCode);
    }
};

// --- CAsyncSocket::OnSend (casyncsocket-class: the OnSend example) -----------------------------------------

class CMySendSocket : public CAsyncSocket {
public:
    CString m_sendBuffer;  // for async send
    int m_nBytesSent = 0;
    int m_nBytesBufferSize = 0;

    virtual void OnSend(int nErrorCode) {
        while (m_nBytesSent < m_nBytesBufferSize) {
            int dwBytes;

            if ((dwBytes = Send((LPCTSTR)m_sendBuffer + m_nBytesSent / sizeof(TCHAR),
                                m_nBytesBufferSize - m_nBytesSent)) == SOCKET_ERROR) {
                if (GetLastError() == WSAEWOULDBLOCK) {
                    break;
                } else {
                    CString szError;
                    szError.Format(_T("Server Socket failed to send: %d"), GetLastError());
                    Close();
                    AfxMessageBox(szError);
                }
            } else {
                m_nBytesSent += dwBytes;
            }
        }

        if (m_nBytesSent == m_nBytesBufferSize) {
            m_nBytesSent = m_nBytesBufferSize = 0;
            m_sendBuffer = _T("");
        }

        CAsyncSocket::OnSend(nErrorCode);
    }
};

class CMyListenSocket : public CAsyncSocket {
public:
    CMyAsyncSocket* m_pReceiver = NULL;

    virtual void OnAccept(int nErrorCode) {
        m_pReceiver = new CMyAsyncSocket;
        if (!Accept(*m_pReceiver)) {
            delete m_pReceiver;
            m_pReceiver = NULL;
        }
        CAsyncSocket::OnAccept(nErrorCode);
    }
};

BOOST_AUTO_TEST_CASE(async_socket_examples) {
    // CAsyncSocket::Create / Listen / AsyncSelect examples.
    CMyListenSocket sockSrvr;
    BOOST_REQUIRE(sockSrvr.Create(0, SOCK_STREAM, FD_ACCEPT, _T("127.0.0.1")));
    BOOST_REQUIRE(sockSrvr.Listen());
    BOOST_REQUIRE(sockSrvr.AsyncSelect(FD_READ | FD_WRITE | FD_OOB | FD_ACCEPT | FD_CONNECT | FD_CLOSE));

    CMySendSocket sock;
    sock.Create();  // Use the default parameters
    BOOL bConnected = sock.Connect(_T("127.0.0.1"), PortOf(sockSrvr));
    BOOST_TEST((bConnected || sock.GetLastError() == WSAEWOULDBLOCK));
    BOOST_REQUIRE(PumpUntil([&] { return sockSrvr.m_pReceiver != NULL; }));

    // Queue text and let the OnSend loop send it (as the example's caller does: fill the buffer, call OnSend).
    sock.m_sendBuffer = _T("hello from the example");
    sock.m_nBytesBufferSize = sock.m_sendBuffer.GetLength() * sizeof(TCHAR);
    sock.m_nBytesSent = 0;
    BOOST_REQUIRE(PumpUntil([&] { return sockSrvr.m_pReceiver->m_strRecv == _T("hello from the example"); }));
    BOOST_TEST(sock.m_nBytesBufferSize == 0);

    // "bye" makes the receiver shut down; our side then sees the end of the stream.
    sock.m_sendBuffer = _T("bye");
    sock.m_nBytesBufferSize = sock.m_sendBuffer.GetLength() * sizeof(TCHAR);
    sock.OnSend(0);
    BOOST_REQUIRE(PumpUntil([&] { return sockSrvr.m_pReceiver->m_bDone == TRUE; }));
    char c;
    BOOST_REQUIRE(PumpUntil([&] { return sock.Receive(&c, 1) == 0; }));  // 0: the peer closed its side
    delete sockSrvr.m_pReceiver;
}

// --- "Windows Sockets: Sequence of Operations" / "Using Sockets with Archives" (CSocket) -----------------

BOOST_AUTO_TEST_CASE(csocket_sequence_of_operations) {
    CSocket sockSrvr;
    BOOST_REQUIRE(sockSrvr.Create(0, SOCK_STREAM, _T("127.0.0.1")));  // construct, then create with a port
    BOOST_REQUIRE(sockSrvr.Listen());                                 // start listening
    const UINT nPort = PortOf(sockSrvr);

    // The client in its own thread, as a second program would be.
    DWORD dwReply = 0;
    std::thread client([nPort, &dwReply] {
        AfxSocketInit();
        CSocket sockClient;
        sockClient.Create();
        if (!sockClient.Connect(_T("127.0.0.1"), nPort)) return;
        CSocketFile file(&sockClient);
        CArchive arIn(&file, CArchive::load);
        CArchive arOut(&file, CArchive::store);
        DWORD dwValue = 12345;
        arOut << dwValue;
        arOut.Flush();
        arIn >> dwReply;
    });

    CSocket sockRecv;                          // seed a new socket
    BOOST_REQUIRE(sockSrvr.Accept(sockRecv));  // accept the connection (waits, pumping the loop)
    CSocketFile file(&sockRecv);
    CArchive arIn(&file, CArchive::load);
    CArchive arOut(&file, CArchive::store);
    DWORD dwValue = 0;
    arIn >> dwValue;  // blocks until the value has arrived
    arOut << dwValue * 2;
    arOut.Flush();
    client.join();
    BOOST_TEST(dwValue == 12345u);
    BOOST_TEST(dwReply == 24690u);
}

// --- "Windows Sockets: Byte Ordering": a message struct, archived after htonl/htons ---------------------

struct Message {
    long MagicNumber;
    unsigned short Command;
    short Param1;
    long Param2;
};

BOOST_AUTO_TEST_CASE(byte_ordering_example) {
    Message msg = {0x4D534721, 7, -2, 100000};
    CMemFile file;
    {
        CArchive ar(&file, CArchive::store);
        msg.MagicNumber = (long)htonl((u_long)msg.MagicNumber);
        msg.Command = htons(msg.Command);
        msg.Param1 = (short)htons((u_short)msg.Param1);
        msg.Param2 = (long)htonl((u_long)msg.Param2);
        ar << msg.MagicNumber;
        ar << msg.Command;
        ar << msg.Param1;
        ar << msg.Param2;
    }
    BOOST_TEST(file.Data().size() == 12u);  // long is 4 bytes on the wire, as on Windows
    BOOST_TEST(file.Data()[0] == 0x4D);     // network order, as the article intends
    file.SeekToBegin();
    CArchive ar(&file, CArchive::load);
    Message in{};
    ar >> in.MagicNumber >> in.Command >> in.Param1 >> in.Param2;
    BOOST_TEST((long)ntohl((u_long)in.MagicNumber) == 0x4D534721L);
    BOOST_TEST((short)ntohs((u_short)in.Param1) == -2);
}

// --- CAsyncSocket::Attach / Detach: handing a connection to a thread (casyncsocket-class / csocket-class) ---

class CSockThread : public CWinThread {
    DECLARE_DYNCREATE(CSockThread)
public:
    SOCKET m_hConnected = INVALID_SOCKET;

protected:
    CSocket m_sConnected;

    virtual BOOL InitInstance() {
        // Attach the socket object to the socket handle in the context of this thread.
        m_sConnected.Attach(m_hConnected);
        m_hConnected = INVALID_SOCKET;
        char buf[16];
        int n = m_sConnected.Receive(buf, sizeof(buf));
        if (n > 0) m_sConnected.Send(buf, n);  // echo
        m_sConnected.Close();
        return FALSE;  // no message loop needed: ExitInstance, then the thread ends
    }
};
IMPLEMENT_DYNCREATE(CSockThread, CWinThread)

class CListenSocket : public CAsyncSocket {
public:
    BOOL m_bHandedOff = FALSE;
    // This listening socket hands each connection to a new thread.
    virtual void OnAccept(int nErrorCode) {
        CSocket soc;
        Accept(soc);
        CSockThread* pThread =
            (CSockThread*)AfxBeginThread(RUNTIME_CLASS(CSockThread), THREAD_PRIORITY_NORMAL, 0, CREATE_SUSPENDED);
        if (pThread != NULL) {
            pThread->m_hConnected = soc.Detach();
            pThread->ResumeThread();
            m_bHandedOff = TRUE;
        }
        CAsyncSocket::OnAccept(nErrorCode);
    }
};

BOOST_AUTO_TEST_CASE(attach_in_a_thread_example) {
    CListenSocket listen;
    BOOST_REQUIRE(listen.Create(0, SOCK_STREAM, FD_ACCEPT, _T("127.0.0.1")));
    BOOST_REQUIRE(listen.Listen());
    CSocket client;
    BOOST_REQUIRE(client.Create());
    BOOST_REQUIRE(client.Connect(_T("127.0.0.1"), PortOf(listen)));
    BOOST_REQUIRE(PumpUntil([&] { return listen.m_bHandedOff == TRUE; }));
    BOOST_REQUIRE(client.Send("echo!", 5) == 5);
    client.SetTimeout(5s);  // (beyond MFC: a bound on the blocking call, so a failure cannot hang the test)
    char buf[16];
    int got = 0;
    while (got < 5) {
        int n = client.Receive(buf + got, sizeof(buf) - got);
        if (n <= 0) break;
        got += n;
    }
    BOOST_TEST(CStringA(buf, got) == "echo!");
}

// --- datagrams: SendTo / ReceiveFrom, SetSockOpt / GetSockOpt, IOCtl ---------------------------------------

BOOST_AUTO_TEST_CASE(datagram_and_option_examples) {
    CAsyncSocket sockRecv;
    BOOST_REQUIRE(sockRecv.Create(0, SOCK_DGRAM, FD_READ, _T("127.0.0.1")));
    BOOL bMultipleApps = TRUE;  // the SetSockOpt example
    BOOST_TEST(sockRecv.SetSockOpt(SO_REUSEADDR, &bMultipleApps, sizeof(BOOL), SOL_SOCKET));
    int nValue = 0, nLen = sizeof(nValue);
    BOOST_TEST(sockRecv.GetSockOpt(SO_REUSEADDR, &nValue, &nLen));
    BOOST_TEST(nValue != 0);

    CAsyncSocket sockSend;
    BOOST_REQUIRE(sockSend.Create(0, SOCK_DGRAM));
    const char szData[] = "datagram";
    BOOST_TEST(sockSend.SendTo(szData, 8, PortOf(sockRecv), _T("127.0.0.1")) == 8);

    DWORD dwAvailable = 0;
    BOOST_REQUIRE(PumpUntil([&] { return sockRecv.IOCtl(FIONREAD, &dwAvailable) && dwAvailable > 0; }));
    char buf[32];
    CString strFrom;
    UINT nFromPort = 0;
    int n = sockRecv.ReceiveFrom(buf, sizeof(buf), strFrom, nFromPort);
    BOOST_TEST(n == 8);
    BOOST_TEST(strFrom == _T("127.0.0.1"));
    BOOST_TEST(nFromPort == PortOf(sockSend));

    SOCKADDR_IN addr;
    int nAddrLen = sizeof(addr);
    BOOST_TEST(sockSend.SendTo(szData, 4, (SOCKADDR*)&addr, 0) == SOCKET_ERROR);  // no address: an error, no crash
    BOOST_TEST(sockRecv.GetSockName((SOCKADDR*)&addr, &nAddrLen));
    BOOST_TEST(addr.sin_family == AF_INET);
    BOOST_TEST(ntohs(addr.sin_port) == PortOf(sockRecv));
}
