// Fuzz target: Archive::ReadString, 8-bit and UTF-16 lines, against a reference line splitter.
//
// Input: byte 0 — bit 0: UTF-16 lines; bits 1-2: the buffer size; the rest is the text. ReadString is
// called until it returns false or throws; the lines must be exactly the reference's ('\n', '\r' or "\r\n"
// end a line; a line over the limit is refused with genericException; half a UTF-16 unit at the end is
// endOfFile).
#include "fuzz_support.hpp"

#include <portafx/memory_file.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

using namespace portafx;

namespace {

constexpr std::size_t kMaxLine = 300;  // small, so that the limit is reached often

// The lines of `units` as ReadString must return them; `error` gets the cause it must end with (0: none).
template <class Unit>
std::vector<std::basic_string<Unit>> Reference(const std::vector<Unit>& units, bool oddByte, int& error) {
    std::vector<std::basic_string<Unit>> lines;
    error = 0;
    std::size_t i = 0;
    while (i < units.size()) {
        std::basic_string<Unit> line;
        bool ended = false;
        while (i < units.size()) {
            const Unit c = units[i++];
            if (c == Unit('\n')) {
                ended = true;
                break;
            }
            if (c == Unit('\r')) {
                if (i < units.size() && units[i] == Unit('\n')) ++i;
                ended = true;
                break;
            }
            if (line.size() >= kMaxLine) {
                error = ArchiveException::genericException;
                return lines;
            }
            line.push_back(c);
        }
        if (!ended && oddByte) {  // the file ends in half a unit inside this line
            error = ArchiveException::endOfFile;
            return lines;
        }
        lines.push_back(line);
    }
    if (oddByte) error = ArchiveException::endOfFile;
    return lines;
}

template <class Unit>
void Check(const std::vector<std::uint8_t>& stream, int bufferSize) {
    std::vector<Unit> units;
    for (std::size_t i = 0; i + sizeof(Unit) <= stream.size(); i += sizeof(Unit))
        units.push_back(sizeof(Unit) == 1 ? Unit(stream[i]) : Unit(stream[i] | (stream[i + 1] << 8)));
    const bool odd = stream.size() % sizeof(Unit) != 0;
    int expectedError = 0;
    const auto expected = Reference(units, odd, expectedError);

    ArchiveLimits limits = fuzz::TightLimits();
    limits.maxStringLength = kMaxLine;
    MemoryFile file(stream);
    Archive ar(file, Archive::Load, bufferSize, limits);
    std::size_t n = 0;
    int error = 0;
    try {
        std::basic_string<Unit> line;
        while (ar.ReadString(line)) {
            if (n >= expected.size() || line != expected[n]) fuzz::Fail("ReadString returned a different line");
            ++n;
        }
    } catch (const ArchiveException& e) {
        error = e.GetCause();
    }
    if (n != expected.size()) fuzz::Fail("ReadString returned a different number of lines");
    if (error != expectedError) fuzz::Fail("ReadString ended with a different error");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    static const int kSizes[] = {128, 129, 1000, 4096};
    const int bufferSize = kSizes[(data[0] >> 1) & 3u];
    const std::vector<std::uint8_t> stream(data + 1, data + size);
    if ((data[0] & 1u) != 0) {
        Check<char16_t>(stream, bufferSize);
    } else {
        Check<char>(stream, bufferSize);
    }
    return 0;
}
