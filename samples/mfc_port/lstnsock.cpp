// lstnsock.cpp : implementation of the CListeningSocket class
#include "stdafx.h"

#include "lstnsock.h"
#include "srvrdoc.h"

IMPLEMENT_DYNAMIC(CListeningSocket, CSocket)

CListeningSocket::CListeningSocket(CServerDoc* pDoc) {
    m_pDoc = pDoc;
}

CListeningSocket::~CListeningSocket() {}

void CListeningSocket::OnAccept(int nErrorCode) {
    CSocket::OnAccept(nErrorCode);
    m_pDoc->ProcessPendingAccept();
}
