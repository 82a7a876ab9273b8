// File's default members: what a file that never waits and cannot seek does.
#include <portafx/file.hpp>

#include <portafx/exceptions.hpp>

namespace portafx {

namespace {

[[noreturn]] void ThrowNotSupported(const File& file, const char* operation) {
    std::string message = std::string(operation) + " is not supported by this file";
    const std::string path = file.GetFilePath();
    if (!path.empty()) message += " ('" + path + "')";
    throw NotSupportedException(message);
}

}  // namespace

std::size_t File::ReadAvailable(void* buffer, std::size_t count, bool& endOfFile) {
    const std::size_t n = Read(buffer, count);
    if (n == 0 && count != 0) endOfFile = true;
    return n;
}

void File::Flush() {}

void File::Close() {}

std::uint64_t File::Seek(std::int64_t /*offset*/, SeekPosition /*from*/) {
    ThrowNotSupported(*this, "Seek");
}

std::uint64_t File::GetLength() const {
    ThrowNotSupported(*this, "GetLength");
}

std::uint64_t File::GetPosition() const {
    ThrowNotSupported(*this, "GetPosition");
}

void File::SetLength(std::uint64_t /*length*/) {
    ThrowNotSupported(*this, "SetLength");
}

std::string File::GetFilePath() const {
    return {};
}

void File::SetReadAheadHolder(const ReadAheadHolder&, bool) {}

void File::ReadAheadChanged() {}

}  // namespace portafx
