// portafx — SocketFile: a File over a connected stream Socket (MFC: CSocketFile).
//
// Reads and writes go through the Socket's pseudo-blocking Receive and Send, so they pump the socket's
// EventLoop while they wait and honour Socket::SetTimeout and CancelBlockingCall. Socket failures throw
// FileException(genericException) whose `m_lOsError` is the WSA number (10054 for a reset, 10060 for a
// timeout, ...) and whose message is the socket's GetLastErrorInfo().Message(). The file never owns the
// socket: Close and the destructor leave it open, as in MFC.
//
// Not seekable: Seek, GetLength, GetPosition and SetLength throw NotSupportedException (MFC's CSocketFile
// documents that for Seek too, but its Seek silently returned 0).
#pragma once

#include <portafx/async_socket.hpp>
#include <portafx/file.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace portafx {

class Socket;

/// A File over a stream Socket (MFC: CSocketFile).
class SocketFile : public File, private ReadAheadHolder {
public:
    /// A file over `socket`, which must outlive it (or the file must be closed first). With
    /// `archiveCompatible` (the default, as in MFC) Read returns what has arrived; without it Read waits
    /// for the whole count. Throws NotSupportedException if `socket` is not a stream socket and
    /// FileException(invalidFile, WSA_INVALID_HANDLE 6) if it has no handle.
    explicit SocketFile(Socket& socket, bool archiveCompatible = true);

    /// Does nothing to the socket (bytes given back with Unread are dropped with the file).
    ~SocketFile() override;

    /// The socket, or null after Close (MFC: `m_pSocket`).
    Socket* GetSocket() const noexcept { return socket_; }

    /// The mode chosen at construction (MFC: `m_bArchiveCompatible`).
    bool IsArchiveCompatible() const noexcept { return archiveCompatible_; }

    /// Archive-compatible: one blocking Socket::Receive, which waits for at least one byte and returns
    /// what has arrived, up to `count`. Otherwise: receives until `count` bytes came or the peer closed.
    /// Returns 0 once the peer has closed (and at once for a `count` of 0). Counts over INT_MAX are read
    /// in INT_MAX pieces. Throws FileException(genericException, WSA error) on a socket error, timeout or
    /// cancel (bytes an incomplete non-compatible Read got are kept: the next Read returns them), and
    /// FileException(invalidFile) after Close.
    std::size_t Read(void* buffer, std::size_t count) override;

    /// Sends all `count` bytes with the blocking Socket::Send (in INT_MAX pieces). Throws
    /// FileException(genericException, WSA error) on failure, its message saying how many bytes were sent;
    /// FileException(invalidFile) after Close.
    void Write(const void* buffer, std::size_t count) override;

    /// A non-blocking read: what is queued now, up to `count` bytes; 0 if nothing has arrived. Sets
    /// `endOfFile` (to true; it is otherwise left as it was) and returns 0 when the peer has closed. Throws
    /// FileException as Read does, except for WouldBlock.
    std::size_t ReadAvailable(void* buffer, std::size_t count, bool& endOfFile) override;

    /// Keeps `count` bytes that were read and not used (an Archive's read-ahead, on its Flush or Close): the
    /// next Read or ReadAvailable returns them first, and the socket counts them as queued data meanwhile.
    void Unread(const void* data, std::size_t count) override;

    /// Registers a reader's held bytes with the socket (see File::SetReadAheadHolder).
    void SetReadAheadHolder(const ReadAheadHolder& reader, bool attach) override;

    /// Tells the socket the reader's held bytes grew.
    void ReadAheadChanged() override;

    /// Nothing to do: Write has sent everything.
    void Flush() override;

    /// Forgets the socket (GetSocket() becomes null); the socket stays open and usable. Further reads and
    /// writes throw FileException(invalidFile).
    void Close() override;

    /// "socket <peer address>:<port>" ("socket [::1]:7000" for IPv6), or "socket" when closed or never
    /// seen connected. The peer is remembered once known, so messages still name it after a reset. Leaves
    /// the thread's last socket error as it was.
    std::string GetFilePath() const override;

    /// False in archive-compatible mode (a Read returns what has arrived, so an Archive may ask for a whole
    /// buffer and read ahead); true otherwise (a Read waits for the whole count, so an Archive asks only for
    /// what the current item needs).
    bool IsBlocking() const noexcept override { return !archiveCompatible_; }

private:
    std::size_t HeldBytes() const noexcept override { return pending_.size() - pendingPos_; }
    std::size_t TakePending(void* buffer, std::size_t count);
    Socket& RequireSocket(const char* operation) const;
    [[noreturn]] void ThrowSocketError(const std::string& context) const;

    Socket* socket_;
    bool archiveCompatible_;
    mutable std::string peer_;           // "address:port" once known; kept for messages after the connection is gone
    std::vector<std::uint8_t> pending_;  // bytes given back by Unread, served first
    std::vector<const ReadAheadHolder*> readers_;  // registered with the socket through this file
    std::size_t pendingPos_ = 0;
};

}  // namespace portafx
