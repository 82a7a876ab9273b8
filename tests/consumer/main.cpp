// Uses the installed portafx: a listener and a client connect on loopback through one EventLoop.
#include <portafx/archive.hpp>
#include <portafx/memory_file.hpp>
#include <portafx/portafx.hpp>

#include <chrono>
#include <cstdio>

namespace {
struct Client : portafx::AsyncSocket {
    bool connected = false;
    void OnConnect(int error) override { connected = error == 0; }
};
struct Listener : portafx::AsyncSocket {
    portafx::AsyncSocket accepted;
    void OnAccept(int) override { Accept(accepted); }
};
}  // namespace

int main() {
    Listener listener;
    Client client;
    std::string address;
    unsigned port = 0;
    if (!listener.Create(0, portafx::SocketType::Stream, portafx::AllEvents, "127.0.0.1") || !listener.Listen() ||
        !listener.GetSockName(address, port)) {
        std::printf("listener: %s\n", portafx::AsyncSocket::GetLastErrorInfo().Message().c_str());
        return 1;
    }
    client.Connect("127.0.0.1", port);
    auto& loop = portafx::EventLoop::Current();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!(client.connected && listener.accepted.IsOpen()) && std::chrono::steady_clock::now() < deadline) {
        loop.RunOneFor(std::chrono::milliseconds(50));
    }
    // portafx::archive: MFC's bytes for (WORD 2, "hi").
    portafx::MemoryFile file;
    {
        portafx::Archive ar(file, portafx::Archive::Store);
        ar << std::uint16_t{2} << std::string("hi");
    }
    const bool bytesOk = file.Data() == std::vector<std::uint8_t>{0x02, 0x00, 0x02, 'h', 'i'};
    std::printf("consumer: connected=%d accepted=%d archive=%d\n", client.connected, listener.accepted.IsOpen(),
                bytesOk);
    return client.connected && listener.accepted.IsOpen() && bytesOk ? 0 : 1;
}
