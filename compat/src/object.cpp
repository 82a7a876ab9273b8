// portafx compat — CObject's run-time class, CRuntimeClass look-ups, CDumpContext and the diagnostics output.
#include <portafx/compat/archive.hpp>
#include <portafx/compat/exceptions.hpp>
#include <portafx/compat/object.hpp>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>

CRuntimeClass* CObject::GetThisClass() noexcept {
    static CRuntimeClass cls = ::portafx::compat::detail::MakeRuntimeClass(
        "CObject", static_cast<int>(sizeof(CObject)), 0xFFFFu, nullptr,
        []() noexcept -> const ::portafx::RuntimeClass* { return ::portafx::Serializable::GetThisClass(); }, nullptr,
        nullptr);
    return &cls;
}

void CObject::Serialize(CArchive& /*ar*/) {}

void portafx::compat::detail::SerializeAsCObject(CObject& object, ::portafx::Archive& ar) {
    auto* archive = dynamic_cast<CArchive*>(&ar);
    if (archive == nullptr) {
        throw ::portafx::ArchiveException(::portafx::ArchiveException::genericException,
                                          std::string("a CObject (") + object.GetRuntimeClass()->m_lpszClassName +
                                              ") is serialized through a CArchive only");
    }
    object.Serialize(*archive);
}

void CObject::Dump(CDumpContext& dc) const {
    dc << "a " << GetRuntimeClass()->m_lpszClassName << " at " << static_cast<const void*>(this) << "\n";
}

namespace {
CRuntimeClass* AsCompatClass(const ::portafx::RuntimeClass* cls) {
    if (cls == nullptr || !cls->IsDerivedFrom(CObject::GetThisClass())) return nullptr;
    // Every class derived from compat's CObject is described by a CRuntimeClass (the IMPLEMENT_ macros make them).
    return static_cast<CRuntimeClass*>(const_cast<::portafx::RuntimeClass*>(cls));
}
}  // namespace

CRuntimeClass* CRuntimeClass::FromName(LPCSTR name) {
    return name == nullptr ? nullptr : AsCompatClass(::portafx::RuntimeClass::FromName(name));
}

CRuntimeClass* CRuntimeClass::FromName(LPCWSTR name) {
    return name == nullptr ? nullptr : FromName(::portafx::compat::WideToUtf8(name).c_str());
}

CObject* CRuntimeClass::CreateObject(LPCSTR name) {
    CRuntimeClass* cls = FromName(name);
    return cls != nullptr ? cls->CreateObject() : nullptr;
}

CObject* CRuntimeClass::CreateObject(LPCWSTR name) {
    CRuntimeClass* cls = FromName(name);
    return cls != nullptr ? cls->CreateObject() : nullptr;
}

// --- CDumpContext -------------------------------------------------------------------------------------

CDumpContext afxDump;

namespace {
std::mutex outputMutex;

void Out(const std::string& text) {
    std::lock_guard<std::mutex> lock(outputMutex);
    std::fputs(text.c_str(), stderr);
}
}  // namespace

CDumpContext& CDumpContext::operator<<(const char* text) {
    Out(text != nullptr ? text : "(null)");
    return *this;
}
CDumpContext& CDumpContext::operator<<(const wchar_t* text) {
    Out(text != nullptr ? ::portafx::compat::WideToUtf8(text) : std::string("(null)"));
    return *this;
}
CDumpContext& CDumpContext::operator<<(long long value) {
    Out(std::to_string(value));
    return *this;
}
CDumpContext& CDumpContext::operator<<(unsigned long long value) {
    Out(std::to_string(value));
    return *this;
}
CDumpContext& CDumpContext::operator<<(double value) {
    Out(std::to_string(value));
    return *this;
}
CDumpContext& CDumpContext::operator<<(const void* pointer) {
    char text[32];
    std::snprintf(text, sizeof text, "%p", pointer);
    Out(text);
    return *this;
}
CDumpContext& CDumpContext::operator<<(const CObject* object) {
    if (object == nullptr) return *this << "NULL";
    object->Dump(*this);
    return *this;
}
void CDumpContext::Flush() {
    std::lock_guard<std::mutex> lock(outputMutex);
    std::fflush(stderr);
}

namespace portafx::compat::detail {

void WriteDiagnostic(const std::string& text) {
    std::string line = text;
    if (line.empty() || line.back() != '\n') line.push_back('\n');
    Out(line);
}

void AssertFailed(const char* expression, const char* file, int line) {
    WriteDiagnostic(std::string("ASSERT failed: ") + expression + " at " + file + ":" + std::to_string(line));
    std::abort();
}

}  // namespace portafx::compat::detail
