// portafx compat — CFile and CMemFile over portafx's DiskFile and MemoryFile.
//
// A CFile is an adapter: its members call a portafx::File (a DiskFile it owns, or the MemoryFile / SocketFile of a
// derived class) and turn portafx's exceptions into MFC's CFileException* / CNotSupportedException*. A CArchive reads
// and writes that portafx::File. Deriving your own file type from CFile (overriding Read/Write) is not supported:
// derive from portafx::File instead.
#pragma once

#include <portafx/compat/cstring.hpp>
#include <portafx/compat/exceptions.hpp>
#include <portafx/compat/object.hpp>
#include <portafx/compat/types.hpp>
#include <portafx/disk_file.hpp>
#include <portafx/file.hpp>
#include <portafx/memory_file.hpp>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

/// MFC's CFile: a file on disk, and the base of CMemFile and CSocketFile.
class CFile : public CObject {
    PORTAFX_COMPAT_INLINE_RUNTIME_(CFile, CObject, "CFile", 0xFFFFu, nullptr, nullptr)
public:
    enum OpenFlags : UINT {
        modeRead = 0x0000,
        modeWrite = 0x0001,
        modeReadWrite = 0x0002,
        shareCompat = 0x0000,
        shareExclusive = 0x0010,
        shareDenyWrite = 0x0020,
        shareDenyRead = 0x0030,
        shareDenyNone = 0x0040,
        modeNoInherit = 0x0080,
        modeCreate = 0x1000,
        modeNoTruncate = 0x2000,
        typeText = 0x4000,
        typeBinary = 0x8000,
        osNoBuffer = 0x10000,
        osWriteThrough = 0x20000,
        osRandomAccess = 0x40000,
        osSequentialScan = 0x80000,
    };
    enum SeekPosition { begin = 0x0, current = 0x1, end = 0x2 };

    /// A closed disk file; call Open.
    CFile() : file_(&disk_) {}
    /// Opens `fileName`; throws CFileException* on failure.
    CFile(LPCTSTR fileName, UINT openFlags) : file_(&disk_) {
        ::portafx::FileException failure(::portafx::FileException::none, 0, "");
        if (!disk_.Open(Path(fileName), openFlags, &failure)) throw new CFileException(failure);
    }
    ~CFile() override = default;

    /// Opens `fileName`; FALSE on failure, with the reason in `*error` if given.
    virtual BOOL Open(LPCTSTR fileName, UINT openFlags, CFileException* error = nullptr) {
        ::portafx::FileException failure(::portafx::FileException::none, 0, "");
        if (disk_.Open(Path(fileName), openFlags, &failure)) return TRUE;
        if (error != nullptr) {
            error->m_cause = failure.m_cause;
            error->m_lOsError = static_cast<LONG>(failure.m_lOsError);
            error->m_strFileName = fileName;
        }
        return FALSE;
    }

    virtual UINT Read(void* buffer, UINT count) {
        return ::portafx::compat::detail::Translate([&] { return static_cast<UINT>(file_->Read(buffer, count)); });
    }
    virtual void Write(const void* buffer, UINT count) {
        ::portafx::compat::detail::Translate([&] { file_->Write(buffer, count); });
    }
    virtual void Flush() {
        ::portafx::compat::detail::Translate([&] { file_->Flush(); });
    }
    virtual void Close() {
        ::portafx::compat::detail::Translate([&] { file_->Close(); });
    }
    /// Closes without throwing.
    virtual void Abort() {
        try {
            file_->Close();
        } catch (...) {
        }
    }
    virtual ULONGLONG Seek(LONGLONG offset, UINT from) {
        return ::portafx::compat::detail::Translate(
            [&] { return file_->Seek(offset, static_cast<::portafx::File::SeekPosition>(from)); });
    }
    void SeekToBegin() { Seek(0, begin); }
    ULONGLONG SeekToEnd() { return Seek(0, end); }
    virtual ULONGLONG GetLength() const {
        return ::portafx::compat::detail::Translate([&] { return file_->GetLength(); });
    }
    virtual ULONGLONG GetPosition() const {
        return ::portafx::compat::detail::Translate([&] { return file_->GetPosition(); });
    }
    virtual void SetLength(ULONGLONG length) {
        ::portafx::compat::detail::Translate([&] { file_->SetLength(length); });
    }
    virtual CString GetFilePath() const { return CString(file_->GetFilePath().c_str()); }
    virtual CString GetFileName() const {
        const CString path = GetFilePath();
        const int slash = path.ReverseFind(TCHAR('/'));
        return slash < 0 ? path : path.Mid(slash + 1);
    }

    /// The portafx file this CFile reads and writes (what a CArchive uses; a portafx extension).
    ::portafx::File& PortafxFile() const noexcept { return *file_; }

protected:
    /// For derived classes: read and write `file` (a member of the derived class) instead of a disk file.
    void SetPortafxFile(::portafx::File& file) noexcept { file_ = &file; }

private:
    static std::string Path(LPCTSTR fileName) { return fileName == nullptr ? std::string() : CStringA(fileName).Str(); }

    ::portafx::DiskFile disk_;
    ::portafx::File* file_;
};

/// MFC's CMemFile: a file in memory.
class CMemFile : public CFile {
    PORTAFX_COMPAT_INLINE_RUNTIME_(CMemFile, CFile, "CMemFile", 0xFFFFu, nullptr, nullptr)
public:
    explicit CMemFile(UINT /*growBytes*/ = 1024) : memory_(std::make_unique<::portafx::MemoryFile>()) {
        SetPortafxFile(*memory_);
    }
    /// A file holding a copy of `size` bytes at `buffer` (MFC works in the caller's buffer; portafx copies it).
    CMemFile(BYTE* buffer, UINT size, UINT /*growBytes*/ = 0)
        : memory_(std::make_unique<::portafx::MemoryFile>(buffer, buffer == nullptr ? 0 : size)) {
        SetPortafxFile(*memory_);
    }
    ~CMemFile() override = default;

    /// Replaces the contents with a copy of `size` bytes at `buffer`, position 0.
    void Attach(BYTE* buffer, UINT size, UINT /*growBytes*/ = 0) {
        memory_ = std::make_unique<::portafx::MemoryFile>(buffer, buffer == nullptr ? 0 : size);
        SetPortafxFile(*memory_);
    }
    /// The contents in a buffer from malloc (free it with free()), and the file becomes empty. The file's own
    /// block is handed over, as MFC does: no copy (an empty file gives a fresh one-byte block, never NULL).
    BYTE* Detach() {
        std::size_t length = 0;
        BYTE* block = memory_->Detach(length);
        if (block == nullptr) {
            block = static_cast<BYTE*>(std::malloc(1));
            if (block == nullptr) AfxThrowMemoryException();
        }
        memory_ = std::make_unique<::portafx::MemoryFile>();
        SetPortafxFile(*memory_);
        return block;
    }
    /// The bytes (a portafx extension).
    ::portafx::MemoryBytes Data() const noexcept { return memory_->Data(); }

private:
    std::unique_ptr<::portafx::MemoryFile> memory_;
};
