// portafx — Serializable and RuntimeClass: the part of MFC's CObject/CRuntimeClass that archives need.
//
// A class that travels through an Archive as an object (`ar << p`, `ar >> p`) derives from Serializable,
// declares itself with PORTAFX_DECLARE_SERIAL(C) and implements PORTAFX_IMPLEMENT_SERIAL(C, Base, schema)
// in one .cpp file, exactly as with MFC's DECLARE_SERIAL / IMPLEMENT_SERIAL:
//
//     class Message : public portafx::Serializable {
//         PORTAFX_DECLARE_SERIAL(Message)
//     public:
//         std::uint16_t flags = 0;
//         std::string text;
//         void Serialize(portafx::Archive& ar) override {
//             if (ar.IsStoring()) ar << flags << text; else ar >> flags >> text;
//         }
//     };
//     PORTAFX_IMPLEMENT_SERIAL(Message, portafx::Serializable, 1)
//
// Only classes implemented with PORTAFX_IMPLEMENT_SERIAL are registered by name, so only they can ever be
// instantiated from bytes on the wire: a stream cannot make an archive create anything else.
#pragma once

#include <cstdint>
#include <string>

namespace portafx {

class Archive;
class Serializable;

/// OR'ed into a schema number: objects of other schemas are loaded too, and `Serialize` asks
/// `Archive::GetObjectSchema()` which one it reads (MFC: VERSIONABLE_SCHEMA).
inline constexpr unsigned VersionableSchema = 0x80000000u;

/// The schema of classes that are not serializable (DYNAMIC and DYNCREATE ones).
inline constexpr unsigned NotSerializableSchema = 0xFFFFu;

/// A class's run-time description (MFC: CRuntimeClass).
struct RuntimeClass {
    const char* className;                           ///< the class name as written on the wire (ASCII)
    int objectSize;                                  ///< sizeof the class
    unsigned schema;                                 ///< schema number; NotSerializableSchema if not serializable
    Serializable* (*createObject)();                 ///< factory, or null if not creatable
    const RuntimeClass* (*getBaseClass)() noexcept;  ///< the base class's description, or null at the root

    /// A new object of this class, or null if the class is not creatable or its constructor threw.
    Serializable* CreateObject() const;

    /// True if this class is `base` or derives from it.
    bool IsDerivedFrom(const RuntimeClass* base) const noexcept;

    /// The base class's description, or null.
    const RuntimeClass* BaseClass() const noexcept { return getBaseClass ? getBaseClass() : nullptr; }

    /// True if objects of this class can be written with WriteObject (schema != NotSerializableSchema).
    bool IsSerializable() const noexcept { return (schema & ~VersionableSchema) != NotSerializableSchema; }

    /// The registered (SERIAL) class of that exact, case-sensitive name, or null.
    static const RuntimeClass* FromName(const std::string& name);

    /// Creates an object of the registered class `name`, or returns null.
    static Serializable* CreateObject(const std::string& name);
};

/// Registers a class by name (what PORTAFX_IMPLEMENT_SERIAL does with a static object). The first class
/// registered under a name wins; a second one is ignored.
struct ClassRegistration {
    explicit ClassRegistration(const RuntimeClass* cls);
};

/// The base of objects that archives read and write (MFC: CObject).
class Serializable {
public:
    virtual ~Serializable() = default;

    /// This object's class description.
    virtual const RuntimeClass* GetRuntimeClass() const;

    /// Writes (storing archive) or reads (loading archive) the object's data. The default does nothing.
    virtual void Serialize(Archive& ar);

    /// True if the object's class is `cls` or derives from it.
    bool IsKindOf(const RuntimeClass* cls) const noexcept { return GetRuntimeClass()->IsDerivedFrom(cls); }

    /// True if the object's class is serializable.
    bool IsSerializable() const noexcept { return GetRuntimeClass()->IsSerializable(); }

    /// The description of Serializable itself (named "CObject", as in MFC).
    static const RuntimeClass* GetThisClass() noexcept;

protected:
    Serializable() = default;
    Serializable(const Serializable&) = default;
    Serializable& operator=(const Serializable&) = default;
};

}  // namespace portafx

/// The description of class C (MFC: RUNTIME_CLASS).
#define PORTAFX_RUNTIME_CLASS(C) (C::GetThisClass())

/// In the class body: run-time type information (MFC: DECLARE_DYNAMIC). Like MFC's, the DECLARE macros
/// leave the access at `public:`. Use the IMPLEMENT macros inside the class's namespace, with its plain name
/// (the name is what goes on the wire).
#define PORTAFX_DECLARE_DYNAMIC(C)                                 \
public:                                                            \
    static const ::portafx::RuntimeClass* GetThisClass() noexcept; \
    const ::portafx::RuntimeClass* GetRuntimeClass() const override;

/// In the class body: run-time type information and a factory (MFC: DECLARE_DYNCREATE).
#define PORTAFX_DECLARE_DYNCREATE(C)                                 \
public:                                                              \
    static const ::portafx::RuntimeClass* GetThisClass() noexcept;   \
    const ::portafx::RuntimeClass* GetRuntimeClass() const override; \
    static ::portafx::Serializable* CreateObject();

/// In the class body: a class whose objects travel through archives (MFC: DECLARE_SERIAL). Adds a
/// type-checked `ar >> pointer`.
#define PORTAFX_DECLARE_SERIAL(C) \
    PORTAFX_DECLARE_DYNCREATE(C)  \
    friend ::portafx::Archive& operator>>(::portafx::Archive& ar, C*& object);

#define PORTAFX_IMPLEMENT_RUNTIME_CLASS_(C, Base, schemaNumber, factory)                                   \
    const ::portafx::RuntimeClass* C::GetThisClass() noexcept {                                            \
        static const ::portafx::RuntimeClass cls{#C, static_cast<int>(sizeof(C)), (schemaNumber), factory, \
                                                 &Base::GetThisClass};                                     \
        return &cls;                                                                                       \
    }                                                                                                      \
    const ::portafx::RuntimeClass* C::GetRuntimeClass() const {                                            \
        return C::GetThisClass();                                                                          \
    }

/// In one .cpp file (MFC: IMPLEMENT_DYNAMIC).
#define PORTAFX_IMPLEMENT_DYNAMIC(C, Base) \
    PORTAFX_IMPLEMENT_RUNTIME_CLASS_(C, Base, ::portafx::NotSerializableSchema, nullptr)

/// In one .cpp file (MFC: IMPLEMENT_DYNCREATE).
#define PORTAFX_IMPLEMENT_DYNCREATE(C, Base)     \
    ::portafx::Serializable* C::CreateObject() { \
        return new C;                            \
    }                                            \
    PORTAFX_IMPLEMENT_RUNTIME_CLASS_(C, Base, ::portafx::NotSerializableSchema, &C::CreateObject)

/// In one .cpp file (MFC: IMPLEMENT_SERIAL): `schemaNumber` (not 0xFFFF), optionally | VersionableSchema.
/// Registers the class by name so that archives can create it.
#define PORTAFX_IMPLEMENT_SERIAL(C, Base, schemaNumber)                                          \
    ::portafx::Serializable* C::CreateObject() {                                                 \
        return new C;                                                                            \
    }                                                                                            \
    PORTAFX_IMPLEMENT_RUNTIME_CLASS_(C, Base, (schemaNumber), &C::CreateObject)                  \
    static const ::portafx::ClassRegistration portafx_class_registration_##C(C::GetThisClass()); \
    [[maybe_unused]] ::portafx::Archive& operator>>(::portafx::Archive& ar, C*& object) {        \
        object = static_cast<C*>(ar.ReadObject(C::GetThisClass()));                              \
        return ar;                                                                               \
    }
