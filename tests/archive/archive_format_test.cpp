// MFC's CArchive byte format, pinned by golden vectors: primitives, string lengths and their escapes,
// counts, and the worked examples of the reference (§5.5).
#include <portafx/archive.hpp>

#define BOOST_TEST_MODULE archive_format
#include "archive_test_support.hpp"

#include <limits>

using namespace portafx;
using namespace portafx::test;

namespace {
enum class Color : std::uint16_t { Red = 1, Blue = 0x0203 };
}

BOOST_AUTO_TEST_CASE(example_a_ansi_and_unicode) {
    CheckGolden(
        Stored([](Archive& ar) { ar << std::uint8_t{1} << std::uint16_t{2} << std::uint32_t{3} << std::string("hi"); }),
        "01 | 02 00 | 03 00 00 00 | 02 68 69");
    CheckGolden(Stored([](Archive& ar) {
                    ar << std::uint8_t{1} << std::uint16_t{2} << std::uint32_t{3} << std::u16string(u"hi");
                }),
                "01 | 02 00 | 03 00 00 00 | FF FE FF 02 68 00 69 00");
}

BOOST_AUTO_TEST_CASE(primitives_are_little_endian_fixed_widths) {
    const Bytes bytes = Stored([](Archive& ar) {
        ar << true << false << 'A' << std::int8_t{-1} << std::int16_t{-2} << std::int32_t{-3}
           << std::int64_t{0x0102030405060708} << std::uint64_t{0xFFFFFFFFFFFFFFFF} << 1.0f << 1.0 << L'\u00e9'
           << Color::Blue;
    });
    CheckGolden(bytes,
                "01 00 41 FF | FE FF | FD FF FF FF | 08 07 06 05 04 03 02 01 | FF FF FF FF FF FF FF FF |"
                "00 00 80 3F | 00 00 00 00 00 00 F0 3F | E9 00 | 03 02");
    Loaded(bytes, [](Archive& ar) {
        bool t = false, f = true;
        char c = 0;
        std::int8_t i8 = 0;
        std::int16_t i16 = 0;
        std::int32_t i32 = 0;
        std::int64_t i64 = 0;
        std::uint64_t u64 = 0;
        float fl = 0;
        double d = 0;
        wchar_t w = 0;
        Color color = Color::Red;
        ar >> t >> f >> c >> i8 >> i16 >> i32 >> i64 >> u64 >> fl >> d >> w >> color;
        BOOST_TEST(t);
        BOOST_TEST(!f);
        BOOST_TEST(c == 'A');
        BOOST_TEST(i8 == -1);
        BOOST_TEST(i16 == -2);
        BOOST_TEST(i32 == -3);
        BOOST_TEST(i64 == 0x0102030405060708);
        BOOST_TEST(u64 == std::numeric_limits<std::uint64_t>::max());
        BOOST_TEST(fl == 1.0f);
        BOOST_TEST(d == 1.0);
        BOOST_TEST(w == L'\u00e9');
        BOOST_TEST((color == Color::Blue));
        BOOST_TEST(ar.IsBufferEmpty());
    });
    // Any non-zero byte loads as true, as in MFC.
    Loaded(FromHex("02"), [](Archive& ar) {
        bool b = false;
        ar >> b;
        BOOST_TEST(b);
    });
}

namespace {
// The expected encoding of an 8-bit string of `n` characters: the length prefix, then the bytes.
Bytes NarrowGolden(const std::string& prefixHex, std::size_t n) {
    Bytes out = FromHex(prefixHex);
    out.insert(out.end(), n, 'x');
    return out;
}
}  // namespace

BOOST_AUTO_TEST_CASE(string_length_escapes_at_every_boundary) {
    struct Case {
        std::size_t length;
        const char* prefix;
    } cases[] = {
        {0, "00"},
        {254, "FE"},
        {255, "FF FF 00"},
        {0xFFFD, "FF FD FF"},
        {0xFFFE, "FF FF FF FE FF 00 00"},
        {0x10000, "FF FF FF 00 00 01 00"},
    };
    for (const Case& c : cases) {
        const std::string s(c.length, 'x');
        const Bytes bytes = Stored([&](Archive& ar) { ar << s; });
        BOOST_TEST(bytes == NarrowGolden(c.prefix, c.length), "length " << c.length);
        Loaded(bytes, [&](Archive& ar) {
            std::string back;
            ar >> back;
            BOOST_TEST(back == s);
        });
    }
}

BOOST_AUTO_TEST_CASE(wide_strings_carry_the_unicode_marker) {
    CheckGolden(Stored([](Archive& ar) { ar << std::u16string(); }), "FF FE FF 00");
    const std::u16string s255(255, u'y');
    const Bytes bytes = Stored([&](Archive& ar) { ar << s255; });
    BOOST_TEST(Hex(Bytes(bytes.begin(), bytes.begin() + 6)) == "FF FE FF FF FF 00");
    BOOST_TEST(bytes.size() == 6u + 2 * 255);
    const std::u16string s0xFFFE(0xFFFE, u'z');
    const Bytes big = Stored([&](Archive& ar) { ar << s0xFFFE; });
    BOOST_TEST(Hex(Bytes(big.begin(), big.begin() + 10)) == "FF FE FF FF FF FF FE FF 00 00");
    Loaded(big, [&](Archive& ar) {
        std::u16string back;
        ar >> back;
        BOOST_TEST((back == s0xFFFE));
    });
}

BOOST_AUTO_TEST_CASE(strings_convert_between_utf8_and_utf16) {
    const std::string utf8 = "gr\xC3\xBC\xC3\x9F \xF0\x9F\x98\x80";  // "grüß 😀"
    const std::u16string utf16 = u"gr\u00fc\u00df \U0001F600";
    // Wide on the wire, read as UTF-8; narrow on the wire, read as UTF-16.
    Loaded(Stored([&](Archive& ar) { ar << utf16; }), [&](Archive& ar) {
        std::string back;
        ar >> back;
        BOOST_TEST(back == utf8);
    });
    Loaded(Stored([&](Archive& ar) { ar << utf8; }), [&](Archive& ar) {
        std::u16string back;
        ar >> back;
        BOOST_TEST((back == utf16));
    });
    // std::wstring travels as UTF-16, surrogate pairs included.
    const std::wstring wide = L"gr\u00fc\u00df \U0001F600";
    const Bytes bytes = Stored([&](Archive& ar) { ar << wide; });
    BOOST_TEST(Hex(Bytes(bytes.begin(), bytes.begin() + 4)) == "FF FE FF 07");
    BOOST_TEST(bytes.size() == 4u + 2 * 7);
    Loaded(bytes, [&](Archive& ar) {
        std::wstring back;
        ar >> back;
        BOOST_TEST((back == wide));
    });
    // Invalid UTF-8 becomes U+FFFD instead of failing.
    Loaded(Stored([](Archive& ar) {
               ar << std::string(
                   "a\xFF"
                   "b");
           }),
           [](Archive& ar) {
               std::u16string back;
               ar >> back;
               BOOST_TEST((back == u"a\uFFFDb"));
           });
}

BOOST_AUTO_TEST_CASE(counts_and_their_escapes) {
    CheckGolden(Stored([](Archive& ar) { ar.WriteCount(0); }), "00 00");
    CheckGolden(Stored([](Archive& ar) { ar.WriteCount(0xFFFE); }), "FE FF");
    CheckGolden(Stored([](Archive& ar) { ar.WriteCount(0xFFFF); }), "FF FF | FF FF 00 00");
    CheckGolden(Stored([](Archive& ar) { ar.WriteCount(0x12345678); }), "FF FF | 78 56 34 12");
    CheckGolden(Stored([](Archive& ar) { ar.WriteCount(0x100000000ull); }),
                "FF FF | FF FF FF FF | 00 00 00 00 01 00 00 00");
    for (std::uint64_t n : {0ull, 0xFFFEull, 0xFFFFull, 0x12345678ull}) {
        Loaded(Stored([&](Archive& ar) { ar.WriteCount(n); }), [&](Archive& ar) {
            ArchiveLimits limits;
            limits.maxCount = 0xFFFFFFFF;
            ar.SetLimits(limits);
            BOOST_TEST(ar.ReadCount() == n);
        });
    }
}

BOOST_AUTO_TEST_CASE(example_c_chat_message_without_tags) {
    // CHATSRVR's CMsg::Serialize: WORD bClose, CString text, CStringList (count + strings).
    const Bytes bytes = Stored([](Archive& ar) {
        ar << std::uint16_t{0} << std::string("A: hi");
        ar.WriteCount(0);
    });
    CheckGolden(bytes, "00 00 | 05 41 3A 20 68 69 | 00 00");
    const Bytes withList = Stored([](Archive& ar) {
        ar << std::uint16_t{1} << std::string("bye");
        ar.WriteCount(2);
        ar << std::string("a") << std::string("bc");
    });
    CheckGolden(withList, "01 00 | 03 62 79 65 | 02 00 | 01 61 | 02 62 63");
}

BOOST_AUTO_TEST_CASE(text_lines) {
    const Bytes bytes = Stored([](Archive& ar) {
        ar.WriteString(std::string_view("first\r\nsecond\nlast"));
        ar.WriteString(std::u16string_view(u""));
    });
    CheckGolden(bytes, "66 69 72 73 74 0D 0A 73 65 63 6F 6E 64 0A 6C 61 73 74");
    Loaded(bytes, [](Archive& ar) {
        std::string line;
        BOOST_TEST(ar.ReadString(line));
        BOOST_TEST(line == "first");
        BOOST_TEST(ar.ReadString(line));
        BOOST_TEST(line == "second");
        BOOST_TEST(ar.ReadString(line));
        BOOST_TEST(line == "last");
        BOOST_TEST(!ar.ReadString(line));
    });
    const Bytes wide = Stored([](Archive& ar) { ar.WriteString(std::u16string_view(u"h\u00e9\nx")); });
    CheckGolden(wide, "68 00 E9 00 0A 00 78 00");
    Loaded(wide, [](Archive& ar) {
        std::u16string line;
        BOOST_TEST(ar.ReadString(line));
        BOOST_TEST((line == u"h\u00e9"));
        BOOST_TEST(ar.ReadString(line));
        BOOST_TEST((line == u"x"));
        BOOST_TEST(!ar.ReadString(line));
    });
}

BOOST_AUTO_TEST_CASE(raw_read_and_write_of_any_size) {
    Bytes big(100000);
    for (std::size_t i = 0; i < big.size(); ++i)
        big[i] = static_cast<std::uint8_t>(i * 31);
    const Bytes bytes = Stored([&](Archive& ar) {
        ar << std::uint8_t{7};
        ar.Write(big.data(), big.size());
        ar << std::uint8_t{9};
    });
    BOOST_TEST(bytes.size() == big.size() + 2);
    Loaded(bytes, [&](Archive& ar) {
        std::uint8_t a = 0, z = 0;
        ar >> a;
        Bytes back(big.size());
        BOOST_TEST(ar.Read(back.data(), back.size()) == back.size());
        ar >> z;
        BOOST_TEST(a == 7);
        BOOST_TEST((back == big));
        BOOST_TEST(z == 9);
        std::uint8_t extra[4];
        BOOST_TEST(ar.Read(extra, 4) == 0u);  // a short count at the end, no exception
    });
}

BOOST_AUTO_TEST_CASE(empty_reads_and_writes_are_fine) {
    const Bytes bytes = Stored([](Archive& ar) {
        ar.Write(nullptr, 0);
        ar.WriteString(std::string_view());
        ar << std::string();
    });
    CheckGolden(bytes, "00");
    Loaded(bytes, [](Archive& ar) {
        BOOST_TEST(ar.Read(nullptr, 0) == 0u);
        std::string s = "x";
        ar >> s;
        BOOST_TEST(s.empty());
    });
}

BOOST_AUTO_TEST_CASE(utf16_and_wide_literals_are_strings) {
    CheckGolden(Stored([](Archive& ar) { ar << u"hi" << L"yo"; }), "FF FE FF 02 68 00 69 00 | FF FE FF 02 79 00 6F 00");
    if constexpr (sizeof(wchar_t) == 4) {
        CheckCause([] { Stored([](Archive& ar) { ar << static_cast<wchar_t>(0x1F600); }); },
                   ArchiveException::genericException);
    }
}

BOOST_AUTO_TEST_CASE(crlf_split_across_buffer_refills) {
    // A 128-byte buffer; the '\r' is the buffer's last byte and the '\n' comes with the next fill.
    std::string text(127, 'a');
    text += "\r\nnext\n";
    MemoryFile file(Bytes(text.begin(), text.end()));
    Archive ar(file, Archive::Load, 128);
    std::string line;
    BOOST_TEST(ar.ReadString(line));
    BOOST_TEST(line.size() == 127u);
    BOOST_TEST(ar.ReadString(line));
    BOOST_TEST(line == "next");
    BOOST_TEST(!ar.ReadString(line));
}

BOOST_AUTO_TEST_CASE(short_strings_split_across_buffer_refills) {
    // Strings of 0..40 bytes after a pad of 0..127 bytes, through a 128-byte buffer: the length byte, the
    // body, or both fall at every place of a refill, and each string (and the byte after it) loads intact.
    for (std::size_t pad = 0; pad < 128; ++pad) {
        MemoryFile file;
        {
            Archive out(file, Archive::Store, 128);
            out.Write(std::string(pad, 'p').data(), pad);
            for (std::size_t n = 0; n <= 40; ++n)
                out << std::string(n, static_cast<char>('a' + n % 26)) << static_cast<std::uint8_t>(n);
            out.Close();
        }
        file.SeekToBegin();
        Archive in(file, Archive::Load, 128);
        std::string skipped(pad, '\0');
        BOOST_TEST(in.Read(skipped.data(), pad) == pad);
        std::string s = "a longer string whose capacity the loads reuse";
        for (std::size_t n = 0; n <= 40; ++n) {
            std::uint8_t after = 0;
            in >> s >> after;
            BOOST_TEST_REQUIRE(s == std::string(n, static_cast<char>('a' + n % 26)));
            BOOST_TEST_REQUIRE(after == n);
        }
        BOOST_TEST(in.IsBufferEmpty());
    }
}

BOOST_AUTO_TEST_CASE(raw_read_inside_a_transaction_rolls_back) {
    Bytes bytes = FromHex("07 00 00 00");
    for (int i = 0; i < 300; ++i)
        bytes.push_back(static_cast<std::uint8_t>(i));
    MemoryFile file(bytes);
    Archive ar(file, Archive::Load, 128);
    ar.StartTransaction();
    std::uint32_t v = 0;
    ar >> v;
    std::uint8_t raw[200];
    BOOST_TEST(ar.Read(raw, sizeof raw) == sizeof raw);  // beyond the 128-byte buffer: it grows
    ar.RollbackTransaction();
    std::uint32_t again = 0;
    ar >> again;
    BOOST_TEST(again == 7u);
    std::uint8_t first = 99;
    ar >> first;
    BOOST_TEST(first == 0);
}
