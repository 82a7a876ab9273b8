// portafx — Archive: MFC's CArchive, byte-compatible with it.
//
// An Archive reads (Load) or writes (Store) a File — memory, disk or a socket — in MFC's binary format:
// little-endian fixed widths, MFC's string lengths (FF / FF FF / FF FF FF FF escapes, FF FE FF for UTF-16),
// collection counts, and object/class tags with one shared index counter (docs/archive-format.md). A
// portafx program and an MFC program read each other's streams.
//
// Everything read from the stream is checked against limits (ArchiveLimits): a length or count over its
// limit, an unknown or unregistered class, a class name over 63 characters, a bad index or a schema
// mismatch throws ArchiveException with MFC's cause, and nothing is allocated ahead of the bytes that
// actually arrived. File errors throw FileException.
#pragma once

#include <portafx/async_socket.hpp>
#include <portafx/exceptions.hpp>
#include <portafx/file.hpp>
#include <portafx/serializable.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

namespace portafx {

/// Limits on what a loading archive accepts from the stream. The defaults are safe for data from strangers;
/// raise them for trusted bulk data.
struct ArchiveLimits {
    std::uint64_t maxStringLength = 16u << 20;    ///< characters (bytes or UTF-16 units) in one string
    std::uint64_t maxCount = 16u << 20;           ///< value of one ReadCount
    std::uint32_t maxMapEntries = 1u << 20;       ///< objects + classes + MapObject entries per archive
    unsigned maxObjectDepth = 256;                ///< nesting of ReadObject inside Serialize
    std::size_t maxTransactionBytes = 64u << 20;  ///< bytes one transaction may hold (one message)
};

/// Thrown inside a transaction (Archive::StartTransaction, TryRead) when the item being read has not fully
/// arrived yet. Not an error: roll back and try again at the next OnReceive. Cause endOfFile, so code that
/// handles ArchiveException generally also stops there.
class IncompleteRead : public ArchiveException {
public:
    explicit IncompleteRead(const std::string& fileName = {});
};

/// The portable CArchive.
///
/// One archive, one direction. Over a socket, keep one loading and one storing archive per connection for
/// the connection's lifetime (as MFC's chat samples do); call Flush after each message you store.
class Archive : private ReadAheadHolder {
public:
    /// The mode (MFC: CArchive::store, load, bNoFlushOnDelete). Combine with `|`.
    enum Mode : unsigned {
        Store = 0,            ///< write to the file
        Load = 1,             ///< read from the file
        NoFlushOnDelete = 2,  ///< the destructor does not Flush a storing archive
    };

    /// The schema GetObjectSchema returns when no object is being loaded (MFC: (UINT)-1).
    static constexpr unsigned NoSchema = 0xFFFFFFFFu;

    /// An archive on `file` (which must outlive it). `bufferSize` below 128 is raised to 128.
    Archive(File& file, unsigned mode, int bufferSize = 4096, ArchiveLimits limits = {});

    /// Closes the archive unless it was closed or aborted: a storing archive is flushed (errors are
    /// swallowed here — call Close to see them; with NoFlushOnDelete it is not flushed).
    ~Archive();

    Archive(const Archive&) = delete;
    Archive& operator=(const Archive&) = delete;

    bool IsLoading() const noexcept { return (mode_ & Load) != 0; }
    bool IsStoring() const noexcept { return (mode_ & Load) == 0; }

    /// True if the archive's own buffer holds no unread byte (loading). Says nothing about the file: use
    /// it in `do { msg.Serialize(ar); } while (!ar.IsBufferEmpty());` to drain what was read ahead.
    bool IsBufferEmpty() const noexcept;

    /// The file; null after Close or Abort.
    File* GetFile() const noexcept { return file_; }

    /// The limits in force.
    const ArchiveLimits& GetLimits() const noexcept { return limits_; }
    void SetLimits(const ArchiveLimits& limits) noexcept { limits_ = limits; }

    /// Storing: writes the buffer to the file (for a socket: sends it). Loading: gives the unread bytes
    /// back to the file, so that they stay readable from it (MFC drops them on a socket; portafx does not);
    /// inside a transaction that would lose the bytes kept for a rollback: genericException.
    void Flush();

    /// Flush, then detach from the file (the file stays open).
    void Close();

    /// Detach without flushing and without throwing; buffered output is discarded.
    void Abort() noexcept;

    // --- raw bytes --------------------------------------------------------------------------------

    /// Reads up to `count` bytes; returns how many were read (fewer only at the end of the file).
    std::size_t Read(void* buffer, std::size_t count);

    /// Writes `count` bytes (no framing).
    void Write(const void* buffer, std::size_t count);

    /// Writes the characters of `text` with no length and no terminator (MFC: WriteString).
    void WriteString(std::string_view text);
    void WriteString(std::u16string_view text);

    /// Reads one line of 8-bit text up to '\n' or '\r' ('\r' consumes one more character), without the
    /// newline; false if the file ended before any character (MFC: ReadString).
    bool ReadString(std::string& line);
    bool ReadString(std::u16string& line);

    // --- counts and strings -----------------------------------------------------------------------

    /// Writes a collection count: WORD, or WORD 0xFFFF + DWORD, or + QWORD (MFC: WriteCount).
    void WriteCount(std::uint64_t count);

    /// Reads a collection count; throws genericException above limits.maxCount.
    std::uint64_t ReadCount();

    // --- objects ----------------------------------------------------------------------------------

    /// Writes an object with its class tag, or a back-reference if this archive wrote it before, or NULL.
    /// Throws NotSupportedException for a class that is not serializable.
    void WriteObject(const Serializable* object);

    /// Reads an object written by WriteObject: a new one (created through its registered class — the caller
    /// owns it), a back-reference to one read before, or null. With `requested`, the object must be of that
    /// class or a derived one (badClass otherwise).
    Serializable* ReadObject(const RuntimeClass* requested);

    /// Writes just a class tag (MFC: WriteClass).
    void WriteClass(const RuntimeClass* cls);

    /// Reads a class tag (MFC: ReadClass). `schema` receives the stored schema (else GetObjectSchema does);
    /// `objectTag`, if given, receives an object tag instead of throwing badIndex (and null is returned).
    const RuntimeClass* ReadClass(const RuntimeClass* requested = nullptr, unsigned* schema = nullptr,
                                  std::uint32_t* objectTag = nullptr);

    /// WriteClass when storing, ReadClass when loading (for versioning a base class's part).
    void SerializeClass(const RuntimeClass* cls);

    /// Gives `object` the next index without reading or writing anything; both sides must do it at the same
    /// point (MFC: MapObject).
    void MapObject(const Serializable* object);

    /// The schema of the object being loaded, then NoSchema until the next one (MFC: GetObjectSchema).
    unsigned GetObjectSchema() noexcept;

    /// Overrides what the next GetObjectSchema returns.
    void SetObjectSchema(unsigned schema) noexcept { objectSchema_ = schema; }

    // --- non-blocking reads (beyond MFC) ----------------------------------------------------------

    /// Starts a transaction on a loading archive: from here reads never wait for the file. A read that needs
    /// bytes that have not arrived throws IncompleteRead; RollbackTransaction then returns to this point with
    /// nothing lost, and the next attempt (at the next OnReceive) reads the same bytes again. Meant for an
    /// AsyncSocket's OnReceive, which must never block the loop. Bytes are kept from the start of the
    /// transaction, up to limits.maxTransactionBytes (genericException beyond).
    void StartTransaction();

    /// Ends the transaction: what was read is consumed.
    void CommitTransaction();

    /// Returns to where the transaction started. The load map forgets the objects and classes read since
    /// (they are read again); objects ReadObject returned meanwhile belong to the caller, as always. Until
    /// more bytes arrive, the bytes kept do not count as the socket's queued data (no busy OnReceive).
    void RollbackTransaction();

    /// True between StartTransaction and Commit/Rollback.
    bool InTransaction() const noexcept { return inTransaction_; }

    /// Runs `read(*this)` in a transaction: true and committed if it completed, false and rolled back if the
    /// data has not all arrived (IncompleteRead). Other exceptions roll back and propagate.
    template <class F>
    bool TryRead(F&& read) {
        StartTransaction();
        try {
            read(*this);
        } catch (const IncompleteRead&) {
            RollbackTransaction();
            return false;
        } catch (...) {
            RollbackTransaction();
            throw;
        }
        CommitTransaction();
        return true;
    }

    // --- operators: MFC's wire widths, little-endian ---------------------------------------------

    Archive& operator<<(bool v) { return PutByte(v ? 1 : 0); }
    Archive& operator>>(bool& v) {
        v = GetByte() != 0;
        return *this;
    }

    /// Integers and enums of 1, 2, 4 and 8 bytes: that many bytes, little-endian. (`wchar_t` is one UTF-16
    /// unit, 2 bytes, as MFC writes it — a character above U+FFFF throws genericException; on LP64 systems
    /// `long` is 8 bytes — use std::int32_t for MFC's LONG.)
    template <class T,
              std::enable_if_t<(std::is_integral_v<T> || std::is_enum_v<T>)&&!std::is_same_v<T, bool>, int> = 0>
    Archive& operator<<(T v) {
        if constexpr (std::is_same_v<T, wchar_t>) {
            if (static_cast<std::uint32_t>(v) > 0xFFFF) ThrowWideChar(static_cast<std::uint32_t>(v));
            return PutFixed(static_cast<std::uint16_t>(v), 2);
        } else {
            return PutFixed(static_cast<std::uint64_t>(v), sizeof(T));
        }
    }

    template <class T,
              std::enable_if_t<(std::is_integral_v<T> || std::is_enum_v<T>)&&!std::is_same_v<T, bool>, int> = 0>
    Archive& operator>>(T& v) {
        if constexpr (std::is_same_v<T, wchar_t>) {
            v = static_cast<wchar_t>(GetFixed(2));
        } else {
            v = static_cast<T>(GetFixed(sizeof(T)));
        }
        return *this;
    }

    Archive& operator<<(float v) {
        std::uint32_t bits;
        std::memcpy(&bits, &v, sizeof bits);
        return PutFixed(bits, 4);
    }
    Archive& operator>>(float& v) {
        const auto bits = static_cast<std::uint32_t>(GetFixed(4));
        std::memcpy(&v, &bits, sizeof v);
        return *this;
    }
    Archive& operator<<(double v) {
        std::uint64_t bits;
        std::memcpy(&bits, &v, sizeof bits);
        return PutFixed(bits, 8);
    }
    Archive& operator>>(double& v) {
        const std::uint64_t bits = GetFixed(8);
        std::memcpy(&v, &bits, sizeof v);
        return *this;
    }

    /// An 8-bit string (UTF-8 on our side; MFC's ANSI code page on an MBCS peer): length, then bytes.
    Archive& operator<<(const std::string& s);
    Archive& operator<<(const char* s) { return *this << std::string(s ? s : ""); }
    /// UTF-16 and wide literals are strings too (without these, `ar << u"x"` would write a bool).
    Archive& operator<<(const char16_t* s) { return *this << std::u16string(s ? s : u""); }
    Archive& operator<<(const wchar_t* s) { return *this << std::wstring(s ? s : L""); }
    /// Reads either kind of string; UTF-16 is converted to UTF-8.
    Archive& operator>>(std::string& s);

    /// A UTF-16 string (MFC's CStringW, a Unicode build's CString): FF FE FF, length, UTF-16LE units.
    Archive& operator<<(const std::u16string& s);
    /// Reads either kind of string; 8-bit text is taken as UTF-8.
    Archive& operator>>(std::u16string& s);

    /// std::wstring travels as UTF-16, as MFC's CStringW.
    Archive& operator<<(const std::wstring& s);
    Archive& operator>>(std::wstring& s);

    /// An object (WriteObject / ReadObject without a class check).
    Archive& operator<<(const Serializable* object) {
        WriteObject(object);
        return *this;
    }
    Archive& operator>>(Serializable*& object) {
        object = ReadObject(nullptr);
        return *this;
    }

private:
    std::size_t HeldBytes() const noexcept override;
    std::size_t FillFromFile(std::size_t atLeast);  // appends file bytes to the buffer; 0 at the end
    Archive& PutByte(std::uint8_t b);
    std::uint8_t GetByte();
    // The hot paths, inline: a value that fits the buffer of an open archive of the right mode is copied
    // without a call; everything else (a full or empty buffer, a closed archive, the wrong mode) goes to
    // the out-of-line *Slow functions, which check, flush, refill and throw.
    Archive& PutFixed(std::uint64_t v, std::size_t width) {
        if (file_ != nullptr && !(mode_ & Load) && static_cast<std::size_t>(end_ - cur_) >= width) {
            for (std::size_t i = 0; i < width; ++i)
                cur_[i] = static_cast<std::uint8_t>(v >> (8 * i));
            cur_ += width;
            return *this;
        }
        return PutFixedSlow(v, width);
    }
    std::uint64_t GetFixed(std::size_t width) {
        if (file_ != nullptr && (mode_ & Load) && static_cast<std::size_t>(end_ - cur_) >= width) {
            std::uint64_t v = 0;
            for (std::size_t i = 0; i < width; ++i)
                v |= static_cast<std::uint64_t>(cur_[i]) << (8 * i);
            cur_ += width;
            return v;
        }
        return GetFixedSlow(width);
    }
    Archive& PutFixedSlow(std::uint64_t v, std::size_t width);
    std::uint64_t GetFixedSlow(std::size_t width);
    void PutStringLength(std::uint64_t length, bool wide);
    std::uint64_t GetStringLength(bool& wide);
    void GetStringBody(std::uint64_t length, bool wide, std::string* narrow, std::u16string* utf16);
    void NeedBytes(std::size_t count);              // makes `count` bytes available in the buffer, or throws endOfFile
    bool Fill(std::size_t count, bool throwAtEnd);  // as NeedBytes; false at the end if !throwAtEnd
    void CheckLoading(const char* what) const;
    void CheckStoring(const char* what) const;
    void CheckMapCount();
    [[noreturn]] void Throw(ArchiveException::Cause cause, const std::string& message) const;
    [[noreturn]] void ThrowWideChar(std::uint32_t codePoint) const;
    void WriteTag(std::uint32_t index, bool isClass);

    struct LoadEntry {
        const RuntimeClass* cls = nullptr;  // set for a class entry
        Serializable* object = nullptr;     // set for an object entry (MapObject may map null)
        unsigned schema = 0;                // a class entry: the schema found in the stream
        bool isClass = false;
    };

    File* file_;
    unsigned mode_;
    ArchiveLimits limits_;
    std::vector<std::uint8_t> buffer_;
    std::size_t bufferSize_;  // the size asked for; a transaction may grow the buffer beyond it for a while
    std::uint8_t* cur_;       // loading: the next unread byte; storing: where the next byte goes
    std::uint8_t* end_;       // loading: the end of the unread bytes; storing: the end of the buffer
    std::unordered_map<const void*, std::uint32_t> storeMap_;
    std::vector<LoadEntry> loadMap_;  // index 0 is NULL
    std::uint32_t mapCount_ = 1;      // the next index to assign
    unsigned objectSchema_ = NoSchema;
    unsigned depth_ = 0;
    bool holderAttached_ = false;
    // Transaction state: where it started, and the map sizes to return to.
    bool inTransaction_ = false;
    bool waitingForMore_ = false;  // rolled back: the kept bytes are not "queued data" until more arrive
    std::size_t txStart_ = 0;
    std::size_t txLoadMapSize_ = 0;
    std::uint32_t txMapCount_ = 0;
    unsigned txObjectSchema_ = NoSchema;  // GetObjectSchema's value when the transaction started
    unsigned txDepth_ = 0;
};

}  // namespace portafx
