// DiskFile (CFile): MFC's open flags, reading and writing, Seek, SetLength, and the errors (cause, errno,
// path) of the throwing and non-throwing opens. Files live in a fresh mkdtemp directory, removed after.
#include <portafx/disk_file.hpp>

#define BOOST_TEST_MODULE disk_file
#include <boost/test/unit_test.hpp>

#include <portafx/exceptions.hpp>

#include <stdlib.h>  // mkdtemp
#include <sys/stat.h>

#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <string>

using namespace portafx;

namespace {

// A temporary directory for one test case.
struct TempDir {
    std::string dir;
    TempDir() {
        char name[] = "/tmp/portafx_disk_file_XXXXXX";
        BOOST_REQUIRE(::mkdtemp(name) != nullptr);
        dir = name;
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(dir, ignored);
    }
    std::string Path(const std::string& name) const { return dir + "/" + name; }
};

std::string ReadString(File& f, std::size_t n) {
    std::string s(n, '\0');
    s.resize(f.Read(s.data(), n));
    return s;
}

std::uint64_t SizeOnDisk(const std::string& path) {
    return std::filesystem::file_size(path);
}

// The FileException `f` throws (cause none if it throws nothing).
template <class F>
FileException Thrown(F&& f) {
    try {
        f();
    } catch (const FileException& e) {
        return e;
    }
    return FileException(FileException::none, 0, "nothing thrown");
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(disk_file, TempDir)

BOOST_AUTO_TEST_CASE(create_write_and_read_back) {
    const std::string path = Path("a.bin");
    {
        DiskFile f(path, DiskFile::modeCreate | DiskFile::modeWrite | DiskFile::typeBinary | DiskFile::shareDenyNone);
        BOOST_TEST(f.IsOpen());
        BOOST_TEST(f.GetFilePath() == path);
        f.Write("hello ", 6);
        f.Write("world", 5);
        f.Flush();
        BOOST_TEST(f.GetLength() == 11u);
        BOOST_TEST(SizeOnDisk(path) == 11u);  // written through, no user-space buffer
    }
    DiskFile f(path, DiskFile::modeRead);
    BOOST_TEST(ReadString(f, 5) == "hello");
    BOOST_TEST(f.GetPosition() == 5u);
    BOOST_TEST(ReadString(f, 100) == " world");
    BOOST_TEST(ReadString(f, 100).empty());
    f.Close();
    BOOST_TEST(!f.IsOpen());
    BOOST_TEST(f.GetFilePath().empty());
    f.Close();  // twice is fine
    char c;
    BOOST_TEST(Thrown([&] { f.Read(&c, 1); }).GetCause() == FileException::invalidFile);
}

BOOST_AUTO_TEST_CASE(create_truncates_unless_no_truncate) {
    const std::string path = Path("t.bin");
    DiskFile(path, DiskFile::modeCreate | DiskFile::modeWrite).Write("abcdef", 6);
    {
        DiskFile f(path, DiskFile::modeCreate | DiskFile::modeNoTruncate | DiskFile::modeReadWrite);
        BOOST_TEST(f.GetLength() == 6u);
        BOOST_TEST(f.SeekToEnd() == 6u);
        f.Write("gh", 2);
    }
    BOOST_TEST(SizeOnDisk(path) == 8u);
    DiskFile(path, DiskFile::modeCreate | DiskFile::modeWrite);
    BOOST_TEST(SizeOnDisk(path) == 0u);
}

BOOST_AUTO_TEST_CASE(opening_a_missing_file_is_file_not_found) {
    const std::string path = Path("missing.bin");
    const FileException e = Thrown([&] { DiskFile f(path, DiskFile::modeRead); });
    BOOST_TEST(e.GetCause() == FileException::fileNotFound);
    BOOST_TEST(e.m_cause == 2);
    BOOST_TEST(e.m_lOsError == ENOENT);
    BOOST_TEST(e.GetFileName() == path);
    BOOST_TEST(std::string(e.what()).find(path) != std::string::npos);
    BOOST_TEST(std::string(e.what()).find("fileNotFound") != std::string::npos);
    BOOST_TEST(std::string(e.what()).find("No such file") != std::string::npos);  // strerror
}

BOOST_AUTO_TEST_CASE(a_missing_directory_in_the_path_and_a_file_as_directory) {
    BOOST_TEST(Thrown([&] { DiskFile f(Path("nodir/x"), DiskFile::modeRead); }).GetCause() ==
               FileException::fileNotFound);
    DiskFile(Path("plain"), DiskFile::modeCreate | DiskFile::modeWrite);
    const FileException e = Thrown([&] { DiskFile f(Path("plain/x"), DiskFile::modeRead); });
    BOOST_TEST(e.GetCause() == FileException::badPath);
    BOOST_TEST(e.m_lOsError == ENOTDIR);
}

BOOST_AUTO_TEST_CASE(a_directory_cannot_be_opened_as_a_file) {
    const FileException reading = Thrown([&] { DiskFile f(dir, DiskFile::modeRead); });
    BOOST_TEST(reading.GetCause() == FileException::accessDenied);
    BOOST_TEST(reading.m_lOsError == EISDIR);
    const FileException writing = Thrown([&] { DiskFile f(dir, DiskFile::modeWrite); });
    BOOST_TEST(writing.GetCause() == FileException::accessDenied);
    BOOST_TEST(writing.m_lOsError == EISDIR);
}

BOOST_AUTO_TEST_CASE(writing_a_file_opened_for_reading_fails) {
    const std::string path = Path("ro.bin");
    DiskFile(path, DiskFile::modeCreate | DiskFile::modeWrite).Write("abc", 3);
    DiskFile f(path, DiskFile::modeRead);
    const FileException e = Thrown([&] { f.Write("x", 1); });
    BOOST_TEST(e.GetCause() == FileException::accessDenied);
    BOOST_TEST(e.m_lOsError == EBADF);
    BOOST_TEST(e.GetFileName() == path);
    BOOST_TEST(Thrown([&] { f.SetLength(0); }).GetCause() == FileException::accessDenied);
    BOOST_TEST(SizeOnDisk(path) == 3u);

    DiskFile w(path, DiskFile::modeWrite);
    char c;
    BOOST_TEST(Thrown([&] { w.Read(&c, 1); }).GetCause() == FileException::accessDenied);
}

BOOST_AUTO_TEST_CASE(seek_before_the_start_is_bad_seek) {
    DiskFile f(Path("s.bin"), DiskFile::modeCreate | DiskFile::modeReadWrite);
    f.Write("0123456789", 10);
    BOOST_TEST(f.Seek(2, File::begin) == 2u);
    BOOST_TEST(f.Seek(3, File::current) == 5u);
    BOOST_TEST(f.Seek(-1, File::end) == 9u);
    BOOST_TEST(ReadString(f, 4) == "9");
    const FileException e = Thrown([&] { f.Seek(-11, File::end); });
    BOOST_TEST(e.GetCause() == FileException::badSeek);
    BOOST_TEST(e.m_cause == 9);
    BOOST_TEST(Thrown([&] { f.Seek(-1, File::begin); }).GetCause() == FileException::badSeek);
    BOOST_TEST(f.GetPosition() == 10u);  // unchanged
}

BOOST_AUTO_TEST_CASE(seek_past_the_end_then_write_extends_with_zeros) {
    DiskFile f(Path("gap.bin"), DiskFile::modeCreate | DiskFile::modeReadWrite);
    f.Write("ab", 2);
    BOOST_TEST(f.Seek(4, File::begin) == 4u);
    f.Write("z", 1);
    f.SeekToBegin();
    BOOST_TEST(ReadString(f, 10) == std::string("ab\0\0z", 5));
}

BOOST_AUTO_TEST_CASE(set_length_truncates_and_extends) {
    const std::string path = Path("len.bin");
    DiskFile f(path, DiskFile::modeCreate | DiskFile::modeReadWrite);
    f.Write("abcdef", 6);
    f.SetLength(3);
    BOOST_TEST(f.GetLength() == 3u);
    BOOST_TEST(f.GetPosition() == 3u);  // CFile::SetLength seeks to the new length
    f.SetLength(8);
    BOOST_TEST(SizeOnDisk(path) == 8u);
    BOOST_TEST(f.GetPosition() == 8u);
    f.SeekToBegin();
    BOOST_TEST(ReadString(f, 100) == std::string("abc\0\0\0\0\0", 8));
}

BOOST_AUTO_TEST_CASE(non_throwing_open_fills_the_exception) {
    DiskFile f;
    BOOST_TEST(!f.IsOpen());
    FileException error(FileException::none, 0, "");
    BOOST_TEST(!f.Open(Path("missing"), DiskFile::modeRead, &error));
    BOOST_TEST(error.GetCause() == FileException::fileNotFound);
    BOOST_TEST(error.m_lOsError == ENOENT);
    BOOST_TEST(error.GetFileName() == Path("missing"));
    BOOST_TEST(!f.Open(Path("missing"), DiskFile::modeRead));  // without an exception object
    BOOST_TEST(!f.IsOpen());

    BOOST_TEST(f.Open(Path("new"), DiskFile::modeCreate | DiskFile::modeReadWrite, &error));
    BOOST_TEST(f.IsOpen());
    BOOST_TEST(!f.Open(Path("other"), DiskFile::modeRead, &error));  // already open
    BOOST_TEST(error.GetCause() == FileException::genericException);
    BOOST_TEST(f.GetFilePath() == Path("new"));
}

BOOST_AUTO_TEST_CASE(invalid_flags_are_refused) {
    DiskFile f;
    FileException error(FileException::none, 0, "");
    BOOST_TEST(!f.Open(Path("x"), DiskFile::modeCreate | DiskFile::modeWrite | DiskFile::typeText, &error));
    BOOST_TEST(error.m_lOsError == EINVAL);
    BOOST_TEST(!f.Open(Path("x"), DiskFile::modeCreate | 3u, &error));
    BOOST_TEST(error.m_lOsError == EINVAL);
}

BOOST_AUTO_TEST_CASE(operations_on_a_closed_file_are_invalid_file) {
    DiskFile f;
    char c;
    BOOST_TEST(Thrown([&] { f.Read(&c, 1); }).GetCause() == FileException::invalidFile);
    BOOST_TEST(Thrown([&] { f.Write("x", 1); }).GetCause() == FileException::invalidFile);
    BOOST_TEST(Thrown([&] { f.Seek(0, File::begin); }).GetCause() == FileException::invalidFile);
    BOOST_TEST(Thrown([&] { f.GetLength(); }).GetCause() == FileException::invalidFile);
    BOOST_TEST(Thrown([&] { f.GetPosition(); }).GetCause() == FileException::invalidFile);
    BOOST_TEST(Thrown([&] { f.SetLength(0); }).GetCause() == FileException::invalidFile);
    f.Flush();  // does nothing, as CFile::Flush on a closed file
    f.Close();
}

BOOST_AUTO_TEST_CASE(read_available_reads_and_reports_the_end) {
    const std::string path = Path("ra.bin");
    DiskFile(path, DiskFile::modeCreate | DiskFile::modeWrite).Write("xyz", 3);
    DiskFile f(path, DiskFile::modeRead);
    char buf[8];
    bool eof = false;
    BOOST_TEST(f.ReadAvailable(buf, 8, eof) == 3u);
    BOOST_TEST(!eof);
    BOOST_TEST(f.ReadAvailable(buf, 8, eof) == 0u);
    BOOST_TEST(eof);
}

BOOST_AUTO_TEST_SUITE_END()
