// chatdoc.h : the client (CHATTER's CChatDoc and CChatSocket, without the view). It connects, says its lines,
// uploads a block of bytes through a CAsyncSocket, shows what the server relays, and leaves once it has seen as
// many lines as it waits for and its upload has been confirmed.
#pragma once

class CChatDoc;
class CUploadSocket;

class CChatSocket : public CSocket {
    DECLARE_DYNAMIC(CChatSocket)
public:
    explicit CChatSocket(CChatDoc* pDoc);
    virtual ~CChatSocket();

    CChatDoc* m_pDoc;

protected:
    virtual void OnReceive(int nErrorCode);
    virtual void OnClose(int nErrorCode);
};

class CChatDoc {
public:
    CChatDoc();
    virtual ~CChatDoc();

    BOOL ConnectSocket(LPCTSTR lpszHandle, LPCTSTR lpszAddress, UINT nPort);
    BOOL StartUpload(LPCTSTR lpszAddress, UINT nPort, int nBytes);
    void SendMsg(const CString& strText, BOOL bClose = FALSE);
    void ProcessPendingRead();
    void ReceiveMsg();
    void DisplayMsg(LPCTSTR lpszText);
    void UploadDone(CUploadSocket* pSocket);
    void ServerClosed(int nErrorCode);
    void CheckDone();
    void End(int nExitCode);
    void DeleteContents();

    CString m_strHandle;
    int m_nWaitFor;
    int m_nReceived;
    BOOL m_bUploading;
    BOOL m_bLeaving;
    BOOL m_bEnded;
    int m_nExitCode;
    CChatSocket* m_pSocket;
    CSocketFile* m_pFile;
    CArchive* m_pArchiveIn;
    CArchive* m_pArchiveOut;
    CUploadSocket* m_pUpload;
};

/// One line on stdout.
void Message(LPCTSTR lpszMessage);
