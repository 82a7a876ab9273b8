// portafx compat — CStringList, CStringArray, CObList, CPtrList, with MFC's POSITION iteration and serialization.
//
// Serialization is MFC's: a count (WORD, or FFFF + DWORD), then the elements — strings for CStringList and
// CStringArray, object tags for CObList (each element through WriteObject / ReadObject). CPtrList, as in MFC, is
// not serializable. Loading grows a collection as its elements arrive: a count read from a stranger allocates
// nothing by itself. The classes are registered under MFC's names ("CStringList", ...) for `ar << &list`.
#pragma once

#include <portafx/compat/archive.hpp>
#include <portafx/compat/cstring.hpp>
#include <portafx/compat/exceptions.hpp>
#include <portafx/compat/object.hpp>
#include <portafx/compat/types.hpp>

#include <cstddef>
#include <utility>
#include <vector>

/// An opaque position in a list (MFC: POSITION).
struct CPositionTag {};
using POSITION = CPositionTag*;

/// A constant for "before the start" (MFC: BEFORE_START_POSITION).
#define BEFORE_START_POSITION (reinterpret_cast<POSITION>(-1L))

namespace portafx::compat {

/// MFC's doubly linked list with POSITIONs, for the list classes.
template <class T>
class CListCore {
public:
    CListCore() = default;
    CListCore(const CListCore&) = delete;
    CListCore& operator=(const CListCore&) = delete;
    ~CListCore() { RemoveAll(); }

    INT_PTR GetCount() const noexcept { return count_; }
    INT_PTR GetSize() const noexcept { return count_; }
    BOOL IsEmpty() const noexcept { return count_ == 0 ? TRUE : FALSE; }

    T& GetHead() { return Require(head_)->value; }
    const T& GetHead() const { return Require(head_)->value; }
    T& GetTail() { return Require(tail_)->value; }
    const T& GetTail() const { return Require(tail_)->value; }

    T RemoveHead() {
        Node* node = Require(head_);
        T value = std::move(node->value);
        Unlink(node);
        return value;
    }
    T RemoveTail() {
        Node* node = Require(tail_);
        T value = std::move(node->value);
        Unlink(node);
        return value;
    }
    POSITION AddHead(const T& value) { return InsertBefore(head_, value, true); }
    POSITION AddTail(const T& value) { return InsertAfterNode(tail_, value); }
    void RemoveAll() noexcept {
        while (head_ != nullptr)
            Unlink(head_);
    }

    POSITION GetHeadPosition() const noexcept { return head_; }
    POSITION GetTailPosition() const noexcept { return tail_; }
    /// The element at `position`, and `position` moves to the next one (null after the last).
    T& GetNext(POSITION& position) {
        Node* node = At(position);
        position = node->next;
        return node->value;
    }
    const T& GetNext(POSITION& position) const {
        Node* node = At(position);
        position = node->next;
        return node->value;
    }
    T& GetPrev(POSITION& position) {
        Node* node = At(position);
        position = node->prev;
        return node->value;
    }
    const T& GetPrev(POSITION& position) const {
        Node* node = At(position);
        position = node->prev;
        return node->value;
    }
    T& GetAt(POSITION position) { return At(position)->value; }
    const T& GetAt(POSITION position) const { return At(position)->value; }
    void SetAt(POSITION position, const T& value) { At(position)->value = value; }
    void RemoveAt(POSITION position) { Unlink(At(position)); }
    POSITION InsertBefore(POSITION position, const T& value) {
        return position == nullptr ? AddHead(value) : InsertBefore(At(position), value, false);
    }
    POSITION InsertAfter(POSITION position, const T& value) {
        return position == nullptr ? AddTail(value) : InsertAfterNode(At(position), value);
    }
    /// The position of the first element equal to `value` after `startAfter` (null: from the head), or null.
    POSITION Find(const T& value, POSITION startAfter = nullptr) const {
        for (Node* node = startAfter != nullptr ? At(startAfter)->next : head_; node != nullptr; node = node->next) {
            if (node->value == value) return node;
        }
        return nullptr;
    }
    /// The position of the element at `index` (0-based), or null.
    POSITION FindIndex(INT_PTR index) const {
        if (index < 0 || index >= count_) return nullptr;
        Node* node = head_;
        while (index-- > 0)
            node = node->next;
        return node;
    }

private:
    struct Node : CPositionTag {
        explicit Node(const T& v) : value(v) {}
        Node* next = nullptr;
        Node* prev = nullptr;
        T value;
    };

    static Node* At(POSITION position) {
        if (position == nullptr || position == BEFORE_START_POSITION) AfxThrowInvalidArgException();
        return static_cast<Node*>(position);
    }
    static Node* Require(Node* node) {
        if (node == nullptr) AfxThrowInvalidArgException();  // MFC asserts on an empty list
        return node;
    }
    POSITION InsertBefore(Node* before, const T& value, bool atHead) {
        auto* node = new Node(value);
        if (atHead) before = head_;
        node->next = before;
        node->prev = before != nullptr ? before->prev : tail_;
        if (node->prev != nullptr) {
            node->prev->next = node;
        } else {
            head_ = node;
        }
        if (before != nullptr) {
            before->prev = node;
        } else {
            tail_ = node;
        }
        ++count_;
        return node;
    }
    POSITION InsertAfterNode(Node* after, const T& value) {
        if (after == nullptr) return InsertBefore(nullptr, value, true);
        auto* node = new Node(value);
        node->prev = after;
        node->next = after->next;
        if (after->next != nullptr) {
            after->next->prev = node;
        } else {
            tail_ = node;
        }
        after->next = node;
        ++count_;
        return node;
    }
    void Unlink(Node* node) noexcept {
        if (node->prev != nullptr) {
            node->prev->next = node->next;
        } else {
            head_ = node->next;
        }
        if (node->next != nullptr) {
            node->next->prev = node->prev;
        } else {
            tail_ = node->prev;
        }
        --count_;
        delete node;
    }

    Node* head_ = nullptr;
    Node* tail_ = nullptr;
    INT_PTR count_ = 0;
};

/// CStringList for either kind of string.
template <class Ch>
class CStringListT : public CObject, public CListCore<CStringT<Ch>> {
    PORTAFX_COMPAT_INLINE_RUNTIME_(
        CStringListT, CObject, "CStringList", 0u, []() -> ::portafx::Serializable* { return new CStringListT; },
        []() -> CObject* { return new CStringListT; })
public:
    explicit CStringListT(INT_PTR /*blockSize*/ = 10) {}
    ~CStringListT() override = default;

    /// MFC's format: the count, then each string.
    void Serialize(CArchive& ar) override {
        if (ar.IsStoring()) {
            ar.WriteCount(static_cast<DWORD_PTR>(this->GetCount()));
            for (POSITION p = this->GetHeadPosition(); p != nullptr;)
                ar << this->GetNext(p);
        } else {
            this->RemoveAll();
            for (DWORD_PTR n = ar.ReadCount(); n > 0; --n) {
                CStringT<Ch> item;
                ar >> item;
                this->AddTail(item);
            }
        }
    }
};

/// CStringArray for either kind of string.
template <class Ch>
class CStringArrayT : public CObject {
    PORTAFX_COMPAT_INLINE_RUNTIME_(
        CStringArrayT, CObject, "CStringArray", 0u, []() -> ::portafx::Serializable* { return new CStringArrayT; },
        []() -> CObject* { return new CStringArrayT; })
public:
    using String = CStringT<Ch>;
    CStringArrayT() = default;
    ~CStringArrayT() override = default;

    INT_PTR GetSize() const noexcept { return static_cast<INT_PTR>(items_.size()); }
    INT_PTR GetCount() const noexcept { return GetSize(); }
    INT_PTR GetUpperBound() const noexcept { return GetSize() - 1; }
    BOOL IsEmpty() const noexcept { return items_.empty() ? TRUE : FALSE; }
    void SetSize(INT_PTR size, INT_PTR /*growBy*/ = -1) { items_.resize(Index(size)); }
    void FreeExtra() { items_.shrink_to_fit(); }
    void RemoveAll() noexcept { items_.clear(); }
    const String& GetAt(INT_PTR i) const { return items_.at(Index(i)); }
    String& ElementAt(INT_PTR i) { return items_.at(Index(i)); }
    void SetAt(INT_PTR i, const String& s) { items_.at(Index(i)) = s; }
    void SetAtGrow(INT_PTR i, const String& s) {
        if (Index(i) >= items_.size()) items_.resize(Index(i) + 1);
        items_[Index(i)] = s;
    }
    String& operator[](INT_PTR i) { return ElementAt(i); }
    const String& operator[](INT_PTR i) const { return GetAt(i); }
    INT_PTR Add(const String& s) {
        items_.push_back(s);
        return GetUpperBound();
    }
    INT_PTR Append(const CStringArrayT& other) {
        const INT_PTR first = GetSize();
        items_.insert(items_.end(), other.items_.begin(), other.items_.end());
        return first;
    }
    void Copy(const CStringArrayT& other) { items_ = other.items_; }
    void InsertAt(INT_PTR i, const String& s, INT_PTR count = 1) {
        items_.insert(items_.begin() + static_cast<std::ptrdiff_t>(std::min(Index(i), items_.size())), Index(count), s);
    }
    void RemoveAt(INT_PTR i, INT_PTR count = 1) {
        const std::size_t first = Index(i);
        const std::size_t last = std::min(first + Index(count), items_.size());
        items_.erase(items_.begin() + static_cast<std::ptrdiff_t>(first),
                     items_.begin() + static_cast<std::ptrdiff_t>(last));
    }
    String* GetData() noexcept { return items_.data(); }
    const String* GetData() const noexcept { return items_.data(); }

    /// MFC's format: the count, then each string.
    void Serialize(CArchive& ar) override {
        if (ar.IsStoring()) {
            ar.WriteCount(static_cast<DWORD_PTR>(items_.size()));
            for (const String& s : items_)
                ar << s;
        } else {
            items_.clear();
            for (DWORD_PTR n = ar.ReadCount(); n > 0; --n) {
                String item;
                ar >> item;
                items_.push_back(std::move(item));
            }
        }
    }

private:
    static std::size_t Index(INT_PTR i) {
        if (i < 0) AfxThrowInvalidArgException();
        return static_cast<std::size_t>(i);
    }
    std::vector<String> items_;
};

}  // namespace portafx::compat

/// A list of CObject pointers (not owned: RemoveAll does not delete them, as in MFC).
class CObList : public CObject, public ::portafx::compat::CListCore<CObject*> {
    PORTAFX_COMPAT_INLINE_RUNTIME_(
        CObList, CObject, "CObList", 0u, []() -> ::portafx::Serializable* { return new CObList; },
        []() -> CObject* { return new CObList; })
public:
    explicit CObList(INT_PTR /*blockSize*/ = 10) {}
    ~CObList() override = default;

    /// MFC's format: the count, then each object through WriteObject / ReadObject.
    void Serialize(CArchive& ar) override {
        if (ar.IsStoring()) {
            ar.WriteCount(static_cast<DWORD_PTR>(GetCount()));
            for (POSITION p = GetHeadPosition(); p != nullptr;)
                ar << GetNext(p);
        } else {
            for (DWORD_PTR n = ar.ReadCount(); n > 0; --n) {
                CObject* item = nullptr;
                ar >> item;
                AddTail(item);
            }
        }
    }
};

/// A list of void pointers (not serializable, as in MFC).
class CPtrList : public CObject, public ::portafx::compat::CListCore<void*> {
    PORTAFX_COMPAT_INLINE_RUNTIME_(CPtrList, CObject, "CPtrList", 0xFFFFu, nullptr, nullptr)
public:
    explicit CPtrList(INT_PTR /*blockSize*/ = 10) {}
    ~CPtrList() override = default;
};

#if PORTAFX_COMPAT_UNICODE
using CStringList = ::portafx::compat::CStringListT<wchar_t>;
using CStringArray = ::portafx::compat::CStringArrayT<wchar_t>;
#else
using CStringList = ::portafx::compat::CStringListT<char>;
using CStringArray = ::portafx::compat::CStringArrayT<char>;
#endif

namespace portafx::compat::detail {
// The serializable collections are registered by their MFC names, for the character set in use.
inline const ::portafx::ClassRegistration registerStringList{CStringList::GetThisClass()};
inline const ::portafx::ClassRegistration registerStringArray{CStringArray::GetThisClass()};
inline const ::portafx::ClassRegistration registerObList{CObList::GetThisClass()};
}  // namespace portafx::compat::detail
