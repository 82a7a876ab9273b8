// Types for the Boost.Serialization bridge tests: every way Boost lets a class be serialized.
#pragma once

#include <portafx/boost_serialization.hpp>

#include <boost/serialization/array.hpp>
#include <boost/serialization/base_object.hpp>
#include <boost/serialization/deque.hpp>
#include <boost/serialization/export.hpp>
#include <boost/serialization/list.hpp>
#include <boost/serialization/map.hpp>
#include <boost/serialization/set.hpp>
#include <boost/serialization/shared_ptr.hpp>
#include <boost/serialization/split_member.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/unique_ptr.hpp>
#include <boost/serialization/unordered_map.hpp>
#include <boost/serialization/utility.hpp>
#include <boost/serialization/vector.hpp>
#include <boost/serialization/version.hpp>

#include <array>
#include <cstdint>
#include <deque>
#include <list>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace bridge {

// Every primitive, with a member serialize.
struct Primitives {
    bool b = true;
    char c = 'A';
    signed char sc = -2;
    unsigned char uc = 0xFE;
    short s = -300;
    unsigned short us = 0xBEEF;
    int i = -70000;
    unsigned u = 0xDEADBEEFu;
    long l = -5;  // 8 bytes on the wire on every platform
    unsigned long ul = 7;
    long long ll = -1;
    unsigned long long ull = 0x0102030405060708ull;
    float f = 1.5f;
    double d = -0.25;
    char16_t c16 = u'\u00e9';
    wchar_t wc = L'\U0001F600';
    std::string str = "hi";
    std::wstring wstr = L"\u00e9\U0001F600";

    template <class Ar>
    void serialize(Ar& ar, const unsigned int) {
        ar& b& c& sc& uc& s& us& i& u& l& ul& ll& ull& f& d& c16& wc& str& wstr;
    }
    bool operator==(const Primitives& o) const {
        return b == o.b && c == o.c && sc == o.sc && uc == o.uc && s == o.s && us == o.us && i == o.i && u == o.u &&
               l == o.l && ul == o.ul && ll == o.ll && ull == o.ull && f == o.f && d == o.d && c16 == o.c16 &&
               wc == o.wc && str == o.str && wstr == o.wstr;
    }
};

// A free serialize, untracked (object_serializable): no class information at all.
struct Point {
    std::int32_t x = 0, y = 0;
    bool operator==(const Point& o) const { return x == o.x && y == o.y; }
    bool operator<(const Point& o) const { return x < o.x || (x == o.x && y < o.y); }
};
template <class Ar>
void serialize(Ar& ar, Point& p, const unsigned int) {
    ar& p.x& p.y;
}

// A versioned class with split save/load: version 2 added `note`.
struct Versioned {
    std::int32_t value = 0;
    std::string note;

    template <class Ar>
    void save(Ar& ar, const unsigned int) const {
        ar << value << note;
    }
    template <class Ar>
    void load(Ar& ar, const unsigned int version) {
        ar >> value;
        if (version >= 2) ar >> note;
    }
    BOOST_SERIALIZATION_SPLIT_MEMBER()
};

// A node shared by two pointers: tracked, so it is written once and read back as one object.
struct Node {
    std::int32_t id = 0;
    template <class Ar>
    void serialize(Ar& ar, const unsigned int) {
        ar& id;
    }
};
struct TwoPointers {
    Node* first = nullptr;
    Node* second = nullptr;
    template <class Ar>
    void serialize(Ar& ar, const unsigned int) {
        ar& first& second;
    }
};

// Polymorphic classes, exported under fixed names.
struct Shape {
    virtual ~Shape() = default;
    std::string name;
    virtual double Area() const = 0;
    template <class Ar>
    void serialize(Ar& ar, const unsigned int) {
        ar& name;
    }
};
struct Circle : Shape {
    double radius = 0;
    double Area() const override { return 3.0 * radius * radius; }
    template <class Ar>
    void serialize(Ar& ar, const unsigned int) {
        ar& boost::serialization::base_object<Shape>(*this);
        ar& radius;
    }
};
struct Square : Shape {
    double side = 0;
    double Area() const override { return side * side; }
    template <class Ar>
    void serialize(Ar& ar, const unsigned int) {
        ar& boost::serialization::base_object<Shape>(*this);
        ar& side;
    }
};

// An object graph: shapes owned by shared_ptr, one of them shared, and a unique_ptr.
struct Drawing {
    std::vector<std::shared_ptr<Shape>> shapes;
    std::shared_ptr<Shape> selected;  // one of `shapes`
    std::unique_ptr<Shape> background;
    template <class Ar>
    void serialize(Ar& ar, const unsigned int) {
        ar& shapes& selected& background;
    }
};

// A chain for nesting limits.
struct Chain {
    std::unique_ptr<Chain> next;
    template <class Ar>
    void serialize(Ar& ar, const unsigned int) {
        ar& next;
    }
};

}  // namespace bridge

BOOST_CLASS_IMPLEMENTATION(bridge::Point, boost::serialization::object_serializable)
BOOST_CLASS_TRACKING(bridge::Point, boost::serialization::track_never)
BOOST_CLASS_VERSION(bridge::Versioned, 2)
BOOST_SERIALIZATION_ASSUME_ABSTRACT(bridge::Shape)
BOOST_CLASS_EXPORT_KEY2(bridge::Circle, "Circle")
BOOST_CLASS_EXPORT_KEY2(bridge::Square, "Square")
