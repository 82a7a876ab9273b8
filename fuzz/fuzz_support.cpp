// The fuzz targets' shared part: limits, the tracked test classes, the op interpreter, the transcript.
#include "fuzz_support.hpp"

#include <portafx/serializable.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unordered_set>
#include <vector>

namespace portafx::fuzz {

ArchiveLimits TightLimits() {
    ArchiveLimits limits;
    limits.maxStringLength = 1u << 16;  // 64 Ki characters: 256 KiB as a std::wstring at most
    limits.maxCount = 1u << 16;
    limits.maxMapEntries = 4096;
    limits.maxObjectDepth = 64;
    limits.maxTransactionBytes = kMaxTransactionBytes;
    return limits;
}

std::string Printable(const std::string& bytes) {
    std::string out;
    for (const char ch : bytes) {
        const auto c = static_cast<unsigned char>(ch);
        if (c >= 0x20 && c < 0x7F && c != '\\') {
            out += static_cast<char>(c);
        } else {
            static const char kHex[] = "0123456789abcdef";
            out += "\\x";
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

void Fail(const char* what) {
    std::fprintf(stderr, "fuzz check failed: %s\n", what);
    std::abort();
}

void Transcript::Add(char tag, const void* data, std::size_t size) {
    log_.push_back(tag);
    const std::uint64_t n = size;
    log_.append(reinterpret_cast<const char*>(&n), sizeof n);
    log_.append(static_cast<const char*>(data), size);
}

Transcript* gTranscript = nullptr;

namespace {

std::unordered_set<Serializable*>& Live() {
    static std::unordered_set<Serializable*> live;
    return live;
}

void Note(char tag, std::uint64_t value) {
    if (gTranscript != nullptr) gTranscript->Add(tag, value);
}

void Note(char tag, const std::string& s) {
    if (gTranscript != nullptr) gTranscript->Add(tag, s);
}

void NoteObject(const Serializable* object) {
    Note('O', object != nullptr ? std::string(object->GetRuntimeClass()->className) : std::string("null"));
}

// The base of the test classes: registers itself, so that FreeAll finds whatever a stream built.
class Tracked : public Serializable {
    PORTAFX_DECLARE_DYNAMIC(Tracked)
public:
    Tracked() { Live().insert(this); }
    Tracked(const Tracked&) = delete;
    Tracked& operator=(const Tracked&) = delete;
    ~Tracked() override { Live().erase(this); }
};
PORTAFX_IMPLEMENT_DYNAMIC(Tracked, Serializable)

// The classes of tests/archive (same names and layouts, so that their golden vectors load deeply), and a
// few more for counts, MapObject and a Serialize that throws its own exception.
class CMsg : public Tracked {
    PORTAFX_DECLARE_SERIAL(CMsg)
public:
    void Serialize(Archive& ar) override {
        std::uint16_t w = 0;
        std::string s;
        ar >> w >> s;
        Note('w', w);
        Note('s', s);
    }
};
PORTAFX_IMPLEMENT_SERIAL(CMsg, Tracked, 1)

class Node : public Tracked {
    PORTAFX_DECLARE_SERIAL(Node)
public:
    Node* next = nullptr;
    void Serialize(Archive& ar) override {
        std::int32_t v = 0;
        ar >> v;
        Note('v', static_cast<std::uint32_t>(v));
        ar >> next;  // typed: only a Node (or null, or a Node read before)
        NoteObject(next);
    }
};
PORTAFX_IMPLEMENT_SERIAL(Node, Tracked, 1)

class Chain : public Tracked {
    PORTAFX_DECLARE_SERIAL(Chain)
public:
    Serializable* next = nullptr;
    void Serialize(Archive& ar) override {
        ar >> next;  // untyped: any registered class
        NoteObject(next);
    }
};
PORTAFX_IMPLEMENT_SERIAL(Chain, Tracked, 1)

class Shape : public Tracked {
    PORTAFX_DECLARE_SERIAL(Shape)
public:
    void Serialize(Archive& ar) override {
        std::int32_t id = 0;
        ar >> id;
        Note('i', static_cast<std::uint32_t>(id));
    }
};
PORTAFX_IMPLEMENT_SERIAL(Shape, Tracked, 1)

// Versionable, and versions its base part with SerializeClass (as tests/archive's Circle).
class Circle : public Shape {
    PORTAFX_DECLARE_SERIAL(Circle)
public:
    void Serialize(Archive& ar) override {
        const unsigned schema = ar.GetObjectSchema();
        Note('h', schema);
        ar.SerializeClass(PORTAFX_RUNTIME_CLASS(Shape));
        Shape::Serialize(ar);
        double radius = 0;
        ar >> radius;
        std::uint64_t bits = 0;
        static_assert(sizeof bits == sizeof radius);
        std::memcpy(&bits, &radius, sizeof bits);
        Note('r', bits);
        if (schema >= 2) {
            std::string label;
            ar >> label;
            Note('l', label);
        }
    }
};
PORTAFX_IMPLEMENT_SERIAL(Circle, Shape, 2 | VersionableSchema)

// A collection: a count, then that many objects of any class.
class Bag : public Tracked {
    PORTAFX_DECLARE_SERIAL(Bag)
public:
    void Serialize(Archive& ar) override {
        const std::uint64_t n = ar.ReadCount();
        Note('n', n);
        for (std::uint64_t i = 0; i < n; ++i)
            NoteObject(ar.ReadObject(nullptr));
    }
};
PORTAFX_IMPLEMENT_SERIAL(Bag, Tracked, 1)

// Maps itself again (MFC's MapObject) and reads UTF-16 strings.
class Wide : public Tracked {
    PORTAFX_DECLARE_SERIAL(Wide)
public:
    void Serialize(Archive& ar) override {
        ar.MapObject(this);
        std::u16string a;
        std::wstring b;
        ar >> a >> b;
        if (gTranscript != nullptr) {
            gTranscript->Add('a', a.data(), a.size() * sizeof(char16_t));
            gTranscript->Add('b', b.data(), b.size() * sizeof(wchar_t));
        }
    }
};
PORTAFX_IMPLEMENT_SERIAL(Wide, Tracked, 3 | VersionableSchema)

// Throws a user's exception for the byte 0xEE, after reading part of itself.
class Faulty : public Tracked {
    PORTAFX_DECLARE_SERIAL(Faulty)
public:
    void Serialize(Archive& ar) override {
        std::uint8_t b = 0;
        ar >> b;
        if (b == 0xEE) throw UserError();
        Note('f', b);
    }
};
PORTAFX_IMPLEMENT_SERIAL(Faulty, Tracked, 1)

enum class Op {
    End,
    Bool,
    Char,
    I8,
    U8,
    I16,
    U16,
    I32,
    U32,
    I64,
    U64,
    Float,
    Double,
    WChar,
    Enum,
    String,
    U16String,
    WString,
    Count,
    Raw,
    Line,
    WideLine,
    BufferEmpty,
    Flush,
    Object,
    ObjectShape,
    NodeTyped,
    ShapeTyped,
    Class,
    ClassShape,
    ClassOrTag,
    Schema,
    MapObject,
};

enum class Color : std::uint16_t { Red = 1 };

const std::vector<Op>& Ops(OpSet set) {
    static const std::vector<Op> primitives = {
        Op::Bool,    Op::Char,  Op::I8,    Op::U8,     Op::I16,      Op::U16,         Op::I32,    Op::U32,
        Op::I64,     Op::U64,   Op::Float, Op::Double, Op::WChar,    Op::Enum,        Op::String, Op::U16String,
        Op::WString, Op::Count, Op::Raw,   Op::Line,   Op::WideLine, Op::BufferEmpty, Op::Flush};
    static const std::vector<Op> everything = [] {
        std::vector<Op> v = primitives;
        v.insert(v.end(), {Op::Object, Op::ObjectShape, Op::NodeTyped, Op::ShapeTyped, Op::Class, Op::ClassShape,
                           Op::ClassOrTag, Op::Schema, Op::MapObject});
        return v;
    }();
    static const std::vector<Op> messages = [] {
        std::vector<Op> v;
        for (Op op : everything)
            if (op != Op::Flush) v.push_back(op);  // Flush gives bytes back to the file: not in a transaction
        return v;
    }();
    switch (set) {
    case OpSet::Primitives: return primitives;
    case OpSet::Everything: return everything;
    case OpSet::Messages: return messages;
    }
    return primitives;
}

template <class T>
void ReadValue(Archive& ar, Transcript& t, char tag) {
    T v{};
    ar >> v;
    std::uint64_t bits = 0;
    std::memcpy(&bits, &v, sizeof v);
    t.Add(tag, bits);
}

}  // namespace

std::size_t LiveObjects() {
    return Live().size();
}

bool IsLive(const Serializable* object) {
    return Live().count(const_cast<Serializable*>(object)) != 0;
}

void FreeAll() {
    while (!Live().empty())
        delete *Live().begin();  // the destructor erases it
}

void RunOps(Archive& ar, Transcript& t, OpSet set, int maxOps) {
    const std::vector<Op>& ops = Ops(set);
    for (int i = 0; i < maxOps; ++i) {
        std::uint8_t byte = 0;
        ar >> byte;
        Op op;
        if (set == OpSet::Messages) {
            if (byte == 0) {
                t.Add('.', 0);
                return;
            }
            op = ops[(byte - 1u) % ops.size()];
        } else {
            op = ops[byte % ops.size()];
        }
        switch (op) {
        case Op::End: return;
        case Op::Bool: ReadValue<bool>(ar, t, 'B'); break;
        case Op::Char: ReadValue<char>(ar, t, 'C'); break;
        case Op::I8: ReadValue<std::int8_t>(ar, t, '1'); break;
        case Op::U8: ReadValue<std::uint8_t>(ar, t, '1'); break;
        case Op::I16: ReadValue<std::int16_t>(ar, t, '2'); break;
        case Op::U16: ReadValue<std::uint16_t>(ar, t, '2'); break;
        case Op::I32: ReadValue<std::int32_t>(ar, t, '4'); break;
        case Op::U32: ReadValue<std::uint32_t>(ar, t, '4'); break;
        case Op::I64: ReadValue<std::int64_t>(ar, t, '8'); break;
        case Op::U64: ReadValue<std::uint64_t>(ar, t, '8'); break;
        case Op::Float: ReadValue<float>(ar, t, 'F'); break;
        case Op::Double: ReadValue<double>(ar, t, 'D'); break;
        case Op::WChar: ReadValue<wchar_t>(ar, t, 'W'); break;
        case Op::Enum: ReadValue<Color>(ar, t, 'E'); break;
        case Op::String: {
            std::string s;
            ar >> s;
            t.Add('S', s);
            break;
        }
        case Op::U16String: {
            std::u16string s;
            ar >> s;
            t.Add('U', s.data(), s.size() * sizeof(char16_t));
            break;
        }
        case Op::WString: {
            std::wstring s;
            ar >> s;
            t.Add('L', s.data(), s.size() * sizeof(wchar_t));
            break;
        }
        case Op::Count: t.Add('N', ar.ReadCount()); break;
        case Op::Raw: {
            std::uint16_t n = 0;
            ar >> n;
            std::vector<std::uint8_t> bytes(n);
            const std::size_t got = ar.Read(bytes.data(), bytes.size());
            if (got > bytes.size()) Fail("Read returned more than asked");
            t.Add('R', bytes.data(), got);
            break;
        }
        case Op::Line: {
            std::string line;
            const bool any = ar.ReadString(line);
            t.Add('T', any ? line : std::string("<none>"));
            break;
        }
        case Op::WideLine: {
            std::u16string line;
            const bool any = ar.ReadString(line);
            t.Add('V', line.data(), line.size() * sizeof(char16_t));
            t.Add('v', any ? 1 : 0);
            break;
        }
        case Op::BufferEmpty: ar.IsBufferEmpty(); break;  // depends on the buffering: not in the transcript
        case Op::Flush: ar.Flush(); break;
        case Op::Object: NoteObject(ar.ReadObject(nullptr)); break;
        case Op::ObjectShape: NoteObject(ar.ReadObject(PORTAFX_RUNTIME_CLASS(Shape))); break;
        case Op::NodeTyped: {
            Node* node = nullptr;
            ar >> node;
            NoteObject(node);
            break;
        }
        case Op::ShapeTyped: {
            Serializable* any = nullptr;
            ar >> any;
            NoteObject(any);
            if (any != nullptr && any->IsKindOf(PORTAFX_RUNTIME_CLASS(Shape))) t.Add('k', 1);
            break;
        }
        case Op::Class: {
            const RuntimeClass* cls = ar.ReadClass();
            t.Add('c', cls->className);
            t.Add('h', ar.GetObjectSchema());
            break;
        }
        case Op::ClassShape: {
            unsigned schema = 0;
            const RuntimeClass* cls = ar.ReadClass(PORTAFX_RUNTIME_CLASS(Shape), &schema);
            t.Add('c', cls->className);
            t.Add('h', schema);
            break;
        }
        case Op::ClassOrTag: {
            std::uint32_t tag = 0xDEADBEEF;
            const RuntimeClass* cls = ar.ReadClass(nullptr, nullptr, &tag);
            t.Add('c', cls != nullptr ? std::string(cls->className) : std::to_string(tag));
            break;
        }
        case Op::Schema: t.Add('h', ar.GetObjectSchema()); break;
        case Op::MapObject: ar.MapObject(new CMsg); break;  // tracked: freed with the rest
        }
    }
}

bool RecordException(Transcript& t) {
    try {
        throw;
    } catch (const IncompleteRead&) {
        t.Add('!', 100);  // only a transaction may see it, and never with all the bytes there
    } catch (const ArchiveException& e) {
        t.Add('!', static_cast<std::uint64_t>(e.GetCause()));
    } catch (const FileException& e) {
        t.Add('?', static_cast<std::uint64_t>(e.GetCause()));
    } catch (const UserError&) {
        t.Add('u', 0);
    } catch (...) {
        return false;
    }
    return true;
}

}  // namespace portafx::fuzz
