// Fuzz target: objects and classes — ReadObject (untyped, with a requested class, typed operator>>),
// ReadClass (plain, requested with a schema out-parameter, accepting object tags), GetObjectSchema, schemas
// and VersionableSchema, MapObject, back-references and cycles — over a registry of test classes.
//
// Input: byte 0 picks the top-level read (and bit 3 a 128-byte buffer); the rest is the stream, read until
// it ends or is refused. Every object it built is then freed (no leak, no double delete), and each
// object ReadObject returned must still be alive.
#include "fuzz_support.hpp"

#include <portafx/memory_file.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

using namespace portafx;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const unsigned mode = data[0] & 7u;
    const int bufferSize = (data[0] & 8u) != 0 ? 128 : 4096;
    MemoryFile file(std::vector<std::uint8_t>(data + 1, data + size));
    fuzz::Transcript t;
    std::vector<Serializable*> seen;  // what ReadObject returned: the caller's, so it must still be alive
    try {
        Archive ar(file, Archive::Load, bufferSize, fuzz::TightLimits());
        for (int i = 0; i < 4096; ++i) {
            switch (mode) {
            case 0: seen.push_back(ar.ReadObject(nullptr)); break;
            case 1: {
                const RuntimeClass* shape = RuntimeClass::FromName("Shape");
                seen.push_back(ar.ReadObject(shape));
                if (seen.back() != nullptr && !seen.back()->IsKindOf(shape))
                    fuzz::Fail("ReadObject gave another class");
                break;
            }
            case 2: {
                const RuntimeClass* cls = ar.ReadClass();
                if (cls == nullptr || RuntimeClass::FromName(cls->className) != cls) fuzz::Fail("unregistered class");
                ar.GetObjectSchema();
                break;
            }
            case 3: {
                unsigned schema = 0;
                const RuntimeClass* shape = RuntimeClass::FromName("Shape");
                if (!ar.ReadClass(shape, &schema)->IsDerivedFrom(shape)) fuzz::Fail("ReadClass gave another class");
                break;
            }
            case 4: {
                std::uint32_t tag = 0;
                ar.ReadClass(nullptr, nullptr, &tag);
                break;
            }
            default: fuzz::RunOps(ar, t, fuzz::OpSet::Everything, 1 << 16); break;
            }
        }
    } catch (...) {
        if (!fuzz::RecordException(t)) throw;
    }
    for (Serializable* p : seen)
        if (p != nullptr && !fuzz::IsLive(p)) fuzz::Fail("the archive deleted an object it had returned");
    fuzz::FreeAll();
    return 0;
}
