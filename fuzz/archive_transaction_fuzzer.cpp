// Fuzz target: the transaction path — StartTransaction / TryRead / RollbackTransaction — with the stream
// arriving in random-sized chunks, as from a socket, through a File that never waits.
//
// Input: byte 0 — bits 0-3: the largest chunk (1 << n bytes), bits 4-5: the buffer size; byte 1 seeds the
// chunk sizes; the rest is the stream: messages of ops (op 0 ends a message), objects included. Each
// message is tried at every arrival until it completes. What the transactions read must be exactly what
// one reading of the whole stream in one piece reads, and end with the same error: nothing lost,
// duplicated or reordered by the rollbacks. An incomplete message with every byte there is a failure.
#include "fuzz_support.hpp"

#include <portafx/memory_file.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

using namespace portafx;

namespace {

constexpr int kMaxOps = 1 << 12;
constexpr std::size_t kMaxArrivals = 256;

// A non-blocking stream: only the bytes that "arrived" can be read; Unread must give back what was read.
class ChunkedFile : public File {
public:
    explicit ChunkedFile(const std::vector<std::uint8_t>& data) : data_(data) {}

    bool AllArrived() const noexcept { return arrived_ == data_.size(); }
    void Arrive(std::size_t n) { arrived_ = std::min(data_.size(), arrived_ + n); }

    std::size_t Read(void* buffer, std::size_t count) override {
        const std::size_t n = std::min(count, arrived_ - pos_);
        if (n > 0) std::memcpy(buffer, data_.data() + pos_, n);
        pos_ += n;
        return n;
    }
    std::size_t ReadAvailable(void* buffer, std::size_t count, bool& endOfFile) override {
        const std::size_t n = Read(buffer, count);
        endOfFile = pos_ == data_.size();
        return n;
    }
    void Unread(const void* bytes, std::size_t count) override {
        if (count > pos_ || std::memcmp(bytes, data_.data() + pos_ - count, count) != 0)
            fuzz::Fail("Unread gave back bytes that were not read");
        pos_ -= count;
    }
    void Write(const void*, std::size_t) override { fuzz::Fail("Write on a loading archive's file"); }
    std::string GetFilePath() const override { return "chunks"; }

private:
    const std::vector<std::uint8_t>& data_;
    std::size_t arrived_ = 0;
    std::size_t pos_ = 0;
};

// All messages read in one piece.
std::string ReadWhole(const std::vector<std::uint8_t>& stream, int bufferSize) {
    fuzz::Transcript t;
    fuzz::gTranscript = &t;
    MemoryFile file(stream);
    try {
        Archive ar(file, Archive::Load, bufferSize, fuzz::TightLimits());
        for (;;) {
            fuzz::RunOps(ar, t, fuzz::OpSet::Messages, kMaxOps);
            t.Add('M', 0);
        }
    } catch (...) {
        if (!fuzz::RecordException(t)) throw;
    }
    fuzz::gTranscript = nullptr;
    return t.Log();
}

// The same messages through transactions, the bytes arriving in chunks.
std::string ReadInChunks(const std::vector<std::uint8_t>& stream, int bufferSize, unsigned maxChunkShift,
                         std::uint32_t seed) {
    fuzz::Transcript t;
    fuzz::gTranscript = &t;
    ChunkedFile file(stream);
    std::uint32_t rng = seed * 2654435761u + 1;
    // Every arrival re-reads the pending message from its start, so the work is arrivals x message length.
    // At most about kMaxArrivals arrivals keep a long stream from costing quadratic time (8 KiB in 1-byte
    // chunks would be 67 M byte reads); a stream up to kMaxArrivals bytes is still split at every byte.
    const std::size_t minChunk = std::max<std::size_t>(1, stream.size() / kMaxArrivals);
    auto nextChunk = [&] {
        rng ^= rng << 13;
        rng ^= rng >> 17;
        rng ^= rng << 5;
        return std::max<std::size_t>(minChunk, 1 + rng % (1u << maxChunkShift));
    };
    try {
        Archive ar(file, Archive::Load, bufferSize, fuzz::TightLimits());
        file.Arrive(nextChunk());
        for (;;) {
            const std::size_t mark = t.Size();
            if (ar.TryRead([&](Archive& a) { fuzz::RunOps(a, t, fuzz::OpSet::Messages, kMaxOps); })) {
                t.Add('M', 0);
                continue;
            }
            if (ar.InTransaction()) fuzz::Fail("TryRead returned false still in the transaction");
            t.Truncate(mark);  // the attempt is forgotten; it is read again when more has arrived
            if (file.AllArrived()) fuzz::Fail("an incomplete message with the whole stream there");
            file.Arrive(nextChunk());
        }
    } catch (...) {
        if (!fuzz::RecordException(t)) throw;
    }
    fuzz::gTranscript = nullptr;
    return t.Log();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    static const int kSizes[] = {128, 200, 1000, 4096};
    const unsigned shift = std::min(data[0] & 15u, 12u);
    const int bufferSize = kSizes[(data[0] >> 4) & 3u];
    const std::vector<std::uint8_t> stream(data + 2, data + size);
    const std::string whole = ReadWhole(stream, bufferSize);
    fuzz::FreeAll();
    const std::string chunks = ReadInChunks(stream, bufferSize, shift, data[1]);
    fuzz::FreeAll();
    if (whole != chunks) {
        if (std::getenv("PORTAFX_FUZZ_DUMP") != nullptr) {  // reproducing a finding: show both readings
            std::fprintf(stderr, "whole (%zu bytes):\n%s\nchunks (%zu bytes):\n%s\n", whole.size(),
                         fuzz::Printable(whole).c_str(), chunks.size(), fuzz::Printable(chunks).c_str());
        }
        fuzz::Fail("transactions read something else than one reading of the whole stream");
    }
    return 0;
}
