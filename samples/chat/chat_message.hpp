// portafx-chat — ChatMessage: the message of MFC's CHATSRVR and CHATTER samples (their CMsg), byte for byte.
//
// It travels by calling Serialize directly on the connection's archive, as those samples do: no object tag,
// no class name, just the three members in MFC's layout.
//
//   WORD         close flag    1: the sender is leaving (MFC: BOOL m_bClose, stored as a WORD)
//   CString      text          length byte (or FF + WORD from 255 bytes on), then the bytes: UTF-8 here
//   CStringList  list          WORD count, then that many strings (this sample sends it empty)
//
// The message "A: hi" is 8 bytes: 00 00 | 05 41 3A 20 68 69 | 00 00.
#pragma once

#include <portafx/archive.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace chat {

struct ChatMessage {
    std::uint16_t close = 0;        // MFC: m_bClose
    std::string text;               // MFC: m_strText
    std::vector<std::string> list;  // MFC: m_msgList

    // One function for both directions, as in MFC: the archive says which one.
    void Serialize(portafx::Archive& ar) {
        if (ar.IsStoring()) {
            ar << close << text;
            ar.WriteCount(list.size());
            for (const std::string& item : list)
                ar << item;
        } else {
            ar >> close >> text;
            // Grow the list as its strings arrive: a count from a stranger allocates nothing by itself.
            list.clear();
            for (std::uint64_t n = ar.ReadCount(); n > 0; --n) {
                std::string item;
                ar >> item;
                list.push_back(std::move(item));
            }
        }
    }
};

}  // namespace chat
