// Objects and classes in MFC's tag protocol: golden vectors (reference §5.5 B1, B2, big indices), identity,
// cycles, NULL, derived classes, schemas, MapObject, SerializeClass, and every bad-input cause.
#include <portafx/archive.hpp>

#define BOOST_TEST_MODULE archive_objects
#include "archive_test_support.hpp"

using namespace portafx;
using namespace portafx::test;

namespace {

bool gWide = false;  // CMsg writes its string as UTF-16 (a Unicode build's CString)

// The reference's CMsg: WORD m_w, CString m_s; IMPLEMENT_SERIAL(CMsg, CObject, 1).
class CMsg : public Serializable {
    PORTAFX_DECLARE_SERIAL(CMsg)
public:
    std::uint16_t m_w = 0;
    std::string m_s;
    void Serialize(Archive& ar) override {
        if (ar.IsStoring()) {
            ar << m_w;
            if (gWide) {
                ar << std::u16string(m_s.begin(), m_s.end());
            } else {
                ar << m_s;
            }
        } else {
            ar >> m_w >> m_s;
        }
    }
};
PORTAFX_IMPLEMENT_SERIAL(CMsg, Serializable, 1)

// A graph node: objects pointing at objects, cycles included.
class Node : public Serializable {
    PORTAFX_DECLARE_SERIAL(Node)
public:
    static int alive;
    int value = 0;
    Node* next = nullptr;
    Node() { ++alive; }
    ~Node() override { --alive; }
    void Serialize(Archive& ar) override {
        if (ar.IsStoring()) {
            ar << static_cast<std::int32_t>(value) << next;
        } else {
            std::int32_t v = 0;
            ar >> v >> next;
            value = v;
        }
    }
};
int Node::alive = 0;
PORTAFX_IMPLEMENT_SERIAL(Node, Serializable, 1)

class Shape : public Serializable {
    PORTAFX_DECLARE_SERIAL(Shape)
public:
    std::int32_t id = 0;
    void Serialize(Archive& ar) override {
        if (ar.IsStoring()) {
            ar << id;
        } else {
            ar >> id;
        }
    }
};
PORTAFX_IMPLEMENT_SERIAL(Shape, Serializable, 1)

// Versionable: schema 2 now, reads schema 1 streams too.
class Circle : public Shape {
    PORTAFX_DECLARE_SERIAL(Circle)
public:
    double radius = 0;
    std::string label;
    unsigned loadedSchema = 0;
    void Serialize(Archive& ar) override {
        // Ask for this object's schema first: SerializeClass below records the base part's schema instead.
        if (ar.IsLoading()) loadedSchema = ar.GetObjectSchema();
        ar.SerializeClass(PORTAFX_RUNTIME_CLASS(Shape));  // the base part's class, for its versioning
        Shape::Serialize(ar);
        if (ar.IsStoring()) {
            ar << radius << label;
        } else {
            ar >> radius;
            if (loadedSchema >= 2) ar >> label;
        }
    }
};
PORTAFX_IMPLEMENT_SERIAL(Circle, Shape, 2 | VersionableSchema)

// Not serializable: DYNCREATE only.
class Plain : public Serializable {
    PORTAFX_DECLARE_DYNCREATE(Plain)
};
PORTAFX_IMPLEMENT_DYNCREATE(Plain, Serializable)

// Throws from Serialize after reading part of itself.
class Faulty : public Serializable {
    PORTAFX_DECLARE_SERIAL(Faulty)
public:
    static int alive;
    Faulty() { ++alive; }
    ~Faulty() override { --alive; }
    void Serialize(Archive& ar) override {
        std::uint8_t b = 0;
        if (ar.IsLoading()) ar >> b >> b;  // the second byte is missing in the test stream
    }
};
int Faulty::alive = 0;
PORTAFX_IMPLEMENT_SERIAL(Faulty, Serializable, 1)

}  // namespace

BOOST_AUTO_TEST_CASE(example_b1_same_object_twice) {
    CMsg p;
    p.m_w = 7;
    p.m_s = "hi";
    gWide = false;
    const Bytes ansi = Stored([&](Archive& ar) { ar << &p << &p; });
    CheckGolden(ansi, "FF FF | 01 00 | 04 00 | 43 4D 73 67 | 07 00 | 02 68 69 | 02 00");
    gWide = true;
    CheckGolden(Stored([&](Archive& ar) { ar << &p << &p; }),
                "FF FF | 01 00 | 04 00 | 43 4D 73 67 | 07 00 | FF FE FF 02 68 00 69 00 | 02 00");
    gWide = false;
    Loaded(ansi, [](Archive& ar) {
        CMsg* a = nullptr;
        CMsg* b = nullptr;
        ar >> a >> b;  // the typed operator>> of PORTAFX_DECLARE_SERIAL
        BOOST_REQUIRE(a != nullptr);
        BOOST_TEST(a == b);  // read back as one object
        BOOST_TEST(a->m_w == 7);
        BOOST_TEST(a->m_s == "hi");
        delete a;
    });
}

BOOST_AUTO_TEST_CASE(example_b2_two_objects_a_reference_and_null) {
    CMsg a, b;
    a.m_w = 7;
    a.m_s = "hi";
    b.m_w = 8;
    b.m_s = "yo";
    gWide = false;
    const Bytes bytes = Stored([&](Archive& ar) { ar << &a << &b << &a << static_cast<Serializable*>(nullptr); });
    CheckGolden(bytes, "FF FF 01 00 04 00 43 4D 73 67 07 00 02 68 69 | 01 80 08 00 02 79 6F | 02 00 | 00 00");
    Loaded(bytes, [](Archive& ar) {
        CMsg dummy;
        Serializable *x = nullptr, *y = nullptr, *z = nullptr, *n = &dummy;
        ar >> x >> y >> z >> n;
        BOOST_TEST(x == z);
        BOOST_TEST(x != y);
        BOOST_TEST(n == nullptr);
        BOOST_TEST(static_cast<CMsg*>(y)->m_s == "yo");
        BOOST_TEST(x->IsKindOf(PORTAFX_RUNTIME_CLASS(CMsg)));
        delete x;
        delete y;
    });
}

BOOST_AUTO_TEST_CASE(indices_crossing_0x7ffe_use_the_32_bit_escape) {
    // Class CMsg gets index 1; objects get 2, 3, ... so object k (0-based) has index k + 2.
    const std::size_t count = 0x7FFF;  // the last object gets index 0x8000
    std::vector<CMsg> msgs(count);
    Shape late;
    late.id = 5;
    Shape later;
    later.id = 6;
    gWide = false;
    const Bytes bytes = Stored([&](Archive& ar) {
        for (auto& m : msgs)
            ar << &m;
        ar << &msgs[0x7FFC];  // index 0x7FFE: the last 16-bit object tag
        ar << &msgs[0x7FFD];  // index 0x7FFF: escaped
        ar << &late;          // new class Shape (index 0x8001), object 0x8002
        ar << &later;         // class reference 0x8001: escaped as 0x80000000 | 0x8001
    });
    // The tail: FE 7F | FF 7F FF 7F 00 00 | FF FF 01 00 05 00 "Shape" 05 00 00 00 | FF 7F 01 80 00 80 06 00 00 00
    const std::string tail =
        "FE 7F | FF 7F FF 7F 00 00 | FF FF 01 00 05 00 53 68 61 70 65 05 00 00 00 | FF 7F 01 80 00 80 06 00 00 00";
    const Bytes expectedTail = FromHex(tail);
    BOOST_REQUIRE(bytes.size() > expectedTail.size());
    CheckGolden(Bytes(bytes.end() - static_cast<std::ptrdiff_t>(expectedTail.size()), bytes.end()), tail);
    Loaded(bytes, [&](Archive& ar) {
        std::vector<Serializable*> read(count);
        for (auto& p : read)
            ar >> p;
        Serializable *again1 = nullptr, *again2 = nullptr, *s1 = nullptr, *s2 = nullptr;
        ar >> again1 >> again2 >> s1 >> s2;
        BOOST_TEST(again1 == read[0x7FFC]);
        BOOST_TEST(again2 == read[0x7FFD]);
        BOOST_TEST(static_cast<Shape*>(s1)->id == 5);
        BOOST_TEST(static_cast<Shape*>(s2)->id == 6);
        BOOST_TEST(s2->GetRuntimeClass() == PORTAFX_RUNTIME_CLASS(Shape));
        for (auto* p : read)
            delete p;
        delete s1;
        delete s2;
    });
}

BOOST_AUTO_TEST_CASE(cycles_and_shared_objects) {
    Node a, b;
    a.value = 1;
    b.value = 2;
    a.next = &b;
    b.next = &a;  // a cycle
    const int before = Node::alive;
    const Bytes bytes = Stored([&](Archive& ar) { ar << &a << &b; });
    Loaded(bytes, [&](Archive& ar) {
        Node *x = nullptr, *y = nullptr;
        ar >> x >> y;
        BOOST_REQUIRE(x != nullptr);
        BOOST_TEST(x->value == 1);
        BOOST_TEST(x->next == y);
        BOOST_TEST(y->next == x);
        BOOST_TEST(Node::alive == before + 2);
        delete x;
        delete y;
    });
}

BOOST_AUTO_TEST_CASE(derived_class_read_where_a_base_is_requested) {
    Circle c;
    c.id = 3;
    c.radius = 1.5;
    c.label = "round";
    const Bytes bytes = Stored([&](Archive& ar) { ar << &c; });
    Loaded(bytes, [](Archive& ar) {
        Shape* s = nullptr;
        ar >> s;  // a Circle where a Shape is asked for
        BOOST_REQUIRE(s != nullptr);
        auto* circle = dynamic_cast<Circle*>(s);
        BOOST_REQUIRE(circle != nullptr);
        BOOST_TEST(circle->radius == 1.5);
        BOOST_TEST(circle->label == "round");
        BOOST_TEST(circle->loadedSchema == 2u);
        delete s;
    });
    // Asking for a Circle where the stream has a plain Shape is badClass.
    Shape plain;
    const Bytes shape = Stored([&](Archive& ar) { ar << &plain; });
    CheckCause([&] { Loaded(shape, [](Archive& ar) { ar.ReadObject(PORTAFX_RUNTIME_CLASS(Circle)); }); },
               ArchiveException::badClass);
}

BOOST_AUTO_TEST_CASE(versionable_schema_reads_old_streams) {
    // A schema-1 Circle written by an older program: class "Circle" schema 1, Shape class tag, id, radius.
    const Bytes v1 = FromHex(
        "FF FF 01 00 06 00 43 69 72 63 6C 65 | FF FF 01 00 05 00 53 68 61 70 65 | 09 00 00 00 |"
        "00 00 00 00 00 00 04 40");
    Loaded(v1, [](Archive& ar) {
        Circle* c = nullptr;
        ar >> c;
        BOOST_REQUIRE(c != nullptr);
        BOOST_TEST(c->loadedSchema == 1u);
        BOOST_TEST(c->id == 9);
        BOOST_TEST(c->radius == 2.5);
        BOOST_TEST(c->label.empty());
        delete c;
        BOOST_TEST(ar.GetObjectSchema() == Archive::NoSchema);
    });
}

BOOST_AUTO_TEST_CASE(schema_mismatch_of_a_non_versionable_class_is_bad_schema) {
    const Bytes v2 = FromHex("FF FF 02 00 04 00 43 4D 73 67 07 00 00");  // CMsg is schema 1
    CheckCause([&] { Loaded(v2, [](Archive& ar) { ar.ReadObject(nullptr); }); }, ArchiveException::badSchema);
}

BOOST_AUTO_TEST_CASE(map_object_shares_the_index_counter) {
    CMsg context, m;
    m.m_s = "x";
    gWide = false;
    const Bytes bytes = Stored([&](Archive& ar) {
        ar.MapObject(&context);  // index 1
        ar << &m << &context;    // class 2, object 3; then a reference to 1
    });
    CheckGolden(bytes, "FF FF 01 00 04 00 43 4D 73 67 00 00 01 78 | 01 00");
    Loaded(bytes, [&](Archive& ar) {
        CMsg mine;
        ar.MapObject(&mine);
        Serializable *read = nullptr, *ref = nullptr;
        ar >> read >> ref;
        BOOST_TEST(ref == &mine);
        delete read;
    });
}

BOOST_AUTO_TEST_CASE(not_serializable_classes_cannot_be_written) {
    Plain p;
    MemoryFile file;
    Archive ar(file, Archive::Store);
    BOOST_CHECK_THROW(ar.WriteObject(&p), NotSupportedException);
    BOOST_CHECK_THROW(ar.WriteClass(PORTAFX_RUNTIME_CLASS(Plain)), NotSupportedException);
    BOOST_TEST(RuntimeClass::FromName("Plain") == nullptr);  // only SERIAL classes are registered
    BOOST_TEST(RuntimeClass::FromName("CMsg") == PORTAFX_RUNTIME_CLASS(CMsg));
}

BOOST_AUTO_TEST_CASE(bad_input_gets_mfc_causes) {
    auto read = [](const std::string& hex) {
        return [hex] {
            Loaded(FromHex(hex), [](Archive& ar) {
                Serializable* p = ar.ReadObject(nullptr);
                delete p;
            });
        };
    };
    // An unknown class name.
    CheckCause(read("FF FF 01 00 07 00 55 6E 6B 6E 6F 77 6E"), ArchiveException::badClass);
    // A class name of 64 characters.
    std::string longName;
    for (int i = 0; i < 64; ++i)
        longName += "41 ";
    CheckCause(read("FF FF 01 00 40 00" + longName), ArchiveException::badClass);
    // An object index never assigned.
    CheckCause(read("05 00"), ArchiveException::badIndex);
    // Tag 0x8000: class index 0.
    CheckCause(read("00 80"), ArchiveException::badIndex);
    // A class reference to an object entry: class 1, object 2, then "class 2".
    CheckCause(
        [] {
            Loaded(FromHex("FF FF 01 00 04 00 43 4D 73 67 07 00 00 | 02 80 07 00 00"), [](Archive& ar) {
                Serializable* first = ar.ReadObject(nullptr);
                delete first;
                ar.ReadObject(nullptr);
            });
        },
        ArchiveException::badIndex);
    // An object reference to a class entry.
    CheckCause(
        [] {
            Loaded(FromHex("FF FF 01 00 04 00 43 4D 73 67 07 00 00 | 01 00"), [](Archive& ar) {
                Serializable* first = ar.ReadObject(nullptr);
                delete first;
                ar.ReadObject(nullptr);
            });
        },
        ArchiveException::badIndex);
    // ReadClass meeting an object tag.
    CheckCause([] { Loaded(FromHex("00 00"), [](Archive& ar) { ar.ReadClass(); }); }, ArchiveException::badIndex);
    // The stream cut inside an item.
    CheckCause(read("FF FF 01 00 04 00 43 4D"), ArchiveException::endOfFile);
    CheckCause(
        [] {
            Loaded(FromHex("03 00"), [](Archive& ar) {
                std::uint32_t v;
                ar >> v;
            });
        },
        ArchiveException::endOfFile);
}

BOOST_AUTO_TEST_CASE(a_throwing_serialize_deletes_the_half_built_object) {
    const int before = Faulty::alive;
    CheckCause(
        [] { Loaded(FromHex("FF FF 01 00 06 00 46 61 75 6C 74 79 01"), [](Archive& ar) { ar.ReadObject(nullptr); }); },
        ArchiveException::endOfFile);
    BOOST_TEST(Faulty::alive == before);
}

BOOST_AUTO_TEST_CASE(direction_errors) {
    MemoryFile file;
    Archive store(file, Archive::Store);
    std::uint32_t v = 0;
    CheckCause([&] { store >> v; }, ArchiveException::writeOnly);
    MemoryFile in(FromHex("01 00 00 00"));
    Archive load(in, Archive::Load);
    CheckCause([&] { load << v; }, ArchiveException::readOnly);
    CheckCause([&] { load.WriteObject(nullptr); }, ArchiveException::readOnly);
    CheckCause([&] { store.ReadClass(); }, ArchiveException::writeOnly);
    load.Close();
    CheckCause([&] { load >> v; }, ArchiveException::genericException);  // closed
}

BOOST_AUTO_TEST_CASE(map_object_twice_and_null_as_mfc) {
    CMsg context, m;
    gWide = false;
    const Bytes bytes = Stored([&](Archive& ar) {
        ar.MapObject(nullptr);   // takes no index
        ar.MapObject(&context);  // 1
        ar.MapObject(&context);  // 2: mapping again gives a new index, as MFC does
        ar << &context;          // a reference to 2
    });
    CheckGolden(bytes, "02 00");
    Loaded(bytes, [&](Archive& ar) {
        CMsg mine;
        ar.MapObject(nullptr);
        ar.MapObject(&mine);
        ar.MapObject(&mine);
        Serializable* ref = nullptr;
        ar >> ref;
        BOOST_TEST(ref == &mine);
    });
}
