// srvrdoc.h : the server's state and logic (CHATSRVR's CServerDoc, without the view): the listening sockets, the
// connected clients, the conversation so far.
#pragma once

class CListeningSocket;
class CClientSocket;
class CUploadListener;
class CMsg;

class CServerDoc {
public:
    CServerDoc();
    virtual ~CServerDoc();

    BOOL OnNewDocument(UINT nPort, LPCTSTR lpszAddress, int nMaxClients);
    void ProcessPendingAccept();
    void ProcessPendingRead(CClientSocket* pSocket);
    CMsg* ReadMsg(CClientSocket* pSocket);
    void UpdateClients(CMsg* pMsg);
    void CloseSocket(CClientSocket* pSocket);
    void DeleteContents();

    CListeningSocket* m_pSocket;
    CUploadListener* m_pUploadSocket;
    CPtrList m_connectionList;
    CStringList m_history;
    int m_nMaxClients;
    int m_nAccepted;
};

/// One line on stdout (whole lines, so that a script can read them as they come).
void Message(LPCTSTR lpszMessage);
