// upldsrv.h : the server's upload service. A CAsyncSocket listener accepts into a temporary CSocket, detaches it and
// hands the handle to a new CWinThread, which attaches it to its own CSocket (the hand-off of MFC's CSocket
// documentation). The thread counts what it receives, answers "received N bytes, checksum X" and ends.
#pragma once

class CUploadSink : public CSocket {
    DECLARE_DYNAMIC(CUploadSink)
public:
    CUploadSink();
    virtual ~CUploadSink();

    void Finish();

    DWORD m_dwBytes;
    DWORD m_dwChecksum;
    BOOL m_bDone;

protected:
    virtual void OnReceive(int nErrorCode);
    virtual void OnClose(int nErrorCode);
};

class CUploadThread : public CWinThread {
    DECLARE_DYNCREATE(CUploadThread)
public:
    CUploadThread();
    virtual ~CUploadThread();

    virtual BOOL InitInstance();
    virtual int ExitInstance();

    SOCKET m_hConnected;

protected:
    CUploadSink m_sConnected;
};

class CUploadListener : public CAsyncSocket {
    DECLARE_DYNAMIC(CUploadListener)
public:
    CUploadListener();
    virtual ~CUploadListener();

protected:
    virtual void OnAccept(int nErrorCode);
};
