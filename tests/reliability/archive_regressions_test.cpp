// Regressions found while hardening the archive's loaders (fuzz/, docs/reliability.md): each case is the
// smallest input or call sequence that showed the fault, and checks the clean outcome.
#include <portafx/archive.hpp>
#include <portafx/memory_file.hpp>

#define BOOST_TEST_MODULE archive_regressions
#include "archive_test_support.hpp"

using namespace portafx;
using namespace portafx::test;

// A loading Flush inside a transaction gave the unread bytes back to the file and emptied the buffer; the
// rollback then put the read position past the end of the buffered data (end - cur negative, taken as a
// huge size): stale bytes were read, and bytes were lost or read twice. It is now refused, and the
// transaction still rolls back intact.
BOOST_AUTO_TEST_CASE(loading_flush_inside_a_transaction_is_refused) {
    MemoryFile file(FromHex("01 00 00 00 | 02 00 00 00 | 03 00 00 00"));
    Archive ar(file, Archive::Load, 128);
    std::uint32_t v = 0;
    ar >> v;
    BOOST_TEST(v == 1u);
    ar.StartTransaction();
    ar >> v;
    BOOST_TEST(v == 2u);
    CheckCause([&] { ar.Flush(); }, ArchiveException::genericException);
    BOOST_TEST(ar.InTransaction());
    ar.RollbackTransaction();
    std::uint32_t again = 0, last = 0;
    ar >> again >> last;
    BOOST_TEST(again == 2u);
    BOOST_TEST(last == 3u);
    // Outside a transaction Flush gives the unread bytes back, as before.
    MemoryFile other(FromHex("05 06"));
    Archive ar2(other, Archive::Load);
    std::uint8_t b = 0;
    ar2 >> b;
    ar2.Flush();
    BOOST_TEST(other.GetPosition() == 1u);
}

// TryRead around a Flush: the exception rolls back and propagates; nothing is lost.
BOOST_AUTO_TEST_CASE(try_read_with_a_flush_inside_rolls_back) {
    MemoryFile file(FromHex("07 08"));
    Archive ar(file, Archive::Load);
    CheckCause(
        [&] {
            ar.TryRead([](Archive& a) {
                std::uint8_t x = 0;
                a >> x;
                a.Flush();
            });
        },
        ArchiveException::genericException);
    BOOST_TEST(!ar.InTransaction());
    std::uint8_t x = 0, y = 0;
    ar >> x >> y;
    BOOST_TEST(x == 7);
    BOOST_TEST(y == 8);
}

// Found by a long run of archive_transaction_fuzzer: a rollback reset the object schema to "none" instead of
// restoring it, so a message that starts by asking GetObjectSchema (a schema left by an earlier ReadClass)
// read 0xFFFFFFFF when it was retried after more bytes arrived, and 1 when read in one piece.
BOOST_AUTO_TEST_CASE(rollback_restores_the_object_schema_it_started_with) {
    MemoryFile file(FromHex("07 00 00 00"));
    Archive ar(file, Archive::Load, 128);
    ar.SetObjectSchema(5);  // as ReadClass leaves it for the Serialize that follows
    ar.StartTransaction();
    BOOST_TEST(ar.GetObjectSchema() == 5u);
    std::uint32_t v = 0;
    ar >> v;
    ar.RollbackTransaction();
    BOOST_TEST(ar.GetObjectSchema() == 5u);                 // the retry sees what the first attempt saw
    BOOST_TEST(ar.GetObjectSchema() == Archive::NoSchema);  // and it is still one-shot
    const bool read = ar.TryRead([&](Archive& a) { a >> v; });
    BOOST_TEST(read);
    BOOST_TEST(v == 7u);
}
