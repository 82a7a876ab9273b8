// ArchiveException, FileException, NotSupportedException: MFC's cause numbers, messages that name the
// cause, and the errno → cause mapping.
#include <portafx/exceptions.hpp>

#define BOOST_TEST_MODULE exceptions
#include <boost/test/unit_test.hpp>

#include <cerrno>
#include <string>

using namespace portafx;

namespace {

bool Contains(const char* text, const std::string& part) {
    return std::string(text).find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_CASE(archive_causes_have_mfc_numbers) {
    BOOST_TEST(ArchiveException::none == 0);
    BOOST_TEST(ArchiveException::genericException == 1);
    BOOST_TEST(ArchiveException::readOnly == 2);
    BOOST_TEST(ArchiveException::endOfFile == 3);
    BOOST_TEST(ArchiveException::writeOnly == 4);
    BOOST_TEST(ArchiveException::badIndex == 5);
    BOOST_TEST(ArchiveException::badClass == 6);
    BOOST_TEST(ArchiveException::badSchema == 7);
    BOOST_TEST(ArchiveException::bufferFull == 8);
}

BOOST_AUTO_TEST_CASE(file_causes_have_mfc_numbers) {
    BOOST_TEST(FileException::none == 0);
    BOOST_TEST(FileException::genericException == 1);
    BOOST_TEST(FileException::fileNotFound == 2);
    BOOST_TEST(FileException::badPath == 3);
    BOOST_TEST(FileException::tooManyOpenFiles == 4);
    BOOST_TEST(FileException::accessDenied == 5);
    BOOST_TEST(FileException::invalidFile == 6);
    BOOST_TEST(FileException::removeCurrentDir == 7);
    BOOST_TEST(FileException::directoryFull == 8);
    BOOST_TEST(FileException::badSeek == 9);
    BOOST_TEST(FileException::hardIO == 10);
    BOOST_TEST(FileException::sharingViolation == 11);
    BOOST_TEST(FileException::lockViolation == 12);
    BOOST_TEST(FileException::diskFull == 13);
    BOOST_TEST(FileException::endOfFile == 14);
}

BOOST_AUTO_TEST_CASE(archive_exception_message_names_cause_message_and_file) {
    const ArchiveException e(ArchiveException::endOfFile, "the stream ended inside an item", "x");
    BOOST_TEST(std::string(e.what()) == "Archive: endOfFile: the stream ended inside an item (file 'x')");
    BOOST_TEST(e.GetCause() == ArchiveException::endOfFile);
    BOOST_TEST(e.m_cause == 3);
    BOOST_TEST(e.GetFileName() == "x");

    const ArchiveException bare(ArchiveException::badClass, "unknown class CFoo");
    BOOST_TEST(std::string(bare.what()) == "Archive: badClass: unknown class CFoo");
    BOOST_TEST(bare.GetFileName().empty());
}

BOOST_AUTO_TEST_CASE(archive_cause_names) {
    BOOST_TEST(ArchiveException::CauseName(ArchiveException::none) == std::string("none"));
    BOOST_TEST(ArchiveException::CauseName(ArchiveException::genericException) == std::string("genericException"));
    BOOST_TEST(ArchiveException::CauseName(ArchiveException::readOnly) == std::string("readOnly"));
    BOOST_TEST(ArchiveException::CauseName(ArchiveException::writeOnly) == std::string("writeOnly"));
    BOOST_TEST(ArchiveException::CauseName(ArchiveException::badIndex) == std::string("badIndex"));
    BOOST_TEST(ArchiveException::CauseName(ArchiveException::badSchema) == std::string("badSchema"));
    BOOST_TEST(ArchiveException::CauseName(ArchiveException::bufferFull) == std::string("bufferFull"));
    BOOST_TEST(ArchiveException::CauseName(static_cast<ArchiveException::Cause>(42)) == std::string("unknown cause"));
}

BOOST_AUTO_TEST_CASE(file_exception_message_and_members) {
    const FileException e(FileException::genericException, 10054, "Receive: reset", "socket 127.0.0.1:7000");
    BOOST_TEST(Contains(e.what(), "genericException"));
    BOOST_TEST(Contains(e.what(), "Receive: reset"));
    BOOST_TEST(Contains(e.what(), "socket 127.0.0.1:7000"));
    BOOST_TEST(e.GetCause() == FileException::genericException);
    BOOST_TEST(e.m_cause == 1);
    BOOST_TEST(e.GetOsError() == 10054);
    BOOST_TEST(e.m_lOsError == 10054);
    BOOST_TEST(e.GetFileName() == "socket 127.0.0.1:7000");
    BOOST_TEST(Contains(FileException(FileException::endOfFile, 0, "m").what(), "endOfFile"));
}

BOOST_AUTO_TEST_CASE(all_derive_from_exception_and_std_exception) {
    try {
        throw NotSupportedException("Seek is not supported");
    } catch (const Exception& e) {
        BOOST_TEST(std::string(e.what()) == "Seek is not supported");
    }
    try {
        throw FileException(FileException::badSeek, 0, "before the start");
    } catch (const std::exception& e) {
        BOOST_TEST(Contains(e.what(), "badSeek"));
    }
    try {
        throw ArchiveException(ArchiveException::readOnly, "storing into a loading archive");
    } catch (const std::runtime_error& e) {
        BOOST_TEST(Contains(e.what(), "readOnly"));
    }
}

BOOST_AUTO_TEST_CASE(cause_from_errno) {
    BOOST_TEST(FileException::CauseFromErrno(ENOENT) == FileException::fileNotFound);
    BOOST_TEST(FileException::CauseFromErrno(ENOTDIR) == FileException::badPath);
    BOOST_TEST(FileException::CauseFromErrno(ENAMETOOLONG) == FileException::badPath);
    BOOST_TEST(FileException::CauseFromErrno(EMFILE) == FileException::tooManyOpenFiles);
    BOOST_TEST(FileException::CauseFromErrno(ENFILE) == FileException::tooManyOpenFiles);
    BOOST_TEST(FileException::CauseFromErrno(EACCES) == FileException::accessDenied);
    BOOST_TEST(FileException::CauseFromErrno(EPERM) == FileException::accessDenied);
    BOOST_TEST(FileException::CauseFromErrno(EROFS) == FileException::accessDenied);
    BOOST_TEST(FileException::CauseFromErrno(EISDIR) == FileException::accessDenied);
    BOOST_TEST(FileException::CauseFromErrno(EBADF) == FileException::invalidFile);
    BOOST_TEST(FileException::CauseFromErrno(ENOSPC) == FileException::diskFull);
    BOOST_TEST(FileException::CauseFromErrno(EIO) == FileException::hardIO);
    BOOST_TEST(FileException::CauseFromErrno(EINVAL) == FileException::genericException);
    BOOST_TEST(FileException::CauseFromErrno(EAGAIN) == FileException::genericException);
    BOOST_TEST(FileException::CauseFromErrno(0) == FileException::none);
}
