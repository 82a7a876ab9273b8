// portafx — the exceptions of files and archives: CException, CArchiveException, CFileException and
// CNotSupportedException, with MFC's cause codes.
//
// Every exception carries a cause (MFC's numbers) and a message that says what failed and why; `what()`
// returns the message. They derive from std::runtime_error through portafx::Exception, so code that catches
// std::exception sees them too.
#pragma once

#include <stdexcept>
#include <string>

namespace portafx {

/// The base of portafx's exceptions (MFC: CException).
class Exception : public std::runtime_error {
public:
    explicit Exception(const std::string& message) : std::runtime_error(message) {}
};

/// A failure of an Archive (MFC: CArchiveException), with MFC's cause codes.
class ArchiveException : public Exception {
public:
    /// MFC's `CArchiveException::m_cause` values, numbers included.
    enum Cause {
        none = 0,
        genericException = 1,  ///< misuse, or a limit of this archive exceeded (string, count, depth)
        readOnly = 2,          ///< storing into a loading archive
        endOfFile = 3,         ///< the stream ended inside an item (a peer closed mid-message)
        writeOnly = 4,         ///< loading from a storing archive
        badIndex = 5,          ///< an object or class index out of range or of the wrong kind
        badClass = 6,          ///< an unknown class, a name over 63 characters, or the wrong class
        badSchema = 7,         ///< a schema that does not match a non-versionable class
        bufferFull = 8,        ///< an item larger than the archive's buffer
    };

    /// `message` says what happened; `fileName` names the file (may be empty).
    ArchiveException(Cause cause, const std::string& message, std::string fileName = {});

    Cause GetCause() const noexcept { return cause_; }
    const std::string& GetFileName() const noexcept { return fileName_; }

    /// MFC's name of a cause: "endOfFile", "badClass", ...
    static const char* CauseName(Cause cause) noexcept;

    int m_cause;  ///< MFC's public member, the same as GetCause()

private:
    Cause cause_;
    std::string fileName_;
};

/// A failure of a File (MFC: CFileException), with MFC's cause codes and the OS (or WSA) error.
class FileException : public Exception {
public:
    /// MFC's `CFileException::m_cause` values, numbers included.
    enum Cause {
        none = 0,
        genericException = 1,
        fileNotFound = 2,
        badPath = 3,
        tooManyOpenFiles = 4,
        accessDenied = 5,
        invalidFile = 6,
        removeCurrentDir = 7,
        directoryFull = 8,
        badSeek = 9,
        hardIO = 10,
        sharingViolation = 11,
        lockViolation = 12,
        diskFull = 13,
        endOfFile = 14,
    };

    /// `osError` is errno for disk files and the WSA number (SocketError) for socket files.
    FileException(Cause cause, long osError, const std::string& message, std::string fileName = {});

    Cause GetCause() const noexcept { return cause_; }
    long GetOsError() const noexcept { return osError_; }
    const std::string& GetFileName() const noexcept { return fileName_; }

    /// The cause MFC would give for an errno value (ENOENT → fileNotFound, EACCES → accessDenied, ...).
    static Cause CauseFromErrno(int errnoValue) noexcept;

    int m_cause;      ///< MFC's public member, the same as GetCause()
    long m_lOsError;  ///< MFC's public member, the same as GetOsError()

private:
    Cause cause_;
    long osError_;
    std::string fileName_;
};

/// An operation the object does not support, e.g. Seek on a socket file (MFC: CNotSupportedException).
class NotSupportedException : public Exception {
public:
    explicit NotSupportedException(const std::string& message) : Exception(message) {}
};

}  // namespace portafx
