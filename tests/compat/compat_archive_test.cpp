// CArchive, CObject and the collections in MFC's bytes (Unicode build), and MFC's exception handling: pointers,
// TRY/CATCH ownership, e->Delete(), THROW_LAST. Golden bytes are those of mfc-semantics §5.5 / archive-format.md.
#include <portafx/afx.h>

#define BOOST_TEST_MODULE compat_archive_test
#include <boost/test/unit_test.hpp>

#include "compat_test_support.hpp"

#include <cstdint>
#include <vector>

namespace {

using Bytes = std::vector<std::uint8_t>;

// Stores with `store` into a CMemFile and returns the bytes.
template <class F>
Bytes Stored(F&& store) {
    CMemFile file;
    {
        CArchive ar(&file, CArchive::store);
        store(ar);
        ar.Close();
    }
    return file.Data();
}

// Loads `bytes` with `load`.
template <class F>
void Load(const Bytes& bytes, F&& load) {
    Bytes copy = bytes;
    CMemFile file(copy.data(), static_cast<UINT>(copy.size()));
    CArchive ar(&file, CArchive::load);
    load(ar);
}

}  // namespace

// mfc-semantics §5.5 B: the message class of the worked example, written with MFC's macros.
class CMsg : public CObject {
    DECLARE_SERIAL(CMsg)
public:
    WORD m_w = 0;
    CString m_s;
    virtual void Serialize(CArchive& ar) {
        if (ar.IsStoring()) {
            ar << m_w << m_s;
        } else {
            ar >> m_w >> m_s;
        }
    }
};
IMPLEMENT_SERIAL(CMsg, CObject, 1)

// CHATSRVR's message: directly serialized, with a CStringList.
class CChatMsg : public CObject {
    DECLARE_DYNCREATE(CChatMsg)
public:
    BOOL m_bClose = FALSE;
    CString m_strText;
    CStringList m_msgList;
    virtual void Serialize(CArchive& ar) {
        if (ar.IsStoring()) {
            ar << static_cast<WORD>(m_bClose);
            ar << m_strText;
        } else {
            WORD wd;
            ar >> wd;
            m_bClose = static_cast<BOOL>(wd);
            ar >> m_strText;
        }
        m_msgList.Serialize(ar);
    }
};
IMPLEMENT_DYNCREATE(CChatMsg, CObject)

// A versionable class: reads schema 1 and 2.
class CVersioned : public CObject {
    DECLARE_SERIAL(CVersioned)
public:
    LONG m_a = 0;
    LONG m_b = 0;
    UINT m_loadedSchema = 0;
    virtual void Serialize(CArchive& ar) {
        if (ar.IsStoring()) {
            ar << m_a << m_b;
        } else {
            m_loadedSchema = ar.GetObjectSchema();
            ar >> m_a;
            if (m_loadedSchema >= 2) ar >> m_b;
        }
    }
};
IMPLEMENT_SERIAL(CVersioned, CObject, VERSIONABLE_SCHEMA | 2)

BOOST_AUTO_TEST_CASE(primitives_and_unicode_cstring_are_mfcs_bytes) {
    const Bytes bytes = Stored([](CArchive& ar) {
        ar << static_cast<BYTE>(1) << static_cast<WORD>(2) << static_cast<DWORD>(3) << CString(_T("hi"));
    });
    const Bytes expected = {0x01, 0x02, 0x00, 0x03, 0x00, 0x00, 0x00, 0xFF, 0xFE, 0xFF, 0x02, 0x68, 0x00, 0x69, 0x00};
    BOOST_TEST(bytes == expected, boost::test_tools::per_element());
    Load(bytes, [](CArchive& ar) {
        BYTE b = 0;
        WORD w = 0;
        DWORD d = 0;
        CString s;
        ar >> b >> w >> d >> s;
        BOOST_TEST(b == 1);
        BOOST_TEST(w == 2);
        BOOST_TEST(d == 3u);
        BOOST_TEST(s == _T("hi"));
        BOOST_TEST(ar.IsBufferEmpty());
    });
}

BOOST_AUTO_TEST_CASE(windows_widths_on_the_wire) {
    const Bytes bytes = Stored([](CArchive& ar) {
        ar << TRUE << static_cast<LONG>(-2) << 5L << 6UL << static_cast<LONGLONG>(7) << true << 1.5f << 'c';
    });
    BOOST_TEST(bytes.size() == 4u + 4u + 4u + 4u + 8u + 1u + 4u + 1u);  // long and unsigned long are 4 bytes
    Load(bytes, [](CArchive& ar) {
        BOOL b = FALSE;
        LONG l = 0;
        long l2 = 0;
        unsigned long u = 0;
        LONGLONG ll = 0;
        bool flag = false;
        float f = 0;
        char c = 0;
        ar >> b >> l >> l2 >> u >> ll >> flag >> f >> c;
        BOOST_TEST(b == TRUE);
        BOOST_TEST(l == -2);
        BOOST_TEST(l2 == 5L);
        BOOST_TEST(u == 6UL);
        BOOST_TEST(ll == 7);
        BOOST_TEST(flag);
        BOOST_TEST(f == 1.5f);
        BOOST_TEST(c == 'c');
    });
    CMemFile file;
    CArchive ar(&file, CArchive::store);
    int cause = 0;
    TRY {
        ar << static_cast<long>(0xFFFFFFFFL);  // fits 32 bits unsigned: written as Windows would (FF FF FF FF)
        ar << (1L << 40);                      // does not fit MFC's 32-bit long
    }
    CATCH(CArchiveException, e) {
        cause = e->m_cause;
    }
    END_CATCH
    BOOST_TEST(cause == CArchiveException::genericException);
    ar.Flush();
    BOOST_TEST(file.Data() == Bytes({0xFF, 0xFF, 0xFF, 0xFF}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(the_same_object_twice_is_a_back_reference) {
    CMsg* p = new CMsg;
    p->m_w = 7;
    p->m_s = _T("hi");
    const Bytes bytes = Stored([p](CArchive& ar) { ar << p << p; });
    delete p;
    const Bytes expected = {0xFF, 0xFF, 0x01, 0x00, 0x04, 0x00, 'C',  'M',  's',  'g',  0x07,
                            0x00, 0xFF, 0xFE, 0xFF, 0x02, 0x68, 0x00, 0x69, 0x00, 0x02, 0x00};
    BOOST_TEST(bytes == expected, boost::test_tools::per_element());
    Load(bytes, [](CArchive& ar) {
        CMsg* a = nullptr;
        CMsg* b = nullptr;
        ar >> a >> b;  // DECLARE_SERIAL's type-checked operator
        BOOST_REQUIRE(a != nullptr);
        BOOST_TEST(a == b);
        BOOST_TEST(a->m_w == 7);
        BOOST_TEST(a->m_s == _T("hi"));
        BOOST_TEST(a->IsKindOf(RUNTIME_CLASS(CMsg)));
        BOOST_TEST(a->IsKindOf(RUNTIME_CLASS(CObject)));
        BOOST_TEST(std::string(a->GetRuntimeClass()->m_lpszClassName) == "CMsg");
        delete a;
    });
}

BOOST_AUTO_TEST_CASE(chatsrvr_message_bytes) {
    CChatMsg msg;
    msg.m_strText = _T("A: hi");
    msg.m_msgList.AddTail(_T("x"));
    const Bytes bytes = Stored([&msg](CArchive& ar) { msg.Serialize(ar); });
    const Bytes expected = {0x00, 0x00, 0xFF, 0xFE, 0xFF, 0x05, 'A',  0,    ':',  0,    ' ', 0,
                            'h',  0,    'i',  0,    0x01, 0x00, 0xFF, 0xFE, 0xFF, 0x01, 'x', 0};
    BOOST_TEST(bytes == expected, boost::test_tools::per_element());
    // An ANSI peer's message (mfc-semantics §5.5 C) is read too: narrow strings become CStrings.
    const Bytes ansi = {0x01, 0x00, 0x05, 'A', ':', ' ', 'h', 'i', 0x02, 0x00, 0x01, 'a', 0x01, 'b'};
    Load(ansi, [](CArchive& ar) {
        CChatMsg in;
        in.Serialize(ar);
        BOOST_TEST(in.m_bClose == TRUE);
        BOOST_TEST(in.m_strText == _T("A: hi"));
        BOOST_REQUIRE(in.m_msgList.GetCount() == 2);
        POSITION pos = in.m_msgList.GetHeadPosition();
        BOOST_TEST(in.m_msgList.GetNext(pos) == _T("a"));
        BOOST_TEST(in.m_msgList.GetNext(pos) == _T("b"));
        BOOST_TEST(pos == nullptr);
    });
}

BOOST_AUTO_TEST_CASE(collections_round_trip_and_are_registered) {
    CStringArray array;
    array.Add(_T("one"));
    array.Add(_T("two"));
    CObList objects;
    auto* first = new CMsg;
    first->m_w = 1;
    objects.AddTail(first);
    objects.AddTail(first);  // the same object twice: one object, one back-reference
    objects.AddTail(nullptr);
    auto* list = new CStringList;
    list->AddTail(_T("tail"));
    list->AddHead(_T("head"));
    const Bytes bytes = Stored([&](CArchive& ar) {
        array.Serialize(ar);
        objects.Serialize(ar);
        ar << list;  // a whole CStringList as an object: class "CStringList", schema 0
    });
    delete first;
    delete list;
    Load(bytes, [](CArchive& ar) {
        CStringArray a;
        a.Serialize(ar);
        BOOST_REQUIRE(a.GetSize() == 2);
        BOOST_TEST(a[0] == _T("one"));
        BOOST_TEST(a.GetAt(1) == _T("two"));
        CObList o;
        o.Serialize(ar);
        BOOST_REQUIRE(o.GetCount() == 3);
        CObject* x = o.GetHead();
        BOOST_TEST(o.GetAt(o.FindIndex(1)) == x);
        BOOST_TEST(o.GetTail() == nullptr);
        BOOST_TEST(x->IsKindOf(RUNTIME_CLASS(CMsg)));
        delete x;
        CObject* l = nullptr;
        ar >> l;
        BOOST_REQUIRE(l != nullptr);
        BOOST_TEST(std::string(l->GetRuntimeClass()->m_lpszClassName) == "CStringList");
        auto* strings = static_cast<CStringList*>(l);
        BOOST_TEST(strings->GetHead() == _T("head"));
        BOOST_TEST(strings->GetTail() == _T("tail"));
        delete l;
    });
    BOOST_TEST(CRuntimeClass::FromName("CStringList") != nullptr);
    BOOST_TEST(CRuntimeClass::FromName(L"CMsg") == RUNTIME_CLASS(CMsg));
    BOOST_TEST(CRuntimeClass::FromName("CChatMsg") == nullptr);  // DYNCREATE classes are not registered, as in MFC
    CObject* made = RUNTIME_CLASS(CChatMsg)->CreateObject();
    BOOST_TEST(made != nullptr);
    delete made;
}

BOOST_AUTO_TEST_CASE(versionable_schema) {
    CVersioned v;
    v.m_a = 1;
    v.m_b = 2;
    const Bytes bytes = Stored([&v](CArchive& ar) { ar << &v; });
    Bytes schema1 = bytes;
    schema1[2] = 1;                      // the stored schema WORD
    schema1.resize(schema1.size() - 4);  // schema 1 had no m_b
    Load(schema1, [](CArchive& ar) {
        CVersioned* p = nullptr;
        ar >> p;
        BOOST_REQUIRE(p != nullptr);
        BOOST_TEST(p->m_loadedSchema == 1u);
        BOOST_TEST(p->m_a == 1);
        delete p;
    });
    Bytes later = bytes;
    later[2] = 9;  // a newer writer's schema: a versionable class loads it and sees its number
    Load(later, [](CArchive& ar) {
        CVersioned* p = nullptr;
        ar >> p;
        BOOST_REQUIRE(p != nullptr);
        BOOST_TEST(p->m_loadedSchema == 9u);
        BOOST_TEST(p->m_b == 2);
        delete p;
    });
    // A class without VERSIONABLE_SCHEMA rejects another schema: badSchema.
    CMsg m;
    Bytes other = Stored([&m](CArchive& ar) { ar << &m; });
    other[2] = 2;
    int cause = 0;
    Load(other, [&cause](CArchive& ar) {
        TRY {
            CMsg* p = nullptr;
            ar >> p;
            delete p;
        }
        CATCH(CArchiveException, e) {
            cause = e->m_cause;
        }
        END_CATCH
    });
    BOOST_TEST(cause == CArchiveException::badSchema);
}

// --- exceptions -------------------------------------------------------------------------------------------

namespace {
int liveExceptions = 0;

// An exception that counts its instances, to see that each is deleted exactly once.
class CCountedException : public CException {
public:
    CCountedException() { ++liveExceptions; }
    ~CCountedException() override { --liveExceptions; }
};

// An inner TRY block that passes its exception on with THROW_LAST.
void RethrowFromInnerTry() {
    TRY {
        THROW(new CCountedException);
    }
    CATCH(CException, e) {
        THROW_LAST();
    }
    END_CATCH
}
}  // namespace

BOOST_AUTO_TEST_CASE(archive_errors_are_thrown_as_pointers_with_mfcs_cause) {
    const Bytes truncated = {0x02, 0x00, 0xFF, 0xFE, 0xFF, 0x05, 'A', 0};
    int cause = -1;
    CString file;
    std::string message;
    Load(truncated, [&](CArchive& ar) {
        TRY {
            CChatMsg msg;
            msg.Serialize(ar);
        }
        CATCH(CFileException, e) {
            cause = 100;
        }
        AND_CATCH(CArchiveException, e) {
            cause = e->m_cause;
            file = e->m_strFileName;
            message = e->Message();
            TCHAR text[256];
            BOOST_TEST(e->GetErrorMessage(text, 256) == TRUE);
            e->Delete();  // legacy code does this inside CATCH: portafx makes it safe
        }
        END_CATCH
    });
    BOOST_TEST(cause == CArchiveException::endOfFile);
    BOOST_TEST(file == _T("memory"));
    BOOST_TEST(message.find("endOfFile") != std::string::npos);

    // Storing into a loading archive: readOnly; plain C++ catch of the pointer.
    Load(truncated, [&](CArchive& ar) {
        try {
            ar << static_cast<WORD>(1);
            BOOST_FAIL("no exception");
        } catch (CArchiveException* e) {
            BOOST_TEST(e->m_cause == CArchiveException::readOnly);
            e->Delete();
        }
    });
    // An unknown class name: badClass.
    const Bytes unknown = {0xFF, 0xFF, 0x01, 0x00, 0x04, 0x00, 'C', 'Z', 'z', 'z'};
    Load(unknown, [&](CArchive& ar) {
        TRY {
            CObject* p = nullptr;
            ar >> p;
        }
        CATCH_ALL(e) {
            BOOST_TEST(e->IsKindOf(RUNTIME_CLASS(CArchiveException)));
            BOOST_TEST(static_cast<CArchiveException*>(e)->m_cause == CArchiveException::badClass);
        }
        END_CATCH_ALL
    });
}

BOOST_AUTO_TEST_CASE(try_blocks_own_what_they_catch) {
    // Caught and not deleted: the TRY block deletes it.
    TRY {
        THROW(new CCountedException);
    }
    CATCH(CException, e) {
        BOOST_TEST(liveExceptions == 1);
    }
    END_CATCH
    BOOST_TEST(liveExceptions == 0);

    // Caught and deleted inside CATCH: deleted once.
    TRY {
        THROW(new CCountedException);
    }
    CATCH(CCountedException, e) {
        e->Delete();
        BOOST_TEST(liveExceptions == 0);
    }
    END_CATCH
    BOOST_TEST(liveExceptions == 0);

    // THROW_LAST passes it to the outer TRY, which owns it then.
    bool outerCaught = false;
    TRY {
        RethrowFromInnerTry();
    }
    CATCH(CCountedException, e) {
        outerCaught = true;
        BOOST_TEST(liveExceptions == 1);
    }
    END_CATCH
    BOOST_TEST(outerCaught);
    BOOST_TEST(liveExceptions == 0);

    // END_TRY swallows and deletes.
    TRY {
        AfxThrowArchiveException(CArchiveException::badIndex);
    }
    END_TRY

    // AfxThrowFileException and CFileException's members.
    TRY {
        AfxThrowFileException(CFileException::fileNotFound, 2, _T("x.dat"));
    }
    CATCH(CFileException, e) {
        BOOST_TEST(e->m_cause == CFileException::fileNotFound);
        BOOST_TEST(e->m_lOsError == 2);
        BOOST_TEST(e->m_strFileName == _T("x.dat"));
    }
    END_CATCH
}

BOOST_AUTO_TEST_CASE(files) {
    CFile missing;
    CFileException error;
    BOOST_TEST(missing.Open(_T("/nonexistent/dir/file"), CFile::modeRead, &error) == FALSE);
    BOOST_TEST(error.m_cause == CFileException::fileNotFound);
    int cause = 0;
    TRY {
        CFile f(_T("/nonexistent/dir/file"), CFile::modeRead);
    }
    CATCH(CFileException, e) {
        cause = e->m_cause;
    }
    END_CATCH
    BOOST_TEST(cause == CFileException::fileNotFound);

    CMemFile mem;
    mem.Write("abc", 3);
    BOOST_TEST(mem.GetLength() == 3u);
    mem.SeekToBegin();
    char buf[4] = {};
    BOOST_TEST(mem.Read(buf, 3) == 3u);
    BOOST_TEST(std::string(buf) == "abc");
    BYTE* detached = mem.Detach();
    BOOST_TEST(detached[2] == 'c');
    std::free(detached);
    BOOST_TEST(mem.GetLength() == 0u);
    BYTE* nothing = mem.Detach();  // an empty file still gives a block to free, as before
    BOOST_TEST(nothing != nullptr);
    std::free(nothing);

    CArchive* ar = nullptr;
    TRY {
        ar = new CArchive(nullptr, CArchive::load);
    }
    CATCH(CInvalidArgException, e) {
        cause = -1;
    }
    END_CATCH
    BOOST_TEST(ar == nullptr);
    BOOST_TEST(cause == -1);
}
