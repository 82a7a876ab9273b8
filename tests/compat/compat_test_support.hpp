// Test support for portafx::compat: how Boost.Test prints CStrings (as UTF-8) and wide std::strings.
#pragma once

#include <portafx/afx.h>

#include <ostream>
#include <string>

namespace portafx::compat {
template <class Ch>
std::ostream& boost_test_print_type(std::ostream& os, const CStringT<Ch>& s) {
    return os << '"' << CStringA(s).Str() << '"';
}
}  // namespace portafx::compat

namespace std {  // NOLINT: Boost.Test finds the printer of a std type by ADL in std
inline std::ostream& boost_test_print_type(std::ostream& os, const std::wstring& s) {
    return os << '"' << ::portafx::compat::WideToUtf8(s) << '"';
}
}  // namespace std
