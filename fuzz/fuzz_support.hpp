// What portafx's fuzz targets share: tight ArchiveLimits, a registry of test classes whose objects are
// tracked (so that whatever a hostile stream builds is freed, cycles included), and an interpreter that
// reads its own instructions from the archive: each op byte says what to read next.
//
// A transcript records everything read (values, class names, exception causes) so that two ways of
// reading the same bytes — in one piece, or in chunks through transactions — can be compared.
#pragma once

#include <portafx/archive.hpp>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace portafx::fuzz {

/// The limits every harness sets: small enough that one input can never make the archive allocate more
/// than about kMaxTransactionBytes (scripts/fuzz sets -malloc_limit_mb from it), large enough for the seeds.
inline constexpr std::size_t kMaxTransactionBytes = 1u << 20;
ArchiveLimits TightLimits();

/// Thrown by the test class Faulty from its Serialize: a user's own exception, which must pass through
/// the archive cleanly (the half-built object deleted).
struct UserError : std::runtime_error {
    UserError() : std::runtime_error("Faulty::Serialize refused its byte") {}
};

/// Every object of the test classes, alive: FreeAll deletes them (the objects only point at each other).
std::size_t LiveObjects();
bool IsLive(const Serializable* object);
void FreeAll();

/// What was read. Append only; Size/Truncate let a rolled-back attempt be forgotten.
class Transcript {
public:
    void Add(char tag, const void* data, std::size_t size);
    void Add(char tag, std::uint64_t value) { Add(tag, &value, sizeof value); }
    void Add(char tag, const std::string& s) { Add(tag, s.data(), s.size()); }
    std::size_t Size() const noexcept { return log_.size(); }
    void Truncate(std::size_t size) { log_.resize(size); }
    const std::string& Log() const noexcept { return log_; }

private:
    std::string log_;
};

/// The transcript the test classes' Serialize writes to (null: nowhere).
extern Transcript* gTranscript;

/// Which ops the interpreter knows.
enum class OpSet {
    Primitives,  ///< operator>> of every type, strings, counts, raw Read, text lines, Flush
    Everything,  ///< Primitives plus objects and classes (ReadObject, ReadClass, typed >>, schemas)
    Messages,    ///< Everything without Flush, and op 0 ends a message (for transactions)
};

/// Reads ops from `ar` and performs them, recording into `t`, until `maxOps` ops or, with
/// OpSet::Messages, an end-of-message op. Exceptions propagate (the caller records them).
void RunOps(Archive& ar, Transcript& t, OpSet ops, int maxOps);

/// Records an exception that reading may end with (ArchiveException, FileException, UserError) into `t`
/// and returns true; false for anything else (which a harness lets escape: a finding).
bool RecordException(Transcript& t);

/// Aborts with `what` (libFuzzer reports it as a crash with the input).
[[noreturn]] void Fail(const char* what);

/// `bytes` with everything but printable ASCII as \\xHH, for reports.
std::string Printable(const std::string& bytes);

}  // namespace portafx::fuzz
