// CString (Unicode build, the default): the members network and message code uses, and the Windows type widths.
#include <portafx/afx.h>

#define BOOST_TEST_MODULE cstring_test
#include <boost/test/unit_test.hpp>

#include "compat_test_support.hpp"

#include <string>

static_assert(sizeof(BOOL) == 4 && sizeof(BYTE) == 1 && sizeof(WORD) == 2 && sizeof(DWORD) == 4, "widths");
static_assert(sizeof(LONG) == 4 && sizeof(ULONG) == 4 && sizeof(UINT) == 4 && sizeof(LONGLONG) == 8, "widths");
static_assert(std::is_same_v<TCHAR, wchar_t> && std::is_same_v<CString, CStringW>, "Unicode by default");
static_assert(PORTAFX_COMPAT_UNICODE == 1, "Unicode by default");

BOOST_AUTO_TEST_CASE(construction_from_narrow_and_wide_literals) {
    const CString wide(L"grüße");
    const CString narrow("grüße");  // UTF-8 source text
    BOOST_TEST(wide == narrow);
    BOOST_TEST(wide.GetLength() == 5);
    const CString t = _T("abc");
    BOOST_TEST(t.GetLength() == 3);
    BOOST_TEST(!t.IsEmpty());
    BOOST_TEST(CString().IsEmpty());
    const CStringA utf8(wide);
    BOOST_TEST(utf8.GetLength() == 7);  // ü and ß are two bytes each in UTF-8
    BOOST_TEST(std::string(utf8) == "grüße");
    const CString repeated(_T('x'), 3);
    BOOST_TEST(repeated == _T("xxx"));
    const CString counted(_T("abcdef"), 4);
    BOOST_TEST(counted == _T("abcd"));
}

BOOST_AUTO_TEST_CASE(characters_concatenation_and_comparison) {
    CString s = _T("chat");
    BOOST_TEST(s.GetAt(0) == L'c');
    BOOST_TEST(s[3] == L't');
    std::size_t i = 1;
    BOOST_TEST(s[i] == L'h');  // any integral index type, as MFC code mixes them
    s.SetAt(0, L'C');
    s += _T(" room");
    s += L'!';
    BOOST_TEST(s == _T("Chat room!"));
    const CString joined = _T("a") + CString(_T("b")) + _T("c") + L'd';
    BOOST_TEST(joined == _T("abcd"));
    BOOST_TEST(CString(_T("abc")) < CString(_T("abd")));
    BOOST_TEST(CString(_T("b")) > _T("a"));
    BOOST_TEST(_T("abc") != CString(_T("abC")));
    BOOST_TEST(CString(_T("Hello")).CompareNoCase(_T("hELLO")) == 0);
    BOOST_TEST(CString(_T("a")).Compare(_T("b")) == -1);
    LPCTSTR p = s;
    BOOST_TEST(std::wstring(p) == L"Chat room!");
    s.Empty();
    BOOST_TEST(s.IsEmpty());
}

BOOST_AUTO_TEST_CASE(extraction_and_search) {
    const CString s = _T("alice: hello, bob");
    BOOST_TEST(s.Left(5) == _T("alice"));
    BOOST_TEST(s.Right(3) == _T("bob"));
    BOOST_TEST(s.Mid(7) == _T("hello, bob"));
    BOOST_TEST(s.Mid(7, 5) == _T("hello"));
    BOOST_TEST(s.Mid(100).IsEmpty());
    BOOST_TEST(s.Left(100) == s);
    BOOST_TEST(s.Find(L':') == 5);
    BOOST_TEST(s.Find(_T("bob")) == 14);
    BOOST_TEST(s.Find(_T("carol")) == -1);
    BOOST_TEST(s.Find(L'o', 13) == 15);
    BOOST_TEST(s.ReverseFind(L'o') == 15);
    BOOST_TEST(s.FindOneOf(_T(",:")) == 5);
    int pos = 0;
    BOOST_TEST(s.Tokenize(_T(" :,"), pos) == _T("alice"));
    BOOST_TEST(s.Tokenize(_T(" :,"), pos) == _T("hello"));
    BOOST_TEST(s.Tokenize(_T(" :,"), pos) == _T("bob"));
    BOOST_TEST(s.Tokenize(_T(" :,"), pos).IsEmpty());
    BOOST_TEST(pos == -1);
}

BOOST_AUTO_TEST_CASE(changing) {
    CString s = _T("  a-b-c  ");
    s.Trim();
    BOOST_TEST(s == _T("a-b-c"));
    BOOST_TEST(s.Replace(L'-', L'+') == 2);
    BOOST_TEST(s == _T("a+b+c"));
    BOOST_TEST(s.Replace(_T("+"), _T(" plus ")) == 2);
    BOOST_TEST(s == _T("a plus b plus c"));
    s.MakeUpper();
    BOOST_TEST(s == _T("A PLUS B PLUS C"));
    s.MakeLower();
    BOOST_TEST(s == _T("a plus b plus c"));
    CString t = _T("xxhixx");
    t.TrimLeft(L'x');
    BOOST_TEST(t == _T("hixx"));
    t.TrimRight(_T("x"));
    BOOST_TEST(t == _T("hi"));
    t.Insert(0, _T(">> "));
    t.Delete(0, 1);
    BOOST_TEST(t == _T("> hi"));
    BOOST_TEST(t.Remove(L' ') == 1);
    BOOST_TEST(t == _T(">hi"));
}

BOOST_AUTO_TEST_CASE(format_keeps_msvc_meanings) {
    CString name = _T("bob");
    CString s;
    s.Format(_T("%s has %d messages, %I64d bytes, %c%S"), name, 3, static_cast<LONGLONG>(1) << 40, L'!', "narrow");
    BOOST_TEST(s == _T("bob has 3 messages, 1099511627776 bytes, !narrow"));
    s.AppendFormat(_T(" %05.1f %x %%"), 2.25, 255u);
    BOOST_TEST(s == _T("bob has 3 messages, 1099511627776 bytes, !narrow 002.2 ff %"));
    const DWORD bytes = 4000000000u;
    const long negative = -5;  // MSVC's long: 32 bits, printed with %ld
    s.Format(_T("%lu %ld %lx"), bytes, negative, 0xABCDUL);
    BOOST_TEST(s == _T("4000000000 -5 abcd"));
    const std::size_t size = 5000000000u;
    s.Format(_T("%Iu|%5s|%-4s|%.2s|%*d|%x|%hd|%C"), size, _T("ab"), _T("cd"), _T("xyz"), 3, 7, -1L, 70000, 'n');
    BOOST_TEST(s == _T("5000000000|   ab|cd  |xy|  7|ffffffff|4464|n"));
    s.Format(_T("%s and %S"), CString(_T("grüße")), "ça va");  // non-ASCII both ways, whatever the C locale
    BOOST_TEST(s == _T("grüße and ça va"));
    CStringA a;
    a.Format("%s=%d %S", CStringA("n"), 7, L"wide");
    BOOST_TEST(std::string(a) == "n=7 wide");
}

BOOST_AUTO_TEST_CASE(direct_buffer_access) {
    CString s;
    TCHAR* buffer = s.GetBuffer(16);
    wcscpy(buffer, L"peer");
    s.ReleaseBuffer();
    BOOST_TEST(s.GetLength() == 4);
    BOOST_TEST(s == _T("peer"));
    buffer = s.GetBufferSetLength(2);
    buffer[1] = L'x';
    s.ReleaseBuffer(2);
    BOOST_TEST(s == _T("px"));
}
