// clntsock.h : one connected client on the server (CHATSRVR's CClientSocket): a CSocket with a CSocketFile and
// two CArchives for the connection's whole life.
#pragma once

class CServerDoc;
class CMsg;

class CClientSocket : public CSocket {
    DECLARE_DYNAMIC(CClientSocket)
private:
    CClientSocket(const CClientSocket& rSrc);   // no implementation
    void operator=(const CClientSocket& rSrc);  // no implementation

public:
    explicit CClientSocket(CServerDoc* pDoc);
    virtual ~CClientSocket();

    void Init();
    void Abort();
    void SendMsg(CMsg* pMsg);
    void ReceiveMsg(CMsg* pMsg);
    BOOL IsAborted() { return m_pArchiveOut == NULL; }

    CServerDoc* m_pDoc;
    int m_nMsgCount;
    CString m_strPeer;
    CSocketFile* m_pFile;
    CArchive* m_pArchiveIn;
    CArchive* m_pArchiveOut;

protected:
    virtual void OnReceive(int nErrorCode);
};
