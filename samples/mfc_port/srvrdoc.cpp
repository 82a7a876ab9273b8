// srvrdoc.cpp : implementation of the CServerDoc class
#include "stdafx.h"

#include "srvrdoc.h"

#include "clntsock.h"
#include "lstnsock.h"
#include "msg.h"
#include "upldsrv.h"

#include <cstdio>

void Message(LPCTSTR lpszMessage) {
    CStringA line = CT2A(lpszMessage);
    line += '\n';
    fputs(line, stdout);
    fflush(stdout);
}

CServerDoc::CServerDoc() {
    m_pSocket = NULL;
    m_pUploadSocket = NULL;
    m_nMaxClients = 0;
    m_nAccepted = 0;
}

CServerDoc::~CServerDoc() {
    DeleteContents();
}

BOOL CServerDoc::OnNewDocument(UINT nPort, LPCTSTR lpszAddress, int nMaxClients) {
    m_nMaxClients = nMaxClients;
    m_pSocket = new CListeningSocket(this);
    if (!m_pSocket->Create(nPort, SOCK_STREAM, lpszAddress) || !m_pSocket->Listen()) {
        CString strError;
        strError.Format(_T("server: cannot listen on port %u (error %d)"), nPort, CSocket::GetLastError());
        Message(strError);
        return FALSE;
    }
    m_pUploadSocket = new CUploadListener;
    if (!m_pUploadSocket->Create(0, SOCK_STREAM, FD_ACCEPT, lpszAddress) || !m_pUploadSocket->Listen()) {
        CString strError;
        strError.Format(_T("server: cannot listen for uploads (error %d)"), CAsyncSocket::GetLastError());
        Message(strError);
        return FALSE;
    }
    CString strAddress;
    UINT nChatPort = 0, nUploadPort = 0;
    m_pSocket->GetSockName(strAddress, nChatPort);
    m_pUploadSocket->GetSockName(strAddress, nUploadPort);
    CString strLine;
    strLine.Format(_T("listening on %s:%u"), strAddress, nChatPort);  // the first line: scripts read the port
    Message(strLine);
    strLine.Format(_T("uploads on %s:%u"), strAddress, nUploadPort);
    Message(strLine);
    return TRUE;
}

void CServerDoc::ProcessPendingAccept() {
    CClientSocket* pSocket = new CClientSocket(this);

    SOCKADDR_IN addr;
    int nAddrLen = sizeof(addr);
    if (m_pSocket->Accept(*pSocket, reinterpret_cast<SOCKADDR*>(&addr), &nAddrLen)) {
        pSocket->Init();
        pSocket->m_strPeer.Format(_T("%S:%u"), inet_ntoa(addr.sin_addr), ntohs(addr.sin_port));
        m_connectionList.AddTail(pSocket);
        m_nAccepted++;
        CString strLine;
        strLine.Format(_T("server: accepted %s; %d clients"), pSocket->m_strPeer,
                       static_cast<int>(m_connectionList.GetCount()));
        Message(strLine);
        if (m_nMaxClients > 0 && m_nAccepted == m_nMaxClients) m_pSocket->Close();  // the last one we take

        // The conversation so far, in one message whose list holds the earlier lines.
        if (!m_history.IsEmpty()) {
            CMsg msg;
            msg.m_strText = _T("welcome");
            for (POSITION pos = m_history.GetHeadPosition(); pos != NULL;)
                msg.m_msgList.AddTail(m_history.GetNext(pos));
            TRY {
                pSocket->SendMsg(&msg);
            }
            CATCH(CFileException, e) {
                pSocket->Abort();
            }
            END_CATCH
        }
    } else {
        delete pSocket;
    }
}

void CServerDoc::ProcessPendingRead(CClientSocket* pSocket) {
    do {
        CMsg* pMsg = ReadMsg(pSocket);

        if (pMsg->m_bClose) {
            CloseSocket(pSocket);  // deletes pSocket: leave at once
            break;
        }
    } while (!pSocket->m_pArchiveIn->IsBufferEmpty());
}

CMsg* CServerDoc::ReadMsg(CClientSocket* pSocket) {
    static CMsg msg;

    TRY {
        msg.Init();
        pSocket->ReceiveMsg(&msg);
        if (!msg.m_bClose) {
            m_history.AddTail(msg.m_strText);
            CString strLine;
            strLine.Format(_T("server: relay \"%s\" to %d clients"), msg.m_strText,
                           static_cast<int>(m_connectionList.GetCount()));
            Message(strLine);
            CMsg relay;
            relay.m_msgList.AddTail(msg.m_strText);
            UpdateClients(&relay);
        } else {
            Message(_T("server: ") + pSocket->m_strPeer + _T(" said goodbye"));
        }
    }
    CATCH(CFileException, e) {
        TCHAR szCause[256];
        e->GetErrorMessage(szCause, 256);
        Message(_T("server: ") + pSocket->m_strPeer + _T(" failed: ") + szCause);
        msg.m_bClose = TRUE;
        pSocket->Abort();
    }
    AND_CATCH(CArchiveException, e) {
        // endOfFile: the client went away (inside a message, or between two without the close flag).
        TCHAR szCause[256];
        e->GetErrorMessage(szCause, 256);
        Message(_T("server: ") + pSocket->m_strPeer + _T(" left: ") + szCause);
        msg.m_bClose = TRUE;
        pSocket->Abort();
    }
    END_CATCH

    return &msg;
}

void CServerDoc::UpdateClients(CMsg* pMsg) {
    for (POSITION pos = m_connectionList.GetHeadPosition(); pos != NULL;) {
        CClientSocket* pSocket = static_cast<CClientSocket*>(m_connectionList.GetNext(pos));
        TRY {
            pSocket->SendMsg(pMsg);
        }
        CATCH(CFileException, e) {
            pSocket->Abort();
        }
        END_CATCH
    }
}

void CServerDoc::CloseSocket(CClientSocket* pSocket) {
    pSocket->Close();

    POSITION pos, temp;
    for (pos = m_connectionList.GetHeadPosition(); pos != NULL;) {
        temp = pos;
        CClientSocket* pSock = static_cast<CClientSocket*>(m_connectionList.GetNext(pos));
        if (pSock == pSocket) {
            m_connectionList.RemoveAt(temp);
            break;
        }
    }
    delete pSocket;

    if (m_nMaxClients > 0 && m_nAccepted == m_nMaxClients && m_connectionList.IsEmpty()) {
        CString strLine;
        strLine.Format(_T("server: all %d clients have left"), m_nAccepted);
        Message(strLine);
        AfxPostQuitMessage(0);  // ends the message loop
    }
}

void CServerDoc::DeleteContents() {
    delete m_pSocket;
    m_pSocket = NULL;
    delete m_pUploadSocket;
    m_pUploadSocket = NULL;

    CMsg msg;
    msg.m_bClose = TRUE;
    msg.m_strText = _T("the server is shutting down");
    while (!m_connectionList.IsEmpty()) {
        CClientSocket* pSocket = static_cast<CClientSocket*>(m_connectionList.RemoveHead());
        TRY {
            pSocket->SendMsg(&msg);
        }
        CATCH(CFileException, e) {
            pSocket->Abort();
        }
        END_CATCH
        delete pSocket;
    }
}
