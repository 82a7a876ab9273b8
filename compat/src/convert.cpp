// portafx compat — UTF-8 <-> wide conversions and MSVC-flavoured printf for CString.
#include <portafx/compat/cstring.hpp>

#include <cstdarg>
#include <cstdio>
#include <cwchar>
#include <string>

namespace portafx::compat {

namespace {
constexpr char32_t kReplacement = 0xFFFD;

bool IsContinuation(unsigned char c) {
    return (c & 0xC0u) == 0x80u;
}
}  // namespace

std::wstring Utf8ToWide(std::string_view text) {
    std::wstring out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        std::size_t extra = 0;
        char32_t cp = 0;
        if (c < 0x80) {
            cp = c;
        } else if (c >= 0xC2 && c < 0xE0) {
            extra = 1;
            cp = c & 0x1Fu;
        } else if (c >= 0xE0 && c < 0xF0) {
            extra = 2;
            cp = c & 0x0Fu;
        } else if (c >= 0xF0 && c < 0xF5) {
            extra = 3;
            cp = c & 0x07u;
        } else {
            out.push_back(static_cast<wchar_t>(kReplacement));
            ++i;
            continue;
        }
        bool ok = true;
        for (std::size_t k = 1; k <= extra; ++k) {
            if (i + k >= text.size() || !IsContinuation(static_cast<unsigned char>(text[i + k]))) {
                ok = false;
                break;
            }
            cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3Fu);
        }
        const bool overlong = (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000);
        if (!ok || overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000)) {
            out.push_back(static_cast<wchar_t>(kReplacement));
            ++i;
            continue;
        }
        out.push_back(static_cast<wchar_t>(cp));
        i += extra + 1;
    }
    return out;
}

std::string WideToUtf8(std::wstring_view text) {
    std::string out;
    out.reserve(text.size());
    for (const wchar_t w : text) {
        auto cp = static_cast<char32_t>(w);
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000)) cp = kReplacement;
        if (cp < 0x80) {
            out.push_back(static_cast<char>(cp));
        } else if (cp < 0x800) {
            out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        } else if (cp < 0x10000) {
            out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        } else {
            out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        }
    }
    return out;
}

namespace detail {

namespace {

template <class Ch>
bool IsFlagOrWidth(Ch c) {
    return c == Ch('-') || c == Ch('+') || c == Ch(' ') || c == Ch('#') || c == Ch('.') || c == Ch('*') ||
           (c >= Ch('0') && c <= Ch('9'));
}

template <class Ch>
const Ch* IntegerConversions();
template <>
const char* IntegerConversions<char>() {
    return "diouxX";
}
template <>
const wchar_t* IntegerConversions<wchar_t>() {
    return L"diouxX";
}

// Rewrites MSVC's printf conversions into the C library's: I64 / I32 / I size prefixes, and, in a wide format, %s
// and %c meaning wide arguments (%S, %hs, %hc narrow ones).
template <class Ch>
std::basic_string<Ch> TranslateFormat(const Ch* format, bool wide) {
    std::basic_string<Ch> out;
    for (const Ch* p = format; *p != Ch();) {
        if (*p != Ch('%')) {
            out.push_back(*p++);
            continue;
        }
        out.push_back(*p++);
        if (*p == Ch('%')) {
            out.push_back(*p++);
            continue;
        }
        // flags, width, precision
        while (IsFlagOrWidth(*p)) {
            out.push_back(*p++);
        }
        // size prefixes
        bool narrowArg = false;
        bool wideArg = false;
        if (p[0] == Ch('I') && p[1] == Ch('6') && p[2] == Ch('4')) {
            out.push_back(Ch('l'));
            out.push_back(Ch('l'));
            p += 3;
        } else if (p[0] == Ch('I') && p[1] == Ch('3') && p[2] == Ch('2')) {
            p += 3;
        } else if (p[0] == Ch('I')) {
            out.push_back(Ch('z'));
            p += 1;
        } else if (p[0] == Ch('h') && (p[1] == Ch('s') || p[1] == Ch('c') || p[1] == Ch('S') || p[1] == Ch('C'))) {
            narrowArg = true;
            p += 1;
        } else if ((p[0] == Ch('l') || p[0] == Ch('w')) &&
                   (p[1] == Ch('s') || p[1] == Ch('c') || p[1] == Ch('S') || p[1] == Ch('C'))) {
            wideArg = true;
            p += 1;
        }
        if (*p == Ch('s') || *p == Ch('c') || *p == Ch('S') || *p == Ch('C')) {
            const bool upper = *p == Ch('S') || *p == Ch('C');
            const bool argWide = wideArg || (!narrowArg && (wide != upper));
            if (argWide) out.push_back(Ch('l'));
            out.push_back(upper ? static_cast<Ch>(*p + (Ch('s') - Ch('S'))) : *p);
            ++p;
            continue;
        }
        // MSVC's long is 32 bits: a single `l` before an integer conversion means a 32-bit argument.
        if (p[0] == Ch('l') && p[1] != Ch('l') && p[1] != Ch() &&
            std::basic_string<Ch>(1, p[1]).find_first_of(IntegerConversions<Ch>()) == 0) {
            ++p;
        }
        while (*p != Ch()) {
            const Ch c = *p;
            out.push_back(*p++);
            const bool isLength = c == Ch('h') || c == Ch('l') || c == Ch('L') || c == Ch('q') || c == Ch('j') ||
                                  c == Ch('z') || c == Ch('t');
            if (!isLength) break;
        }
    }
    return out;
}

}  // namespace

bool FormatV(std::string& out, const char* format, std::va_list args) {
    const std::string translated = TranslateFormat(format, false);
    std::va_list copy;
    va_copy(copy, args);
    const int n = std::vsnprintf(nullptr, 0, translated.c_str(), copy);
    va_end(copy);
    if (n < 0) return false;
    std::string text(static_cast<std::size_t>(n) + 1, '\0');
    std::vsnprintf(&text[0], text.size(), translated.c_str(), args);
    text.resize(static_cast<std::size_t>(n));
    out += text;
    return true;
}

bool FormatV(std::wstring& out, const wchar_t* format, std::va_list args) {
    const std::wstring translated = TranslateFormat(format, true);
    // vswprintf cannot measure: try growing buffers (a failure for a bad format stops at 16 MB).
    for (std::size_t size = 256; size <= (16u << 20); size *= 4) {
        std::wstring text(size, L'\0');
        std::va_list copy;
        va_copy(copy, args);
        const int n = std::vswprintf(&text[0], size, translated.c_str(), copy);
        va_end(copy);
        if (n >= 0) {
            text.resize(static_cast<std::size_t>(n));
            out += text;
            return true;
        }
    }
    return false;
}

}  // namespace detail

}  // namespace portafx::compat
