// libFuzzer target: the Boost.Serialization bridge. The first byte picks the type to load (a shared and
// polymorphic object graph, tracked raw pointers, an exported polymorphic pointer, nested containers, every
// primitive, a variant of an optional, an owning chain, an unordered map of tuples); the rest is the stream. Every
// outcome must be a value or an ArchiveException: no crash, no leak, nothing allocated beyond the limits.
#include "boost_bridge_types.hpp"

#include <portafx/memory_file.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <variant>
#include <vector>

BOOST_CLASS_EXPORT_IMPLEMENT(bridge::Circle)
BOOST_CLASS_EXPORT_IMPLEMENT(bridge::Square)

namespace {

template <class T>
void Load(const std::uint8_t* data, std::size_t size) {
    portafx::ArchiveLimits limits;
    limits.maxStringLength = 1u << 16;
    limits.maxCount = 1u << 16;
    limits.maxTransactionBytes = 1u << 20;
    limits.maxObjectDepth = 64;
    portafx::MemoryFile file(std::vector<std::uint8_t>(data, data + size));
    portafx::Archive ar(file, portafx::Archive::Load, 4096, limits);
    T value{};
    try {
        ar >> value;
    } catch (const portafx::ArchiveException&) {
    } catch (const portafx::FileException&) {
    }
    // Raw pointers loaded by Boost belong to the caller.
    if constexpr (std::is_pointer_v<T>) {
        delete value;
    } else if constexpr (std::is_same_v<T, bridge::TwoPointers>) {
        if (value.second != value.first) delete value.second;
        delete value.first;
    } else if constexpr (std::is_same_v<T, bridge::Chain>) {
        auto next = std::move(value.next);  // unlinked iteratively: a long chain must not recurse
        while (next)
            next = std::move(next->next);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::uint8_t* stream = data + 1;
    const std::size_t length = size - 1;
    switch (data[0] % 8) {
    case 0: Load<bridge::Drawing>(stream, length); break;
    case 1: Load<bridge::TwoPointers>(stream, length); break;
    case 2: Load<bridge::Shape*>(stream, length); break;
    case 3: Load<std::map<std::string, std::vector<bridge::Point>>>(stream, length); break;
    case 4: Load<bridge::Primitives>(stream, length); break;
    case 5: Load<std::variant<int, std::string, std::optional<double>>>(stream, length); break;
    case 6: Load<bridge::Chain>(stream, length); break;
    default: Load<std::unordered_map<std::string, std::tuple<int, bool>>>(stream, length); break;
    }
    return 0;
}
