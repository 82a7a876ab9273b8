// The exceptions of files and archives: messages that name the cause, and the errno → cause mapping.
#include <portafx/exceptions.hpp>

#include <cerrno>
#include <utility>

namespace portafx {

namespace {

// "<kind>: <cause>: <message> (file '<fileName>')", leaving out the empty parts.
std::string Compose(const char* kind, const char* causeName, const std::string& message, const std::string& fileName) {
    std::string text = kind;
    text += ": ";
    text += causeName;
    if (!message.empty()) {
        text += ": ";
        text += message;
    }
    if (!fileName.empty()) {
        text += " (file '";
        text += fileName;
        text += "')";
    }
    return text;
}

const char* FileCauseName(FileException::Cause cause) noexcept {
    switch (cause) {
    case FileException::none: return "none";
    case FileException::genericException: return "genericException";
    case FileException::fileNotFound: return "fileNotFound";
    case FileException::badPath: return "badPath";
    case FileException::tooManyOpenFiles: return "tooManyOpenFiles";
    case FileException::accessDenied: return "accessDenied";
    case FileException::invalidFile: return "invalidFile";
    case FileException::removeCurrentDir: return "removeCurrentDir";
    case FileException::directoryFull: return "directoryFull";
    case FileException::badSeek: return "badSeek";
    case FileException::hardIO: return "hardIO";
    case FileException::sharingViolation: return "sharingViolation";
    case FileException::lockViolation: return "lockViolation";
    case FileException::diskFull: return "diskFull";
    case FileException::endOfFile: return "endOfFile";
    }
    return "unknown cause";
}

}  // namespace

// --- ArchiveException ----------------------------------------------------------------------------

ArchiveException::ArchiveException(Cause cause, const std::string& message, std::string fileName)
    : Exception(Compose("Archive", CauseName(cause), message, fileName)),
      m_cause(cause),
      cause_(cause),
      fileName_(std::move(fileName)) {}

const char* ArchiveException::CauseName(Cause cause) noexcept {
    switch (cause) {
    case none: return "none";
    case genericException: return "genericException";
    case readOnly: return "readOnly";
    case endOfFile: return "endOfFile";
    case writeOnly: return "writeOnly";
    case badIndex: return "badIndex";
    case badClass: return "badClass";
    case badSchema: return "badSchema";
    case bufferFull: return "bufferFull";
    }
    return "unknown cause";
}

// --- FileException -------------------------------------------------------------------------------

FileException::FileException(Cause cause, long osError, const std::string& message, std::string fileName)
    : Exception(Compose("File", FileCauseName(cause), message, fileName)),
      m_cause(cause),
      m_lOsError(osError),
      cause_(cause),
      osError_(osError),
      fileName_(std::move(fileName)) {}

FileException::Cause FileException::CauseFromErrno(int errnoValue) noexcept {
    switch (errnoValue) {
    case 0: return none;
    case ENOENT: return fileNotFound;
    case ENOTDIR:
    case ENAMETOOLONG: return badPath;
    case EMFILE:
    case ENFILE: return tooManyOpenFiles;
    case EACCES:
    case EPERM:
    case EROFS:
    case EISDIR: return accessDenied;  // Windows refuses to open a directory as a file with ACCESS_DENIED
    case EBADF: return invalidFile;
    case ENOSPC: return diskFull;
    case EIO: return hardIO;
    default: return genericException;
    }
}

}  // namespace portafx
