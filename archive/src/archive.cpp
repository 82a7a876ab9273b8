// Archive: buffering, MFC's primitive and string encodings, counts, and the object/class tag protocol.
#include <portafx/archive.hpp>

#include "detail/utf.hpp"

#include <algorithm>
#include <cstring>

namespace portafx {

namespace {

// MFC's tags (arcobj.cpp).
constexpr std::uint16_t kNullTag = 0x0000;
constexpr std::uint16_t kNewClassTag = 0xFFFF;
constexpr std::uint16_t kClassTag = 0x8000;
constexpr std::uint32_t kBigClassTag = 0x80000000u;
constexpr std::uint16_t kBigObjectTag = 0x7FFF;
constexpr std::uint32_t kMaxMapCount = 0x3FFFFFFE;
constexpr std::size_t kMaxClassName = 63;  // MFC rejects names of 64 characters or more

std::string Quote(const std::string& s) {
    return "'" + s + "'";
}

}  // namespace

Archive::Archive(File& file, unsigned mode, int bufferSize, ArchiveLimits limits)
    : file_(&file),
      mode_(mode),
      limits_(limits),
      buffer_(static_cast<std::size_t>(std::max(bufferSize, 128))),
      bufferSize_(buffer_.size()),
      cur_(buffer_.data()),
      end_(IsLoading() ? buffer_.data() : buffer_.data() + buffer_.size()) {
    loadMap_.emplace_back();  // index 0: NULL
    if (IsLoading()) {
        // Over a socket, what this archive reads ahead counts as the socket's queued data.
        file.SetReadAheadHolder(*this, true);
        holderAttached_ = true;
    }
}

Archive::~Archive() {
    if (file_ != nullptr && !(mode_ & NoFlushOnDelete)) {
        try {
            Close();
        } catch (...) {
            // Destructors never throw; call Close() to see a failure.
        }
    }
    Abort();
}

IncompleteRead::IncompleteRead(const std::string& fileName)
    : ArchiveException(endOfFile, "the item has not fully arrived yet (roll the transaction back and retry)",
                       fileName) {}

std::size_t Archive::HeldBytes() const noexcept {
    return IsLoading() && !waitingForMore_ ? static_cast<std::size_t>(end_ - cur_) : 0;
}

bool Archive::IsBufferEmpty() const noexcept {
    return IsLoading() ? cur_ == end_ : cur_ == buffer_.data();
}

[[noreturn]] void Archive::Throw(ArchiveException::Cause cause, const std::string& message) const {
    throw ArchiveException(cause, message, file_ ? file_->GetFilePath() : std::string());
}

void Archive::ThrowWideChar(std::uint32_t codePoint) const {
    Throw(ArchiveException::genericException,
          "wchar_t U+" + std::to_string(codePoint) + " does not fit one UTF-16 unit (write a std::wstring)");
}

void Archive::CheckLoading(const char* what) const {
    if (file_ == nullptr) Throw(ArchiveException::genericException, std::string(what) + " on a closed archive");
    if (!IsLoading()) Throw(ArchiveException::writeOnly, std::string(what) + " on a storing archive");
}

void Archive::CheckStoring(const char* what) const {
    if (file_ == nullptr) Throw(ArchiveException::genericException, std::string(what) + " on a closed archive");
    if (IsLoading()) Throw(ArchiveException::readOnly, std::string(what) + " on a loading archive");
}

// --- buffering -----------------------------------------------------------------------------------

void Archive::NeedBytes(std::size_t count) {
    Fill(count, true);
}

bool Archive::Fill(std::size_t count, bool throwAtEnd) {
    const auto available = static_cast<std::size_t>(end_ - cur_);
    if (available >= count) return true;
    std::uint8_t* const base = buffer_.data();
    // Keep what is unread (and, in a transaction, everything since it started) at the front.
    const std::size_t keepFrom = inTransaction_ ? txStart_ : static_cast<std::size_t>(cur_ - base);
    const std::size_t kept = static_cast<std::size_t>(end_ - base) - keepFrom;
    const std::size_t curOffset = static_cast<std::size_t>(cur_ - base) - keepFrom;
    std::memmove(base, base + keepFrom, kept);
    txStart_ = 0;
    const std::size_t needTotal = curOffset + count;
    if (needTotal > buffer_.size()) {
        if (!inTransaction_) {
            Throw(ArchiveException::bufferFull, "an item of " + std::to_string(count) + " bytes does not fit the " +
                                                    std::to_string(buffer_.size()) + "-byte buffer");
        }
        if (needTotal > limits_.maxTransactionBytes) {
            Throw(ArchiveException::genericException,
                  "a transaction of more than " + std::to_string(limits_.maxTransactionBytes) + " bytes");
        }
        buffer_.resize(std::max(needTotal, std::min(buffer_.size() * 2, limits_.maxTransactionBytes)));
    }
    cur_ = buffer_.data() + curOffset;
    end_ = buffer_.data() + kept;
    while (static_cast<std::size_t>(end_ - cur_) < count) {
        if (FillFromFile(count - static_cast<std::size_t>(end_ - cur_)) == 0) {
            if (!throwAtEnd) return false;
            Throw(ArchiveException::endOfFile, "the stream ended inside an item (" + std::to_string(end_ - cur_) +
                                                   " of " + std::to_string(count) + " bytes)");
        }
    }
    return true;
}

std::size_t Archive::FillFromFile(std::size_t atLeast) {
    std::uint8_t* const limit = buffer_.data() + buffer_.size();
    std::size_t got;
    if (inTransaction_) {
        // Never wait: take what has arrived; nothing yet means the item is incomplete.
        bool endOfFile = false;
        got = file_->ReadAvailable(end_, static_cast<std::size_t>(limit - end_), endOfFile);
        if (got == 0 && !endOfFile) throw IncompleteRead(file_->GetFilePath());
    } else {
        // Files whose reads return what has arrived (memory, disk, an archive-compatible SocketFile) fill the
        // whole buffer: read-ahead without waiting for more than the item needs. A file that waits for the
        // whole count (IsBlocking) is asked only for what the item needs.
        const auto room = static_cast<std::size_t>(limit - end_);
        got = file_->Read(end_, file_->IsBlocking() ? std::min(atLeast, room) : room);
    }
    if (got > 0) {
        end_ += got;
        waitingForMore_ = false;
        if (holderAttached_) file_->ReadAheadChanged();
    }
    return got;
}

void Archive::Flush() {
    if (file_ == nullptr) return;
    if (IsStoring()) {
        if (cur_ != buffer_.data()) {
            const auto n = static_cast<std::size_t>(cur_ - buffer_.data());
            cur_ = buffer_.data();  // on failure the bytes are not sent twice by a later Flush
            file_->Write(buffer_.data(), n);
        }
        file_->Flush();
    } else if (inTransaction_) {
        // The bytes since the transaction's start must stay for a rollback: giving them back would lose them.
        Throw(ArchiveException::genericException, "Flush of a loading archive inside a transaction");
    } else if (cur_ != end_) {
        // Give the unread bytes back to the file: they stay readable from it.
        const auto n = static_cast<std::size_t>(end_ - cur_);
        file_->Unread(cur_, n);
        cur_ = end_ = buffer_.data();
    }
}

void Archive::Close() {
    if (file_ == nullptr) return;
    if (inTransaction_) RollbackTransaction();  // an unfinished transaction's bytes stay readable
    Flush();
    Abort();
}

void Archive::Abort() noexcept {
    if (file_ != nullptr && holderAttached_) {
        try {
            file_->SetReadAheadHolder(*this, false);
        } catch (...) {
        }
    }
    holderAttached_ = false;
    inTransaction_ = false;
    file_ = nullptr;
    cur_ = buffer_.data();
    end_ = IsLoading() ? buffer_.data() : buffer_.data() + buffer_.size();
}

// --- raw bytes -----------------------------------------------------------------------------------

std::size_t Archive::Read(void* buffer, std::size_t count) {
    CheckLoading("Read");
    auto* out = static_cast<std::uint8_t*>(buffer);
    std::size_t done = std::min(count, static_cast<std::size_t>(end_ - cur_));
    if (done > 0) std::memcpy(out, cur_, done);
    cur_ += done;
    while (done < count) {
        const std::size_t rest = count - done;
        if (rest >= buffer_.size() && !inTransaction_) {
            const std::size_t got = file_->Read(out + done, rest);  // large: straight into the caller's buffer
            if (got == 0) break;
            done += got;
            continue;
        }
        // Refill (in a transaction the bytes since its start are kept); a short count at the end.
        if (!Fill(std::min(rest, inTransaction_ ? rest : buffer_.size()), false) && cur_ == end_) break;
        const std::size_t take = std::min(rest, static_cast<std::size_t>(end_ - cur_));
        std::memcpy(out + done, cur_, take);
        cur_ += take;
        done += take;
    }
    return done;
}

void Archive::Write(const void* buffer, std::size_t count) {
    CheckStoring("Write");
    const auto* in = static_cast<const std::uint8_t*>(buffer);
    if (count == 0) return;
    if (count <= static_cast<std::size_t>(end_ - cur_)) {
        std::memcpy(cur_, in, count);
        cur_ += count;
        return;
    }
    if (cur_ != buffer_.data()) {
        const auto n = static_cast<std::size_t>(cur_ - buffer_.data());
        cur_ = buffer_.data();
        file_->Write(buffer_.data(), n);
    }
    if (count >= buffer_.size()) {
        file_->Write(in, count);
    } else {
        std::memcpy(cur_, in, count);
        cur_ += count;
    }
}

void Archive::WriteString(std::string_view text) {
    Write(text.data(), text.size());
}

void Archive::WriteString(std::u16string_view text) {
    for (char16_t u : text)
        PutFixed(u, 2);
}

bool Archive::ReadString(std::string& line) {
    CheckLoading("ReadString");
    line.clear();
    bool any = false;
    for (;;) {
        if (!Fill(1, false)) return any;
        const char c = static_cast<char>(*cur_++);
        any = true;
        if (c == '\n') return true;
        if (c == '\r') {
            // "\r\n": MFC takes one more character after '\r'; portafx takes it only if it is the '\n'.
            if (Fill(1, false) && *cur_ == '\n') ++cur_;
            return true;
        }
        if (line.size() >= limits_.maxStringLength) {
            Throw(ArchiveException::genericException,
                  "a text line longer than the limit of " + std::to_string(limits_.maxStringLength) + " characters");
        }
        line.push_back(c);
    }
}

bool Archive::ReadString(std::u16string& line) {
    CheckLoading("ReadString");
    line.clear();
    for (;;) {
        if (!Fill(2, false)) {
            if (cur_ != end_) NeedBytes(2);  // half a unit at the end: endOfFile
            return !line.empty();
        }
        const auto u = static_cast<char16_t>(GetFixed(2));
        if (u == u'\n') return true;
        if (u == u'\r') {
            if (Fill(2, false) && cur_[0] == '\n' && cur_[1] == 0) cur_ += 2;
            return true;
        }
        if (line.size() >= limits_.maxStringLength) {
            Throw(ArchiveException::genericException,
                  "a text line longer than the limit of " + std::to_string(limits_.maxStringLength) + " characters");
        }
        line.push_back(u);
    }
}

// --- primitives ----------------------------------------------------------------------------------

Archive& Archive::PutByte(std::uint8_t b) {
    return PutFixed(b, 1);
}

std::uint8_t Archive::GetByte() {
    return static_cast<std::uint8_t>(GetFixed(1));
}

Archive& Archive::PutFixedSlow(std::uint64_t v, std::size_t width) {
    CheckStoring("operator<<");
    std::uint8_t bytes[8];
    for (std::size_t i = 0; i < width; ++i)
        bytes[i] = static_cast<std::uint8_t>(v >> (8 * i));
    Write(bytes, width);
    return *this;
}

std::uint64_t Archive::GetFixedSlow(std::size_t width) {
    CheckLoading("operator>>");
    NeedBytes(width);
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < width; ++i)
        v |= static_cast<std::uint64_t>(cur_[i]) << (8 * i);
    cur_ += width;
    return v;
}

// --- strings -------------------------------------------------------------------------------------

void Archive::PutStringLength(std::uint64_t length, bool wide) {
    if (wide) {
        PutFixed(0xFF, 1);
        PutFixed(0xFFFE, 2);  // the Unicode marker: FF FE FF
    }
    if (length < 0xFF) {
        PutFixed(length, 1);
    } else if (length < 0xFFFE) {
        PutFixed(0xFF, 1);
        PutFixed(length, 2);
    } else if (length < 0xFFFFFFFFu) {
        PutFixed(0xFF, 1);
        PutFixed(0xFFFF, 2);
        PutFixed(length, 4);
    } else {
        PutFixed(0xFF, 1);
        PutFixed(0xFFFF, 2);
        PutFixed(0xFFFFFFFFu, 4);
        PutFixed(length, 8);
    }
}

std::uint64_t Archive::GetStringLength(bool& wide) {
    wide = false;
    std::uint64_t length = GetFixed(1);
    if (length == 0xFF) {
        length = GetFixed(2);
        if (length == 0xFFFE) {
            wide = true;
            length = GetFixed(1);
            if (length == 0xFF) length = GetFixed(2);
            if (length == 0xFFFE) Throw(ArchiveException::genericException, "a string with two Unicode markers");
        }
        if (length == 0xFFFF) {
            length = GetFixed(4);
            if (length == 0xFFFFFFFFu) length = GetFixed(8);
        }
    }
    if (length > limits_.maxStringLength) {
        Throw(ArchiveException::genericException, "a string of " + std::to_string(length) +
                                                      " characters exceeds the limit of " +
                                                      std::to_string(limits_.maxStringLength));
    }
    return length;
}

void Archive::GetStringBody(std::uint64_t length, bool wide, std::string* narrow, std::u16string* utf16) {
    if (!wide && narrow != nullptr && utf16 == nullptr && length <= static_cast<std::uint64_t>(end_ - cur_)) {
        // The whole string is in the buffer: straight into the caller's string, reusing its capacity.
        narrow->assign(reinterpret_cast<const char*>(cur_), static_cast<std::size_t>(length));
        cur_ += length;
        return;
    }
    // Grows with the bytes that arrive, never ahead of them: a huge length followed by a few bytes costs
    // only those bytes before endOfFile.
    std::string bytes;
    std::u16string units;
    std::uint64_t left = length;
    while (left > 0) {
        const std::size_t unit = wide ? 2 : 1;
        if (static_cast<std::size_t>(end_ - cur_) < unit) NeedBytes(unit);
        const std::size_t take =
            static_cast<std::size_t>(std::min<std::uint64_t>(left, static_cast<std::uint64_t>(end_ - cur_) / unit));
        if (wide) {
            for (std::size_t i = 0; i < take; ++i) {
                units.push_back(static_cast<char16_t>(cur_[2 * i] | (cur_[2 * i + 1] << 8)));
            }
        } else {
            bytes.append(reinterpret_cast<const char*>(cur_), take);
        }
        cur_ += take * unit;
        left -= take;
    }
    if (narrow != nullptr) *narrow = wide ? detail::Utf16ToUtf8(units) : std::move(bytes);
    if (utf16 != nullptr) *utf16 = wide ? std::move(units) : detail::Utf8ToUtf16(bytes);
}

Archive& Archive::operator<<(const std::string& s) {
    if (s.size() < 0xFF && file_ != nullptr && !(mode_ & Load) && static_cast<std::size_t>(end_ - cur_) > s.size()) {
        // MFC's one-byte length and the bytes, both fitting the buffer.
        *cur_++ = static_cast<std::uint8_t>(s.size());
        if (!s.empty()) std::memcpy(cur_, s.data(), s.size());
        cur_ += s.size();
        return *this;
    }
    CheckStoring("operator<<");
    PutStringLength(s.size(), false);
    Write(s.data(), s.size());
    return *this;
}

Archive& Archive::operator>>(std::string& s) {
    if (file_ != nullptr && (mode_ & Load) && cur_ != end_ && *cur_ < 0xFF && *cur_ <= limits_.maxStringLength &&
        static_cast<std::size_t>(end_ - cur_) > *cur_) {
        // MFC's one-byte length and the bytes, both in the buffer: straight into the caller's string.
        const std::size_t length = *cur_++;
        s.assign(reinterpret_cast<const char*>(cur_), length);
        cur_ += length;
        return *this;
    }
    bool wide = false;
    const std::uint64_t length = GetStringLength(wide);
    GetStringBody(length, wide, &s, nullptr);
    return *this;
}

Archive& Archive::operator<<(const std::u16string& s) {
    CheckStoring("operator<<");
    PutStringLength(s.size(), true);
    WriteString(std::u16string_view(s));
    return *this;
}

Archive& Archive::operator>>(std::u16string& s) {
    bool wide = false;
    const std::uint64_t length = GetStringLength(wide);
    GetStringBody(length, wide, nullptr, &s);
    return *this;
}

Archive& Archive::operator<<(const std::wstring& s) {
    return *this << detail::WideToUtf16(s);
}

Archive& Archive::operator>>(std::wstring& s) {
    std::u16string units;
    *this >> units;
    s = detail::Utf16ToWide(units);
    return *this;
}

// --- counts --------------------------------------------------------------------------------------

void Archive::WriteCount(std::uint64_t count) {
    CheckStoring("WriteCount");
    if (count < 0xFFFF) {
        PutFixed(count, 2);
        return;
    }
    PutFixed(0xFFFF, 2);
    if (count < 0xFFFFFFFFu) {
        PutFixed(count, 4);
        return;
    }
    PutFixed(0xFFFFFFFFu, 4);
    PutFixed(count, 8);
}

std::uint64_t Archive::ReadCount() {
    std::uint64_t count = GetFixed(2);
    if (count == 0xFFFF) {
        count = GetFixed(4);
        if (count == 0xFFFFFFFFu) count = GetFixed(8);
    }
    if (count > limits_.maxCount) {
        Throw(ArchiveException::genericException,
              "a count of " + std::to_string(count) + " exceeds the limit of " + std::to_string(limits_.maxCount));
    }
    return count;
}

// --- objects and classes -------------------------------------------------------------------------

void Archive::CheckMapCount() {
    const std::uint64_t limit = std::min<std::uint64_t>(kMaxMapCount, std::uint64_t{limits_.maxMapEntries} + 1);
    if (mapCount_ >= limit) {
        Throw(ArchiveException::badIndex,
              "more than " + std::to_string(limit - 1) + " objects and classes in one archive");
    }
}

void Archive::WriteTag(std::uint32_t index, bool isClass) {
    if (index < kBigObjectTag) {
        PutFixed(isClass ? (kClassTag | index) : index, 2);
    } else {
        PutFixed(kBigObjectTag, 2);
        PutFixed(isClass ? (kBigClassTag | index) : index, 4);
    }
}

void Archive::WriteObject(const Serializable* object) {
    CheckStoring("WriteObject");
    if (object == nullptr) {
        PutFixed(kNullTag, 2);
        return;
    }
    if (auto it = storeMap_.find(object); it != storeMap_.end()) {
        WriteTag(it->second, false);
        return;
    }
    WriteClass(object->GetRuntimeClass());
    CheckMapCount();
    storeMap_[object] = mapCount_++;  // before the body: references inside it resolve to this object
    const_cast<Serializable*>(object)->Serialize(*this);
}

void Archive::WriteClass(const RuntimeClass* cls) {
    CheckStoring("WriteClass");
    if (cls == nullptr || !cls->IsSerializable()) {
        throw NotSupportedException(std::string("class ") + (cls ? cls->className : "(null)") +
                                    " is not serializable (use PORTAFX_IMPLEMENT_SERIAL)");
    }
    if (auto it = storeMap_.find(cls); it != storeMap_.end()) {
        WriteTag(it->second, true);
        return;
    }
    const std::size_t length = std::strlen(cls->className);
    if (length > kMaxClassName) {
        Throw(ArchiveException::genericException,
              "class name " + Quote(cls->className) + " is longer than the 63 characters MFC can read");
    }
    CheckMapCount();
    PutFixed(kNewClassTag, 2);
    PutFixed(cls->schema & 0xFFFF, 2);  // VersionableSchema never reaches the wire
    PutFixed(length, 2);
    Write(cls->className, length);
    storeMap_[cls] = mapCount_++;
}

const RuntimeClass* Archive::ReadClass(const RuntimeClass* requested, unsigned* schema, std::uint32_t* objectTag) {
    CheckLoading("ReadClass");
    const auto word = static_cast<std::uint16_t>(GetFixed(2));
    std::uint32_t tag;
    if (word == kBigObjectTag) {
        tag = static_cast<std::uint32_t>(GetFixed(4));
    } else {
        tag = (static_cast<std::uint32_t>(word & kClassTag) << 16) | (word & 0x7FFF);
    }

    const RuntimeClass* cls = nullptr;
    unsigned stored = 0;
    if (word == kNewClassTag) {
        stored = static_cast<unsigned>(GetFixed(2));
        const auto length = static_cast<std::size_t>(GetFixed(2));
        if (length > kMaxClassName) {
            Throw(ArchiveException::badClass,
                  "a class name of " + std::to_string(length) + " characters (at most 63 are allowed)");
        }
        NeedBytes(length);
        const std::string name(reinterpret_cast<const char*>(cur_), length);
        cur_ += length;
        cls = RuntimeClass::FromName(name);
        if (cls == nullptr) {
            Throw(ArchiveException::badClass,
                  "unknown class " + Quote(name) + " (not registered with PORTAFX_IMPLEMENT_SERIAL)");
        }
        const unsigned own = cls->schema & ~VersionableSchema;
        if (own != stored && !(cls->schema & VersionableSchema)) {
            Throw(ArchiveException::badSchema, "class " + Quote(name) + " has schema " + std::to_string(own) +
                                                   " but the stream has schema " + std::to_string(stored));
        }
        CheckMapCount();
        LoadEntry entry;
        entry.cls = cls;
        entry.schema = stored;
        entry.isClass = true;
        loadMap_.push_back(entry);
        ++mapCount_;
    } else if (tag & kBigClassTag) {
        const std::uint32_t index = tag & ~kBigClassTag;
        if (index == 0 || index >= loadMap_.size() || !loadMap_[index].isClass) {
            Throw(ArchiveException::badIndex,
                  "class index " + std::to_string(index) + " does not name a class read before");
        }
        cls = loadMap_[index].cls;
        stored = loadMap_[index].schema;
    } else {
        if (objectTag == nullptr) {
            Throw(ArchiveException::badIndex, "an object tag (" + std::to_string(tag) + ") where a class was expected");
        }
        *objectTag = tag;
        return nullptr;
    }
    if (requested != nullptr && !cls->IsDerivedFrom(requested)) {
        Throw(ArchiveException::badClass,
              "class " + Quote(cls->className) + " is not a kind of " + Quote(requested->className));
    }
    if (schema != nullptr) {
        *schema = stored;
    } else {
        objectSchema_ = stored;
    }
    return cls;
}

Serializable* Archive::ReadObject(const RuntimeClass* requested) {
    CheckLoading("ReadObject");
    if (depth_ >= limits_.maxObjectDepth) {
        Throw(ArchiveException::genericException,
              "objects nested deeper than the limit of " + std::to_string(limits_.maxObjectDepth));
    }
    unsigned schema = 0;
    std::uint32_t tag = 0;
    const RuntimeClass* cls = ReadClass(requested, &schema, &tag);
    if (cls == nullptr) {
        if (tag == kNullTag) return nullptr;
        if (tag >= loadMap_.size() || loadMap_[tag].isClass) {
            Throw(ArchiveException::badIndex,
                  "object index " + std::to_string(tag) + " does not name an object read before");
        }
        Serializable* seen = loadMap_[tag].object;
        if (seen != nullptr && requested != nullptr && !seen->IsKindOf(requested)) {
            Throw(ArchiveException::badClass, "object " + std::to_string(tag) + " is a " +
                                                  Quote(seen->GetRuntimeClass()->className) + ", not a " +
                                                  Quote(requested->className));
        }
        return seen;
    }
    CheckMapCount();
    Serializable* object = cls->CreateObject();
    if (object == nullptr) Throw(ArchiveException::badClass, "class " + Quote(cls->className) + " cannot be created");
    const std::size_t index = loadMap_.size();
    LoadEntry entry;
    entry.object = object;
    loadMap_.push_back(entry);  // before the body: references inside it resolve to this object
    ++mapCount_;
    const unsigned savedSchema = objectSchema_;
    objectSchema_ = schema;
    ++depth_;
    try {
        object->Serialize(*this);
    } catch (...) {
        --depth_;
        objectSchema_ = savedSchema;
        loadMap_[index].object = nullptr;
        delete object;  // half-built: nobody else has it
        throw;
    }
    --depth_;
    objectSchema_ = savedSchema;
    return object;
}

void Archive::SerializeClass(const RuntimeClass* cls) {
    if (IsStoring()) {
        WriteClass(cls);
    } else {
        ReadClass(cls);
    }
}

void Archive::MapObject(const Serializable* object) {
    if (file_ == nullptr) Throw(ArchiveException::genericException, "MapObject on a closed archive");
    if (object == nullptr) return;  // as MFC: NULL takes no index
    CheckMapCount();
    if (IsStoring()) {
        storeMap_[object] = mapCount_++;  // as MFC: mapping again gives a new index, on both sides
        return;
    }
    LoadEntry entry;
    entry.object = const_cast<Serializable*>(object);
    loadMap_.push_back(entry);
    ++mapCount_;
}

// --- transactions --------------------------------------------------------------------------------

void Archive::StartTransaction() {
    CheckLoading("StartTransaction");
    if (inTransaction_) Throw(ArchiveException::genericException, "a transaction is already started");
    inTransaction_ = true;
    txStart_ = static_cast<std::size_t>(cur_ - buffer_.data());
    txLoadMapSize_ = loadMap_.size();
    txMapCount_ = mapCount_;
    txObjectSchema_ = objectSchema_;
    txDepth_ = depth_;
}

void Archive::CommitTransaction() {
    if (!inTransaction_) Throw(ArchiveException::genericException, "CommitTransaction without StartTransaction");
    inTransaction_ = false;
    // A large message grew the buffer: give the memory back once what is left fits the usual size.
    const auto left = static_cast<std::size_t>(end_ - cur_);
    if (buffer_.size() > bufferSize_ && left <= bufferSize_) {
        std::vector<std::uint8_t> smaller(bufferSize_);
        if (left > 0) std::memcpy(smaller.data(), cur_, left);
        buffer_.swap(smaller);
        cur_ = buffer_.data();
        end_ = cur_ + left;
    }
    // Bytes of the next message already here: announce them (OnReceive comes again for them).
    if (holderAttached_ && cur_ != end_ && file_ != nullptr) file_->ReadAheadChanged();
}

void Archive::RollbackTransaction() {
    if (!inTransaction_) Throw(ArchiveException::genericException, "RollbackTransaction without StartTransaction");
    inTransaction_ = false;
    cur_ = buffer_.data() + txStart_;
    loadMap_.resize(txLoadMapSize_);
    mapCount_ = txMapCount_;
    depth_ = txDepth_;
    objectSchema_ = txObjectSchema_;  // as it was: a schema not yet asked for is still there for the retry
    waitingForMore_ = true;           // until more bytes arrive, what is kept is not news
}

unsigned Archive::GetObjectSchema() noexcept {
    const unsigned schema = objectSchema_;
    objectSchema_ = NoSchema;
    return schema;
}

}  // namespace portafx
