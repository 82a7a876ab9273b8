// clntsock.cpp : implementation of the CClientSocket class
#include "stdafx.h"

#include "clntsock.h"
#include "msg.h"
#include "srvrdoc.h"

IMPLEMENT_DYNAMIC(CClientSocket, CSocket)

CClientSocket::CClientSocket(CServerDoc* pDoc) {
    m_pDoc = pDoc;
    m_nMsgCount = 0;
    m_pFile = NULL;
    m_pArchiveIn = NULL;
    m_pArchiveOut = NULL;
}

CClientSocket::~CClientSocket() {
    if (m_pArchiveOut != NULL) delete m_pArchiveOut;
    if (m_pArchiveIn != NULL) delete m_pArchiveIn;
    if (m_pFile != NULL) delete m_pFile;
}

void CClientSocket::Init() {
    m_pFile = new CSocketFile(this);
    m_pArchiveIn = new CArchive(m_pFile, CArchive::load);
    m_pArchiveOut = new CArchive(m_pFile, CArchive::store);
}

void CClientSocket::Abort() {
    if (m_pArchiveOut != NULL) {
        m_pArchiveOut->Abort();
        delete m_pArchiveOut;
        m_pArchiveOut = NULL;
    }
}

void CClientSocket::SendMsg(CMsg* pMsg) {
    if (m_pArchiveOut != NULL) {
        pMsg->Serialize(*m_pArchiveOut);
        m_pArchiveOut->Flush();
    }
}

void CClientSocket::ReceiveMsg(CMsg* pMsg) {
    pMsg->Serialize(*m_pArchiveIn);
    m_nMsgCount++;
}

void CClientSocket::OnReceive(int nErrorCode) {
    CSocket::OnReceive(nErrorCode);
    m_pDoc->ProcessPendingRead(this);  // may delete this object: nothing may follow
}
