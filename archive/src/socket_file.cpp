// SocketFile: CSocketFile — reads and writes through a Socket's pseudo-blocking calls.
#include <portafx/socket_file.hpp>

#include <portafx/exceptions.hpp>
#include <portafx/socket.hpp>

#include <algorithm>
#include <climits>
#include <cstring>

namespace portafx {

namespace {

constexpr std::size_t kMaxPiece = static_cast<std::size_t>(INT_MAX);  // Send/Receive take an int count

int Piece(std::size_t remaining) {
    return static_cast<int>(std::min(remaining, kMaxPiece));
}

}  // namespace

SocketFile::SocketFile(Socket& socket, bool archiveCompatible)
    : socket_(&socket), archiveCompatible_(archiveCompatible) {
    if (!socket.IsOpen()) {
        throw FileException(FileException::invalidFile, static_cast<long>(SocketError::NoHandle),
                            "SocketFile: the socket has no handle", "socket");
    }
    if (socket.GetSocketType() != SocketType::Stream) {
        throw NotSupportedException("SocketFile: only stream sockets can be used as files (this is a datagram socket)");
    }
    GetFilePath();  // remember the peer now, while it is certainly known
    socket.AddReadAheadHolder(*this);
}

SocketFile::~SocketFile() {
    Close();
}

std::size_t SocketFile::TakePending(void* buffer, std::size_t count) {
    const std::size_t n = std::min(count, pending_.size() - pendingPos_);
    if (n == 0) return 0;
    std::memcpy(buffer, pending_.data() + pendingPos_, n);
    pendingPos_ += n;
    if (pendingPos_ == pending_.size()) {
        pending_.clear();
        pendingPos_ = 0;
    }
    return n;
}

void SocketFile::Unread(const void* data, std::size_t count) {
    Socket& socket = RequireSocket("Unread");
    if (count == 0) return;
    const auto* bytes = static_cast<const std::uint8_t*>(data);
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(pendingPos_));
    pending_.insert(pending_.begin(), bytes, bytes + count);  // before what is still pending
    pendingPos_ = 0;
    socket.ReadAheadChanged();
}

void SocketFile::SetReadAheadHolder(const ReadAheadHolder& reader, bool attach) {
    readers_.erase(std::remove(readers_.begin(), readers_.end(), &reader), readers_.end());
    if (attach) readers_.push_back(&reader);
    if (socket_ == nullptr) return;
    if (attach) {
        socket_->AddReadAheadHolder(reader);
    } else {
        socket_->RemoveReadAheadHolder(reader);
    }
}

void SocketFile::ReadAheadChanged() {
    if (socket_ != nullptr) socket_->ReadAheadChanged();
}

Socket& SocketFile::RequireSocket(const char* operation) const {
    if (socket_ == nullptr) {
        throw FileException(FileException::invalidFile, static_cast<long>(SocketError::NoHandle),
                            std::string(operation) + ": the socket file is closed", "socket");
    }
    return *socket_;
}

void SocketFile::ThrowSocketError(const std::string& context) const {
    const SocketErrorInfo info = AsyncSocket::GetLastErrorInfo();
    std::string message = info.Message();
    if (!context.empty()) message += "; " + context;
    // After a cancel the socket may have been destroyed inside the blocking call: do not touch it then.
    const bool socketMayBeGone = info.code == static_cast<int>(SocketError::Interrupted);
    const std::string path = socketMayBeGone ? (peer_.empty() ? "socket" : "socket " + peer_) : GetFilePath();
    throw FileException(FileException::genericException, info.code, message, path);
}

std::size_t SocketFile::Read(void* buffer, std::size_t count) {
    Socket& socket = RequireSocket("Read");
    auto* bytes = static_cast<char*>(buffer);
    std::size_t done = TakePending(buffer, count);
    if (done > 0 && (archiveCompatible_ || done == count)) return done;
    while (done < count) {
        const int n = socket.Receive(bytes + done, Piece(count - done));
        if (n == SocketErrorResult) {
            // Keep what was read: the next Read returns it (no byte is lost to a failure).
            if (done > 0) {
                const SocketErrorInfo why = AsyncSocket::GetLastErrorInfo();
                Unread(bytes, done);
                AsyncSocket::SetLastError(why.code, why.operation.c_str(), why.detail);
            }
            ThrowSocketError(done == 0 ? std::string()
                                       : std::to_string(done) + " of " + std::to_string(count) +
                                             " bytes had been read; the next Read returns them");
        }
        if (n == 0) break;  // the peer closed
        done += static_cast<std::size_t>(n);
        if (archiveCompatible_) break;  // one Receive: what has arrived
    }
    return done;
}

void SocketFile::Write(const void* buffer, std::size_t count) {
    Socket& socket = RequireSocket("Write");
    const auto* bytes = static_cast<const char*>(buffer);
    std::size_t done = 0;
    while (done < count) {
        const int piece = Piece(count - done);
        if (socket.Send(bytes + done, piece) == SocketErrorResult) {
            ThrowSocketError(count <= kMaxPiece ? std::string()
                                                : "the earlier pieces, " + std::to_string(done) + " of " +
                                                      std::to_string(count) + " bytes, were sent");
        }
        done += static_cast<std::size_t>(piece);
    }
}

std::size_t SocketFile::ReadAvailable(void* buffer, std::size_t count, bool& endOfFile) {
    Socket& socket = RequireSocket("ReadAvailable");
    if (count == 0) return 0;
    if (const std::size_t taken = TakePending(buffer, count); taken > 0) return taken;
    const int n = socket.AsyncSocket::Receive(buffer, Piece(count));  // the non-blocking Receive
    if (n > 0) return static_cast<std::size_t>(n);
    if (n == 0) {
        endOfFile = true;
        return 0;
    }
    if (AsyncSocket::GetLastError() == static_cast<int>(SocketError::WouldBlock)) return 0;
    ThrowSocketError({});
}

void SocketFile::Flush() {}

void SocketFile::Close() {
    if (socket_ != nullptr) {
        // Nothing registered through this file may outlive its link to the socket.
        socket_->RemoveReadAheadHolder(*this);
        for (const ReadAheadHolder* reader : readers_)
            socket_->RemoveReadAheadHolder(*reader);
    }
    readers_.clear();
    socket_ = nullptr;
}

std::string SocketFile::GetFilePath() const {
    if (socket_ == nullptr) return "socket";
    if (peer_.empty()) {
        const SocketErrorInfo saved = AsyncSocket::GetLastErrorInfo();
        SocketAddress peer;
        if (socket_->GetPeerName(peer)) peer_ = peer.ToString();
        AsyncSocket::SetLastError(saved.code, saved.operation.c_str(), saved.detail);
    }
    return peer_.empty() ? "socket" : "socket " + peer_;
}

}  // namespace portafx
