// portafx compat — the few GUI calls socket code makes in passing (AfxMessageBox and its constants). portafx has no
// windows: AfxMessageBox writes the text to stderr and returns IDOK (for MB_OK / MB_OKCANCEL) or IDYES. Replace it with
// your GUI toolkit's dialog when you port the user interface.
#pragma once

#include <portafx/compat/cstring.hpp>
#include <portafx/compat/exceptions.hpp>
#include <portafx/compat/types.hpp>

#define MB_OK 0x00000000u
#define MB_OKCANCEL 0x00000001u
#define MB_YESNO 0x00000004u
#define MB_ICONSTOP 0x00000010u
#define MB_ICONERROR MB_ICONSTOP
#define MB_ICONEXCLAMATION 0x00000030u
#define MB_ICONINFORMATION 0x00000040u
#define IDOK 1
#define IDCANCEL 2
#define IDYES 6
#define IDNO 7

/// Writes `text` to stderr; returns IDYES for MB_YESNO, IDOK otherwise.
inline int AfxMessageBox(LPCTSTR text, UINT type = MB_OK, UINT /*helpId*/ = 0) {
    ::portafx::compat::detail::WriteDiagnostic(CStringA(text != nullptr ? text : _T("")).Str());
    return (type & 0x0Fu) == MB_YESNO ? IDYES : IDOK;
}
