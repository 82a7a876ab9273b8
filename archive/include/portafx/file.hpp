// portafx — File: the byte stream an Archive reads and writes (MFC: CFile), and its kinds.
//
// `File` is abstract. Seekable kinds (MemoryFile, DiskFile) implement Seek and the length; a SocketFile is
// not seekable, and Seek, GetLength, GetPosition and SetLength throw NotSupportedException on it, as on
// MFC's CSocketFile (whose Seek, oddly, did not). Errors throw FileException with MFC's causes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace portafx {

class ReadAheadHolder;

/// The abstract byte stream (MFC: CFile).
class File {
public:
    /// Where `Seek` counts from (MFC: CFile::begin, current, end).
    enum SeekPosition { begin = 0, current = 1, end = 2 };

    File() = default;
    File(const File&) = delete;
    File& operator=(const File&) = delete;
    virtual ~File() = default;

    /// Reads up to `count` bytes into `buffer`; returns how many were read, 0 at the end of the file. A
    /// socket file returns what has arrived (at least one byte, waiting for it), as CSocketFile does with
    /// bArchiveCompatible. Throws FileException on an error.
    virtual std::size_t Read(void* buffer, std::size_t count) = 0;

    /// Writes all `count` bytes or throws FileException.
    virtual void Write(const void* buffer, std::size_t count) = 0;

    /// Reads what can be read now without waiting, up to `count` bytes (0 if nothing has arrived yet),
    /// for non-blocking archive transactions. Sets `endOfFile` when the end was reached. The default, for
    /// files that never wait, is Read.
    virtual std::size_t ReadAvailable(void* buffer, std::size_t count, bool& endOfFile);

    /// Gives back `count` bytes that were read from this file and not used, so that the next Read returns them
    /// first (an Archive's unread read-ahead, on Flush or Close). The default seeks back, which works on
    /// seekable files; SocketFile keeps them in a buffer of its own.
    virtual void Unread(const void* data, std::size_t count) {
        static_cast<void>(data);
        Seek(-static_cast<std::int64_t>(count), current);
    }

    /// A reader of this file (a loading Archive) holds bytes it read and has not consumed: for a file over a
    /// socket they count as the socket's queued data, so OnReceive keeps coming while they are there.
    /// `attach` false removes it. The default, for files without notifications, does nothing.
    virtual void SetReadAheadHolder(const ReadAheadHolder& reader, bool attach);

    /// The reader's held bytes grew (it refilled its buffer). The default does nothing.
    virtual void ReadAheadChanged();

    /// Writes buffered data to the device. The default does nothing.
    virtual void Flush();

    /// Closes the file; further calls fail. The default does nothing.
    virtual void Close();

    /// Moves the position; returns the new position. Throws NotSupportedException on non-seekable files,
    /// FileException(badSeek) for a position before the start.
    virtual std::uint64_t Seek(std::int64_t offset, SeekPosition from);

    /// The length in bytes. Throws NotSupportedException on non-seekable files.
    virtual std::uint64_t GetLength() const;

    /// The position. Throws NotSupportedException on non-seekable files.
    virtual std::uint64_t GetPosition() const;

    /// Truncates or extends. Throws NotSupportedException on non-seekable files.
    virtual void SetLength(std::uint64_t length);

    /// Seek(0, begin).
    void SeekToBegin() { Seek(0, begin); }

    /// Seek(0, end); returns the length.
    std::uint64_t SeekToEnd() { return Seek(0, end); }

    /// The path or a description ("socket 127.0.0.1:7000"); used in exception messages. Empty by default.
    virtual std::string GetFilePath() const;

    /// True if a Read waits until the whole count has arrived; an Archive then asks only for the bytes the
    /// current item needs. False (the default) if a Read returns what is there: an Archive fills its buffer.
    virtual bool IsBlocking() const noexcept { return false; }
};

}  // namespace portafx
