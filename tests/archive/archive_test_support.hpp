// Test support for archives: store into memory, load from bytes, compare with golden vectors in hex.
#pragma once

#include <portafx/archive.hpp>
#include <portafx/memory_file.hpp>

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <string>
#include <vector>

namespace portafx::test {

using Bytes = std::vector<std::uint8_t>;

/// "01 02 ff" for diagnostics.
inline std::string Hex(const Bytes& bytes) {
    std::string s;
    char buf[4];
    for (std::uint8_t b : bytes) {
        std::snprintf(buf, sizeof buf, "%02X ", b);
        s += buf;
    }
    if (!s.empty()) s.pop_back();
    return s;
}

/// Parses "01 02 FF" (spaces and '|' ignored).
inline Bytes FromHex(const std::string& hex) {
    Bytes out;
    int nibbles = 0;
    unsigned value = 0;
    for (char c : hex) {
        int v;
        if (c >= '0' && c <= '9') {
            v = c - '0';
        } else if (c >= 'a' && c <= 'f') {
            v = c - 'a' + 10;
        } else if (c >= 'A' && c <= 'F') {
            v = c - 'A' + 10;
        } else {
            continue;
        }
        value = value * 16 + static_cast<unsigned>(v);
        if (++nibbles == 2) {
            out.push_back(static_cast<std::uint8_t>(value));
            nibbles = 0;
            value = 0;
        }
    }
    return out;
}

/// The bytes a storing archive writes when `write` runs on it.
template <class F>
Bytes Stored(F write) {
    MemoryFile file;
    {
        Archive ar(file, Archive::Store);
        write(ar);
        ar.Close();
    }
    return file.Data();
}

/// Runs `read` on a loading archive over `bytes`.
template <class F>
void Loaded(const Bytes& bytes, F read, ArchiveLimits limits = {}) {
    MemoryFile file(bytes);
    Archive ar(file, Archive::Load, 4096, limits);
    read(ar);
}

/// Checks that `actual` equals the golden vector `hex`, printing both in hex otherwise.
inline void CheckGolden(const Bytes& actual, const std::string& hex) {
    const Bytes expected = FromHex(hex);
    BOOST_TEST(actual == expected, "\n   got: " << Hex(actual) << "\nexpected: " << Hex(expected));
}

/// Checks that `f` throws ArchiveException with `cause`.
template <class F>
void CheckCause(F f, ArchiveException::Cause cause) {
    try {
        f();
        BOOST_ERROR("no ArchiveException; expected cause " << ArchiveException::CauseName(cause));
    } catch (const ArchiveException& e) {
        BOOST_TEST(e.GetCause() == cause, "cause " << ArchiveException::CauseName(e.GetCause()) << ": " << e.what());
        BOOST_TEST(e.m_cause == static_cast<int>(cause));
    }
}

}  // namespace portafx::test
