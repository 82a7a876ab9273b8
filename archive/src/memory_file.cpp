// MemoryFile: CMemFile on one block from malloc, grown with realloc.
#include <portafx/memory_file.hpp>

#include <portafx/exceptions.hpp>

#include <algorithm>
#include <cstring>
#include <limits>
#include <new>

namespace portafx {

namespace {

const char* const kPath = "memory";

// The largest length or position the file accepts: what both a pointer difference and a signed 64-bit offset
// hold.
constexpr std::uint64_t MaxLength() noexcept {
    return std::min<std::uint64_t>(static_cast<std::uint64_t>(std::numeric_limits<std::ptrdiff_t>::max()),
                                   static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()));
}

}  // namespace

MemoryFile::MemoryFile(const std::vector<std::uint8_t>& bytes) : MemoryFile(bytes.data(), bytes.size()) {}

MemoryFile::MemoryFile(const void* bytes, std::size_t size) {
    if (size == 0) return;
    Reserve(size);
    std::memcpy(data_.get(), bytes, size);
    size_ = size;
}

void MemoryFile::Reserve(std::size_t capacity) {
    if (capacity <= capacity_) return;
    // realloc keeps the bytes; for a large block glibc moves its pages (mremap) instead of copying them.
    void* grown = std::realloc(data_.get(), capacity);
    if (grown == nullptr) throw std::bad_alloc();
    static_cast<void>(data_.release());  // realloc freed or kept it: `grown` is the block now
    data_.reset(static_cast<std::uint8_t*>(grown));
    capacity_ = capacity;
}

std::uint8_t* MemoryFile::Detach(std::size_t& length) noexcept {
    length = size_;
    size_ = capacity_ = position_ = 0;
    return data_.release();
}

void MemoryFile::RequireOpen(const char* operation) const {
    if (closed_)
        throw FileException(FileException::invalidFile, 0, std::string(operation) + ": the file is closed", kPath);
}

std::size_t MemoryFile::Read(void* buffer, std::size_t count) {
    RequireOpen("Read");
    if (position_ >= size_ || count == 0) return 0;
    const std::size_t n = std::min(count, size_ - position_);
    std::memcpy(buffer, data_.get() + position_, n);
    position_ += n;
    return n;
}

void MemoryFile::Write(const void* buffer, std::size_t count) {
    RequireOpen("Write");
    if (count == 0) return;
    if (count > MaxLength() - position_) {
        throw FileException(FileException::diskFull, 0,
                            "Write: " + std::to_string(count) + " bytes at position " + std::to_string(position_) +
                                " would exceed the largest memory file",
                            kPath);
    }
    const std::size_t newEnd = position_ + count;
    if (newEnd > capacity_)
        Reserve(std::max({newEnd, capacity_ > MaxLength() / 2 ? newEnd : 2 * capacity_, std::size_t{64}}));
    if (position_ > size_) std::memset(data_.get() + size_, 0, position_ - size_);  // a gap after a seek past the end
    std::memcpy(data_.get() + position_, buffer, count);
    size_ = std::max(size_, newEnd);
    position_ = newEnd;
}

void MemoryFile::Close() {
    closed_ = true;
}

std::uint64_t MemoryFile::Seek(std::int64_t offset, SeekPosition from) {
    RequireOpen("Seek");
    std::int64_t base;
    switch (from) {
    case begin: base = 0; break;
    case current: base = static_cast<std::int64_t>(position_); break;
    case end: base = static_cast<std::int64_t>(size_); break;
    default:
        throw FileException(FileException::badSeek, 0, "Seek: invalid origin " + std::to_string(static_cast<int>(from)),
                            kPath);
    }
    // base is in [0, INT64_MAX], so only a positive offset can overflow.
    const bool overflow = offset > 0 && base > std::numeric_limits<std::int64_t>::max() - offset;
    const std::int64_t target = overflow ? 0 : base + offset;
    if (overflow || target < 0 || static_cast<std::uint64_t>(target) > MaxLength()) {
        throw FileException(FileException::badSeek, 0,
                            "Seek: offset " + std::to_string(offset) + " from " +
                                (from == begin     ? "the start"
                                 : from == current ? "the position"
                                                   : "the end") +
                                " is outside the file's range",
                            kPath);
    }
    position_ = static_cast<std::size_t>(target);
    return position_;
}

std::uint64_t MemoryFile::GetLength() const {
    RequireOpen("GetLength");
    return size_;
}

std::uint64_t MemoryFile::GetPosition() const {
    RequireOpen("GetPosition");
    return position_;
}

void MemoryFile::SetLength(std::uint64_t length) {
    RequireOpen("SetLength");
    if (length > MaxLength()) {
        throw FileException(FileException::diskFull, 0,
                            "SetLength: " + std::to_string(length) + " bytes exceed the largest memory file", kPath);
    }
    const auto newSize = static_cast<std::size_t>(length);
    if (newSize > size_) {
        Reserve(newSize);
        std::memset(data_.get() + size_, 0, newSize - size_);
    }
    size_ = newSize;
    position_ = std::min(position_, size_);
}

std::string MemoryFile::GetFilePath() const {
    return kPath;
}

}  // namespace portafx
