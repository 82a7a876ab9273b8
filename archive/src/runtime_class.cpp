// RuntimeClass and Serializable: creation, derivation, and the registry of SERIAL classes by name.
#include <portafx/serializable.hpp>

#include <mutex>
#include <unordered_map>

namespace portafx {
namespace {

struct Registry {
    std::mutex mutex;
    std::unordered_map<std::string, const RuntimeClass*> byName;
};

Registry& TheRegistry() {
    static Registry registry;  // made on first use: safe from other translation units' static init
    return registry;
}

}  // namespace

Serializable* RuntimeClass::CreateObject() const {
    if (createObject == nullptr) return nullptr;
    try {
        return createObject();
    } catch (...) {
        return nullptr;
    }
}

bool RuntimeClass::IsDerivedFrom(const RuntimeClass* base) const noexcept {
    for (const RuntimeClass* c = this; c != nullptr; c = c->BaseClass()) {
        if (c == base) return true;
    }
    return false;
}

const RuntimeClass* RuntimeClass::FromName(const std::string& name) {
    Registry& r = TheRegistry();
    std::lock_guard<std::mutex> lock(r.mutex);
    auto it = r.byName.find(name);
    return it == r.byName.end() ? nullptr : it->second;
}

Serializable* RuntimeClass::CreateObject(const std::string& name) {
    const RuntimeClass* cls = FromName(name);
    return cls ? cls->CreateObject() : nullptr;
}

ClassRegistration::ClassRegistration(const RuntimeClass* cls) {
    Registry& r = TheRegistry();
    std::lock_guard<std::mutex> lock(r.mutex);
    r.byName.emplace(cls->className, cls);
}

const RuntimeClass* Serializable::GetThisClass() noexcept {
    static const RuntimeClass cls{"CObject", static_cast<int>(sizeof(Serializable)), NotSerializableSchema, nullptr,
                                  nullptr};
    return &cls;
}

const RuntimeClass* Serializable::GetRuntimeClass() const {
    return GetThisClass();
}

void Serializable::Serialize(Archive&) {}

}  // namespace portafx
