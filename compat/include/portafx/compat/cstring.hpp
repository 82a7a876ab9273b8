// portafx compat — CString (CStringA, CStringW): the members network and message code uses.
//
// CStringT<char> is CStringA (8-bit text, UTF-8 on our side), CStringT<wchar_t> is CStringW; CString is the one the
// character set chooses (types.hpp). Each converts from the other kind and from either kind of literal (UTF-8 <->
// wide). A CString converts implicitly to its `const TCHAR*` (LPCTSTR), as MFC's does.
//
// Lengths count characters of the string's own type: bytes for CStringA, wchar_t units for CStringW. (wchar_t is 32
// bits here, so a character outside the BMP counts once, where Windows counts a surrogate pair; through a CArchive
// it travels as the two UTF-16 units MFC expects.)
//
// Format uses the C library's printf with MSVC's meanings kept: in a wide format %s and %c take wide arguments (%S
// and %hs narrow ones), %I64d/%I64u/%I64x are 64-bit, and %ld/%lu/%lx are 32-bit (a `long` argument is passed as its
// 32-bit value), as with MSVC's 32-bit long. A CString argument may be passed for %s, as legacy code does.
#pragma once

#include <portafx/compat/types.hpp>

#include <algorithm>
#include <cstdarg>
#include <cstring>
#include <cwchar>
#include <cwctype>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace portafx::compat {

/// UTF-8 to wide (UTF-32) and back; invalid input becomes U+FFFD. Never throws (but std::bad_alloc).
std::wstring Utf8ToWide(std::string_view text);
std::string WideToUtf8(std::wstring_view text);

namespace detail {

/// printf into a string with MSVC's conversions (see the file comment). Returns false for a bad format.
bool FormatV(std::string& out, const char* format, std::va_list args);
bool FormatV(std::wstring& out, const wchar_t* format, std::va_list args);

/// One argument of CString::Format, with its type kept, so that each conversion takes exactly the width MSVC
/// gives it (%d and %ld 32 bits, %I64d and %Id 64 bits, %hd 16 bits) whatever the argument's C++ type.
struct FormatArg {
    enum Kind { Signed, Unsigned, Floating, Narrow, Wide, Pointer } kind;
    long long i = 0;
    unsigned long long u = 0;
    double d = 0;
    const char* narrow = nullptr;
    const wchar_t* wide = nullptr;
    const void* pointer = nullptr;
};

template <class T>
FormatArg MakeFormatArg(const T& value) {
    FormatArg a{FormatArg::Signed};
    if constexpr (std::is_enum_v<T>) {
        return MakeFormatArg(static_cast<std::underlying_type_t<T>>(value));
    } else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) {
        a.i = value;
    } else if constexpr (std::is_integral_v<T>) {
        a.kind = FormatArg::Unsigned;
        a.u = value;
    } else if constexpr (std::is_floating_point_v<T>) {
        a.kind = FormatArg::Floating;
        a.d = static_cast<double>(value);
    } else if constexpr (std::is_convertible_v<const T&, const char*>) {
        a.kind = FormatArg::Narrow;
        a.narrow = value;
    } else if constexpr (std::is_convertible_v<const T&, const wchar_t*>) {
        a.kind = FormatArg::Wide;
        a.wide = value;
    } else if constexpr (std::is_pointer_v<T> || std::is_null_pointer_v<T>) {
        a.kind = FormatArg::Pointer;
        a.pointer = value;
    } else {
        static_assert(std::is_pointer_v<T>, "CString::Format: an argument printf cannot take");
    }
    return a;
}

/// Formats `format` with `args` (MSVC's conversions); appends to `out`. False for a bad format or a missing argument
/// (what was formatted up to there is appended).
bool FormatArgs(std::string& out, const char* format, const FormatArg* args, std::size_t count);
bool FormatArgs(std::wstring& out, const wchar_t* format, const FormatArg* args, std::size_t count);

template <class Ch>
struct Chars;
template <>
struct Chars<char> {
    static std::string From(const wchar_t* s) { return WideToUtf8(s != nullptr ? s : L""); }
    static const char* Whitespace() noexcept { return " \t\r\n\v\f"; }
    static char Upper(char c) noexcept { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }
    static char Lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
};
template <>
struct Chars<wchar_t> {
    static std::wstring From(const char* s) { return Utf8ToWide(s != nullptr ? s : ""); }
    static const wchar_t* Whitespace() noexcept { return L" \t\r\n\v\f"; }
    static wchar_t Upper(wchar_t c) noexcept { return static_cast<wchar_t>(std::towupper(static_cast<wint_t>(c))); }
    static wchar_t Lower(wchar_t c) noexcept { return static_cast<wchar_t>(std::towlower(static_cast<wint_t>(c))); }
};

}  // namespace detail

/// MFC's CStringT, over std::basic_string.
template <class Ch>
class CStringT {
public:
    using XCHAR = Ch;
    using PXSTR = Ch*;
    using PCXSTR = const Ch*;
    using YCHAR = std::conditional_t<std::is_same_v<Ch, char>, wchar_t, char>;
    using StringType = std::basic_string<Ch>;

    CStringT() = default;
    CStringT(const CStringT&) = default;
    CStringT(CStringT&&) noexcept = default;
    CStringT& operator=(const CStringT&) = default;
    CStringT& operator=(CStringT&&) noexcept = default;
    ~CStringT() = default;

    CStringT(const Ch* text) : s_(text != nullptr ? text : EmptyText()) {}  // NOLINT: implicit, as MFC's
    CStringT(const YCHAR* text) : s_(detail::Chars<Ch>::From(text)) {}      // NOLINT: converts
    CStringT(const CStringT<YCHAR>& other) : s_(detail::Chars<Ch>::From(other.GetString())) {}  // NOLINT
    CStringT(const Ch* text, int length) : s_(text != nullptr ? text : EmptyText(), ClampLength(length)) {}
    explicit CStringT(Ch ch, int repeat = 1) : s_(ClampLength(repeat), ch) {}
    CStringT(const StringType& text) : s_(text) {}  // NOLINT: implicit, a portafx extension
    CStringT(const unsigned char* text) : CStringT(reinterpret_cast<const char*>(text)) {}  // NOLINT: as MFC

    CStringT& operator=(const Ch* text) {
        s_ = text != nullptr ? text : EmptyText();
        return *this;
    }
    CStringT& operator=(const YCHAR* text) {
        s_ = detail::Chars<Ch>::From(text);
        return *this;
    }
    CStringT& operator=(const CStringT<YCHAR>& other) {
        s_ = detail::Chars<Ch>::From(other.GetString());
        return *this;
    }
    CStringT& operator=(Ch ch) {
        s_.assign(1, ch);
        return *this;
    }

    // --- length and characters -----------------------------------------------------------------------

    int GetLength() const noexcept { return static_cast<int>(s_.size()); }
    BOOL IsEmpty() const noexcept { return s_.empty() ? TRUE : FALSE; }
    void Empty() noexcept { s_.clear(); }
    Ch GetAt(int index) const { return s_.at(static_cast<std::size_t>(index)); }
    void SetAt(int index, Ch ch) { s_.at(static_cast<std::size_t>(index)) = ch; }
    template <class I, std::enable_if_t<std::is_integral_v<I>, int> = 0>
    Ch operator[](I index) const {
        return s_.at(static_cast<std::size_t>(index));
    }

    /// The text (MFC: LPCTSTR conversion, GetString).
    operator const Ch*() const noexcept { return s_.c_str(); }  // NOLINT: implicit, as MFC's
    const Ch* GetString() const noexcept { return s_.c_str(); }

    /// The std::basic_string inside (a portafx extension).
    const StringType& Str() const noexcept { return s_; }
    StringType& Str() noexcept { return s_; }

    // --- concatenation -------------------------------------------------------------------------------

    CStringT& operator+=(const CStringT& other) {
        s_ += other.s_;
        return *this;
    }
    CStringT& operator+=(const Ch* text) {
        if (text != nullptr) s_ += text;
        return *this;
    }
    CStringT& operator+=(const YCHAR* text) {
        s_ += detail::Chars<Ch>::From(text);
        return *this;
    }
    CStringT& operator+=(Ch ch) {
        s_ += ch;
        return *this;
    }
    void Append(const Ch* text) { *this += text; }
    void Append(const Ch* text, int length) { s_.append(text, ClampLength(length)); }
    void AppendChar(Ch ch) { s_ += ch; }

    friend CStringT operator+(const CStringT& a, const CStringT& b) { return CStringT(a.s_ + b.s_); }
    friend CStringT operator+(const CStringT& a, const Ch* b) {
        return CStringT(a.s_ + (b != nullptr ? b : EmptyText()));
    }
    friend CStringT operator+(const Ch* a, const CStringT& b) {
        return CStringT((a != nullptr ? a : EmptyText()) + b.s_);
    }
    friend CStringT operator+(const CStringT& a, Ch b) { return CStringT(a.s_ + b); }
    friend CStringT operator+(Ch a, const CStringT& b) { return CStringT(a + b.s_); }

    // --- comparison ----------------------------------------------------------------------------------

    int Compare(const Ch* other) const { return Sign(s_.compare(other != nullptr ? other : EmptyText())); }
    int CompareNoCase(const Ch* other) const {
        CStringT a(*this), b(other);
        a.MakeLower();
        b.MakeLower();
        return a.Compare(b);
    }
    int Collate(const Ch* other) const { return Compare(other); }
    int CollateNoCase(const Ch* other) const { return CompareNoCase(other); }

    friend bool operator==(const CStringT& a, const CStringT& b) { return a.s_ == b.s_; }
    friend bool operator==(const CStringT& a, const Ch* b) { return a.Compare(b) == 0; }
    friend bool operator==(const Ch* a, const CStringT& b) { return b.Compare(a) == 0; }
    friend bool operator!=(const CStringT& a, const CStringT& b) { return a.s_ != b.s_; }
    friend bool operator!=(const CStringT& a, const Ch* b) { return a.Compare(b) != 0; }
    friend bool operator!=(const Ch* a, const CStringT& b) { return b.Compare(a) != 0; }
    friend bool operator<(const CStringT& a, const CStringT& b) { return a.s_ < b.s_; }
    friend bool operator<(const CStringT& a, const Ch* b) { return a.Compare(b) < 0; }
    friend bool operator<(const Ch* a, const CStringT& b) { return b.Compare(a) > 0; }
    friend bool operator>(const CStringT& a, const CStringT& b) { return b.s_ < a.s_; }
    friend bool operator>(const CStringT& a, const Ch* b) { return a.Compare(b) > 0; }
    friend bool operator>(const Ch* a, const CStringT& b) { return b.Compare(a) < 0; }
    friend bool operator<=(const CStringT& a, const CStringT& b) { return !(b.s_ < a.s_); }
    friend bool operator<=(const CStringT& a, const Ch* b) { return a.Compare(b) <= 0; }
    friend bool operator<=(const Ch* a, const CStringT& b) { return b.Compare(a) >= 0; }
    friend bool operator>=(const CStringT& a, const CStringT& b) { return !(a.s_ < b.s_); }
    friend bool operator>=(const CStringT& a, const Ch* b) { return a.Compare(b) >= 0; }
    friend bool operator>=(const Ch* a, const CStringT& b) { return b.Compare(a) <= 0; }

    // --- extraction ----------------------------------------------------------------------------------

    CStringT Left(int count) const { return CStringT(s_.substr(0, Clamp(count))); }
    CStringT Right(int count) const {
        const std::size_t n = Clamp(count);
        return CStringT(s_.substr(s_.size() - n));
    }
    CStringT Mid(int first) const { return Mid(first, GetLength()); }
    CStringT Mid(int first, int count) const {
        const std::size_t start = Clamp(first);
        const std::size_t n = std::min(static_cast<std::size_t>(std::max(count, 0)), s_.size() - start);
        return CStringT(s_.substr(start, n));
    }
    CStringT SpanIncluding(const Ch* set) const { return Left(static_cast<int>(Npos(s_.find_first_not_of(set)))); }
    CStringT SpanExcluding(const Ch* set) const { return Left(static_cast<int>(Npos(s_.find_first_of(set)))); }

    /// The next token after `start` (advanced past it); an empty string and `start` = -1 at the end.
    CStringT Tokenize(const Ch* delimiters, int& start) const {
        if (start < 0) return CStringT();
        const std::size_t from = s_.find_first_not_of(delimiters, static_cast<std::size_t>(start));
        if (from == StringType::npos) {
            start = -1;
            return CStringT();
        }
        const std::size_t to = Npos(s_.find_first_of(delimiters, from));
        start = static_cast<int>(std::min(to + 1, s_.size() + 1));
        return CStringT(s_.substr(from, to - from));
    }

    // --- searching -----------------------------------------------------------------------------------

    int Find(Ch ch, int start = 0) const { return Index(s_.find(ch, Clamp(start))); }
    int Find(const Ch* text, int start = 0) const {
        if (text == nullptr || start > GetLength()) return -1;
        return Index(s_.find(text, Clamp(start)));
    }
    int ReverseFind(Ch ch) const { return Index(s_.rfind(ch)); }
    int FindOneOf(const Ch* set) const { return set == nullptr ? -1 : Index(s_.find_first_of(set)); }

    // --- changing ------------------------------------------------------------------------------------

    int Replace(Ch from, Ch to) {
        int n = 0;
        for (Ch& c : s_) {
            if (c == from) {
                c = to;
                ++n;
            }
        }
        return n;
    }
    int Replace(const Ch* from, const Ch* to) {
        const StringType f = from != nullptr ? from : EmptyText();
        const StringType t = to != nullptr ? to : EmptyText();
        if (f.empty()) return 0;
        int n = 0;
        for (std::size_t pos = s_.find(f); pos != StringType::npos; pos = s_.find(f, pos + t.size())) {
            s_.replace(pos, f.size(), t);
            ++n;
        }
        return n;
    }
    int Remove(Ch ch) {
        const auto before = s_.size();
        s_.erase(std::remove(s_.begin(), s_.end(), ch), s_.end());
        return static_cast<int>(before - s_.size());
    }
    int Insert(int index, Ch ch) {
        s_.insert(Clamp(index), 1, ch);
        return GetLength();
    }
    int Insert(int index, const Ch* text) {
        if (text != nullptr) s_.insert(Clamp(index), text);
        return GetLength();
    }
    int Delete(int index, int count = 1) {
        if (index >= 0 && count > 0 && index < GetLength()) s_.erase(Clamp(index), static_cast<std::size_t>(count));
        return GetLength();
    }

    CStringT& Trim() { return TrimRight().TrimLeft(); }
    CStringT& Trim(Ch ch) { return TrimRight(ch).TrimLeft(ch); }
    CStringT& Trim(const Ch* set) { return TrimRight(set).TrimLeft(set); }
    CStringT& TrimLeft() { return TrimLeft(detail::Chars<Ch>::Whitespace()); }
    CStringT& TrimLeft(Ch ch) {
        const Ch set[2] = {ch, Ch()};
        return TrimLeft(set);
    }
    CStringT& TrimLeft(const Ch* set) {
        s_.erase(0, Npos(s_.find_first_not_of(set != nullptr ? set : EmptyText())));
        return *this;
    }
    CStringT& TrimRight() { return TrimRight(detail::Chars<Ch>::Whitespace()); }
    CStringT& TrimRight(Ch ch) {
        const Ch set[2] = {ch, Ch()};
        return TrimRight(set);
    }
    CStringT& TrimRight(const Ch* set) {
        const std::size_t last = s_.find_last_not_of(set != nullptr ? set : EmptyText());
        s_.erase(last == StringType::npos ? 0 : last + 1);
        return *this;
    }

    CStringT& MakeUpper() {
        for (Ch& c : s_)
            c = detail::Chars<Ch>::Upper(c);
        return *this;
    }
    CStringT& MakeLower() {
        for (Ch& c : s_)
            c = detail::Chars<Ch>::Lower(c);
        return *this;
    }
    CStringT& MakeReverse() {
        std::reverse(s_.begin(), s_.end());
        return *this;
    }

    // --- formatting ----------------------------------------------------------------------------------

    /// printf-style, with MSVC's conversions (file comment). CString arguments are taken as their text.
    template <class... Args>
    void Format(const Ch* format, const Args&... args) {
        s_.clear();
        AppendFormatImpl(format, args...);
    }
    template <class... Args>
    void AppendFormat(const Ch* format, const Args&... args) {
        AppendFormatImpl(format, args...);
    }
    void FormatV(const Ch* format, std::va_list args) {
        s_.clear();
        detail::FormatV(s_, format, args);
    }

    // --- direct buffer access ------------------------------------------------------------------------

    /// A writable buffer of at least `minLength` characters (plus the terminator); call ReleaseBuffer after.
    Ch* GetBuffer(int minLength) {
        if (minLength > GetLength()) s_.resize(static_cast<std::size_t>(minLength));
        return &s_[0];
    }
    Ch* GetBuffer() { return &s_[0]; }
    Ch* GetBufferSetLength(int length) {
        s_.resize(ClampLength(length));
        return &s_[0];
    }
    /// Ends direct access: the length becomes `newLength`, or (-1) that of the NUL-terminated text.
    void ReleaseBuffer(int newLength = -1) {
        if (newLength < 0) {
            s_.resize(std::char_traits<Ch>::length(s_.c_str()));
        } else {
            s_.resize(std::min(static_cast<std::size_t>(newLength), s_.size()));
        }
    }
    void ReleaseBufferSetLength(int newLength) { ReleaseBuffer(newLength); }
    void FreeExtra() { s_.shrink_to_fit(); }
    void Preallocate(int length) { s_.reserve(ClampLength(length)); }

    /// MFC loads from the module's string table; portafx has none: always FALSE, string unchanged.
    BOOL LoadString(UINT /*id*/) { return FALSE; }

private:
    static const Ch* EmptyText() noexcept {
        static const Ch empty[1] = {Ch()};
        return empty;
    }
    static std::size_t ClampLength(int n) noexcept { return n > 0 ? static_cast<std::size_t>(n) : 0; }
    std::size_t Clamp(int i) const noexcept { return std::min(ClampLength(i), s_.size()); }
    std::size_t Npos(std::size_t pos) const noexcept { return pos == StringType::npos ? s_.size() : pos; }
    static int Index(std::size_t pos) noexcept { return pos == StringType::npos ? -1 : static_cast<int>(pos); }
    static int Sign(int c) noexcept { return c < 0 ? -1 : (c > 0 ? 1 : 0); }

    template <class... Args>
    void AppendFormatImpl(const Ch* format, const Args&... args) {
        const detail::FormatArg list[] = {detail::MakeFormatArg(args)..., detail::FormatArg{detail::FormatArg::Signed}};
        detail::FormatArgs(s_, format != nullptr ? format : EmptyText(), list, sizeof...(Args));
    }

    StringType s_;
};

}  // namespace portafx::compat

using CStringA = ::portafx::compat::CStringT<char>;
using CStringW = ::portafx::compat::CStringT<wchar_t>;
#if PORTAFX_COMPAT_UNICODE
using CString = CStringW;
#else
using CString = CStringA;
#endif

// ATL's conversion helpers, as simple conversions (UTF-8 <-> wide).
using CW2A = CStringA;
using CA2W = CStringW;
using CT2A = CStringA;
using CA2T = CString;
using CT2W = CStringW;
using CW2T = CString;
using CT2CA = CStringA;
using CW2CT = CString;
using CA2CT = CString;
using CT2CW = CStringW;
