// Small, strict UTF converters: well-formed sequences only; anything else is replaced by U+FFFD.
#include "utf.hpp"

namespace portafx::detail {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

// Decodes one code point from UTF-8 at `i`, advancing it.
char32_t DecodeUtf8(std::string_view in, std::size_t& i) {
    const auto b0 = static_cast<unsigned char>(in[i++]);
    if (b0 < 0x80) return b0;
    int extra;
    char32_t cp;
    char32_t min;
    if ((b0 & 0xE0) == 0xC0) {
        extra = 1, cp = b0 & 0x1F, min = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
        extra = 2, cp = b0 & 0x0F, min = 0x800;
    } else if ((b0 & 0xF8) == 0xF0) {
        extra = 3, cp = b0 & 0x07, min = 0x10000;
    } else {
        return kReplacement;
    }
    for (int k = 0; k < extra; ++k) {
        if (i >= in.size() || (static_cast<unsigned char>(in[i]) & 0xC0) != 0x80) return kReplacement;
        cp = (cp << 6) | (static_cast<unsigned char>(in[i++]) & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return kReplacement;
    return cp;
}

void AppendUtf16(std::u16string& out, char32_t cp) {
    if (cp >= 0x10000) {
        cp -= 0x10000;
        out.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
        out.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
        out.push_back(static_cast<char16_t>(cp));
    }
}

// Decodes one code point from UTF-16 at `i`, advancing it; a lone surrogate gives U+FFFD.
char32_t DecodeUtf16(std::u16string_view in, std::size_t& i) {
    const char16_t u = in[i++];
    if (u < 0xD800 || u > 0xDFFF) return u;
    if (u <= 0xDBFF && i < in.size() && in[i] >= 0xDC00 && in[i] <= 0xDFFF) {
        return 0x10000 + ((static_cast<char32_t>(u) - 0xD800) << 10) + (in[i++] - 0xDC00);
    }
    return kReplacement;
}

void AppendUtf8(std::string& out, char32_t cp) {
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

}  // namespace

std::u16string Utf8ToUtf16(std::string_view in) {
    std::u16string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size();)
        AppendUtf16(out, DecodeUtf8(in, i));
    return out;
}

std::string Utf16ToUtf8(std::u16string_view in) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size();)
        AppendUtf8(out, DecodeUtf16(in, i));
    return out;
}

std::u16string WideToUtf16(std::wstring_view in) {
    std::u16string out;
    out.reserve(in.size());
    for (wchar_t w : in) {
        if constexpr (sizeof(wchar_t) == 2) {
            out.push_back(static_cast<char16_t>(w));
        } else {
            const auto cp = static_cast<char32_t>(w);
            AppendUtf16(out, (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) ? kReplacement : cp);
        }
    }
    return out;
}

std::wstring Utf16ToWide(std::u16string_view in) {
    std::wstring out;
    out.reserve(in.size());
    if constexpr (sizeof(wchar_t) == 2) {
        for (char16_t u : in)
            out.push_back(static_cast<wchar_t>(u));
    } else {
        for (std::size_t i = 0; i < in.size();)
            out.push_back(static_cast<wchar_t>(DecodeUtf16(in, i)));
    }
    return out;
}

}  // namespace portafx::detail
