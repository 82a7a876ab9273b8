// Fuzz target: operator>> of every type, strings (8-bit, UTF-16, wide), counts, raw Read, text lines and a
// loading Flush, in the order the stream itself dictates (each op byte says what to read next).
//
// Input: byte 0 picks the buffer size of the second reading; the rest is the stream. The stream is read
// twice, with a 128-byte buffer and with the chosen size: both must read the same values and end with the
// same error (the buffering must not show).
#include "fuzz_support.hpp"

#include <portafx/memory_file.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace {

using namespace portafx;

std::string ReadAll(const std::vector<std::uint8_t>& stream, int bufferSize) {
    fuzz::Transcript t;
    fuzz::gTranscript = &t;
    MemoryFile file(stream);
    try {
        Archive ar(file, Archive::Load, bufferSize, fuzz::TightLimits());
        fuzz::RunOps(ar, t, fuzz::OpSet::Primitives, 1 << 16);
    } catch (...) {
        if (!fuzz::RecordException(t)) throw;  // anything but the archive's own exceptions: a finding
    }
    fuzz::gTranscript = nullptr;
    return t.Log();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    static const int kSizes[] = {128, 129, 1000, 4096};
    const int second = kSizes[data[0] % 4];
    const std::vector<std::uint8_t> stream(data + 1, data + size);
    const std::string small = ReadAll(stream, 128);
    const std::string other = ReadAll(stream, second);
    if (small != other) fuzz::Fail("the buffer size changed what was read");
    return 0;
}
