// UTF-8 <-> UTF-16 <-> UTF-32 conversions for archive strings. Invalid input becomes U+FFFD; nothing throws.
#pragma once

#include <string>
#include <string_view>

namespace portafx::detail {

std::u16string Utf8ToUtf16(std::string_view in);
std::string Utf16ToUtf8(std::u16string_view in);
std::u16string WideToUtf16(std::wstring_view in);
std::wstring Utf16ToWide(std::u16string_view in);

}  // namespace portafx::detail
