// upldsock.h : the client's upload (a CAsyncSocket with MFC's OnSend resend loop): it sends a block of bytes as fast
// as the connection takes them, resuming in OnSend after each WSAEWOULDBLOCK, then reads the server's answer.
#pragma once

class CChatDoc;

class CUploadSocket : public CAsyncSocket {
public:
    explicit CUploadSocket(CChatDoc* pDoc);
    virtual ~CUploadSocket();

    BOOL Upload(LPCTSTR lpszAddress, UINT nPort, int nBytes);

    CChatDoc* m_pDoc;
    CStringA m_sendBuffer;
    int m_nBytesSent;
    int m_nBytesBufferSize;
    int m_nWouldBlock;
    BOOL m_bShutDown;
    CStringA m_strReply;
    CStringA m_strExpected;

protected:
    virtual void OnConnect(int nErrorCode);
    virtual void OnSend(int nErrorCode);
    virtual void OnReceive(int nErrorCode);
    virtual void OnClose(int nErrorCode);
};
