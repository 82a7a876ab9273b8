// portafx — MemoryFile: a File held in a byte vector (MFC: CMemFile).
//
// Reads and writes at the position; writing past the end grows the file. Seeking past the end is allowed
// (reads there return 0; a write there fills the gap with zero bytes). After Close every operation but
// Data, Close and GetFilePath throws FileException(invalidFile).
#pragma once

#include <portafx/file.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace portafx {

/// A seekable File in memory (MFC: CMemFile).
class MemoryFile : public File {
public:
    /// An empty file, open for reading and writing, position 0.
    MemoryFile() = default;

    /// A file holding `bytes`, position 0 (for reading them, e.g. with a loading Archive).
    explicit MemoryFile(std::vector<std::uint8_t> bytes) noexcept;

    /// The file's bytes (all of them, whatever the position). Still available after Close.
    const std::vector<std::uint8_t>& Data() const noexcept { return data_; }

    /// Reads up to `count` bytes from the position and advances it; returns how many (0 at or past the
    /// end). Throws FileException(invalidFile) after Close.
    std::size_t Read(void* buffer, std::size_t count) override;

    /// Writes `count` bytes at the position and advances it, growing the file as needed. Throws
    /// FileException(invalidFile) after Close, FileException(diskFull) if the file would exceed what a
    /// vector can hold (std::bad_alloc if memory runs out).
    void Write(const void* buffer, std::size_t count) override;

    /// Ends reading and writing (the bytes stay in Data()). Calling it again does nothing.
    void Close() override;

    /// Moves the position to `offset` from the start, the position or the end; returns the new position.
    /// Throws FileException(badSeek) for a position before the start (the position is then unchanged),
    /// FileException(invalidFile) after Close.
    std::uint64_t Seek(std::int64_t offset, SeekPosition from) override;

    /// The length in bytes. Throws FileException(invalidFile) after Close.
    std::uint64_t GetLength() const override;

    /// The position. Throws FileException(invalidFile) after Close.
    std::uint64_t GetPosition() const override;

    /// Truncates, or extends with zero bytes; a position past the new end moves to it (as CMemFile).
    /// Throws FileException(invalidFile) after Close, FileException(diskFull) for a length a vector cannot
    /// hold.
    void SetLength(std::uint64_t length) override;

    /// "memory".
    std::string GetFilePath() const override;

private:
    void RequireOpen(const char* operation) const;

    std::vector<std::uint8_t> data_;
    std::size_t position_ = 0;
    bool closed_ = false;
};

}  // namespace portafx
