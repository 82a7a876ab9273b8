// chatdoc.cpp : implementation of the CChatDoc and CChatSocket classes
#include "stdafx.h"

#include "chatdoc.h"

#include "msg.h"
#include "upldsock.h"

IMPLEMENT_DYNAMIC(CChatSocket, CSocket)

CChatSocket::CChatSocket(CChatDoc* pDoc) {
    m_pDoc = pDoc;
}

CChatSocket::~CChatSocket() {}

void CChatSocket::OnReceive(int nErrorCode) {
    CSocket::OnReceive(nErrorCode);
    m_pDoc->ProcessPendingRead();
}

void CChatSocket::OnClose(int nErrorCode) {
    CSocket::OnClose(nErrorCode);
    m_pDoc->ServerClosed(nErrorCode);
}

CChatDoc::CChatDoc() {
    m_nWaitFor = 0;
    m_nReceived = 0;
    m_bUploading = FALSE;
    m_bLeaving = FALSE;
    m_bEnded = FALSE;
    m_nExitCode = 0;
    m_pSocket = NULL;
    m_pFile = NULL;
    m_pArchiveIn = NULL;
    m_pArchiveOut = NULL;
    m_pUpload = NULL;
}

CChatDoc::~CChatDoc() {
    DeleteContents();
}

BOOL CChatDoc::ConnectSocket(LPCTSTR lpszHandle, LPCTSTR lpszAddress, UINT nPort) {
    m_strHandle = lpszHandle;
    m_pSocket = new CChatSocket(this);

    if (!m_pSocket->Create()) {
        delete m_pSocket;
        m_pSocket = NULL;
        Message(_T("client: cannot create the socket"));
        return FALSE;
    }
    if (!m_pSocket->Connect(lpszAddress, nPort)) {  // CSocket: waits for the outcome
        CString strError;
        strError.Format(_T("%s: cannot connect to %s port %u (error %d)"), m_strHandle, lpszAddress, nPort,
                        CSocket::GetLastError());
        Message(strError);
        delete m_pSocket;
        m_pSocket = NULL;
        return FALSE;
    }

    m_pFile = new CSocketFile(m_pSocket);
    m_pArchiveIn = new CArchive(m_pFile, CArchive::load);
    m_pArchiveOut = new CArchive(m_pFile, CArchive::store);

    Message(m_strHandle + _T(": connected"));
    return TRUE;
}

BOOL CChatDoc::StartUpload(LPCTSTR lpszAddress, UINT nPort, int nBytes) {
    m_pUpload = new CUploadSocket(this);
    if (!m_pUpload->Upload(lpszAddress, nPort, nBytes)) {
        delete m_pUpload;
        m_pUpload = NULL;
        return FALSE;
    }
    m_bUploading = TRUE;
    return TRUE;
}

void CChatDoc::SendMsg(const CString& strText, BOOL bClose) {
    if (m_pArchiveOut != NULL) {
        CMsg msg;
        msg.m_strText = m_strHandle + _T(": ") + strText;
        msg.m_bClose = bClose;

        TRY {
            msg.Serialize(*m_pArchiveOut);
            m_pArchiveOut->Flush();
        }
        CATCH(CFileException, e) {
            m_pArchiveOut->Abort();
            delete m_pArchiveOut;
            m_pArchiveOut = NULL;
            Message(m_strHandle + _T(": the server has reset the connection"));
            End(1);
        }
        END_CATCH
    }
}

void CChatDoc::ProcessPendingRead() {
    do {
        ReceiveMsg();
        if (m_pSocket == NULL) return;
    } while (!m_pArchiveIn->IsBufferEmpty());
}

void CChatDoc::ReceiveMsg() {
    CMsg msg;

    TRY {
        msg.Serialize(*m_pArchiveIn);

        while (!msg.m_msgList.IsEmpty()) {
            CString temp = msg.m_msgList.RemoveHead();
            DisplayMsg(temp);
        }
    }
    CATCH(CFileException, e) {
        msg.m_bClose = TRUE;
        if (m_pArchiveOut != NULL) m_pArchiveOut->Abort();
        Message(m_strHandle + _T(": the server has reset the connection"));
    }
    AND_CATCH(CArchiveException, e) {
        msg.m_bClose = TRUE;  // endOfFile: the server closed the connection
    }
    END_CATCH

    if (msg.m_bClose) {
        ServerClosed(0);
        return;
    }
    CheckDone();
}

void CChatDoc::DisplayMsg(LPCTSTR lpszText) {
    m_nReceived++;
    Message(m_strHandle + _T(" got: ") + lpszText);
}

void CChatDoc::UploadDone(CUploadSocket* pSocket) {
    CString strLine;
    const BOOL bVerified = pSocket->m_strReply == pSocket->m_strExpected;
    strLine.Format(_T("%s upload: %S (%d times WSAEWOULDBLOCK, resumed in OnSend)%s"), m_strHandle,
                   pSocket->m_strReply.GetString(), pSocket->m_nWouldBlock, bVerified ? _T(", verified") : _T(""));
    Message(strLine);
    if (!bVerified) m_nExitCode = 1;
    m_bUploading = FALSE;
    m_pUpload = NULL;
    delete pSocket;  // inside its own OnClose: the last thing that happens there
    CheckDone();
}

void CChatDoc::CheckDone() {
    if (m_bLeaving || m_bEnded || m_bUploading || m_nReceived < m_nWaitFor) return;
    CString strLine;
    strLine.Format(_T("%s: got %d lines, leaving"), m_strHandle, m_nReceived);
    Message(strLine);
    m_bLeaving = TRUE;
    SendMsg(_T("has left"), TRUE);
    if (m_pSocket != NULL) m_pSocket->ShutDown(CAsyncSocket::sends);  // the server closes once it has read it
}

void CChatDoc::ServerClosed(int nErrorCode) {
    if (m_bEnded) return;
    if (m_bLeaving && nErrorCode == 0) {
        End(m_nExitCode);
    } else {
        CString strLine;
        strLine.Format(_T("%s: the server closed the connection after %d of %d lines (error %d)"), m_strHandle,
                       m_nReceived, m_nWaitFor, nErrorCode);
        Message(strLine);
        End(1);
    }
}

void CChatDoc::End(int nExitCode) {
    if (m_bEnded) return;
    m_bEnded = TRUE;
    m_nExitCode = nExitCode;
    AfxPostQuitMessage(nExitCode);  // ends the message loop; main deletes the rest
}

void CChatDoc::DeleteContents() {
    delete m_pUpload;
    m_pUpload = NULL;
    if (m_pArchiveOut != NULL) {
        m_pArchiveOut->Abort();
        delete m_pArchiveOut;
        m_pArchiveOut = NULL;
    }
    delete m_pArchiveIn;
    m_pArchiveIn = NULL;
    delete m_pFile;
    m_pFile = NULL;
    delete m_pSocket;
    m_pSocket = NULL;
}
