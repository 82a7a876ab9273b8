// upldsock.cpp : implementation of the CUploadSocket class
#include "stdafx.h"

#include "upldsock.h"

#include "chatdoc.h"

CUploadSocket::CUploadSocket(CChatDoc* pDoc) {
    m_pDoc = pDoc;
    m_nBytesSent = 0;
    m_nBytesBufferSize = 0;
    m_nWouldBlock = 0;
    m_bShutDown = FALSE;
}

CUploadSocket::~CUploadSocket() {}

BOOL CUploadSocket::Upload(LPCTSTR lpszAddress, UINT nPort, int nBytes) {
    DWORD dwChecksum = 0;
    LPSTR lpsz = m_sendBuffer.GetBuffer(nBytes);
    for (int i = 0; i < nBytes; i++) {
        lpsz[i] = static_cast<char>('a' + i % 26);
        dwChecksum = dwChecksum * 31 + static_cast<BYTE>(lpsz[i]);
    }
    m_sendBuffer.ReleaseBuffer(nBytes);
    m_nBytesBufferSize = nBytes;
    m_strExpected.Format("received %lu bytes, checksum %08lx", static_cast<DWORD>(nBytes), dwChecksum);

    if (!Create()) return FALSE;
    int nSendBuffer = 16384;  // a small send buffer: the upload meets WSAEWOULDBLOCK and resumes in OnSend
    SetSockOpt(SO_SNDBUF, &nSendBuffer, sizeof(nSendBuffer));
    if (!Connect(lpszAddress, nPort) && GetLastError() != WSAEWOULDBLOCK) return FALSE;
    return TRUE;  // OnConnect, then OnSend
}

void CUploadSocket::OnConnect(int nErrorCode) {
    if (nErrorCode != 0) {
        CString strLine;
        strLine.Format(_T("upload: cannot connect (error %d)"), nErrorCode);
        Message(strLine);
        m_pDoc->End(1);
    }
    CAsyncSocket::OnConnect(nErrorCode);
}

void CUploadSocket::OnSend(int nErrorCode) {
    while (m_nBytesSent < m_nBytesBufferSize) {
        int dwBytes;

        if ((dwBytes = Send(static_cast<LPCSTR>(m_sendBuffer) + m_nBytesSent, m_nBytesBufferSize - m_nBytesSent)) ==
            SOCKET_ERROR) {
            if (GetLastError() == WSAEWOULDBLOCK) {
                m_nWouldBlock++;
                break;  // OnSend comes again when there is room
            } else {
                CString strLine;
                strLine.Format(_T("upload: Send failed (error %d)"), GetLastError());
                Message(strLine);
                Close();
                m_pDoc->End(1);
                return;
            }
        } else {
            m_nBytesSent += dwBytes;
        }
    }

    if (m_nBytesSent == m_nBytesBufferSize && !m_bShutDown) {
        m_bShutDown = TRUE;
        ShutDown(sends);  // everything is sent: the server sees the end and answers
    }

    CAsyncSocket::OnSend(nErrorCode);
}

void CUploadSocket::OnReceive(int nErrorCode) {
    CAsyncSocket::OnReceive(nErrorCode);

    char buffer[256];
    int nRead = Receive(buffer, sizeof(buffer));
    if (nRead > 0) m_strReply += CStringA(buffer, nRead);
}

void CUploadSocket::OnClose(int nErrorCode) {
    CAsyncSocket::OnClose(nErrorCode);

    char buffer[256];
    int nRead;
    while ((nRead = Receive(buffer, sizeof(buffer))) > 0)  // the answer's tail, if any
        m_strReply += CStringA(buffer, nRead);
    m_pDoc->UploadDone(this);  // deletes this object: nothing may follow
}
