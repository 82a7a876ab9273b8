// portafx — DiskFile: a File on disk (MFC: CFile), with MFC's open flags.
//
// Unbuffered: every Read and Write is a system call (POSIX open/read/write/lseek/ftruncate), so written
// bytes are in the operating system's hands when Write returns and Flush has nothing to do. Failures throw
// FileException with the cause MFC would give (FileException::CauseFromErrno), `m_lOsError` = errno, and a
// message with the operation and the system's text; the exception's file name is the path.
#pragma once

#include <portafx/file.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace portafx {

class FileException;

/// A seekable File on disk (MFC: CFile).
class DiskFile : public File {
public:
    /// MFC's `CFile::OpenFlags`, values included. Combine one access mode with modeCreate/modeNoTruncate.
    enum OpenFlags : unsigned {
        modeRead = 0x0000,          ///< read only
        modeWrite = 0x0001,         ///< write only
        modeReadWrite = 0x0002,     ///< read and write
        shareCompat = 0x0000,       ///< accepted and ignored (POSIX has no share modes)
        shareExclusive = 0x0010,    ///< accepted and ignored
        shareDenyWrite = 0x0020,    ///< accepted and ignored
        shareDenyRead = 0x0030,     ///< accepted and ignored
        shareDenyNone = 0x0040,     ///< accepted and ignored
        modeNoInherit = 0x0080,     ///< accepted; portafx never lets a child process inherit the handle
        modeCreate = 0x1000,        ///< create the file if missing, else truncate it (unless modeNoTruncate)
        modeNoTruncate = 0x2000,    ///< with modeCreate: keep an existing file's contents
        typeText = 0x4000,          ///< rejected (genericException, EINVAL), as CFile does
        typeBinary = 0x8000,        ///< accepted (every DiskFile is binary)
        osNoBuffer = 0x10000,       ///< accepted and ignored
        osWriteThrough = 0x20000,   ///< accepted and ignored
        osRandomAccess = 0x40000,   ///< accepted and ignored
        osSequentialScan = 0x80000  ///< accepted and ignored
    };

    /// A closed file; call Open.
    DiskFile() = default;

    /// Opens `path` with `openFlags` (OpenFlags combined). Throws FileException: cause from errno
    /// (fileNotFound, accessDenied for a directory or missing permission, badPath, ...), `m_lOsError` =
    /// errno, the path and the system's text in the message.
    DiskFile(const std::string& path, unsigned openFlags);

    /// Closes the file if it is open, ignoring errors (never throws).
    ~DiskFile() override;

    /// Opens `path` with `openFlags`, MFC's non-throwing form: returns false on failure and, if `error` is
    /// given, assigns it the FileException the throwing constructor would have thrown. Fails (EBUSY) if
    /// this object already has an open file.
    bool Open(const std::string& path, unsigned openFlags, FileException* error = nullptr);

    /// True while a file is open.
    bool IsOpen() const noexcept { return fd_ >= 0; }

    /// Reads up to `count` bytes from the position; returns how many, fewer only at the end of the file
    /// (0 there). Throws FileException on an error, FileException(invalidFile) if no file is open.
    std::size_t Read(void* buffer, std::size_t count) override;

    /// Writes all `count` bytes at the position (short writes are continued). Throws FileException
    /// (diskFull, accessDenied for a file opened modeRead, ...), FileException(invalidFile) if not open.
    void Write(const void* buffer, std::size_t count) override;

    /// Nothing to do: writes are not buffered. Does nothing either on a closed file, as CFile::Flush.
    void Flush() override;

    /// Closes the file and forgets its path. Throws FileException if the system reports an error (the
    /// file is closed anyway). Does nothing if no file is open.
    void Close() override;

    /// Moves the position; returns the new one. Positions past the end are allowed (a write there extends
    /// the file). Throws FileException(badSeek) for a position before the start, FileException(invalidFile)
    /// if not open.
    std::uint64_t Seek(std::int64_t offset, SeekPosition from) override;

    /// The length in bytes. Throws FileException on an error or if not open.
    std::uint64_t GetLength() const override;

    /// The position. Throws FileException on an error or if not open.
    std::uint64_t GetPosition() const override;

    /// Truncates, or extends with zero bytes; the position moves to the new length, as CFile::SetLength
    /// does. Throws FileException (accessDenied for a file opened modeRead, ...) or if not open.
    void SetLength(std::uint64_t length) override;

    /// The path given to Open, empty when no file is open.
    std::string GetFilePath() const override { return path_; }

private:
    [[noreturn]] void ThrowErrno(const char* operation, int error, const std::string& context = {}) const;
    void RequireOpen(const char* operation) const;

    int fd_ = -1;
    std::string path_;
};

}  // namespace portafx
