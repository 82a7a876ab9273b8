// MemoryFile (CMemFile): reading and writing at the position, growth, Seek, SetLength, Close; and the
// defaults of File (not supported operations, ReadAvailable on top of Read).
#include <portafx/memory_file.hpp>

#define BOOST_TEST_MODULE memory_file
#include <boost/test/unit_test.hpp>

#include <portafx/exceptions.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

using namespace portafx;

// Under ASan an allocation too large to satisfy must return null (as glibc's does), not end the test, so that
// the bad_alloc path can be tested. Without ASan nothing calls this.
extern "C" const char* __asan_default_options() {  // NOLINT: the name is ASan's
    return "allocator_may_return_null=1";
}

namespace {

std::vector<std::uint8_t> Bytes(const std::string& s) {
    return {s.begin(), s.end()};
}

std::string ReadString(File& f, std::size_t n) {
    std::string s(n, '\0');
    s.resize(f.Read(s.data(), n));
    return s;
}

// A file with only Read and Write, to see File's defaults.
struct Minimal : File {
    std::size_t left = 3;
    std::size_t Read(void* buffer, std::size_t count) override {
        const std::size_t n = std::min(count, left);
        std::fill_n(static_cast<char*>(buffer), n, 'x');
        left -= n;
        return n;
    }
    void Write(const void*, std::size_t) override {}
};

template <class F>
FileException::Cause CauseOf(F&& f) {
    try {
        f();
    } catch (const FileException& e) {
        return e.GetCause();
    }
    return FileException::none;
}

}  // namespace

BOOST_AUTO_TEST_CASE(write_then_read_back) {
    MemoryFile f;
    BOOST_TEST(f.GetLength() == 0u);
    f.Write("hello", 5);
    f.Write(" world", 6);
    BOOST_TEST(f.GetLength() == 11u);
    BOOST_TEST(f.GetPosition() == 11u);
    BOOST_TEST(ReadString(f, 4).empty());  // at the end
    f.SeekToBegin();
    BOOST_TEST(ReadString(f, 5) == "hello");
    BOOST_TEST(ReadString(f, 100) == " world");
    BOOST_TEST((f.Data() == Bytes("hello world")));
    BOOST_TEST(f.GetFilePath() == "memory");
    BOOST_TEST(!f.IsBlocking());
}

BOOST_AUTO_TEST_CASE(constructed_from_bytes_reads_them_from_the_start) {
    MemoryFile f(Bytes("abcdef"));
    BOOST_TEST(f.GetPosition() == 0u);
    BOOST_TEST(f.GetLength() == 6u);
    BOOST_TEST(ReadString(f, 2) == "ab");
    f.Write("XY", 2);  // overwrites at the position
    BOOST_TEST((f.Data() == Bytes("abXYef")));
    BOOST_TEST(f.SeekToEnd() == 6u);
}

BOOST_AUTO_TEST_CASE(seek_from_each_origin) {
    MemoryFile f(Bytes("0123456789"));
    BOOST_TEST(f.Seek(3, File::begin) == 3u);
    BOOST_TEST(f.Seek(2, File::current) == 5u);
    BOOST_TEST(f.Seek(-1, File::current) == 4u);
    BOOST_TEST(f.Seek(-2, File::end) == 8u);
    BOOST_TEST(ReadString(f, 5) == "89");
    BOOST_TEST(f.Seek(0, File::current) == 10u);
}

BOOST_AUTO_TEST_CASE(seek_before_the_start_is_bad_seek_and_keeps_the_position) {
    MemoryFile f(Bytes("abc"));
    f.Seek(2, File::begin);
    BOOST_TEST(CauseOf([&] { f.Seek(-1, File::begin); }) == FileException::badSeek);
    BOOST_TEST(CauseOf([&] { f.Seek(-3, File::current); }) == FileException::badSeek);
    BOOST_TEST(CauseOf([&] { f.Seek(-4, File::end); }) == FileException::badSeek);
    BOOST_TEST(CauseOf([&] { f.Seek(INT64_MAX, File::current); }) == FileException::badSeek);
    BOOST_TEST(f.GetPosition() == 2u);
}

BOOST_AUTO_TEST_CASE(seek_past_the_end_then_write_fills_the_gap_with_zeros) {
    MemoryFile f(Bytes("ab"));
    BOOST_TEST(f.Seek(4, File::begin) == 4u);
    BOOST_TEST(f.GetLength() == 2u);  // seeking does not grow the file
    BOOST_TEST(ReadString(f, 1).empty());
    f.Write("z", 1);
    BOOST_TEST((f.Data() == std::vector<std::uint8_t>{'a', 'b', 0, 0, 'z'}));
}

BOOST_AUTO_TEST_CASE(set_length_truncates_and_extends) {
    MemoryFile f(Bytes("abcdef"));
    f.SeekToEnd();
    f.SetLength(3);
    BOOST_TEST((f.Data() == Bytes("abc")));
    BOOST_TEST(f.GetPosition() == 3u);  // moved back to the new end, as CMemFile
    f.SeekToBegin();
    f.SetLength(5);
    BOOST_TEST((f.Data() == std::vector<std::uint8_t>{'a', 'b', 'c', 0, 0}));
    BOOST_TEST(f.GetPosition() == 0u);
}

BOOST_AUTO_TEST_CASE(truncated_bytes_never_come_back) {
    // The block keeps its capacity when the file shrinks; what lay beyond the new end must read as zeros
    // when the file grows again, by SetLength or by a write after a seek past the end.
    MemoryFile f(Bytes("abcdefgh"));
    f.SetLength(2);
    f.SetLength(4);
    BOOST_TEST((f.Data() == std::vector<std::uint8_t>{'a', 'b', 0, 0}));
    f.SetLength(1);
    f.Seek(3, File::begin);
    f.Write("z", 1);
    BOOST_TEST((f.Data() == std::vector<std::uint8_t>{'a', 0, 0, 'z'}));
}

BOOST_AUTO_TEST_CASE(growth_keeps_every_byte_through_many_reallocations) {
    // 3 MiB in writes of odd sizes (the block is reallocated about 16 times), with overwrites behind the end.
    MemoryFile f;
    std::vector<std::uint8_t> expected;
    std::vector<std::uint8_t> chunk;
    std::uint32_t x = 12345;
    while (expected.size() < (3u << 20)) {
        chunk.resize(1 + (x >> 7) % 5000);
        for (auto& b : chunk) {
            x = x * 1664525u + 1013904223u;
            b = static_cast<std::uint8_t>(x >> 24);
        }
        f.Write(chunk.data(), chunk.size());
        expected.insert(expected.end(), chunk.begin(), chunk.end());
        if (expected.size() > 100 && (x & 7) == 0) {  // now and then rewrite a byte far behind the end
            const std::size_t at = x % (expected.size() - 1);
            f.Seek(static_cast<std::int64_t>(at), File::begin);
            f.Write("\x5A", 1);
            expected[at] = 0x5A;
            f.SeekToEnd();
        }
    }
    BOOST_TEST(f.GetLength() == expected.size());
    BOOST_TEST((f.Data() == expected));
    f.SeekToBegin();
    std::vector<std::uint8_t> back(expected.size());
    BOOST_TEST(f.Read(back.data(), back.size()) == expected.size());
    BOOST_TEST((back == expected));
}

BOOST_AUTO_TEST_CASE(data_is_a_view_that_copies_into_a_vector) {
    MemoryFile empty;
    BOOST_TEST(empty.Data().empty());
    BOOST_TEST((empty.Data() == std::vector<std::uint8_t>{}));
    MemoryFile f(Bytes("xyz"));
    const MemoryBytes view = f.Data();
    BOOST_TEST(view.size() == 3u);
    BOOST_TEST(view[1] == 'y');
    BOOST_TEST(std::string(view.begin(), view.end()) == "xyz");
    const std::vector<std::uint8_t> copy = f.Data();
    BOOST_TEST((copy == Bytes("xyz")));
    BOOST_TEST((f.Data() != Bytes("xy")));
    BOOST_TEST((Bytes("xyz") == f.Data()));
    const std::uint8_t raw[] = {1, 2, 3};
    MemoryFile fromPointer(raw, sizeof raw);
    BOOST_TEST((fromPointer.Data() == std::vector<std::uint8_t>{1, 2, 3}));
}

BOOST_AUTO_TEST_CASE(detach_hands_over_the_block_and_leaves_an_empty_file) {
    MemoryFile f;
    f.Write("hello", 5);
    const std::uint8_t* before = f.Data().data();
    std::size_t length = 99;
    std::uint8_t* block = f.Detach(length);
    BOOST_TEST(length == 5u);
    BOOST_TEST(block == before);  // the file's own block, not a copy
    BOOST_TEST(std::string(reinterpret_cast<const char*>(block), length) == "hello");
    std::free(block);
    BOOST_TEST(f.GetLength() == 0u);
    BOOST_TEST(f.GetPosition() == 0u);
    BOOST_TEST(f.Data().empty());
    f.Write("again", 5);  // still usable: a new block
    BOOST_TEST((f.Data() == Bytes("again")));

    MemoryFile empty;
    length = 99;
    BOOST_TEST(empty.Detach(length) == nullptr);
    BOOST_TEST(length == 0u);
}

BOOST_AUTO_TEST_CASE(a_write_past_the_largest_length_is_disk_full_and_changes_nothing) {
    MemoryFile f(Bytes("abc"));
    const auto largest = static_cast<std::int64_t>(PTRDIFF_MAX);
    BOOST_TEST(f.Seek(largest, File::begin) == static_cast<std::uint64_t>(largest));
    BOOST_TEST(CauseOf([&] { f.Write("x", 1); }) == FileException::diskFull);
    BOOST_TEST(f.GetPosition() == static_cast<std::uint64_t>(largest));
    BOOST_TEST((f.Data() == Bytes("abc")));
    BOOST_TEST(CauseOf([&] { f.SetLength(static_cast<std::uint64_t>(largest) + 1); }) == FileException::diskFull);
    BOOST_TEST(f.GetLength() == 3u);
}

BOOST_AUTO_TEST_CASE(running_out_of_memory_is_bad_alloc_and_changes_nothing) {
    // No allocator gives PTRDIFF_MAX bytes: realloc fails, and the file keeps its bytes, length and position.
    MemoryFile f(Bytes("abc"));
    f.Seek(1, File::begin);
    BOOST_CHECK_THROW(f.SetLength(static_cast<std::uint64_t>(PTRDIFF_MAX)), std::bad_alloc);
    BOOST_TEST(f.GetLength() == 3u);
    BOOST_TEST(f.GetPosition() == 1u);
    BOOST_TEST((f.Data() == Bytes("abc")));
    const auto far = static_cast<std::int64_t>(PTRDIFF_MAX / 2);
    f.Seek(far, File::begin);
    BOOST_CHECK_THROW(f.Write("x", 1), std::bad_alloc);
    BOOST_TEST(f.GetPosition() == static_cast<std::uint64_t>(far));
    BOOST_TEST((f.Data() == Bytes("abc")));
    f.SeekToEnd();
    f.Write("d", 1);  // still usable
    BOOST_TEST((f.Data() == Bytes("abcd")));
}

BOOST_AUTO_TEST_CASE(after_close_operations_fail_with_invalid_file) {
    MemoryFile f(Bytes("abc"));
    f.Close();
    char c;
    BOOST_TEST(CauseOf([&] { f.Read(&c, 1); }) == FileException::invalidFile);
    BOOST_TEST(CauseOf([&] { f.Write("x", 1); }) == FileException::invalidFile);
    BOOST_TEST(CauseOf([&] { f.Seek(0, File::begin); }) == FileException::invalidFile);
    BOOST_TEST(CauseOf([&] { f.GetLength(); }) == FileException::invalidFile);
    BOOST_TEST(CauseOf([&] { f.GetPosition(); }) == FileException::invalidFile);
    BOOST_TEST(CauseOf([&] { f.SetLength(0); }) == FileException::invalidFile);
    BOOST_TEST((f.Data() == Bytes("abc")));  // the bytes stay readable
    f.Close();                               // twice is fine
}

BOOST_AUTO_TEST_CASE(read_available_is_read_and_reports_the_end) {
    MemoryFile f(Bytes("abc"));
    char buf[8];
    bool eof = false;
    BOOST_TEST(f.ReadAvailable(buf, 2, eof) == 2u);
    BOOST_TEST(!eof);
    BOOST_TEST(f.ReadAvailable(buf, 0, eof) == 0u);
    BOOST_TEST(!eof);  // a zero count is not the end
    BOOST_TEST(f.ReadAvailable(buf, 8, eof) == 1u);
    BOOST_TEST(!eof);
    BOOST_TEST(f.ReadAvailable(buf, 8, eof) == 0u);
    BOOST_TEST(eof);
}

BOOST_AUTO_TEST_CASE(file_defaults_do_not_seek_and_name_the_operation) {
    Minimal f;
    const auto message = [&](auto op) {
        try {
            op();
        } catch (const NotSupportedException& e) {
            return std::string(e.what());
        }
        return std::string("no exception");
    };
    BOOST_TEST(message([&] { f.Seek(0, File::begin); }).find("Seek") != std::string::npos);
    BOOST_TEST(message([&] { f.SeekToBegin(); }).find("Seek") != std::string::npos);
    BOOST_TEST(message([&] { f.GetLength(); }).find("GetLength") != std::string::npos);
    BOOST_TEST(message([&] { f.GetPosition(); }).find("GetPosition") != std::string::npos);
    BOOST_TEST(message([&] { f.SetLength(1); }).find("SetLength") != std::string::npos);
    BOOST_TEST(f.GetFilePath().empty());
    BOOST_TEST(!f.IsBlocking());
    f.Flush();
    f.Close();
    char buf[4];
    bool eof = false;
    BOOST_TEST(f.ReadAvailable(buf, 4, eof) == 3u);
    BOOST_TEST(!eof);
    BOOST_TEST(f.ReadAvailable(buf, 4, eof) == 0u);
    BOOST_TEST(eof);
}
