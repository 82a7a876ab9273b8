// upldsrv.cpp : implementation of the upload service (CUploadListener, CUploadThread, CUploadSink)
#include "stdafx.h"

#include "upldsrv.h"

#include "srvrdoc.h"

IMPLEMENT_DYNAMIC(CUploadSink, CSocket)
IMPLEMENT_DYNCREATE(CUploadThread, CWinThread)
IMPLEMENT_DYNAMIC(CUploadListener, CAsyncSocket)

// --- CUploadListener: runs in the main thread ----------------------------------------------------------

CUploadListener::CUploadListener() {}

CUploadListener::~CUploadListener() {}

void CUploadListener::OnAccept(int nErrorCode) {
    CAsyncSocket::OnAccept(nErrorCode);

    CSocket sockRecv;
    if (!Accept(sockRecv)) return;

    CUploadThread* pThread = static_cast<CUploadThread*>(
        AfxBeginThread(RUNTIME_CLASS(CUploadThread), THREAD_PRIORITY_NORMAL, 0, CREATE_SUSPENDED));
    if (pThread == NULL) {
        sockRecv.Close();
        return;
    }
    pThread->m_hConnected = sockRecv.Detach();
    pThread->ResumeThread();
}

// --- CUploadThread and CUploadSink: run in the upload's own thread -------------------------------------

CUploadThread::CUploadThread() {
    m_hConnected = INVALID_SOCKET;
}

CUploadThread::~CUploadThread() {}

BOOL CUploadThread::InitInstance() {
    AfxSocketInit();
    if (!m_sConnected.Attach(m_hConnected)) return FALSE;
    m_hConnected = INVALID_SOCKET;
    return TRUE;  // Run: this thread's message loop delivers m_sConnected's notifications
}

int CUploadThread::ExitInstance() {
    return CWinThread::ExitInstance();
}

CUploadSink::CUploadSink() {
    m_dwBytes = 0;
    m_dwChecksum = 0;
    m_bDone = FALSE;
}

CUploadSink::~CUploadSink() {}

void CUploadSink::OnReceive(int nErrorCode) {
    CSocket::OnReceive(nErrorCode);

    BYTE buffer[65536];
    int nRead = Receive(buffer, sizeof(buffer));
    if (nRead > 0) {
        for (int i = 0; i < nRead; i++)
            m_dwChecksum = m_dwChecksum * 31 + buffer[i];
        m_dwBytes += static_cast<DWORD>(nRead);
    } else if (nRead == 0) {
        Finish();  // the client has sent everything
    } else if (GetLastError() != WSAEWOULDBLOCK) {
        Close();
        AfxPostQuitMessage(1);
    }
}

void CUploadSink::OnClose(int nErrorCode) {
    CSocket::OnClose(nErrorCode);
    if (!m_bDone) {
        BYTE buffer[65536];
        int nRead;
        while ((nRead = Receive(buffer, sizeof(buffer))) > 0) {
            for (int i = 0; i < nRead; i++)
                m_dwChecksum = m_dwChecksum * 31 + buffer[i];
            m_dwBytes += static_cast<DWORD>(nRead);
        }
        Finish();
    }
}

void CUploadSink::Finish() {
    if (m_bDone) return;
    m_bDone = TRUE;

    CString strPeer;
    UINT nPeerPort = 0;
    GetPeerName(strPeer, nPeerPort);

    CStringA strReply;
    strReply.Format("received %lu bytes, checksum %08lx", m_dwBytes, m_dwChecksum);
    CString strLine;
    strLine.Format(_T("server: upload from %s:%u in a worker thread: %S"), strPeer, nPeerPort, strReply.GetString());
    Message(strLine);

    Send(strReply.GetString(), strReply.GetLength());  // CSocket::Send sends it all
    Close();
    AfxPostQuitMessage(0);  // ends this thread's message loop, then the thread
}
