// MemoryFile: CMemFile on a std::vector.
#include <portafx/memory_file.hpp>

#include <portafx/exceptions.hpp>

#include <algorithm>
#include <cstring>
#include <limits>
#include <utility>

namespace portafx {

namespace {

const char* const kPath = "memory";

// The largest length or position the file accepts: what both the vector and a signed 64-bit offset hold.
std::uint64_t MaxLength(const std::vector<std::uint8_t>& v) noexcept {
    return std::min<std::uint64_t>(v.max_size(), static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()));
}

}  // namespace

MemoryFile::MemoryFile(std::vector<std::uint8_t> bytes) noexcept : data_(std::move(bytes)) {}

void MemoryFile::RequireOpen(const char* operation) const {
    if (closed_)
        throw FileException(FileException::invalidFile, 0, std::string(operation) + ": the file is closed", kPath);
}

std::size_t MemoryFile::Read(void* buffer, std::size_t count) {
    RequireOpen("Read");
    if (position_ >= data_.size() || count == 0) return 0;
    const std::size_t n = std::min(count, data_.size() - position_);
    std::memcpy(buffer, data_.data() + position_, n);
    position_ += n;
    return n;
}

void MemoryFile::Write(const void* buffer, std::size_t count) {
    RequireOpen("Write");
    if (count == 0) return;
    if (count > MaxLength(data_) - position_) {
        throw FileException(FileException::diskFull, 0,
                            "Write: " + std::to_string(count) + " bytes at position " + std::to_string(position_) +
                                " would exceed the largest memory file",
                            kPath);
    }
    const std::size_t newEnd = position_ + count;
    const auto* bytes = static_cast<const std::uint8_t*>(buffer);
    if (position_ == data_.size()) {
        data_.insert(data_.end(), bytes, bytes + count);  // appending: no zero-fill before the copy
    } else {
        if (newEnd > data_.size()) data_.resize(newEnd);  // a gap after a seek past the end is zero-filled
        std::memcpy(data_.data() + position_, buffer, count);
    }
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
    case end: base = static_cast<std::int64_t>(data_.size()); break;
    default:
        throw FileException(FileException::badSeek, 0, "Seek: invalid origin " + std::to_string(static_cast<int>(from)),
                            kPath);
    }
    // base is in [0, INT64_MAX], so only a positive offset can overflow.
    const bool overflow = offset > 0 && base > std::numeric_limits<std::int64_t>::max() - offset;
    const std::int64_t target = overflow ? 0 : base + offset;
    if (overflow || target < 0 || static_cast<std::uint64_t>(target) > MaxLength(data_)) {
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
    return data_.size();
}

std::uint64_t MemoryFile::GetPosition() const {
    RequireOpen("GetPosition");
    return position_;
}

void MemoryFile::SetLength(std::uint64_t length) {
    RequireOpen("SetLength");
    if (length > MaxLength(data_)) {
        throw FileException(FileException::diskFull, 0,
                            "SetLength: " + std::to_string(length) + " bytes exceed the largest memory file", kPath);
    }
    data_.resize(static_cast<std::size_t>(length));
    position_ = std::min(position_, data_.size());
}

std::string MemoryFile::GetFilePath() const {
    return kPath;
}

}  // namespace portafx
