// portafx compat — UTF-8 <-> wide conversions and MSVC-flavoured printf for CString.
#include <portafx/compat/cstring.hpp>

#include "detail/utf.hpp"  // archive/src: the archive library's UTF conversions

#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cwchar>
#include <string>

namespace portafx::compat {

// The archive's own conversions (invalid input becomes U+FFFD), through UTF-16: one implementation of UTF-8.
std::wstring Utf8ToWide(std::string_view text) {
    return portafx::detail::Utf16ToWide(portafx::detail::Utf8ToUtf16(text));
}

std::string WideToUtf8(std::wstring_view text) {
    return portafx::detail::Utf16ToUtf8(portafx::detail::WideToUtf16(text));
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

namespace {

template <class Ch>
std::basic_string<Ch> Widen(const std::string& ascii) {
    return std::basic_string<Ch>(ascii.begin(), ascii.end());
}

// Text in the output's character type.
std::string AsOutput(const std::string& text, char) {
    return text;
}
std::wstring AsOutput(const std::string& text, wchar_t) {
    return Utf8ToWide(text);
}
std::string AsOutput(const std::wstring& text, char) {
    return WideToUtf8(text);
}
std::wstring AsOutput(const std::wstring& text, wchar_t) {
    return text;
}

// One conversion's text, padded to `width` (left-aligned with '-').
template <class Ch>
void Pad(std::basic_string<Ch>& out, std::basic_string<Ch> text, int width, bool left) {
    if (width > 0 && text.size() < static_cast<std::size_t>(width)) {
        const std::basic_string<Ch> fill(static_cast<std::size_t>(width) - text.size(), Ch(' '));
        text = left ? text + fill : fill + text;
    }
    out += text;
}

template <class Ch>
bool FormatArgsImpl(std::basic_string<Ch>& out, const Ch* p, const FormatArg* args, std::size_t count) {
    std::size_t next = 0;
    const bool wideFormat = sizeof(Ch) > 1;
    while (*p != Ch()) {
        if (*p != Ch('%')) {
            out.push_back(*p++);
            continue;
        }
        ++p;
        if (*p == Ch('%')) {
            out.push_back(*p++);
            continue;
        }
        // %[flags][width][.precision][size]conversion
        std::string flags;
        while (*p == Ch('-') || *p == Ch('+') || *p == Ch(' ') || *p == Ch('#') || *p == Ch('0'))
            flags.push_back(static_cast<char>(*p++));
        auto number = [&](int& value) -> bool {
            if (*p == Ch('*')) {
                ++p;
                if (next >= count) return false;
                const FormatArg& a = args[next++];
                value = static_cast<int>(a.kind == FormatArg::Unsigned ? static_cast<long long>(a.u) : a.i);
                return true;
            }
            value = -1;
            if (*p < Ch('0') || *p > Ch('9')) return true;
            value = 0;
            while (*p >= Ch('0') && *p <= Ch('9'))
                value = value * 10 + static_cast<int>(*p++ - Ch('0'));
            return true;
        };
        int width = -1;
        int precision = -1;
        if (!number(width)) return false;
        if (width < 0 && flags.find('-') == std::string::npos && *(p - 1) == Ch('*')) {
            flags.push_back('-');  // a negative * width means left-aligned
            width = -width;
        }
        if (*p == Ch('.')) {
            ++p;
            if (!number(precision)) return false;
            if (precision < 0) precision = 0;
        }
        // Size: MSVC's meanings (long is 32 bits; I, I64, ll, z, j, t are 64 bits).
        int bits = 32;
        int textSize = 0;  // -1 narrow (h), 1 wide (l, w), 0 the format's own
        if (p[0] == Ch('I') && p[1] == Ch('6') && p[2] == Ch('4')) {
            bits = 64;
            p += 3;
        } else if (p[0] == Ch('I') && p[1] == Ch('3') && p[2] == Ch('2')) {
            p += 3;
        } else if (p[0] == Ch('I') || p[0] == Ch('z') || p[0] == Ch('j') || p[0] == Ch('t')) {
            bits = 64;
            ++p;
        } else if (p[0] == Ch('l') && p[1] == Ch('l')) {
            bits = 64;
            p += 2;
        } else if (p[0] == Ch('h') && p[1] == Ch('h')) {
            bits = 8;
            p += 2;
        } else if (p[0] == Ch('h')) {
            bits = 16;
            textSize = -1;
            ++p;
        } else if (p[0] == Ch('l') || p[0] == Ch('w')) {
            textSize = 1;
            ++p;
        } else if (p[0] == Ch('L')) {
            ++p;
        }
        const Ch conversion = *p;
        if (conversion == Ch()) return false;
        ++p;
        const bool left = flags.find('-') != std::string::npos;
        std::string spec = "%" + flags;
        if (width >= 0) spec += std::to_string(width);
        if (precision >= 0) spec += "." + std::to_string(precision);
        char buffer[512];
        switch (static_cast<char>(conversion)) {
        case 'd':
        case 'i':
        case 'o':
        case 'u':
        case 'x':
        case 'X': {
            if (next >= count) return false;
            const FormatArg& a = args[next++];
            const unsigned long long raw = a.kind == FormatArg::Unsigned ? a.u : static_cast<unsigned long long>(a.i);
            const bool isSigned = conversion == Ch('d') || conversion == Ch('i');
            long long sv = 0;
            unsigned long long uv = 0;
            switch (bits) {
            case 8:
                sv = static_cast<std::int8_t>(raw);
                uv = static_cast<std::uint8_t>(raw);
                break;
            case 16:
                sv = static_cast<std::int16_t>(raw);
                uv = static_cast<std::uint16_t>(raw);
                break;
            case 32:
                sv = static_cast<std::int32_t>(raw);
                uv = static_cast<std::uint32_t>(raw);
                break;
            default:
                sv = static_cast<long long>(raw);
                uv = raw;
                break;
            }
            spec += "ll";
            spec.push_back(static_cast<char>(conversion));
            if (isSigned) {
                std::snprintf(buffer, sizeof buffer, spec.c_str(), sv);
            } else {
                std::snprintf(buffer, sizeof buffer, spec.c_str(), uv);
            }
            out += Widen<Ch>(buffer);
            break;
        }
        case 'e':
        case 'E':
        case 'f':
        case 'F':
        case 'g':
        case 'G':
        case 'a':
        case 'A': {
            if (next >= count) return false;
            const FormatArg& a = args[next++];
            const double v = a.kind == FormatArg::Floating   ? a.d
                             : a.kind == FormatArg::Unsigned ? static_cast<double>(a.u)
                                                             : static_cast<double>(a.i);
            spec.push_back(static_cast<char>(conversion));
            const int n = std::snprintf(nullptr, 0, spec.c_str(), v);
            if (n < 0) return false;
            std::string text(static_cast<std::size_t>(n) + 1, '\0');
            std::snprintf(&text[0], text.size(), spec.c_str(), v);
            text.resize(static_cast<std::size_t>(n));
            out += Widen<Ch>(text);
            break;
        }
        case 'p': {
            if (next >= count) return false;
            const FormatArg& a = args[next++];
            spec += "p";
            std::snprintf(buffer, sizeof buffer, spec.c_str(), a.pointer);
            out += Widen<Ch>(buffer);
            break;
        }
        case 'c':
        case 'C': {
            if (next >= count) return false;
            const FormatArg& a = args[next++];
            const auto code =
                static_cast<std::uint32_t>(a.kind == FormatArg::Unsigned ? a.u : static_cast<unsigned long long>(a.i));
            // MSVC: in a wide format %c is a wide character and %C a narrow one; in a narrow format the reverse.
            const bool wideArg = textSize > 0 || (textSize == 0 && (wideFormat != (conversion == Ch('C'))));
            std::basic_string<Ch> text;
            if (wideArg) {
                text = AsOutput(std::wstring(1, static_cast<wchar_t>(code)), Ch());
            } else {
                text = AsOutput(std::string(1, static_cast<char>(code)), Ch());
            }
            Pad(out, text, width, left);
            break;
        }
        case 's':
        case 'S': {
            if (next >= count) return false;
            const FormatArg& a = args[next++];
            std::basic_string<Ch> text;
            if (a.kind == FormatArg::Narrow) {
                text = AsOutput(std::string(a.narrow != nullptr ? a.narrow : "(null)"), Ch());
            } else if (a.kind == FormatArg::Wide) {
                text = AsOutput(std::wstring(a.wide != nullptr ? a.wide : L"(null)"), Ch());
            } else {
                return false;  // not a string
            }
            if (precision >= 0 && text.size() > static_cast<std::size_t>(precision))
                text.resize(static_cast<std::size_t>(precision));
            Pad(out, text, width, left);
            break;
        }
        default: return false;  // %n and unknown conversions
        }
    }
    return true;
}

}  // namespace

bool FormatArgs(std::string& out, const char* format, const FormatArg* args, std::size_t count) {
    return FormatArgsImpl(out, format, args, count);
}

bool FormatArgs(std::wstring& out, const wchar_t* format, const FormatArg* args, std::size_t count) {
    return FormatArgsImpl(out, format, args, count);
}

}  // namespace detail

}  // namespace portafx::compat
