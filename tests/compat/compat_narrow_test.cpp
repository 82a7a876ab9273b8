// The narrow build, asked for the MFC way (_MBCS before the first include): TCHAR is char, CString is CStringA,
// and a CArchive writes MFC's MBCS bytes (a length, then the bytes; UTF-8 on our side).
#define _MBCS
#include <portafx/afx.h>

#define BOOST_TEST_MODULE compat_narrow_test
#include <boost/test/unit_test.hpp>

#include "compat_test_support.hpp"

#include <cstdint>
#include <vector>

static_assert(std::is_same_v<TCHAR, char> && std::is_same_v<CString, CStringA>, "narrow with _MBCS");
static_assert(PORTAFX_COMPAT_UNICODE == 0, "narrow with _MBCS");
#ifdef UNICODE
#error "UNICODE must not be defined in a narrow build"
#endif

namespace {
std::vector<std::uint8_t> StoreAndFlush(CMemFile& file, CArchive& ar) {
    ar.Flush();
    return file.Data();
}
}  // namespace

BOOST_AUTO_TEST_CASE(narrow_cstring_is_mbcs_on_the_wire) {
    CMemFile file;
    CArchive ar(&file, CArchive::store);
    ar << static_cast<BYTE>(1) << static_cast<WORD>(2) << static_cast<DWORD>(3) << CString(_T("hi"));
    const std::vector<std::uint8_t> expected = {0x01, 0x02, 0x00, 0x03, 0x00, 0x00, 0x00, 0x02, 'h', 'i'};
    const auto bytes = StoreAndFlush(file, ar);
    BOOST_TEST(bytes == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(long_strings_and_lists) {
    CMemFile file;
    {
        CArchive ar(&file, CArchive::store);
        CStringList list;
        list.AddTail(CString(_T('x'), 255));  // 255 bytes: FF + WORD 00FF
        list.AddTail(_T(""));
        list.Serialize(ar);
        ar.WriteString(_T("line one\r\nline two\n"));
    }
    const auto& bytes = file.Data();
    BOOST_REQUIRE(bytes.size() == 2u + 3u + 255u + 1u + 19u);
    BOOST_TEST(bytes[0] == 0x02);  // count
    BOOST_TEST(bytes[2] == 0xFF);
    BOOST_TEST(bytes[3] == 0xFF);
    BOOST_TEST(bytes[4] == 0x00);
    file.SeekToBegin();
    CArchive in(&file, CArchive::load);
    CStringList list;
    list.Serialize(in);
    BOOST_REQUIRE(list.GetCount() == 2);
    BOOST_TEST(list.GetHead().GetLength() == 255);
    BOOST_TEST(list.GetTail().IsEmpty());
    CString line;
    BOOST_TEST(in.ReadString(line) == TRUE);
    BOOST_TEST(line == _T("line one"));
    TCHAR buffer[32];
    BOOST_TEST(in.ReadString(buffer, 31) != nullptr);
    BOOST_TEST(CString(buffer) == _T("line two\n"));
    BOOST_TEST(in.ReadString(line) == FALSE);
}

BOOST_AUTO_TEST_CASE(a_unicode_peers_strings_load_as_utf8) {
    const std::vector<std::uint8_t> wide = {0xFF, 0xFE, 0xFF, 0x02,
                                            0xFC, 0x00, 0x41, 0x00};  // "üA" from a Unicode build
    std::vector<std::uint8_t> copy = wide;
    CMemFile file(copy.data(), static_cast<UINT>(copy.size()));
    CArchive ar(&file, CArchive::load);
    CString s;
    ar >> s;
    BOOST_TEST(s == "üA");
    BOOST_TEST(s.GetLength() == 3);  // bytes of UTF-8
    CString f;
    f.Format(_T("%s-%d"), s, 5);
    BOOST_TEST(f == "üA-5");
}
