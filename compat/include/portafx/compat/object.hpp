// portafx compat — CObject, CRuntimeClass and the DECLARE_/IMPLEMENT_ macros, on portafx::Serializable.
//
// A CObject is a portafx::Serializable, and a CRuntimeClass is a portafx::RuntimeClass with MFC's members, so
// objects travel through a CArchive (which is a portafx::Archive) with MFC's class and object tags. Classes
// implemented with IMPLEMENT_SERIAL are registered by name: only they can be created from bytes on the wire.
//
// Like MFC's, the DECLARE_ macros leave the access at `public:`. They also declare a forwarding
// Serialize(portafx::Archive&), so that a class's `Serialize(CArchive&)` is what the archive calls; a CObject-derived
// class that overrides Serialize(CArchive&) without any DECLARE_ macro still works, but GCC's -Woverloaded-virtual
// then notes that it hides that forwarder.
#pragma once

#include <portafx/compat/cstring.hpp>
#include <portafx/compat/types.hpp>
#include <portafx/serializable.hpp>

#include <string>

class CArchive;
class CDumpContext;
class CObject;

/// MFC's CRuntimeClass: a portafx::RuntimeClass (what archives use) with MFC's members.
struct CRuntimeClass : ::portafx::RuntimeClass {
    LPCSTR m_lpszClassName;           ///< the class name, as written on the wire
    int m_nObjectSize;                ///< sizeof the class
    UINT m_wSchema;                   ///< 0xFFFF if not serializable
    CObject* (*m_pfnCreateObject)();  ///< the factory, or null
    CRuntimeClass* m_pBaseClass;      ///< the base class's description, null for CObject

    /// A new object of this class, or null if it is not creatable (or its constructor threw).
    CObject* CreateObject() const;
    /// True if this class is `base` or derives from it.
    BOOL IsDerivedFrom(const CRuntimeClass* base) const noexcept {
        return ::portafx::RuntimeClass::IsDerivedFrom(base) ? TRUE : FALSE;
    }
    /// The class registered by IMPLEMENT_SERIAL under that exact name, or null.
    static CRuntimeClass* FromName(LPCSTR name);
    static CRuntimeClass* FromName(LPCWSTR name);
    /// A new object of the registered class `name`, or null.
    static CObject* CreateObject(LPCSTR name);
    static CObject* CreateObject(LPCWSTR name);
};

namespace portafx::compat::detail {
/// Calls `object.Serialize(CArchive&)` for an archive that portafx passes as a portafx::Archive.
void SerializeAsCObject(CObject& object, ::portafx::Archive& ar);

/// The CRuntimeClass the IMPLEMENT_ macros make.
inline CRuntimeClass MakeRuntimeClass(const char* name, int size, unsigned schema, ::portafx::Serializable* (*create)(),
                                      const ::portafx::RuntimeClass* (*getBase)() noexcept, CObject* (*createObject)(),
                                      CRuntimeClass* base) {
    return CRuntimeClass{{name, size, schema, create, getBase}, name, size, schema, createObject, base};
}
}  // namespace portafx::compat::detail

/// The description of class C.
#define RUNTIME_CLASS(C) (C::GetThisClass())

/// OR'ed into an IMPLEMENT_SERIAL schema: other schemas load too; Serialize asks ar.GetObjectSchema().
#define VERSIONABLE_SCHEMA (0x80000000u)

// Clang warns when a class marks some overrides `override` and not others (-Winconsistent-missing-override): the
// DECLARE_ macros' members are silent about it, so that legacy classes with and without `override` both compile
// cleanly.
#ifdef __clang__
#define PORTAFX_COMPAT_QUIET_OVERRIDE_BEGIN_ \
    _Pragma("clang diagnostic push") _Pragma("clang diagnostic ignored \"-Winconsistent-missing-override\"")
#define PORTAFX_COMPAT_QUIET_OVERRIDE_END_ _Pragma("clang diagnostic pop")
#else
#define PORTAFX_COMPAT_QUIET_OVERRIDE_BEGIN_
#define PORTAFX_COMPAT_QUIET_OVERRIDE_END_
#endif

#define PORTAFX_COMPAT_DECLARE_COMMON_(C)                                     \
public:                                                                       \
    PORTAFX_COMPAT_QUIET_OVERRIDE_BEGIN_                                      \
    static CRuntimeClass* GetThisClass() noexcept;                            \
    virtual CRuntimeClass* GetRuntimeClass() const;                           \
    using ::CObject::Serialize;                                               \
    void Serialize(::portafx::Archive& portafxArchive) {                      \
        ::portafx::compat::detail::SerializeAsCObject(*this, portafxArchive); \
    }                                                                         \
    PORTAFX_COMPAT_QUIET_OVERRIDE_END_

/// In the class body: run-time type information.
#define DECLARE_DYNAMIC(C) PORTAFX_COMPAT_DECLARE_COMMON_(C)

/// In the class body: run-time type information and a factory.
#define DECLARE_DYNCREATE(C)          \
    PORTAFX_COMPAT_DECLARE_COMMON_(C) \
    static CObject* CreateObject();

/// In the class body: a class whose objects travel through archives with `ar << p` / `ar >> p`.
#define DECLARE_SERIAL(C) \
    DECLARE_DYNCREATE(C)  \
    friend CArchive& operator>>(CArchive& ar, C*& pOb);

#define PORTAFX_COMPAT_IMPLEMENT_(C, Base, schema, create, createObject)                                    \
    CRuntimeClass* C::GetThisClass() noexcept {                                                             \
        static CRuntimeClass cls = ::portafx::compat::detail::MakeRuntimeClass(                             \
            #C, static_cast<int>(sizeof(C)), (schema), create,                                              \
            []() noexcept -> const ::portafx::RuntimeClass* { return Base::GetThisClass(); }, createObject, \
            Base::GetThisClass());                                                                          \
        return &cls;                                                                                        \
    }                                                                                                       \
    CRuntimeClass* C::GetRuntimeClass() const {                                                             \
        return C::GetThisClass();                                                                           \
    }

/// In one .cpp file.
#define IMPLEMENT_DYNAMIC(C, Base) PORTAFX_COMPAT_IMPLEMENT_(C, Base, 0xFFFFu, nullptr, nullptr)

/// In one .cpp file.
#define IMPLEMENT_DYNCREATE(C, Base) \
    CObject* C::CreateObject() {     \
        return new C;                \
    }                                \
    PORTAFX_COMPAT_IMPLEMENT_(       \
        C, Base, 0xFFFFu, []() -> ::portafx::Serializable* { return new C; }, &C::CreateObject)

/// In one .cpp file: `schema` (not 0xFFFF), optionally | VERSIONABLE_SCHEMA. Registers the class by name.
#define IMPLEMENT_SERIAL(C, Base, schema)                                                        \
    CObject* C::CreateObject() {                                                                 \
        return new C;                                                                            \
    }                                                                                            \
    PORTAFX_COMPAT_IMPLEMENT_(                                                                   \
        C, Base, (schema), []() -> ::portafx::Serializable* { return new C; }, &C::CreateObject) \
    static const ::portafx::ClassRegistration portafxCompatRegistration_##C(C::GetThisClass());  \
    CArchive& operator>>(CArchive& ar, C*& pOb) {                                                \
        pOb = static_cast<C*>(ar.ReadObject(RUNTIME_CLASS(C)));                                  \
        return ar;                                                                               \
    }

/// The same for portafx's own header-only classes (inline, no .cpp file).
#define PORTAFX_COMPAT_INLINE_RUNTIME_(C, Base, name, schema, create, createObject)                         \
public:                                                                                                     \
    static CRuntimeClass* GetThisClass() noexcept {                                                         \
        static CRuntimeClass cls = ::portafx::compat::detail::MakeRuntimeClass(                             \
            name, static_cast<int>(sizeof(C)), (schema), create,                                            \
            []() noexcept -> const ::portafx::RuntimeClass* { return Base::GetThisClass(); }, createObject, \
            Base::GetThisClass());                                                                          \
        return &cls;                                                                                        \
    }                                                                                                       \
    CRuntimeClass* GetRuntimeClass() const override {                                                       \
        return GetThisClass();                                                                              \
    }                                                                                                       \
    using ::CObject::Serialize;                                                                             \
    void Serialize(::portafx::Archive& portafxArchive) override {                                           \
        ::portafx::compat::detail::SerializeAsCObject(*this, portafxArchive);                               \
    }

/// MFC's root class: a portafx::Serializable with MFC's members.
class CObject : public ::portafx::Serializable {
public:
    ~CObject() override = default;

    /// This object's class.
    CRuntimeClass* GetRuntimeClass() const override { return GetThisClass(); }
    static CRuntimeClass* GetThisClass() noexcept;

    /// Reads or writes the object's data; the default does nothing (as MFC's).
    virtual void Serialize(CArchive& ar);
    /// What portafx's archive calls: forwards to Serialize(CArchive&).
    void Serialize(::portafx::Archive& ar) override { ::portafx::compat::detail::SerializeAsCObject(*this, ar); }

    BOOL IsKindOf(const CRuntimeClass* cls) const noexcept {
        return ::portafx::Serializable::IsKindOf(cls) ? TRUE : FALSE;
    }
    BOOL IsSerializable() const noexcept { return ::portafx::Serializable::IsSerializable() ? TRUE : FALSE; }

    /// Debug hooks (ASSERT_VALID calls AssertValid); the defaults do nothing.
    virtual void AssertValid() const {}
    virtual void Dump(CDumpContext& dc) const;

protected:
    CObject() = default;
    CObject(const CObject&) = default;
    CObject& operator=(const CObject&) = default;
};

inline CObject* CRuntimeClass::CreateObject() const {
    return dynamic_cast<CObject*>(::portafx::RuntimeClass::CreateObject());
}

/// A minimal CDumpContext: writes to stderr (MFC: the debugger's output).
class CDumpContext {
public:
    CDumpContext& operator<<(const char* text);
    CDumpContext& operator<<(const wchar_t* text);
    CDumpContext& operator<<(const CStringA& text) { return *this << text.GetString(); }
    CDumpContext& operator<<(const CStringW& text) { return *this << text.GetString(); }
    CDumpContext& operator<<(long long value);
    CDumpContext& operator<<(unsigned long long value);
    CDumpContext& operator<<(int value) { return *this << static_cast<long long>(value); }
    CDumpContext& operator<<(unsigned value) { return *this << static_cast<unsigned long long>(value); }
    CDumpContext& operator<<(long value) { return *this << static_cast<long long>(value); }
    CDumpContext& operator<<(unsigned long value) { return *this << static_cast<unsigned long long>(value); }
    CDumpContext& operator<<(double value);
    CDumpContext& operator<<(const void* pointer);
    CDumpContext& operator<<(const CObject* object);
    int GetDepth() const noexcept { return depth_; }
    void SetDepth(int depth) noexcept { depth_ = depth; }
    void Flush();

private:
    int depth_ = 0;
};

/// The debug output (stderr).
extern CDumpContext afxDump;
