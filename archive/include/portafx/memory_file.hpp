// portafx — MemoryFile: a File held in memory (MFC: CMemFile).
//
// Reads and writes at the position; writing past the end grows the file. Seeking past the end is allowed
// (reads there return 0; a write there fills the gap with zero bytes). After Close every operation but
// Data, Close and GetFilePath throws FileException(invalidFile).
//
// The bytes live in one block from malloc that grows with realloc, as CMemFile's do: a large file grows
// without copying what it holds (glibc moves the pages of a large block with mremap): writing 50 MB faults in
// about 12 000 pages, where a doubling std::vector faulted in about 29 000 (docs/performance.md).
#pragma once

#include <portafx/file.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace portafx {

/// A read-only view of a MemoryFile's bytes: valid until the file is next written, resized, assigned or
/// destroyed. Converts to a std::vector (a copy) and compares with one.
class MemoryBytes {
public:
    using value_type = std::uint8_t;
    using const_iterator = const std::uint8_t*;
    using iterator = const_iterator;

    MemoryBytes(const std::uint8_t* data, std::size_t size) noexcept : data_(data), size_(size) {}

    const std::uint8_t* data() const noexcept { return data_; }
    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    const_iterator begin() const noexcept { return data_; }
    const_iterator end() const noexcept { return data_ + size_; }
    std::uint8_t operator[](std::size_t i) const noexcept { return data_[i]; }

    /// A copy of the bytes.
    std::vector<std::uint8_t> ToVector() const { return std::vector<std::uint8_t>(begin(), end()); }
    operator std::vector<std::uint8_t>() const { return ToVector(); }  // NOLINT: a copy, as the old vector&

    friend bool operator==(const MemoryBytes& a, const std::vector<std::uint8_t>& b) noexcept {
        return a.size_ == b.size() && (a.size_ == 0 || std::equal(a.begin(), a.end(), b.begin()));
    }
    friend bool operator==(const std::vector<std::uint8_t>& a, const MemoryBytes& b) noexcept { return b == a; }
    friend bool operator!=(const MemoryBytes& a, const std::vector<std::uint8_t>& b) noexcept { return !(a == b); }
    friend bool operator!=(const std::vector<std::uint8_t>& a, const MemoryBytes& b) noexcept { return !(b == a); }

private:
    const std::uint8_t* data_;
    std::size_t size_;
};

/// A seekable File in memory (MFC: CMemFile).
class MemoryFile : public File {
public:
    /// An empty file, open for reading and writing, position 0.
    MemoryFile() = default;

    /// A file holding a copy of `bytes`, position 0 (for reading them, e.g. with a loading Archive). Throws
    /// std::bad_alloc if memory runs out.
    explicit MemoryFile(const std::vector<std::uint8_t>& bytes);
    /// A file holding a copy of `size` bytes at `bytes` (which may be null only when `size` is 0), position 0.
    /// Throws std::bad_alloc if memory runs out.
    MemoryFile(const void* bytes, std::size_t size);

    /// The file's bytes (all of them, whatever the position). Still available after Close.
    MemoryBytes Data() const noexcept { return MemoryBytes(data_.get(), size_); }

    /// Gives the block up without copying it (MFC: CMemFile::Detach): returns it, a block from malloc that the
    /// caller frees with std::free (null if nothing was ever written), and its length in `length`. The file is
    /// then empty, at position 0, and stays open or closed as it was.
    std::uint8_t* Detach(std::size_t& length) noexcept;

    /// Reads up to `count` bytes from the position and advances it; returns how many (0 at or past the
    /// end). Throws FileException(invalidFile) after Close.
    std::size_t Read(void* buffer, std::size_t count) override;

    /// Writes `count` bytes at the position and advances it, growing the file as needed (its capacity at
    /// least doubles, so appending is amortised constant time per byte). Throws FileException(invalidFile)
    /// after Close, FileException(diskFull) if the file would exceed PTRDIFF_MAX bytes, std::bad_alloc if
    /// memory runs out; on any of them the file and its position are unchanged.
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
    /// Throws FileException(invalidFile) after Close, FileException(diskFull) for a length over PTRDIFF_MAX,
    /// std::bad_alloc if memory runs out (the file is then unchanged). Truncating keeps the capacity.
    void SetLength(std::uint64_t length) override;

    /// "memory".
    std::string GetFilePath() const override;

private:
    struct Free {
        void operator()(std::uint8_t* p) const noexcept { std::free(p); }
    };

    void RequireOpen(const char* operation) const;
    void Reserve(std::size_t capacity);  // capacity >= size_; realloc, or std::bad_alloc with nothing changed

    std::unique_ptr<std::uint8_t, Free> data_;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
    std::size_t position_ = 0;
    bool closed_ = false;
};

}  // namespace portafx
