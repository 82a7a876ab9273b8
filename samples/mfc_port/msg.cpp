// msg.cpp : implementation of the CMsg class
#include "stdafx.h"

#include "msg.h"

IMPLEMENT_SERIAL(CMsg, CObject, 1)

CMsg::CMsg() {
    Init();
}

CMsg::~CMsg() {}

void CMsg::Init() {
    m_bClose = FALSE;
    m_strText = _T("");
    m_msgList.RemoveAll();
}

void CMsg::Serialize(CArchive& ar) {
    if (ar.IsStoring()) {
        ar << static_cast<WORD>(m_bClose);
        ar << m_strText;
    } else {
        WORD wd;
        ar >> wd;
        m_bClose = static_cast<BOOL>(wd);
        ar >> m_strText;
    }
    m_msgList.Serialize(ar);
}
