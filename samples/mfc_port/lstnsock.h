// lstnsock.h : the server's listening socket (CHATSRVR's CListeningSocket)
#pragma once

class CServerDoc;

class CListeningSocket : public CSocket {
    DECLARE_DYNAMIC(CListeningSocket)
private:
    CListeningSocket(const CListeningSocket& rSrc);  // no implementation
    void operator=(const CListeningSocket& rSrc);    // no implementation

public:
    explicit CListeningSocket(CServerDoc* pDoc);
    virtual ~CListeningSocket();

    CServerDoc* m_pDoc;

protected:
    virtual void OnAccept(int nErrorCode);
};
