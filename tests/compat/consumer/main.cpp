// Uses the installed portafx::compat: MFC names only. A CString goes through a CArchive in the Unicode MFC build's
// bytes, and a CAsyncSocket is created, as legacy code would.
#include <portafx/afxsock.h>

#include <cstdio>

int main() {
    if (!AfxSocketInit()) return 1;
    CMemFile file;
    {
        CArchive ar(&file, CArchive::store);
        ar << static_cast<WORD>(2) << CString(_T("hi"));
    }
    const std::vector<std::uint8_t> expected = {0x02, 0x00, 0xFF, 0xFE, 0xFF, 0x02, 'h', 0x00, 'i', 0x00};
    const bool bytesOk = file.Data() == expected;
    CAsyncSocket sock;
    const BOOL created = sock.Create(0, SOCK_STREAM, FD_READ | FD_CLOSE, _T("127.0.0.1"));
    std::printf("compat consumer: archive=%d socket=%d\n", bytesOk ? 1 : 0, created);
    return bytesOk && created ? 0 : 1;
}
