// DiskFile: CFile on POSIX file descriptors, without user-space buffering.
#include <portafx/disk_file.hpp>

#include <portafx/exceptions.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

namespace portafx {

namespace {

// The largest single read or write; the system may not take more than SSIZE_MAX in one call.
constexpr std::size_t kMaxChunk = std::size_t{1} << 30;

std::string ErrnoText(int error) {
    return std::string(std::strerror(error)) + " (errno " + std::to_string(error) + ")";
}

FileException ErrnoException(const char* operation, int error, const std::string& path) {
    return FileException(FileException::CauseFromErrno(error), error, std::string(operation) + ": " + ErrnoText(error),
                         path);
}

const char* AccessText(unsigned access) {
    switch (access) {
    case DiskFile::modeRead: return "reading";
    case DiskFile::modeWrite: return "writing";
    default: return "reading and writing";
    }
}

}  // namespace

DiskFile::DiskFile(const std::string& path, unsigned openFlags) {
    FileException error(FileException::none, 0, {});
    if (!Open(path, openFlags, &error)) throw error;
}

DiskFile::~DiskFile() {
    if (fd_ >= 0) ::close(fd_);  // errors ignored: a destructor does not throw
}

bool DiskFile::Open(const std::string& path, unsigned openFlags, FileException* error) {
    const auto fail = [&](FileException::Cause cause, int osError, const std::string& why) {
        if (error != nullptr) *error = FileException(cause, osError, why, path);
        return false;
    };
    if (fd_ >= 0) {
        return fail(FileException::genericException, EBUSY, "Open: this object already has '" + path_ + "' open");
    }
    if (openFlags & typeText) {
        return fail(FileException::genericException, EINVAL, "Open: text mode (typeText) is not supported");
    }
    const unsigned access = openFlags & 0x3u;
    int flags = O_CLOEXEC;
    switch (access) {
    case modeRead: flags |= O_RDONLY; break;
    case modeWrite: flags |= O_WRONLY; break;
    case modeReadWrite: flags |= O_RDWR; break;
    default: return fail(FileException::genericException, EINVAL, "Open: invalid access mode (3)");
    }
    if (openFlags & modeCreate) {
        flags |= O_CREAT;
        if (!(openFlags & modeNoTruncate)) flags |= O_TRUNC;
    }
    int fd;
    do {
        fd = ::open(path.c_str(), flags, 0666);
    } while (fd < 0 && errno == EINTR);
    const std::string what = std::string("Open: cannot open for ") + AccessText(access) + ": ";
    if (fd < 0) {
        const int e = errno;
        return fail(FileException::CauseFromErrno(e), e, what + ErrnoText(e));
    }
    struct stat st {};
    if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        ::close(fd);  // Linux opens a directory read-only; CFile refuses it (ACCESS_DENIED)
        return fail(FileException::accessDenied, EISDIR, what + ErrnoText(EISDIR));
    }
    fd_ = fd;
    path_ = path;
    return true;
}

void DiskFile::ThrowErrno(const char* operation, int error, const std::string& context) const {
    // On an open descriptor EBADF means the access mode forbids the call (write on a modeRead file): Windows
    // says ACCESS_DENIED there, so CFile says accessDenied.
    const FileException::Cause cause =
        error == EBADF && fd_ >= 0 ? FileException::accessDenied : FileException::CauseFromErrno(error);
    std::string message = std::string(operation) + ": " + ErrnoText(error);
    if (!context.empty()) message += " " + context;
    throw FileException(cause, error, message, path_);
}

void DiskFile::RequireOpen(const char* operation) const {
    if (fd_ < 0) {
        throw FileException(FileException::invalidFile, EBADF, std::string(operation) + ": no file is open", path_);
    }
}

std::size_t DiskFile::Read(void* buffer, std::size_t count) {
    RequireOpen("Read");
    auto* bytes = static_cast<unsigned char*>(buffer);
    std::size_t done = 0;
    while (done < count) {
        const ssize_t n = ::read(fd_, bytes + done, std::min(count - done, kMaxChunk));
        if (n < 0) {
            if (errno == EINTR) continue;
            ThrowErrno("Read", errno);
        }
        if (n == 0) break;  // the end of the file
        done += static_cast<std::size_t>(n);
    }
    return done;
}

void DiskFile::Write(const void* buffer, std::size_t count) {
    RequireOpen("Write");
    const auto* bytes = static_cast<const unsigned char*>(buffer);
    std::size_t done = 0;
    while (done < count) {
        const ssize_t n = ::write(fd_, bytes + done, std::min(count - done, kMaxChunk));
        if (n < 0) {
            if (errno == EINTR) continue;
            ThrowErrno("Write", errno, "after " + std::to_string(done) + " of " + std::to_string(count) + " bytes");
        }
        if (n == 0) ThrowErrno("Write", ENOSPC);  // no progress and no error: treat as a full disk
        done += static_cast<std::size_t>(n);
    }
}

void DiskFile::Flush() {}

void DiskFile::Close() {
    if (fd_ < 0) return;
    const int fd = fd_;
    const std::string path = path_;
    fd_ = -1;
    path_.clear();
    if (::close(fd) != 0 && errno != EINTR) {  // after EINTR the descriptor is closed on Linux
        const int e = errno;
        throw ErrnoException("Close", e, path);
    }
}

std::uint64_t DiskFile::Seek(std::int64_t offset, SeekPosition from) {
    RequireOpen("Seek");
    int whence;
    switch (from) {
    case begin: whence = SEEK_SET; break;
    case current: whence = SEEK_CUR; break;
    case end: whence = SEEK_END; break;
    default: throw FileException(FileException::badSeek, EINVAL, "Seek: invalid origin", path_);
    }
    static_assert(sizeof(off_t) >= sizeof(std::int64_t), "64-bit file offsets are required");
    const off_t result = ::lseek(fd_, static_cast<off_t>(offset), whence);
    if (result < 0) {
        const int e = errno;
        if (e == EINVAL || e == EOVERFLOW) {
            throw FileException(FileException::badSeek, e,
                                "Seek: offset " + std::to_string(offset) +
                                    " gives a position outside the file's range (" + ErrnoText(e) + ")",
                                path_);
        }
        ThrowErrno("Seek", e);
    }
    return static_cast<std::uint64_t>(result);
}

std::uint64_t DiskFile::GetLength() const {
    RequireOpen("GetLength");
    struct stat st {};
    if (::fstat(fd_, &st) != 0) ThrowErrno("GetLength", errno);
    return static_cast<std::uint64_t>(st.st_size);
}

std::uint64_t DiskFile::GetPosition() const {
    RequireOpen("GetPosition");
    const off_t position = ::lseek(fd_, 0, SEEK_CUR);
    if (position < 0) ThrowErrno("GetPosition", errno);
    return static_cast<std::uint64_t>(position);
}

void DiskFile::SetLength(std::uint64_t length) {
    RequireOpen("SetLength");
    if (length > static_cast<std::uint64_t>(std::numeric_limits<off_t>::max())) {
        throw FileException(FileException::badSeek, EINVAL, "SetLength: " + std::to_string(length) + " is too large",
                            path_);
    }
    int result;
    do {
        result = ::ftruncate(fd_, static_cast<off_t>(length));
    } while (result != 0 && errno == EINTR);
    if (result != 0) {
        const int e = errno;
        // ftruncate reports a descriptor not open for writing as EINVAL or EBADF; CFile says accessDenied.
        if ((e == EINVAL || e == EBADF) && (::fcntl(fd_, F_GETFL) & O_ACCMODE) == O_RDONLY) {
            throw FileException(FileException::accessDenied, e,
                                "SetLength: " + ErrnoText(e) + " (the file is open for reading only)", path_);
        }
        ThrowErrno("SetLength", e);
    }
    Seek(static_cast<std::int64_t>(length), begin);  // CFile::SetLength leaves the position at the new end
}

}  // namespace portafx
