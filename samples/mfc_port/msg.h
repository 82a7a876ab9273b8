// msg.h : the message of MFC's CHATSRVR / CHATTER samples, as a DECLARE_SERIAL class.
//
//   WORD         m_bClose    1: the sender is leaving
//   CString      m_strText   client -> server: "name: text"
//   CStringList  m_msgList   server -> client: the lines to show (one relayed line, or the history for a newcomer)
//
// In a Unicode build every CString travels as FF FE FF, a length and UTF-16LE, as the MFC build of the same code.
#pragma once

class CMsg : public CObject {
    DECLARE_SERIAL(CMsg)
public:
    CMsg();
    virtual ~CMsg();

    void Init();

    BOOL m_bClose;
    CString m_strText;
    CStringList m_msgList;

    virtual void Serialize(CArchive& ar);
};
