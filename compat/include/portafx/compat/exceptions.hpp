// portafx compat — MFC's exceptions (thrown as pointers), TRY/CATCH, ASSERT, VERIFY, TRACE.
//
// MFC throws exceptions by pointer: `CATCH(CArchiveException, e)` catches a `CArchiveException*`, and each compat
// class (CArchive, CFile, CSocketFile, ...) turns portafx's exceptions (thrown by value) into those pointers with the
// same cause, OS error and message. Ownership is MFC's: the TRY block's end deletes the caught exception, unless
// `e->Delete()` deleted it first (portafx makes that safe too, so code written either way neither leaks nor frees
// twice) or THROW_LAST() passed it on. An exception caught with plain `catch (CException* e)` is the catcher's to
// Delete, as in MFC.
//
// ASSERT, ASSERT_VALID and TRACE are active when _DEBUG is defined (MFC's debug builds) and vanish otherwise, as in
// MFC; VERIFY always evaluates its argument. A failed ASSERT prints the expression, file and line, then aborts.
#pragma once

#include <portafx/archive.hpp>  // IncompleteRead
#include <portafx/compat/cstring.hpp>
#include <portafx/compat/object.hpp>
#include <portafx/compat/types.hpp>
#include <portafx/exceptions.hpp>

#include <new>
#include <string>

class CException;

namespace portafx::compat::detail {

/// One TRY block on the thread's stack of TRY blocks (MFC: AFX_EXCEPTION_LINK). Owns the exception its CATCH caught.
struct ExceptionLink {
    ExceptionLink() noexcept;
    ~ExceptionLink();
    ExceptionLink(const ExceptionLink&) = delete;
    ExceptionLink& operator=(const ExceptionLink&) = delete;

    ExceptionLink* previous;
    CException* exception = nullptr;
};

/// The innermost TRY block of the calling thread.
inline thread_local ExceptionLink* topLink = nullptr;

/// The innermost TRY block takes ownership of `e` (a CATCH clause caught it).
inline void OwnCaught(CException* e) noexcept {
    if (topLink != nullptr) topLink->exception = e;
}

/// THROW_LAST: the innermost TRY block lets go of its exception, which is thrown on.
inline void ThrowLastCleanup() noexcept {
    if (topLink != nullptr) topLink->exception = nullptr;
}

/// Removes `e` from every TRY block that owns it (e->Delete() was called).
inline void Forget(CException* e) noexcept {
    for (ExceptionLink* link = topLink; link != nullptr; link = link->previous) {
        if (link->exception == e) link->exception = nullptr;
    }
}

/// Writes a line to stderr (TRACE's and ASSERT's output).
void WriteDiagnostic(const std::string& text);
[[noreturn]] void AssertFailed(const char* expression, const char* file, int line);

}  // namespace portafx::compat::detail

/// MFC's base exception. Thrown by pointer; end its life with Delete().
class CException : public CObject {
    PORTAFX_COMPAT_INLINE_RUNTIME_(CException, CObject, "CException", 0xFFFFu, nullptr, nullptr)
public:
    CException() = default;
    explicit CException(BOOL autoDelete) : m_bAutoDelete(autoDelete) {}
    ~CException() override = default;

    /// Deletes the exception if it was made with `new` (m_bAutoDelete); safe inside a CATCH block.
    void Delete() {
        ::portafx::compat::detail::Forget(this);
        if (m_bAutoDelete) delete this;
    }

    /// Copies the message into `error` (at most `maxError` characters with the terminator). TRUE if there is one.
    virtual BOOL GetErrorMessage(LPTSTR error, UINT maxError, PUINT helpContext = nullptr) const {
        if (helpContext != nullptr) *helpContext = 0;
        if (error == nullptr || maxError == 0) return FALSE;
        const CString text(message_.c_str());
        const UINT n = std::min<UINT>(static_cast<UINT>(text.GetLength()), maxError - 1);
        for (UINT i = 0; i < n; ++i)
            error[i] = text.GetString()[i];
        error[n] = TCHAR();
        return message_.empty() ? FALSE : TRUE;
    }

    /// MFC shows a message box; portafx writes the message to stderr. Returns 1 (IDOK).
    virtual int ReportError(UINT /*type*/ = 0, UINT /*messageId*/ = 0) {
        ::portafx::compat::detail::WriteDiagnostic(message_.empty() ? std::string("unknown error") : message_);
        return 1;
    }

    /// What happened, in words (UTF-8): portafx's message for exceptions portafx raised (a portafx extension).
    const std::string& Message() const noexcept { return message_; }

    BOOL m_bAutoDelete = TRUE;

protected:
    std::string message_;
};

/// A failure of a CArchive, with MFC's m_cause.
class CArchiveException : public CException {
    PORTAFX_COMPAT_INLINE_RUNTIME_(CArchiveException, CException, "CArchiveException", 0xFFFFu, nullptr, nullptr)
public:
    enum {
        none = 0,
        genericException = 1,
        readOnly = 2,
        endOfFile = 3,
        writeOnly = 4,
        badIndex = 5,
        badClass = 6,
        badSchema = 7,
        bufferFull = 8,
    };

    explicit CArchiveException(int cause = none, LPCTSTR archiveName = nullptr)
        : m_cause(cause), m_strFileName(archiveName) {
        message_ = std::string("Archive: ") +
                   ::portafx::ArchiveException::CauseName(static_cast<::portafx::ArchiveException::Cause>(cause));
    }
    /// The same cause, file name and message as portafx's exception.
    explicit CArchiveException(const ::portafx::ArchiveException& e)
        : m_cause(e.m_cause), m_strFileName(e.GetFileName().c_str()) {
        message_ = e.what();
    }

    int m_cause;
    CString m_strFileName;
};

/// A failure of a CFile (for a CSocketFile: a socket error, m_lOsError = the WSA number).
class CFileException : public CException {
    PORTAFX_COMPAT_INLINE_RUNTIME_(CFileException, CException, "CFileException", 0xFFFFu, nullptr, nullptr)
public:
    enum {
        none = 0,
        genericException = 1,
        fileNotFound = 2,
        badPath = 3,
        tooManyOpenFiles = 4,
        accessDenied = 5,
        invalidFile = 6,
        removeCurrentDir = 7,
        directoryFull = 8,
        badSeek = 9,
        hardIO = 10,
        sharingViolation = 11,
        lockViolation = 12,
        diskFull = 13,
        endOfFile = 14,
    };

    explicit CFileException(int cause = none, LONG osError = -1, LPCTSTR fileName = nullptr)
        : m_cause(cause), m_lOsError(osError), m_strFileName(fileName) {
        message_ = "File: cause " + std::to_string(cause) + ", OS error " + std::to_string(osError);
    }
    explicit CFileException(const ::portafx::FileException& e)
        : m_cause(e.m_cause), m_lOsError(static_cast<LONG>(e.m_lOsError)), m_strFileName(e.GetFileName().c_str()) {
        message_ = e.what();
    }

    /// MFC's cause for an errno value.
    static int ErrnoToException(int errnoValue) noexcept {
        return ::portafx::FileException::CauseFromErrno(errnoValue);
    }
    static int OsErrorToException(LONG osError) noexcept { return ErrnoToException(static_cast<int>(osError)); }
    [[noreturn]] static void ThrowErrno(int errnoValue, LPCTSTR fileName = nullptr) {
        throw new CFileException(ErrnoToException(errnoValue), errnoValue, fileName);
    }
    [[noreturn]] static void ThrowOsError(LONG osError, LPCTSTR fileName = nullptr) {
        throw new CFileException(OsErrorToException(osError), osError, fileName);
    }

    int m_cause;
    LONG m_lOsError;
    CString m_strFileName;
};

/// An operation the object does not support (e.g. Seek on a CSocketFile).
class CNotSupportedException : public CException {
    PORTAFX_COMPAT_INLINE_RUNTIME_(CNotSupportedException, CException, "CNotSupportedException", 0xFFFFu, nullptr,
                                   nullptr)
public:
    CNotSupportedException() { message_ = "not supported"; }
    explicit CNotSupportedException(const std::string& message) { message_ = message; }
};

/// Out of memory (MFC throws it where new fails).
class CMemoryException : public CException {
    PORTAFX_COMPAT_INLINE_RUNTIME_(CMemoryException, CException, "CMemoryException", 0xFFFFu, nullptr, nullptr)
public:
    CMemoryException() { message_ = "out of memory"; }
};

/// A bad argument (e.g. a null file given to a CArchive).
class CInvalidArgException : public CException {
    PORTAFX_COMPAT_INLINE_RUNTIME_(CInvalidArgException, CException, "CInvalidArgException", 0xFFFFu, nullptr, nullptr)
public:
    CInvalidArgException() { message_ = "invalid argument"; }
    explicit CInvalidArgException(const std::string& message) { message_ = message; }
};

/// Thrown by AfxThrowUserException: the user has been told already.
class CUserException : public CException {
    PORTAFX_COMPAT_INLINE_RUNTIME_(CUserException, CException, "CUserException", 0xFFFFu, nullptr, nullptr)
public:
    CUserException() { message_ = "user exception"; }
};

inline portafx::compat::detail::ExceptionLink::ExceptionLink() noexcept : previous(topLink) {
    topLink = this;
}

inline portafx::compat::detail::ExceptionLink::~ExceptionLink() {
    topLink = previous;
    if (exception != nullptr) exception->Delete();
}

namespace portafx::compat::detail {

/// Runs `f`, turning portafx's exceptions (thrown by value) into MFC's (thrown by pointer). An IncompleteRead of an
/// archive transaction goes through unchanged (TryRead handles it).
template <class F>
decltype(auto) Translate(F&& f) {
    try {
        return f();
    } catch (const ::portafx::IncompleteRead&) {
        throw;
    } catch (const ::portafx::ArchiveException& e) {
        throw new CArchiveException(e);
    } catch (const ::portafx::FileException& e) {
        throw new CFileException(e);
    } catch (const ::portafx::NotSupportedException& e) {
        throw new CNotSupportedException(e.what());
    } catch (const std::bad_alloc&) {
        throw new CMemoryException();
    }
}

}  // namespace portafx::compat::detail

[[noreturn]] inline void AfxThrowArchiveException(int cause, LPCTSTR archiveName = nullptr) {
    throw new CArchiveException(cause, archiveName);
}
[[noreturn]] inline void AfxThrowFileException(int cause, LONG osError = -1, LPCTSTR fileName = nullptr) {
    throw new CFileException(cause, osError, fileName);
}
[[noreturn]] inline void AfxThrowNotSupportedException() {
    throw new CNotSupportedException();
}
[[noreturn]] inline void AfxThrowMemoryException() {
    throw new CMemoryException();
}
[[noreturn]] inline void AfxThrowInvalidArgException() {
    throw new CInvalidArgException();
}
[[noreturn]] inline void AfxThrowUserException() {
    throw new CUserException();
}

// --- TRY / CATCH, as MFC's C++-exception macros -----------------------------------------------------------

#define PORTAFX_COMPAT_CAT2_(a, b) a##b
#define PORTAFX_COMPAT_CAT_(a, b) PORTAFX_COMPAT_CAT2_(a, b)

#define TRY                                                                                          \
    {                                                                                                \
        ::portafx::compat::detail::ExceptionLink PORTAFX_COMPAT_CAT_(afxExceptionLink, __COUNTER__); \
        try {
#define CATCH(class_name, e) \
    }                        \
    catch (class_name * e) { \
        ::portafx::compat::detail::OwnCaught(e);
#define AND_CATCH(class_name, e) \
    }                            \
    catch (class_name * e) {     \
        ::portafx::compat::detail::OwnCaught(e);
#define END_CATCH \
    }             \
    }
#define CATCH_ALL(e)         \
    }                        \
    catch (CException * e) { \
        {                    \
            ::portafx::compat::detail::OwnCaught(e);
#define AND_CATCH_ALL(e)     \
    }                        \
    catch (CException * e) { \
        {                    \
            ::portafx::compat::detail::OwnCaught(e);
#define END_CATCH_ALL \
    }                 \
    }                 \
    }
#define END_TRY                                                    \
    }                                                              \
    catch (CException * portafxCompatCaught) {                     \
        ::portafx::compat::detail::OwnCaught(portafxCompatCaught); \
    }                                                              \
    }
#define THROW(e) throw e
#define THROW_LAST() (::portafx::compat::detail::ThrowLastCleanup(), throw)
#define DELETE_EXCEPTION(e)   \
    do {                      \
        if (e) (e)->Delete(); \
    } while (0)

// --- diagnostics -------------------------------------------------------------------------------------------

namespace portafx::compat::detail {
template <class... Args>
void Trace(const char* format, const Args&... args) {
    CStringA text;
    text.Format(format, args...);
    WriteDiagnostic(text.Str());
}
template <class... Args>
void Trace(const wchar_t* format, const Args&... args) {
    CStringW text;
    text.Format(format, args...);
    WriteDiagnostic(WideToUtf8(text.Str()));
}
inline void AssertValidObject(const CObject* object, const char* file, int line) {
    if (object == nullptr) AssertFailed("ASSERT_VALID(null pointer)", file, line);
    object->AssertValid();
}
}  // namespace portafx::compat::detail

#ifdef _DEBUG
#define ASSERT(f) ((f) ? static_cast<void>(0) : ::portafx::compat::detail::AssertFailed(#f, __FILE__, __LINE__))
#define VERIFY(f) ASSERT(f)
#define ASSERT_VALID(p) ::portafx::compat::detail::AssertValidObject(p, __FILE__, __LINE__)
#define TRACE(...) ::portafx::compat::detail::Trace(__VA_ARGS__)
#else
#define ASSERT(f) static_cast<void>(0)
#define VERIFY(f) static_cast<void>(f)
#define ASSERT_VALID(p) static_cast<void>(0)
#define TRACE(...) static_cast<void>(0)
#endif
#define TRACE0(text) TRACE(text)
#define TRACE1(format, a) TRACE(format, a)
#define TRACE2(format, a, b) TRACE(format, a, b)
#define TRACE3(format, a, b, c) TRACE(format, a, b, c)
#define ASSERT_KINDOF(class_name, object) ASSERT((object)->IsKindOf(RUNTIME_CLASS(class_name)))
#define ENSURE(f)                                \
    do {                                         \
        if (!(f)) AfxThrowInvalidArgException(); \
    } while (0)
#define ENSURE_ARG(f) ENSURE(f)
#define DEBUG_NEW new
#define AfxIsValidAddress(p, ...) ((p) != nullptr)
#define AfxIsValidString(p, ...) ((p) != nullptr)
