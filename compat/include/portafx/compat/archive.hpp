// portafx compat — CArchive: a portafx::Archive with MFC's constructor, names and exceptions.
//
// The bytes are portafx::Archive's, which are MFC's (docs/archive-format.md): a CString is written as MFC writes it
// (Unicode builds: FF FE FF, the length, UTF-16LE; narrow builds: the length, then the bytes), BOOL/int/LONG/DWORD
// are 4 bytes, WORD 2, BYTE 1, objects and classes with MFC's tags. `long` and `unsigned long` are written as 4
// bytes, as on Windows (a value that does not fit throws CArchiveException genericException), so legacy code that
// archives a `long` keeps its format on LP64 systems.
//
// Every failure is thrown the MFC way, by pointer: CArchiveException* (m_cause = MFC's cause) or CFileException*
// (m_lOsError = the socket's WSA error for a CSocketFile). Differences from MFC (docs/porting-guide.md): a loading
// archive's Flush/Close gives its unread bytes back to the file instead of dropping them; `lpBuf` is ignored.
#pragma once

#include <portafx/archive.hpp>
#include <portafx/compat/cstring.hpp>
#include <portafx/compat/exceptions.hpp>
#include <portafx/compat/file.hpp>
#include <portafx/compat/object.hpp>
#include <portafx/compat/types.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>

class CDocument;

/// MFC's CArchive.
class CArchive : public ::portafx::Archive {
public:
    enum Mode { store = 0, load = 1, bNoFlushOnDelete = 2, bNoByteSwap = 4 };
    enum SchemaMapIndices { objTypeArrayRef = 1 };

    /// An archive on `file` (which must outlive it). `mode`: store or load, optionally | bNoFlushOnDelete.
    /// Throws CInvalidArgException* for a null file. `buffer` is ignored (portafx owns its buffer).
    CArchive(CFile* file, UINT mode, int bufferSize = 4096, void* /*buffer*/ = nullptr)
        : ::portafx::Archive(RequireFile(file), mode & (load | bNoFlushOnDelete), bufferSize), file_(file) {}
    ~CArchive() = default;

    /// The file; null after Close or Abort.
    CFile* GetFile() const noexcept { return ::portafx::Archive::GetFile() != nullptr ? file_ : nullptr; }
    BOOL IsLoading() const noexcept { return ::portafx::Archive::IsLoading() ? TRUE : FALSE; }
    BOOL IsStoring() const noexcept { return ::portafx::Archive::IsStoring() ? TRUE : FALSE; }
    BOOL IsBufferEmpty() const noexcept { return ::portafx::Archive::IsBufferEmpty() ? TRUE : FALSE; }
    BOOL IsByteSwapping() const noexcept { return FALSE; }

    void Flush() {
        ::portafx::compat::detail::Translate([&] { ::portafx::Archive::Flush(); });
    }
    void Close() {
        ::portafx::compat::detail::Translate([&] { ::portafx::Archive::Close(); });
    }
    void Abort() noexcept { ::portafx::Archive::Abort(); }

    // --- raw bytes and text ----------------------------------------------------------------------------

    UINT Read(void* buffer, UINT count) {
        return ::portafx::compat::detail::Translate(
            [&] { return static_cast<UINT>(::portafx::Archive::Read(buffer, count)); });
    }
    /// Read, but throws CArchiveException endOfFile if fewer than `count` bytes came.
    void EnsureRead(void* buffer, UINT count) {
        if (Read(buffer, count) != count) AfxThrowArchiveException(CArchiveException::endOfFile);
    }
    void Write(const void* buffer, UINT count) {
        ::portafx::compat::detail::Translate([&] { ::portafx::Archive::Write(buffer, count); });
    }
    /// Writes the text without length or terminator (UTF-16LE in Unicode builds, as MFC).
    void WriteString(LPCTSTR text) {
        ::portafx::compat::detail::Translate([&] { WriteText(text != nullptr ? text : _T("")); });
    }
    /// Reads a line without its newline; FALSE if the file ended before any character.
    BOOL ReadString(CString& line) {
        return ::portafx::compat::detail::Translate([&] { return ReadLine(line); }) ? TRUE : FALSE;
    }
    /// Reads a line into `buffer` (at most `max` characters, then a NUL; the newline is kept, as MFC's); null at
    /// the end of the file.
    LPTSTR ReadString(LPTSTR buffer, UINT max) {
        CString line;
        if (!ReadString(line)) return nullptr;
        line += TCHAR('\n');
        const UINT n = std::min<UINT>(static_cast<UINT>(line.GetLength()), max);
        for (UINT i = 0; i < n; ++i)
            buffer[i] = line.GetString()[i];
        buffer[n] = TCHAR();
        return buffer;
    }

    // --- objects, classes, counts ------------------------------------------------------------------------

    CObject* ReadObject(const CRuntimeClass* requested) {
        return ::portafx::compat::detail::Translate([&]() -> CObject* {
            ::portafx::Serializable* object = ::portafx::Archive::ReadObject(requested);
            if (object == nullptr) return nullptr;
            auto* result = dynamic_cast<CObject*>(object);
            if (result == nullptr) AfxThrowArchiveException(CArchiveException::badClass);
            return result;
        });
    }
    void WriteObject(const CObject* object) {
        ::portafx::compat::detail::Translate([&] { ::portafx::Archive::WriteObject(object); });
    }
    CRuntimeClass* ReadClass(const CRuntimeClass* requested = nullptr, UINT* schema = nullptr,
                             DWORD* objectTag = nullptr) {
        return ::portafx::compat::detail::Translate([&]() -> CRuntimeClass* {
            std::uint32_t tag = 0;
            const ::portafx::RuntimeClass* cls =
                ::portafx::Archive::ReadClass(requested, schema, objectTag != nullptr ? &tag : nullptr);
            if (objectTag != nullptr) *objectTag = tag;
            return AsCRuntimeClass(cls);
        });
    }
    void WriteClass(const CRuntimeClass* cls) {
        ::portafx::compat::detail::Translate([&] { ::portafx::Archive::WriteClass(cls); });
    }
    void SerializeClass(const CRuntimeClass* cls) {
        ::portafx::compat::detail::Translate([&] { ::portafx::Archive::SerializeClass(cls); });
    }
    void MapObject(const CObject* object) {
        ::portafx::compat::detail::Translate([&] { ::portafx::Archive::MapObject(object); });
    }
    DWORD_PTR ReadCount() {
        return ::portafx::compat::detail::Translate(
            [&] { return static_cast<DWORD_PTR>(::portafx::Archive::ReadCount()); });
    }
    void WriteCount(DWORD_PTR count) {
        ::portafx::compat::detail::Translate([&] { ::portafx::Archive::WriteCount(count); });
    }
    UINT GetObjectSchema() noexcept { return ::portafx::Archive::GetObjectSchema(); }
    void SetObjectSchema(UINT schema) noexcept { ::portafx::Archive::SetObjectSchema(schema); }
    /// Tuning of MFC's maps: accepted and ignored.
    void SetStoreParams(UINT /*hashSize*/ = 2053, UINT /*blockSize*/ = 128) noexcept {}
    void SetLoadParams(UINT /*growBy*/ = 1024) noexcept {}

    /// Runs `read(*this)` in a transaction (portafx::Archive::TryRead, beyond MFC): TRUE if the item had fully
    /// arrived, FALSE (rolled back, nothing lost) if not yet. Never waits for the socket.
    template <class F>
    BOOL TryRead(F&& read) {
        return ::portafx::Archive::TryRead([&](::portafx::Archive&) { read(*this); }) ? TRUE : FALSE;
    }

    // --- operators ---------------------------------------------------------------------------------------

    /// Integers and enums: their width in bytes, little-endian (BYTE 1, WORD 2, int/LONG/DWORD 4, LONGLONG 8).
    template <class T, std::enable_if_t<(std::is_integral_v<T> || std::is_enum_v<T>)&&!std::is_same_v<T, bool> &&
                                            !std::is_same_v<T, long> && !std::is_same_v<T, unsigned long>,
                                        int> = 0>
    CArchive& operator<<(T value) {
        ::portafx::compat::detail::Translate([&] { ::portafx::Archive::operator<<(value); });
        return *this;
    }
    template <class T, std::enable_if_t<(std::is_integral_v<T> || std::is_enum_v<T>)&&!std::is_same_v<T, bool> &&
                                            !std::is_same_v<T, long> && !std::is_same_v<T, unsigned long>,
                                        int> = 0>
    CArchive& operator>>(T& value) {
        ::portafx::compat::detail::Translate([&] { ::portafx::Archive::operator>>(value); });
        return *this;
    }
    /// `long` is 4 bytes, as on Windows. A value that fits 32 bits, signed or unsigned (e.g. `(long)htonl(x)`), is
    /// written as Windows would have it; anything wider throws CArchiveException genericException.
    CArchive& operator<<(long value) {
        if (value < std::numeric_limits<std::int32_t>::min() || value > std::numeric_limits<std::uint32_t>::max())
            ThrowWide("long");
        return *this << static_cast<std::uint32_t>(value);
    }
    CArchive& operator<<(unsigned long value) {
        const bool fits = value <= std::numeric_limits<std::uint32_t>::max() ||
                          value >= static_cast<unsigned long>(std::numeric_limits<std::int32_t>::min());
        if (!fits) ThrowWide("unsigned long");
        return *this << static_cast<std::uint32_t>(value);
    }
    CArchive& operator>>(long& value) {
        std::int32_t v = 0;
        *this >> v;
        value = v;
        return *this;
    }
    CArchive& operator>>(unsigned long& value) {
        std::uint32_t v = 0;
        *this >> v;
        value = v;
        return *this;
    }
    CArchive& operator<<(bool value) {
        ::portafx::compat::detail::Translate([&] { ::portafx::Archive::operator<<(value); });
        return *this;
    }
    CArchive& operator>>(bool& value) {
        ::portafx::compat::detail::Translate([&] { ::portafx::Archive::operator>>(value); });
        return *this;
    }
    CArchive& operator<<(float value) {
        ::portafx::compat::detail::Translate([&] { ::portafx::Archive::operator<<(value); });
        return *this;
    }
    CArchive& operator>>(float& value) {
        ::portafx::compat::detail::Translate([&] { ::portafx::Archive::operator>>(value); });
        return *this;
    }
    CArchive& operator<<(double value) {
        ::portafx::compat::detail::Translate([&] { ::portafx::Archive::operator<<(value); });
        return *this;
    }
    CArchive& operator>>(double& value) {
        ::portafx::compat::detail::Translate([&] { ::portafx::Archive::operator>>(value); });
        return *this;
    }

    /// CStringW: FF FE FF, the length, UTF-16LE (a Unicode build's CString). Loading accepts either kind.
    CArchive& operator<<(const CStringW& text) {
        ::portafx::compat::detail::Translate([&] { ::portafx::Archive::operator<<(text.Str()); });
        return *this;
    }
    CArchive& operator>>(CStringW& text) {
        ::portafx::compat::detail::Translate([&] { ::portafx::Archive::operator>>(text.Str()); });
        return *this;
    }
    /// CStringA: the length, then the bytes (a narrow build's CString). Loading accepts either kind.
    CArchive& operator<<(const CStringA& text) {
        ::portafx::compat::detail::Translate([&] { ::portafx::Archive::operator<<(text.Str()); });
        return *this;
    }
    CArchive& operator>>(CStringA& text) {
        ::portafx::compat::detail::Translate([&] { ::portafx::Archive::operator>>(text.Str()); });
        return *this;
    }

    /// Literals are strings (without these, `ar << _T("x")` would pick the bool operator).
    CArchive& operator<<(const char* text) { return *this << CStringA(text); }
    CArchive& operator<<(const wchar_t* text) { return *this << CStringW(text); }

    /// Objects (WriteObject / ReadObject). DECLARE_SERIAL adds a type-checked `>>` for its class.
    CArchive& operator<<(const CObject* object) {
        WriteObject(object);
        return *this;
    }
    CArchive& operator>>(CObject*& object) {
        object = ReadObject(nullptr);
        return *this;
    }
    CArchive& operator>>(const CObject*& object) {
        object = ReadObject(nullptr);
        return *this;
    }

    /// MFC's user context pointer (not used by portafx).
    CDocument* m_pDocument = nullptr;

private:
    static ::portafx::File& RequireFile(CFile* file) {
        if (file == nullptr) throw new CInvalidArgException("CArchive: the file is null");
        return file->PortafxFile();
    }
    static CRuntimeClass* AsCRuntimeClass(const ::portafx::RuntimeClass* cls) {
        if (cls == nullptr) return nullptr;
        if (!cls->IsDerivedFrom(CObject::GetThisClass())) AfxThrowArchiveException(CArchiveException::badClass);
        return static_cast<CRuntimeClass*>(const_cast<::portafx::RuntimeClass*>(cls));
    }
    [[noreturn]] static void ThrowWide(const char* type) {
        throw new CArchiveException(::portafx::ArchiveException(
            ::portafx::ArchiveException::genericException,
            std::string("a ") + type + " value does not fit in the 32 bits it has in MFC's format"));
    }
    void WriteText(const char* text) { ::portafx::Archive::WriteString(std::string_view(text)); }
    void WriteText(const wchar_t* text) {
        std::u16string units;
        for (const wchar_t c : std::wstring_view(text)) {
            const auto cp = static_cast<std::uint32_t>(c);
            if (cp > 0xFFFF) {
                units.push_back(static_cast<char16_t>(0xD800 + ((cp - 0x10000) >> 10)));
                units.push_back(static_cast<char16_t>(0xDC00 + ((cp - 0x10000) & 0x3FF)));
            } else {
                units.push_back(static_cast<char16_t>(cp));
            }
        }
        ::portafx::Archive::WriteString(std::u16string_view(units));
    }
    bool ReadLine(CStringA& line) { return ::portafx::Archive::ReadString(line.Str()); }
    bool ReadLine(CStringW& line) {
        std::u16string units;
        const bool any = ::portafx::Archive::ReadString(units);
        std::wstring text;
        for (std::size_t i = 0; i < units.size(); ++i) {
            const char16_t u = units[i];
            if (u >= 0xD800 && u < 0xDC00 && i + 1 < units.size() && units[i + 1] >= 0xDC00 && units[i + 1] < 0xE000) {
                text.push_back(static_cast<wchar_t>(0x10000 + ((u - 0xD800) << 10) + (units[i + 1] - 0xDC00)));
                ++i;
            } else {
                text.push_back(static_cast<wchar_t>(u));
            }
        }
        line = CStringW(text);
        return any;
    }

    CFile* file_;
};
