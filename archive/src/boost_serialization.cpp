// The Boost.Serialization bridge: the portable payload encoding, its checks, the frame, and error translation.
#include <portafx/boost_serialization.hpp>

#include "detail/utf.hpp"

#include <boost/archive/archive_exception.hpp>
#include <boost/archive/detail/archive_serializer_map.hpp>
#include <boost/archive/impl/archive_serializer_map.ipp>
#include <boost/serialization/extended_type_info.hpp>

#include <algorithm>
#include <limits>
#include <stdexcept>

// The serializer maps that BOOST_CLASS_EXPORT fills for our two archives.
template class boost::archive::detail::archive_serializer_map<portafx::BoostOutputArchive>;
template class boost::archive::detail::archive_serializer_map<portafx::BoostInputArchive>;

namespace portafx {

namespace {

constexpr std::size_t kFrameHeader = 5;        // u8 encoding + u32 length
constexpr std::size_t kFrameChunk = 64 << 10;  // a frame's payload is read in pieces of this size, as it arrives

ArchiveException::Cause CauseOf(const boost::archive::archive_exception& e) {
    using boost::archive::archive_exception;
    switch (e.code) {
    case archive_exception::unregistered_class:
    case archive_exception::invalid_class_name:
    case archive_exception::unregistered_cast: return ArchiveException::badClass;
    case archive_exception::unsupported_version:
    case archive_exception::unsupported_class_version: return ArchiveException::badSchema;
    case archive_exception::pointer_conflict:
    case archive_exception::array_size_too_short: return ArchiveException::badIndex;
    case archive_exception::input_stream_error: return ArchiveException::endOfFile;
    default: return ArchiveException::genericException;
    }
}

}  // namespace

namespace detail {

void ThrowBoostError(ArchiveException::Cause cause, const std::string& message) {
    throw ArchiveException(cause, "Boost.Serialization value: " + message);
}

void WriteBoostFrame(Archive& ar, const std::string& payload) {
    const std::uint64_t limit =
        std::min<std::uint64_t>(ar.GetLimits().maxTransactionBytes, std::numeric_limits<std::uint32_t>::max());
    if (payload.size() > limit) {
        ThrowBoostError(ArchiveException::genericException,
                        "a value of " + std::to_string(payload.size()) + " bytes, over the " + std::to_string(limit) +
                            "-byte frame limit (ArchiveLimits::maxTransactionBytes)");
    }
    std::uint8_t header[kFrameHeader] = {kBoostEncodingVersion};
    const auto length = static_cast<std::uint32_t>(payload.size());
    for (int i = 0; i < 4; ++i)
        header[1 + i] = static_cast<std::uint8_t>(length >> (8 * i));
    ar.Write(header, sizeof header);
    ar.Write(payload.data(), payload.size());
}

std::vector<std::uint8_t> ReadBoostFrame(Archive& ar) {
    const std::string fileName = ar.GetFile() != nullptr ? ar.GetFile()->GetFilePath() : std::string();
    auto fail = [&](ArchiveException::Cause cause, const std::string& message) {
        throw ArchiveException(cause, "Boost.Serialization value: " + message, fileName);
    };
    std::uint8_t header[kFrameHeader];
    const std::size_t got = ar.Read(header, sizeof header);
    if (got == 0) fail(ArchiveException::endOfFile, "the stream ended before the value");
    if (got < sizeof header) fail(ArchiveException::endOfFile, "the stream ended inside the frame header");
    if (header[0] != kBoostEncodingVersion) {
        fail(ArchiveException::badSchema, "encoding " + std::to_string(header[0]) + " where " +
                                              std::to_string(kBoostEncodingVersion) +
                                              " was expected (not a Boost.Serialization value, or a newer encoding)");
    }
    std::uint32_t length = 0;
    for (int i = 0; i < 4; ++i)
        length |= static_cast<std::uint32_t>(header[1 + i]) << (8 * i);
    if (length > ar.GetLimits().maxTransactionBytes) {
        fail(ArchiveException::genericException, "a frame of " + std::to_string(length) + " bytes, over the " +
                                                     std::to_string(ar.GetLimits().maxTransactionBytes) +
                                                     "-byte limit (ArchiveLimits::maxTransactionBytes)");
    }
    // Grow with what arrives: a length that lies costs nothing until the bytes are really there.
    std::vector<std::uint8_t> payload;
    while (payload.size() < length) {
        const std::size_t chunk = std::min<std::size_t>(kFrameChunk, length - payload.size());
        const std::size_t at = payload.size();
        payload.resize(at + chunk);
        const std::size_t read = ar.Read(payload.data() + at, chunk);
        if (read < chunk) {
            fail(ArchiveException::endOfFile, "the stream ended inside the value (" + std::to_string(at + read) +
                                                  " of " + std::to_string(length) + " bytes)");
        }
    }
    return payload;
}

void TranslateBoostErrors(const std::string& fileName, void (*load)(void*), void* context) {
    try {
        load(context);
    } catch (const boost::archive::archive_exception& e) {
        throw ArchiveException(CauseOf(e), std::string("Boost.Serialization value: ") + e.what(), fileName);
    } catch (const std::length_error& e) {
        throw ArchiveException(ArchiveException::genericException,
                               std::string("Boost.Serialization value: ") + e.what(), fileName);
    }
}

}  // namespace detail

// --- output --------------------------------------------------------------------------------------------------

BoostOutputArchive::BoostOutputArchive(std::string& out) : Base(boost::archive::no_header), out_(out) {}

void BoostOutputArchive::PutUnsigned(std::uint64_t v, std::size_t width) {
    char bytes[8];
    for (std::size_t i = 0; i < width; ++i)
        bytes[i] = static_cast<char>(static_cast<std::uint8_t>(v >> (8 * i)));
    out_.append(bytes, width);
}

void BoostOutputArchive::PutSize(std::size_t size) {
    if (size > std::numeric_limits<std::uint32_t>::max()) {
        detail::ThrowBoostError(ArchiveException::genericException,
                                "a size of " + std::to_string(size) + " does not fit the 32-bit encoding");
    }
    PutUnsigned(size, 4);
}

void BoostOutputArchive::save_binary(const void* data, std::size_t size) {
    out_.append(static_cast<const char*>(data), size);
}

void BoostOutputArchive::save_override(const boost::archive::class_name_type& t) {
    save(std::string(static_cast<const char*>(t)));
}

void BoostOutputArchive::save(const std::string& s) {
    PutSize(s.size());
    out_.append(s);
}

void BoostOutputArchive::save(const std::wstring& s) {
    // UTF-16 on every platform (wchar_t is UTF-32 on Linux and macOS, UTF-16 on Windows).
    const std::u16string units = detail::WideToUtf16(s);
    PutSize(units.size());
    for (const char16_t unit : units)
        PutUnsigned(unit, 2);
}

// --- input ---------------------------------------------------------------------------------------------------

BoostInputArchive::BoostInputArchive(const std::uint8_t* data, std::size_t size, const ArchiveLimits& limits,
                                     std::string fileName)
    : Base(boost::archive::no_header),
      cur_(data),
      end_(data + size),
      limits_(limits),
      fileName_(std::move(fileName)),
      // Each level of a user's nesting is a few Boost levels (the object, its name-value wrapper, a pointer).
      maxDepth_(limits.maxObjectDepth * 4) {
    set_library_version(boost::serialization::library_version_type(kBoostLayoutLibraryVersion));
}

void BoostInputArchive::Throw(ArchiveException::Cause cause, const std::string& message) const {
    throw ArchiveException(cause, "Boost.Serialization value: " + message, fileName_);
}

void BoostInputArchive::ThrowRange(const std::string& value, std::size_t width) const {
    Throw(ArchiveException::badIndex,
          "the value " + value + " does not fit the " + std::to_string(width) + "-byte type it is read into");
}

void BoostInputArchive::ThrowDepth() const {
    Throw(ArchiveException::genericException,
          "nesting deeper than " + std::to_string(maxDepth_) + " levels (ArchiveLimits::maxObjectDepth × 4)");
}

void BoostInputArchive::CheckConsumed() const {
    if (Remaining() != 0) {
        Throw(ArchiveException::genericException,
              std::to_string(Remaining()) + " bytes left over: the value read is not the kind that was written");
    }
}

void BoostInputArchive::Need(std::size_t count) const {
    if (Remaining() < count) {
        Throw(ArchiveException::endOfFile, "the value ended early (" + std::to_string(count) + " bytes needed, " +
                                               std::to_string(Remaining()) + " left)");
    }
}

std::uint64_t BoostInputArchive::GetUnsigned(std::size_t width) {
    Need(width);
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < width; ++i)
        v |= static_cast<std::uint64_t>(cur_[i]) << (8 * i);
    cur_ += width;
    return v;
}

std::int64_t BoostInputArchive::GetSigned(std::size_t width) {
    std::uint64_t v = GetUnsigned(width);
    if (width < 8 && (v >> (8 * width - 1)) != 0) v |= ~std::uint64_t{0} << (8 * width);  // sign-extend
    return static_cast<std::int64_t>(v);
}

bool BoostInputArchive::GetBool() {
    const std::uint64_t v = GetUnsigned(1);
    if (v > 1) Throw(ArchiveException::badIndex, "a bool of value " + std::to_string(v));
    return v != 0;
}

std::size_t BoostInputArchive::GetSize(std::uint64_t limit, std::size_t bytesPerItem, const char* what) {
    const std::uint64_t size = GetUnsigned(4);
    if (size > limit) {
        Throw(ArchiveException::genericException,
              std::string(what) + " of " + std::to_string(size) + ", over the limit of " + std::to_string(limit));
    }
    // Nothing is allocated ahead of the bytes: every item takes at least bytesPerItem bytes of the payload.
    if (size > Remaining() / bytesPerItem) {
        Throw(ArchiveException::endOfFile, std::string(what) + " of " + std::to_string(size) + " with only " +
                                               std::to_string(Remaining()) + " bytes left in the value");
    }
    return static_cast<std::size_t>(size);
}

void BoostInputArchive::load_binary(void* data, std::size_t size) {
    Need(size);
    if (size > 0) std::memcpy(data, cur_, size);
    cur_ += size;
}

int BoostInputArchive::RegisterClass(const boost::serialization::extended_type_info* type) {
    const auto at = std::find(classes_.begin(), classes_.end(), type);
    if (at != classes_.end()) return static_cast<int>(at - classes_.begin());
    classes_.push_back(type);
    return static_cast<int>(classes_.size()) - 1;
}

void BoostInputArchive::ClaimLastPointer(bool shared) {
    if (lastPointerObject_ < 0) return;  // an untracked class: every pointer made its own object
    ObjectInfo& object = objects_[static_cast<std::size_t>(lastPointerObject_)];
    const char* problem = nullptr;
    if (object.origin == Origin::Member) {
        problem = "an object that is a member of another";
    } else if (object.owner == Owner::Unique || (object.owner == Owner::Shared && !shared)) {
        problem = "an object that has an owner already";
    }
    if (problem != nullptr) {
        Throw(ArchiveException::badIndex, std::string(shared ? "a shared_ptr" : "a unique_ptr") + " to " + problem +
                                              " (object " + std::to_string(lastPointerObject_) + ")");
    }
    object.owner = shared ? Owner::Shared : Owner::Unique;
}

void BoostInputArchive::load_override(boost::archive::class_id_type& t) {
    // Class ids are read only for pointers: -1 is null, a known class has its id, a new class the next id.
    const auto id = static_cast<int>(GetSigned(2));
    const auto known = static_cast<int>(classes_.size());
    if (id == -1) {
        inPointer_ = false;  // no object id follows a null pointer
    } else if (!inPointer_ || id < 0 || id > known) {
        Throw(ArchiveException::badIndex,
              "class id " + std::to_string(id) + " where " + std::to_string(known) + " classes are known");
    } else if (id == known && !pointeePolymorphic_) {
        // A new class for a pointer to a non-polymorphic class is that class: it must be new indeed.
        if (std::find(classes_.begin(), classes_.end(), pointee_) != classes_.end()) {
            Throw(ArchiveException::badIndex, "a new class id for a class that already has one");
        }
        classes_.push_back(pointee_);
    }
    // (A polymorphic class is registered when its name arrives.)
    pointerClass_ = id;
    t = boost::archive::class_id_type(id);
}

void BoostInputArchive::load_override(boost::archive::class_id_reference_type& t) {
    boost::archive::class_id_type id;
    load_override(id);
    t = boost::archive::class_id_reference_type(id);
}

void BoostInputArchive::load_override(boost::archive::object_id_type& t) {
    // A new object has the next id; any other id refers to an object read before, of the same class.
    const auto id = static_cast<std::uint32_t>(GetUnsigned(4));
    const std::size_t known = objects_.size();
    const int cls = inPointer_ ? pointerClass_ : valueClass_;
    if (id > known) {
        Throw(ArchiveException::badIndex,
              "a reference to object " + std::to_string(id) + " when " + std::to_string(known) + " were read");
    }
    if (id == known) {
        objects_.push_back({cls, inPointer_ ? Origin::Heap : Origin::Member, Owner::None});
    } else if (inPointer_ && objects_[id].cls != cls) {
        Throw(ArchiveException::badIndex, "a pointer of class id " + std::to_string(cls) + " to object " +
                                              std::to_string(id) + " of class id " + std::to_string(objects_[id].cls));
    }
    if (inPointer_ && !pointerObjects_.empty()) pointerObjects_.back() = id;
    pointerTargetPending_ = inPointer_ && id == known;
    inPointer_ = false;
    t = boost::archive::object_id_type(id);
}

void BoostInputArchive::load_override(boost::archive::object_reference_type& t) {
    boost::archive::object_id_type id;
    load_override(id);
    t = boost::archive::object_reference_type(id);
}

void BoostInputArchive::load_override(boost::archive::version_type& t) {
    const auto version = static_cast<std::uint32_t>(GetUnsigned(4));
    // Boost 1.81 no longer refuses a version newer than the class's; portafx does, where it knows the class (an
    // object loaded by value; through a pointer the class is only known to Boost).
    if (expectedVersion_ != kAnyVersion && version > expectedVersion_) {
        Throw(ArchiveException::badSchema, "class version " + std::to_string(version) + " is newer than this " +
                                               "program's " + std::to_string(expectedVersion_));
    }
    expectedVersion_ = kAnyVersion;
    t = boost::archive::version_type(version);
}

void BoostInputArchive::load_override(boost::archive::tracking_type& t) {
    t = boost::archive::tracking_type(GetBool());
}

void BoostInputArchive::load_override(boost::archive::class_name_type& t) {
    const auto length = static_cast<std::size_t>(GetUnsigned(4));
    if (length > kBoostMaxClassName) {
        Throw(ArchiveException::badClass, "a class name of " + std::to_string(length) + " characters (at most " +
                                              std::to_string(kBoostMaxClassName) + ")");
    }
    Need(length);
    const std::string name(reinterpret_cast<const char*>(cur_), length);
    cur_ += length;
    if (name.empty() || name.find('\0') != std::string::npos) {
        Throw(ArchiveException::badClass, "an empty class name or one with a NUL");
    }
    // Only classes exported for this archive: Boost would dereference a missing serializer.
    const auto* type = boost::serialization::extended_type_info::find(name.c_str());
    if (type == nullptr || boost::archive::detail::archive_serializer_map<BoostInputArchive>::find(*type) == nullptr) {
        Throw(ArchiveException::badClass, "class '" + name + "' is not exported (BOOST_CLASS_EXPORT) for portafx");
    }
    if (std::find(classes_.begin(), classes_.end(), type) != classes_.end()) {
        Throw(ArchiveException::badIndex, "class '" + name + "' sent as new twice");
    }
    classes_.push_back(type);
    // t points at Boost's buffer of BOOST_SERIALIZATION_MAX_KEY_SIZE (128) bytes.
    char* out = t;
    std::memcpy(out, name.data(), length);
    out[length] = '\0';
}

void BoostInputArchive::load_override(boost::serialization::collection_size_type& t) {
    t = boost::serialization::collection_size_type(GetSize(limits_.maxCount, 1, "a collection size"));
}

void BoostInputArchive::load_override(boost::serialization::item_version_type& t) {
    t = boost::serialization::item_version_type(static_cast<unsigned>(GetUnsigned(4)));
}

void BoostInputArchive::load(std::string& s) {
    const std::size_t length = GetSize(limits_.maxStringLength, 1, "a string length");
    s.assign(reinterpret_cast<const char*>(cur_), length);
    cur_ += length;
}

void BoostInputArchive::load(std::wstring& s) {
    const std::size_t units = GetSize(limits_.maxStringLength, 2, "a wide string length");
    std::u16string text(units, u'\0');
    for (auto& unit : text)
        unit = static_cast<char16_t>(GetUnsigned(2));
    s = detail::Utf16ToWide(text);
}

}  // namespace portafx
