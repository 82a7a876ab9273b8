// portafx compat — the Windows type names, character-set selection and small macros MFC code uses.
//
// Character set, chosen the MFC way before the first portafx/afx*.h include:
//  * Unicode (the default, as in current Visual Studio projects): TCHAR is wchar_t, _T("x") is L"x", CString is
//    CStringW and travels through a CArchive as UTF-16 with MFC's FF FE FF marker. UNICODE and _UNICODE are defined.
//  * Narrow: define _MBCS (Visual Studio's "Use Multi-Byte Character Set"), _SBCS, or PORTAFX_COMPAT_NARROW. TCHAR is
//    char, CString is CStringA, written as 8-bit text (UTF-8 on our side; an MBCS peer uses its ANSI code page).
// One character set per program, as with MFC's own libraries. wchar_t is 32 bits on Linux and macOS: text in
// memory is UTF-32 there, UTF-16 on the wire (see docs/porting-guide.md).
//
// The integer types keep their Windows widths: LONG, ULONG and DWORD are 32 bits even on LP64 systems.
#pragma once

#include <cstddef>
#include <cstdint>

#if defined(_MBCS) || defined(_SBCS) || defined(PORTAFX_COMPAT_NARROW)
#if defined(_UNICODE) || defined(UNICODE)
#error "portafx compat: UNICODE/_UNICODE and _MBCS/_SBCS/PORTAFX_COMPAT_NARROW are both defined; choose one"
#endif
#define PORTAFX_COMPAT_UNICODE 0
#else
#define PORTAFX_COMPAT_UNICODE 1
#ifndef UNICODE
#define UNICODE
#endif
#ifndef _UNICODE
#define _UNICODE
#endif
#endif

// --- integers, with Windows' widths -------------------------------------------------------------------

using BOOL = int;
using BYTE = std::uint8_t;
using WORD = std::uint16_t;
using DWORD = std::uint32_t;
using LONG = std::int32_t;
using ULONG = std::uint32_t;
using UINT = unsigned int;
using INT = int;
using SHORT = std::int16_t;
using USHORT = std::uint16_t;
// 64-bit types are `long long`, never `long`: a CArchive writes `long` as 4 bytes, as on Windows. The pointer-sized
// integers are 64 bits, as on Win64.
using LONGLONG = long long;
using ULONGLONG = unsigned long long;
using INT_PTR = long long;
using UINT_PTR = unsigned long long;
using LONG_PTR = long long;
using ULONG_PTR = unsigned long long;
using DWORD_PTR = unsigned long long;
using WPARAM = UINT_PTR;
using LPARAM = LONG_PTR;
using LPVOID = void*;
using LPCVOID = const void*;
using PVOID = void*;
using LPBYTE = BYTE*;
using LPDWORD = DWORD*;
using LPLONG = LONG*;
using PUINT = UINT*;
using LPINT = int*;
using BOOLEAN = BYTE;
using HANDLE = void*;

#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif

// --- characters and strings ---------------------------------------------------------------------------

using CHAR = char;
using WCHAR = wchar_t;
using LPSTR = char*;
using LPCSTR = const char*;
using PSTR = char*;
using PCSTR = const char*;
using LPWSTR = wchar_t*;
using LPCWSTR = const wchar_t*;
using PWSTR = wchar_t*;
using PCWSTR = const wchar_t*;

#if PORTAFX_COMPAT_UNICODE
using TCHAR = wchar_t;
#define PORTAFX_COMPAT_T_(x) L##x
#else
using TCHAR = char;
#define PORTAFX_COMPAT_T_(x) x
#endif
using LPTSTR = TCHAR*;
using LPCTSTR = const TCHAR*;
using PTSTR = TCHAR*;
using PCTSTR = const TCHAR*;
using PXSTR = TCHAR*;
using PCXSTR = const TCHAR*;

/// A TCHAR literal: L"x" in Unicode builds, "x" in narrow ones.
#define _T(x) PORTAFX_COMPAT_T_(x)
#define TEXT(x) PORTAFX_COMPAT_T_(x)
#define _TEXT(x) PORTAFX_COMPAT_T_(x)

// --- small helpers --------------------------------------------------------------------------------------

#define MAKEWORD(a, b) static_cast<WORD>((static_cast<unsigned>(a) & 0xFFu) | ((static_cast<unsigned>(b) & 0xFFu) << 8))
#define MAKELONG(a, b) static_cast<LONG>((static_cast<DWORD>(a) & 0xFFFFu) | ((static_cast<DWORD>(b) & 0xFFFFu) << 16))
#define LOWORD(l) static_cast<WORD>(static_cast<DWORD_PTR>(l) & 0xFFFFu)
#define HIWORD(l) static_cast<WORD>((static_cast<DWORD_PTR>(l) >> 16) & 0xFFFFu)
#define LOBYTE(w) static_cast<BYTE>(static_cast<DWORD_PTR>(w) & 0xFFu)
#define HIBYTE(w) static_cast<BYTE>((static_cast<DWORD_PTR>(w) >> 8) & 0xFFu)

#ifndef _countof
#define _countof(array) (sizeof(array) / sizeof((array)[0]))
#endif

#define UNREFERENCED_PARAMETER(p) static_cast<void>(p)
#define UNUSED_ALWAYS(p) static_cast<void>(p)
#define UNUSED(p) static_cast<void>(p)

// Calling conventions and linkage decorations have no meaning here.
#define AFXAPI
#define AFX_CDECL
#define PASCAL
#define WINAPI
#define CALLBACK
#define AFX_NOVTABLE
#define AFX_INLINE inline
#define AFX_STATIC static
#define AFX_STATIC_DATA static
#define AFX_EXT_CLASS
#define AFX_CORE_DATA
#define AFX_DATA

static_assert(sizeof(LONG) == 4 && sizeof(DWORD) == 4 && sizeof(ULONG) == 4, "Windows widths");
static_assert(sizeof(LONGLONG) == 8 && sizeof(DWORD_PTR) == 8 && sizeof(void*) <= 8, "Win64 widths");
