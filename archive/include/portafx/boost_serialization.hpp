// portafx — Boost.Serialization types through an Archive.
//
// Include this header and every type Boost.Serialization can save and load goes through the same `ar << x` and
// `ar >> x` as the native types: classes with a `serialize` member or free function, split save/load,
// BOOST_CLASS_VERSION, tracked pointers and shared objects, std::shared_ptr / std::unique_ptr, polymorphic
// classes exported with BOOST_CLASS_EXPORT, and the standard containers through boost/serialization/*.hpp.
// std::optional, std::variant and std::tuple (which Boost 1.81 does not cover) are provided here.
//
//     #include <portafx/boost_serialization.hpp>   // before BOOST_CLASS_EXPORT, like any Boost archive header
//     #include <boost/serialization/map.hpp>
//     #include <boost/serialization/vector.hpp>
//
//     std::map<std::string, std::vector<double>> prices = ...;
//     ar << prices;  ar.Flush();            // storing Archive, over any File (memory, disk, socket)
//     ar >> prices;                          // loading Archive
//
// Each top-level `ar << x` is one self-contained message: its own object tracking and class information, so
// messages on a long-lived socket archive stay independent and nothing accumulates. On the wire it is a frame
// (docs/archive-format.md, "Boost.Serialization values"):
//
//     u8 encoding (1)   u32 payload length   payload
//
// and the payload is a portable binary encoding of our own: little-endian fixed widths whatever the platform
// (`long` is always 8 bytes, `wchar_t` 4), IEEE floats, 32-bit sizes, and no Boost library version — a stream
// written with Boost 1.81 reads back with any later Boost. Loading checks everything against the Archive's
// limits (ArchiveLimits): the frame against maxTransactionBytes, string lengths against maxStringLength,
// collection sizes against maxCount and the bytes left in the frame, nesting against maxObjectDepth; class
// names are at most 127 characters and must be registered (BOOST_CLASS_EXPORT). Every violation, and every
// Boost.Serialization error, is an ArchiveException with MFC's cause code and a message.
//
// Types with a native Archive overload (integers, floats, strings, Serializable pointers) keep MFC's format;
// classes derived from Serializable keep MFC's object format too (write pointers to them, as in MFC).
#pragma once

#include <portafx/archive.hpp>

#include <boost/archive/basic_archive.hpp>
#include <boost/archive/detail/common_iarchive.hpp>
#include <boost/archive/detail/common_oarchive.hpp>
#include <boost/archive/detail/register_archive.hpp>
#include <boost/serialization/collection_size_type.hpp>
#include <boost/serialization/extended_type_info.hpp>
#include <boost/serialization/item_version_type.hpp>
#include <boost/serialization/level.hpp>
#include <boost/serialization/nvp.hpp>
#include <boost/serialization/shared_ptr.hpp>
#include <boost/serialization/singleton.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/tracking.hpp>
#include <boost/serialization/type_info_implementation.hpp>
#include <boost/serialization/version.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace portafx {

/// The version of the payload encoding, the frame's first byte.
inline constexpr std::uint8_t kBoostEncodingVersion = 1;

/// The Boost library version the payload's layout follows (Boost 1.81's). A BoostInputArchive reports it to
/// the serialization code whatever Boost it is compiled with, so that streams stay readable.
inline constexpr unsigned kBoostLayoutLibraryVersion = 19;

/// Longest exported class name accepted (Boost's own key limit is 128 bytes with the terminator).
inline constexpr std::size_t kBoostMaxClassName = 127;

namespace detail {

// The wire width of an arithmetic type, the same on every platform.
template <class T>
constexpr std::size_t BoostWireWidth() {
    static_assert(!std::is_same_v<T, long double>,
                  "long double has no portable encoding: convert it to double before serializing");
    if constexpr (std::is_same_v<T, bool> || sizeof(T) == 1) {
        return 1;
    } else if constexpr (std::is_same_v<T, wchar_t> || std::is_same_v<T, char32_t>) {
        return 4;
    } else if constexpr (std::is_same_v<T, long> || std::is_same_v<T, unsigned long>) {
        return 8;
    } else {
        return sizeof(T);  // short 2, int 4, long long 8, char16_t 2, float 4, double 8
    }
}

template <class T>
struct IsNvp : std::false_type {};
template <class T>
struct IsNvp<boost::serialization::nvp<T>> : std::true_type {};

// Whether a value read at the wire width fits the type it is read into (a `long` of 8 wire bytes into a 32-bit
// `long` on Windows, say).
template <class T>
constexpr bool BoostFits(std::int64_t v) {
    return v >= static_cast<std::int64_t>(std::numeric_limits<T>::min()) &&
           v <= static_cast<std::int64_t>(std::numeric_limits<T>::max());
}
template <class T>
constexpr bool BoostFits(std::uint64_t v) {
    return v <= static_cast<std::uint64_t>(std::numeric_limits<T>::max());
}

[[noreturn]] void ThrowBoostError(ArchiveException::Cause cause, const std::string& message);

}  // namespace detail

/// A Boost.Serialization output archive that appends the portable payload to a byte string. `ar << x` on a
/// portafx Archive uses it; use it directly only to produce a payload without a frame.
class BoostOutputArchive : public boost::archive::detail::common_oarchive<BoostOutputArchive> {
public:
    /// Appends to `out`. No header is written: the frame carries the encoding version.
    explicit BoostOutputArchive(std::string& out);

    /// Raw bytes whose size both sides know (boost::serialization::binary_object).
    void save_binary(const void* data, std::size_t size);

private:
    friend class boost::archive::detail::interface_oarchive<BoostOutputArchive>;
    friend class boost::archive::save_access;
    using Base = boost::archive::detail::common_oarchive<BoostOutputArchive>;

    template <class T>
    void save_override(const T& t) {
        Base::save_override(t);
    }
    // Boost's bookkeeping, each with a fixed width of its own.
    void save_override(const boost::archive::class_id_optional_type&) {}
    void save_override(const boost::archive::class_id_type& t) { PutSigned(t, 2); }
    void save_override(const boost::archive::class_id_reference_type& t) { PutSigned(t, 2); }
    void save_override(const boost::archive::object_id_type& t) { PutUnsigned(t, 4); }
    void save_override(const boost::archive::object_reference_type& t) { PutUnsigned(t, 4); }
    void save_override(const boost::archive::version_type& t) { PutUnsigned(t, 4); }
    void save_override(const boost::archive::tracking_type& t) { PutUnsigned(t.t ? 1 : 0, 1); }
    void save_override(const boost::archive::class_name_type& t);
    void save_override(const boost::serialization::collection_size_type& t) { PutSize(t); }
    void save_override(const boost::serialization::item_version_type& t) { PutUnsigned(t, 4); }

    // Primitives (Boost calls these through save_access).
    template <class T>
    void save(const T& t) {
        static_assert(std::is_arithmetic_v<T>, "not a primitive of the portable encoding");
        constexpr std::size_t width = detail::BoostWireWidth<T>();
        if constexpr (std::is_same_v<T, float>) {
            std::uint32_t bits;
            std::memcpy(&bits, &t, 4);
            PutUnsigned(bits, 4);
        } else if constexpr (std::is_same_v<T, double>) {
            std::uint64_t bits;
            std::memcpy(&bits, &t, 8);
            PutUnsigned(bits, 8);
        } else if constexpr (std::is_same_v<T, bool>) {
            PutUnsigned(t ? 1 : 0, 1);
        } else if constexpr (std::is_signed_v<T>) {
            PutSigned(static_cast<std::int64_t>(t), width);
        } else {
            PutUnsigned(static_cast<std::uint64_t>(t), width);
        }
    }
    void save(const std::string& s);
    void save(const std::wstring& s);

    void PutUnsigned(std::uint64_t v, std::size_t width);
    void PutSigned(std::int64_t v, std::size_t width) { PutUnsigned(static_cast<std::uint64_t>(v), width); }
    void PutSize(std::size_t size);

    std::string& out_;
};

/// A Boost.Serialization input archive over one payload, checked against an Archive's limits. `ar >> x` on a
/// portafx Archive uses it.
class BoostInputArchive : public boost::archive::detail::common_iarchive<BoostInputArchive> {
public:
    /// Reads `size` bytes at `data` (which must outlive the archive). `fileName` goes into error messages.
    BoostInputArchive(const std::uint8_t* data, std::size_t size, const ArchiveLimits& limits,
                      std::string fileName = {});

    /// Raw bytes whose size both sides know.
    void load_binary(void* data, std::size_t size);

    /// Bytes of the payload not read yet.
    std::size_t Remaining() const noexcept { return static_cast<std::size_t>(end_ - cur_); }

    /// Throws (genericException) if bytes are left over: the value read was not the value written.
    void CheckConsumed() const;

private:
    friend class boost::archive::detail::interface_iarchive<BoostInputArchive>;
    friend class boost::archive::load_access;
    using Base = boost::archive::detail::common_iarchive<BoostInputArchive>;

    // Everything that is not Boost's bookkeeping passes here: count the nesting, so that a hostile stream
    // (a list of a million nested pointers) cannot overflow the stack.
    template <class T>
    void load_override(T& t) {
        if constexpr (std::is_arithmetic_v<T>) {
            Base::load_override(t);
        } else {
            NoteContext<T>();
            if constexpr (detail::IsNvp<std::remove_cv_t<T>>::value) {
                if (LoadPointerTarget(t)) return;
            }
            LoadNested(t);
        }
    }

    template <class T>
    void LoadNested(T& t) {
        struct Nest {
            unsigned& depth;
            ~Nest() { --depth; }
        } nest{depth_};
        if (++depth_ > maxDepth_) ThrowDepth();
        if constexpr (std::is_pointer_v<T> && std::is_class_v<std::remove_pointer_t<T>>) {
            struct Pop {
                BoostInputArchive& ar;
                ~Pop() {
                    ar.lastPointerObject_ = ar.pointerObjects_.back();
                    ar.pointerObjects_.pop_back();
                }
            } pop{*this};
            try {
                Base::load_override(t);
            } catch (...) {
                // Boost stores the new object's address in the caller's pointer before loading it; if that load
                // failed, LoadPointerTarget deleted the object: leave no dangling pointer behind.
                if (t != nullptr && static_cast<const void*>(t) == deletedTarget_) t = nullptr;
                throw;
            }
        } else {
            Base::load_override(t);
        }
    }

    // Boost trusts the class and object ids in the stream and indexes its tables with them. To refuse what would
    // send it out of bounds or make it treat one class's object as another's, the archive keeps the same tables:
    // the classes in the order Boost registers them, and the class of every tracked object.
    template <class T>
    static const boost::serialization::extended_type_info* TypeInfoOf() {
        return &boost::serialization::singleton<
            typename boost::serialization::type_info_implementation<T>::type>::get_const_instance();
    }
    template <class T>
    void NoteContext() {
        using boost::serialization::implementation_level;
        using boost::serialization::tracking_level;
        if constexpr (std::is_pointer_v<T>) {
            using P = std::remove_cv_t<std::remove_pointer_t<T>>;
            if constexpr (std::is_class_v<P>) {
                pointee_ = TypeInfoOf<P>();
                pointeePolymorphic_ = std::is_polymorphic_v<P>;
                inPointer_ = true;
                pointerObjects_.push_back(-1);  // its object id, once read
            }
            expectedVersion_ = kAnyVersion;  // the dynamic class is only known to Boost
        } else if constexpr (std::is_class_v<T>) {
            // Boost's load_standard (load_object) registers the class: as its dispatch in iserializer.hpp.
            constexpr int level = implementation_level<T>::value;
            constexpr bool registers = level >= boost::serialization::object_class_info ||
                                       (level == boost::serialization::object_serializable &&
                                        tracking_level<T>::value != boost::serialization::track_never);
            expectedVersion_ = level >= boost::serialization::object_class_info
                                   ? boost::serialization::version<T>::value
                                   : kAnyVersion;
            if constexpr (registers) {
                valueClass_ = RegisterClass(TypeInfoOf<T>());
                inPointer_ = false;
            }
        }
    }
    int RegisterClass(const boost::serialization::extended_type_info* type);

    // Boost 1.81 creates the object of a pointer, then loads its members with `ar >> make_nvp(NULL, *t)`, and if
    // that throws, nobody deletes it. Here that load is recognised (an unnamed wrapper of the class just read for
    // a new pointer object) and the object is deleted on the way out. True if `t` was that load.
    template <class N>
    bool LoadPointerTarget(N& t) {
        if (!pointerTargetPending_ || t.name() != nullptr) return false;
        pointerTargetPending_ = false;
        using V = std::remove_cv_t<std::remove_reference_t<decltype(t.value())>>;
        if constexpr (std::is_class_v<V> && !std::is_abstract_v<V>) {
            if (pointerClass_ < 0 || static_cast<std::size_t>(pointerClass_) >= classes_.size() ||
                classes_[static_cast<std::size_t>(pointerClass_)] != TypeInfoOf<V>()) {
                return false;
            }
            V* object = &t.value();
            try {
                LoadNested(t);
            } catch (...) {
                delete object;  // created by Boost with this exact type (heap_allocation<V>, then constructed)
                deletedTarget_ = object;
                throw;
            }
            return true;
        } else {
            return false;
        }
    }

    void load_override(boost::archive::class_id_optional_type&) {}
    void load_override(boost::archive::class_id_type& t);
    void load_override(boost::archive::class_id_reference_type& t);
    void load_override(boost::archive::object_id_type& t);
    void load_override(boost::archive::object_reference_type& t);
    void load_override(boost::archive::version_type& t);
    void load_override(boost::archive::tracking_type& t);
    void load_override(boost::archive::class_name_type& t);
    void load_override(boost::serialization::collection_size_type& t);
    void load_override(boost::serialization::item_version_type& t);

    template <class T>
    void load(T& t) {
        static_assert(std::is_arithmetic_v<T>, "not a primitive of the portable encoding");
        constexpr std::size_t width = detail::BoostWireWidth<T>();
        if constexpr (std::is_same_v<T, float>) {
            const auto bits = static_cast<std::uint32_t>(GetUnsigned(4));
            std::memcpy(&t, &bits, 4);
        } else if constexpr (std::is_same_v<T, double>) {
            const std::uint64_t bits = GetUnsigned(8);
            std::memcpy(&t, &bits, 8);
        } else if constexpr (std::is_same_v<T, bool>) {
            t = GetBool();
        } else if constexpr (std::is_signed_v<T>) {
            const std::int64_t v = GetSigned(width);
            if (!detail::BoostFits<T>(v)) ThrowRange(std::to_string(v), sizeof(T));
            t = static_cast<T>(v);
        } else {
            const std::uint64_t v = GetUnsigned(width);
            if (!detail::BoostFits<T>(v)) ThrowRange(std::to_string(v), sizeof(T));
            t = static_cast<T>(v);
        }
    }
    void load(std::string& s);
    void load(std::wstring& s);

    std::uint64_t GetUnsigned(std::size_t width);
    std::int64_t GetSigned(std::size_t width);  // sign-extends
    bool GetBool();
    std::size_t GetSize(std::uint64_t limit, std::size_t bytesPerItem, const char* what);
    void Need(std::size_t count) const;
    [[noreturn]] void Throw(ArchiveException::Cause cause, const std::string& message) const;
    [[noreturn]] void ThrowRange(const std::string& value, std::size_t width) const;
    [[noreturn]] void ThrowDepth() const;

    const std::uint8_t* cur_;
    const std::uint8_t* end_;
    ArchiveLimits limits_;
    std::string fileName_;
    unsigned depth_ = 0;
    unsigned maxDepth_;
    static constexpr unsigned kAnyVersion = ~0u;
    unsigned expectedVersion_ = kAnyVersion;  // the newest version of the class being loaded, if known
    std::vector<const boost::serialization::extended_type_info*> classes_;  // index = Boost's class id
    int valueClass_ = -1;    // the class of the object loaded by value, whose id may come next
    int pointerClass_ = -1;  // the class id read for the pointer being loaded
    const boost::serialization::extended_type_info* pointee_ = nullptr;  // the pointer's static class
    bool pointeePolymorphic_ = false;
    bool inPointer_ = false;
    const void* deletedTarget_ = nullptr;  // the object LoadPointerTarget deleted last
    bool pointerTargetPending_ = false;    // a pointer's new object is being made: its members load next
    // What each tracked object is, so that a stream cannot give one object two owners, or give an owner an object
    // that is a member of another: how it was created, and who owns it (unique_ptr, shared_ptr).
    enum class Origin : std::uint8_t { Member, Heap };
    enum class Owner : std::uint8_t { None, Shared, Unique };
    struct ObjectInfo {
        int cls;
        Origin origin;
        Owner owner;
    };
    std::vector<ObjectInfo> objects_;           // index = object id
    std::vector<std::int64_t> pointerObjects_;  // object ids of the pointers being loaded (-1: none yet)
    std::int64_t lastPointerObject_ = -1;       // the object id of the last pointer loaded (-1: null, untracked)

public:
    /// For the std::unique_ptr and std::shared_ptr loaders below, right after they load their pointer: records
    /// that its object now has an owner, and throws badIndex (without handing it over) if the stream gave it one
    /// already (a unique_ptr, or a shared_ptr when `shared` is false), or if it is a member of another object.
    /// Shared owners of one object are allowed: Boost joins them.
    void ClaimLastPointer(bool shared);
};

namespace detail {

// Writes one frame (encoding, length, payload) to a storing archive.
void WriteBoostFrame(Archive& ar, const std::string& payload);

// Reads one frame's payload from a loading archive, as it arrives (never allocating ahead of the bytes).
std::vector<std::uint8_t> ReadBoostFrame(Archive& ar);

// Runs `load` and turns Boost's archive_exception (and the standard library's length/range errors) into
// ArchiveException with MFC's cause.
void TranslateBoostErrors(const std::string& fileName, void (*load)(void*), void* context);

template <class T>
struct IsNativeArchiveClass : std::false_type {};
template <class C, class Tr, class A>
struct IsNativeArchiveClass<std::basic_string<C, Tr, A>> : std::true_type {};
template <class C, class Tr>
struct IsNativeArchiveClass<std::basic_string_view<C, Tr>> : std::true_type {};

// True for the types `ar << x` sends through Boost.Serialization: classes with no native overload that are not
// Serializable (MFC objects go by pointer, in MFC's format), and pointers to such classes.
template <class T>
constexpr bool UsesBoost() {
    using U = std::remove_cv_t<T>;
    if constexpr (std::is_class_v<U>) {
        return !IsNativeArchiveClass<U>::value && !std::is_base_of_v<Serializable, U>;
    } else if constexpr (std::is_pointer_v<U>) {
        using P = std::remove_cv_t<std::remove_pointer_t<U>>;
        return std::is_class_v<P> && !std::is_base_of_v<Serializable, P>;
    } else {
        return false;
    }
}

}  // namespace detail

/// Writes `value` as one self-contained Boost.Serialization frame. Throws ArchiveException (a frame over 4 GiB,
/// or over limits.maxTransactionBytes), FileException (the file), or Boost's archive_exception translated.
template <class T>
void SaveBoost(Archive& ar, const T& value) {
    std::string payload;
    {
        BoostOutputArchive out(payload);
        try {
            out << value;
        } catch (const boost::archive::archive_exception& e) {
            detail::ThrowBoostError(ArchiveException::genericException, std::string("saving: ") + e.what());
        }
    }
    detail::WriteBoostFrame(ar, payload);
}

/// Reads one frame into `value` (on error `value` may be partly assigned, as with any archive). In a
/// transaction (Archive::TryRead) an incomplete frame throws IncompleteRead and rolls back like any item.
template <class T>
void LoadBoost(Archive& ar, T& value) {
    const std::vector<std::uint8_t> payload = detail::ReadBoostFrame(ar);
    const std::string fileName = ar.GetFile() != nullptr ? ar.GetFile()->GetFilePath() : std::string();
    struct Context {
        const std::vector<std::uint8_t>& payload;
        const ArchiveLimits& limits;
        const std::string& fileName;
        T& value;
    } context{payload, ar.GetLimits(), fileName, value};
    detail::TranslateBoostErrors(
        fileName,
        [](void* p) {
            auto& c = *static_cast<Context*>(p);
            BoostInputArchive in(c.payload.data(), c.payload.size(), c.limits, c.fileName);
            in >> c.value;
            in.CheckConsumed();
        },
        &context);
}

/// `ar << x` for every Boost.Serialization type without a native overload (see SaveBoost).
template <class T, std::enable_if_t<detail::UsesBoost<T>(), int> = 0>
Archive& operator<<(Archive& ar, const T& value) {
    SaveBoost(ar, value);
    return ar;
}

/// `ar >> x` for every Boost.Serialization type without a native overload (see LoadBoost).
template <class T, std::enable_if_t<detail::UsesBoost<T>(), int> = 0>
Archive& operator>>(Archive& ar, T& value) {
    LoadBoost(ar, value);
    return ar;
}

// --- std::unique_ptr and std::shared_ptr, loading -------------------------------------------------------------
// The same bytes as Boost's own loaders (boost/serialization/unique_ptr.hpp, shared_ptr.hpp), plus one check:
// a hostile stream can point two owners at one object (a unique_ptr and a shared_ptr, or two unique_ptrs), which
// would delete it twice. Found by argument-dependent lookup, so they take precedence for portafx's input archive.

template <class T>
void serialize(BoostInputArchive& ar, std::unique_ptr<T>& p, const unsigned int /*version*/) {
    T* tx = nullptr;
    ar >> boost::serialization::make_nvp("tx", tx);
    if (tx != nullptr) ar.ClaimLastPointer(false);
    p.reset(tx);
}

template <class T>
void serialize(BoostInputArchive& ar, std::shared_ptr<T>& p, const unsigned int /*version*/) {
    static_assert(boost::serialization::tracking_level<T>::value != boost::serialization::track_never,
                  "shared_ptr serialization needs a tracked class");
    T* r = nullptr;
    ar >> boost::serialization::make_nvp("px", r);
    if (r != nullptr) ar.ClaimLastPointer(true);
    auto& helper = ar.template get_helper<boost::serialization::shared_ptr_helper<std::shared_ptr>>(
        boost::serialization::shared_ptr_helper_id);
    helper.reset(p, r);
}

// --- std::optional, std::variant, std::tuple for the portable archives ----------------------------------------
// Boost 1.81 has no serialization for these. They are defined for portafx's archives only (found by argument-
// dependent lookup on the archive), so they also take precedence over any later Boost's generic ones and the
// encoding stays the same: optional = bool + value; variant = u32 index + value; tuple = the elements in order.

template <class T>
void serialize(BoostOutputArchive& ar, std::optional<T>& v, const unsigned int /*version*/) {
    const bool present = v.has_value();
    ar << boost::serialization::make_nvp("initialized", present);
    if (present) ar << boost::serialization::make_nvp("value", *v);
}

template <class T>
void serialize(BoostInputArchive& ar, std::optional<T>& v, const unsigned int /*version*/) {
    bool present = false;
    ar >> boost::serialization::make_nvp("initialized", present);
    if (!present) {
        v.reset();
        return;
    }
    if (!v.has_value()) v.emplace();
    ar >> boost::serialization::make_nvp("value", *v);
}

template <class... Ts>
void serialize(BoostOutputArchive& ar, std::variant<Ts...>& v, const unsigned int /*version*/) {
    if (v.valueless_by_exception()) {
        detail::ThrowBoostError(ArchiveException::genericException, "saving a valueless std::variant");
    }
    const auto which = static_cast<std::uint32_t>(v.index());
    ar << boost::serialization::make_nvp("which", which);
    std::visit([&ar](auto& alternative) { ar << boost::serialization::make_nvp("value", alternative); }, v);
}

namespace detail {
template <std::size_t I, class... Ts>
void LoadVariantAlternative(BoostInputArchive& ar, std::variant<Ts...>& v, std::uint32_t which) {
    if constexpr (I < sizeof...(Ts)) {
        if (which == I) {
            std::variant_alternative_t<I, std::variant<Ts...>> value{};
            ar >> boost::serialization::make_nvp("value", value);
            v.template emplace<I>(std::move(value));
        } else {
            LoadVariantAlternative<I + 1>(ar, v, which);
        }
    }
}
}  // namespace detail

template <class... Ts>
void serialize(BoostInputArchive& ar, std::variant<Ts...>& v, const unsigned int /*version*/) {
    std::uint32_t which = 0;
    ar >> boost::serialization::make_nvp("which", which);
    if (which >= sizeof...(Ts)) {
        detail::ThrowBoostError(ArchiveException::badIndex, "std::variant alternative " + std::to_string(which) +
                                                                " of " + std::to_string(sizeof...(Ts)));
    }
    detail::LoadVariantAlternative<0>(ar, v, which);
}

template <class Ar, class... Ts,
          std::enable_if_t<std::is_same_v<Ar, BoostOutputArchive> || std::is_same_v<Ar, BoostInputArchive>, int> = 0>
void serialize(Ar& ar, std::tuple<Ts...>& t, const unsigned int /*version*/) {
    std::apply([&ar](auto&... element) { ((ar & boost::serialization::make_nvp("element", element)), ...); }, t);
}

}  // namespace portafx

// BOOST_CLASS_EXPORT after this header instantiates the pointer serializers for portafx's archives.
BOOST_SERIALIZATION_REGISTER_ARCHIVE(portafx::BoostOutputArchive)
BOOST_SERIALIZATION_REGISTER_ARCHIVE(portafx::BoostInputArchive)
