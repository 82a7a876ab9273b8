// Hostile input: every length and count is checked against the archive's limits, and nothing is allocated
// ahead of the bytes that actually arrived (a 4 GiB length prefix followed by 10 bytes costs those bytes).
// This test binary counts every allocation with a replaced global operator new.
#include <portafx/archive.hpp>

#define BOOST_TEST_MODULE archive_limits
#include "archive_test_support.hpp"

#include "allocation_counter.hpp"

using namespace portafx;
using namespace portafx::test;

namespace {
ArchiveLimits NoLimits() {
    ArchiveLimits l;
    l.maxStringLength = ~std::uint64_t{0};
    l.maxCount = ~std::uint64_t{0};
    return l;
}
}  // namespace

BOOST_AUTO_TEST_CASE(a_4_gib_length_prefix_costs_only_the_bytes_that_came) {
    // 8-bit string of 0xFFFFFFFE characters announced, 10 delivered.
    const Bytes narrow = FromHex("FF FF FF FE FF FF FF | 30 31 32 33 34 35 36 37 38 39");
    // UTF-16 string of 0x100000000 units (the 64-bit tier), 5 units delivered.
    const Bytes wide = FromHex("FF FE FF FF FF FF FF FF FF FF 00 00 00 00 01 00 00 00 | 41 00 42 00 43 00 44 00 45 00");
    for (const Bytes& bytes : {narrow, wide}) {
        MemoryFile file(bytes);
        Archive ar(file, Archive::Load, 4096, NoLimits());
        std::size_t peak = 0;
        CheckCause(
            [&] {
                peak = PeakDuring([&] {
                    std::string s;
                    ar >> s;
                });
            },
            ArchiveException::endOfFile);
        BOOST_TEST_MESSAGE("peak allocation while reading: " << gPeak.load() << " bytes");
        BOOST_TEST(gPeak.load() < 4096u);  // the message text and a few bytes of string, not gigabytes
        static_cast<void>(peak);
    }
}

BOOST_AUTO_TEST_CASE(default_limits_reject_huge_strings_and_counts_at_once) {
    CheckCause(
        [] {
            Loaded(FromHex("FF FF FF FE FF FF FF 30"), [](Archive& ar) {
                std::string s;
                ar >> s;
            });
        },
        ArchiveException::genericException);
    CheckCause([] { Loaded(FromHex("FF FF 00 00 00 10"), [](Archive& ar) { ar.ReadCount(); }); },
               ArchiveException::genericException);
    // Configurable per archive: a small limit rejects a modest string.
    ArchiveLimits small;
    small.maxStringLength = 4;
    CheckCause(
        [&] {
            Loaded(
                FromHex("05 61 62 63 64 65"),
                [](Archive& ar) {
                    std::string s;
                    ar >> s;
                },
                small);
        },
        ArchiveException::genericException);
    Loaded(
        FromHex("04 61 62 63 64"),
        [](Archive& ar) {
            std::string s;
            ar >> s;
            BOOST_TEST(s == "abcd");
        },
        small);
}

namespace {
class Chain : public Serializable {
    PORTAFX_DECLARE_SERIAL(Chain)
public:
    Chain* next = nullptr;
    ~Chain() override { delete next; }
    void Serialize(Archive& ar) override {
        if (ar.IsStoring()) {
            ar << next;
        } else {
            Serializable* p = nullptr;
            ar >> p;
            next = static_cast<Chain*>(p);
        }
    }
};
PORTAFX_IMPLEMENT_SERIAL(Chain, Serializable, 1)
}  // namespace

BOOST_AUTO_TEST_CASE(nesting_deeper_than_the_limit_is_refused_without_overflowing_the_stack) {
    // A chain 100 000 objects deep, written by hand: new class, then class references (each opens the next).
    Bytes bytes = FromHex("FF FF 01 00 05 00 43 68 61 69 6E");
    for (int i = 0; i < 100000; ++i) {
        bytes.push_back(0x01);
        bytes.push_back(0x80);
    }
    bytes.push_back(0);
    bytes.push_back(0);
    CheckCause([&] { Loaded(bytes, [](Archive& ar) { delete ar.ReadObject(nullptr); }); },
               ArchiveException::genericException);
    // Within the limit it loads.
    ArchiveLimits deep;
    deep.maxObjectDepth = 1000;
    Bytes ok = FromHex("FF FF 01 00 05 00 43 68 61 69 6E");
    for (int i = 0; i < 500; ++i) {
        ok.push_back(0x01);
        ok.push_back(0x80);
    }
    ok.push_back(0);
    ok.push_back(0);
    Loaded(
        ok, [](Archive& ar) { delete ar.ReadObject(nullptr); }, deep);
}

BOOST_AUTO_TEST_CASE(too_many_map_entries_is_bad_index) {
    ArchiveLimits few;
    few.maxMapEntries = 3;  // class + 2 objects
    Bytes bytes = FromHex("FF FF 01 00 05 00 43 68 61 69 6E 00 00 | 01 80 00 00 | 01 80 00 00");
    CheckCause(
        [&] {
            Loaded(
                bytes,
                [](Archive& ar) {
                    for (int i = 0; i < 3; ++i)
                        delete ar.ReadObject(nullptr);
                },
                few);
        },
        ArchiveException::badIndex);
}

BOOST_AUTO_TEST_CASE(only_registered_classes_are_created) {
    // A real class name that was never registered with PORTAFX_IMPLEMENT_SERIAL ("CObject" is the base).
    CheckCause(
        [] {
            Loaded(FromHex("FF FF FF FF 07 00 43 4F 62 6A 65 63 74"),
                   [](Archive& ar) { delete ar.ReadObject(nullptr); });
        },
        ArchiveException::badClass);
}
