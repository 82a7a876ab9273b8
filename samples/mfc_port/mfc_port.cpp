// portafx-mfc-port — an MFC chat server and client (CHATSRVR / CHATTER style) compiled unchanged on portafx::compat.
//
// Every file of this sample but this one is written the way MFC programs are written, against MFC's names only
// (<afxwin.h> and <afxsock.h>, here <portafx/afxwin.h> and <portafx/afxsock.h>):
//  * msg.h/.cpp        a DECLARE_SERIAL message class with a BOOL, a CString and a CStringList
//  * lstnsock.h/.cpp   a CSocket-derived listening socket whose OnAccept accepts into a new CSocket-derived socket
//  * clntsock.h/.cpp   that client socket: a CSocketFile and two CArchives per connection
//  * srvrdoc.h/.cpp    the server: the IsBufferEmpty() loop in OnReceive, TRY/CATCH around Serialize, relaying,
//                      and `delete` of a socket inside its own notification (safe on portafx)
//  * upldsrv.h/.cpp    an upload service: a CAsyncSocket listener hands each connection to a worker thread
//                      (Accept into a CSocket, Detach, AfxBeginThread(CREATE_SUSPENDED), Attach in InitInstance)
//  * chatdoc.h/.cpp    the client (CHATTER): CSocket + CSocketFile + two CArchives
//  * upldsock.h/.cpp   a CAsyncSocket that uploads with MFC's OnSend resend loop
// This file is the part an MFC program gets from CWinApp and its GUI: main() parses the command line and runs
// the thread's message loop — portafx's EventLoop, the sample's only portafx-specific line besides the includes.
// CStrings travel in Unicode (FF FE FF + UTF-16LE), as the same code compiled by current Visual Studio: a Python
// client that speaks those bytes by hand takes part in the test (tests/samples/mfc_port_test.sh).
//
// Usage:
//   portafx-mfc-port server [port] [--address A] [--max-clients N]
//       prints "listening on A:P" and "uploads on A:U"; with --max-clients it ends once N clients came and left
//   portafx-mfc-port client <host> <port> <name> [--upload <upload port> <bytes>] [--say LINE]... [--wait-for N]
//       says each LINE, uploads, leaves once it has seen N lines (default: as many as it said) and its upload
//       has been confirmed
#include "stdafx.h"

#include "chatdoc.h"
#include "srvrdoc.h"

#include <portafx/event_loop.hpp>  // the message loop (the GUI's CWinApp::Run in MFC)

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

// What CWinApp::Run does for a GUI program: deliver the thread's messages (here: socket notifications) until
// AfxPostQuitMessage.
void RunMessageLoop() {
    portafx::EventLoop::Current().Run();
}

int Usage() {
    fputs(
        "usage: portafx-mfc-port server [port] [--address A] [--max-clients N]\n"
        "       portafx-mfc-port client <host> <port> <name> [--upload <port> <bytes>] [--say LINE]... "
        "[--wait-for N]\n",
        stderr);
    return 2;
}

int RunServer(int argc, char* argv[]) {
    UINT nPort = 0;
    CString strAddress = _T("127.0.0.1");
    int nMaxClients = 0;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--address") == 0 && i + 1 < argc) {
            strAddress = argv[++i];
        } else if (strcmp(argv[i], "--max-clients") == 0 && i + 1 < argc) {
            nMaxClients = atoi(argv[++i]);
        } else if (argv[i][0] != '-') {
            nPort = static_cast<UINT>(atoi(argv[i]));
        } else {
            return Usage();
        }
    }
    CServerDoc doc;
    if (!doc.OnNewDocument(nPort, strAddress, nMaxClients)) return 1;
    RunMessageLoop();
    return 0;
}

int RunClient(int argc, char* argv[]) {
    if (argc < 5) return Usage();
    const CString strAddress = argv[2];
    const UINT nPort = static_cast<UINT>(atoi(argv[3]));
    const CString strHandle = argv[4];
    CStringArray lines;
    UINT nUploadPort = 0;
    int nUploadBytes = 0;
    int nWaitFor = -1;
    for (int i = 5; i < argc; i++) {
        if (strcmp(argv[i], "--say") == 0 && i + 1 < argc) {
            lines.Add(CString(argv[++i]));
        } else if (strcmp(argv[i], "--upload") == 0 && i + 2 < argc) {
            nUploadPort = static_cast<UINT>(atoi(argv[++i]));
            nUploadBytes = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--wait-for") == 0 && i + 1 < argc) {
            nWaitFor = atoi(argv[++i]);
        } else {
            return Usage();
        }
    }

    CChatDoc doc;
    doc.m_nWaitFor = nWaitFor >= 0 ? nWaitFor : static_cast<int>(lines.GetSize());
    if (!doc.ConnectSocket(strHandle, strAddress, nPort)) return 1;
    if (nUploadPort != 0 && !doc.StartUpload(strAddress, nUploadPort, nUploadBytes)) {
        Message(strHandle + _T(": cannot start the upload"));
        return 1;
    }
    for (INT_PTR i = 0; i < lines.GetSize(); i++) {
        Message(strHandle + _T(" says: ") + lines[i]);
        doc.SendMsg(lines[i]);
    }
    doc.CheckDone();
    RunMessageLoop();
    return doc.m_nExitCode;
}

}  // namespace

int main(int argc, char* argv[]) {
    if (!AfxSocketInit()) return 1;
    if (argc >= 2 && strcmp(argv[1], "server") == 0) return RunServer(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "client") == 0) return RunClient(argc, argv);
    return Usage();
}
