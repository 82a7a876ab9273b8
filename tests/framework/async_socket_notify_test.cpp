// AsyncSocket notifications follow Winsock's WSAAsyncSelect rules exactly (DESIGN §3, reference §1.4).
#include <portafx/async_socket.hpp>

#define BOOST_TEST_MODULE async_socket_notify
#include "loopback.hpp"

#include <boost/asio/ip/udp.hpp>

#include <sys/socket.h>

#include <thread>

using namespace portafx;
using namespace portafx::test;

BOOST_AUTO_TEST_CASE(one_partial_receive_brings_another_on_receive) {
    EventLoop loop;
    AcceptedPair pair(loop);
    pair.server.onReceive = [](Recorder& s, int) { s.ReceiveSome(10); };  // 10 of 100 bytes each time
    pair.peer.Write(std::string(100, 'x'));
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.received.size() == 100; }));
    Drain(loop);
    BOOST_TEST(pair.server.receives == 10);
    BOOST_TEST(pair.server.lastReceiveError == 0);
}

BOOST_AUTO_TEST_CASE(no_receive_means_no_further_on_receive) {
    EventLoop loop;
    AcceptedPair pair(loop);
    pair.peer.Write("first");
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.receives == 1; }));
    pair.peer.Write("second");
    BOOST_REQUIRE(WaitQueued(pair.server, 11));  // both writes are queued at our socket
    Drain(loop);
    BOOST_TEST(pair.server.receives == 1);
    // A Receive (of part of the data) re-enables: the rest is still queued, so OnReceive comes again.
    char buf[3];
    BOOST_TEST(pair.server.Receive(buf, 3) == 3);
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.receives == 2; }));
    Drain(loop);
    BOOST_TEST(pair.server.receives == 2);
}

BOOST_AUTO_TEST_CASE(failing_receive_reenables_too) {
    EventLoop loop;
    AcceptedPair pair(loop);
    pair.server.onReceive = [](Recorder& s, int) {
        s.ReceiveSome();
        char c;
        BOOST_TEST(s.Receive(&c, 1) == SocketErrorResult);  // nothing left: WouldBlock, still re-enables
        BOOST_TEST(AsyncSocket::GetLastError() == static_cast<int>(SocketError::WouldBlock));
    };
    pair.peer.Write("one");
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.received == "one"; }));
    pair.peer.Write("two");
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.received == "onetwo"; }));
    Drain(loop);
    BOOST_TEST(pair.server.receives == 2);
}

BOOST_AUTO_TEST_CASE(on_send_once_after_accept_then_only_after_would_block) {
    EventLoop loop;
    AcceptedPair pair(loop);
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.sends == 1; }));
    BOOST_TEST(pair.server.lastSendError == 0);
    // Successful sends do not bring OnSend.
    BOOST_TEST(pair.server.Send("hello", 5) == 5);
    BOOST_TEST(pair.peer.Read(5) == "hello");
    Drain(loop);
    BOOST_TEST(pair.server.sends == 1);

    // Fill the send path until WouldBlock.
    BOOST_REQUIRE(pair.server.SetSendBufferSize(16 * 1024));
    std::string chunk(64 * 1024, 'z');
    std::size_t sent = 0;
    int rc = 0;
    for (int i = 0; i < 10000; ++i) {
        rc = pair.server.Send(chunk.data(), static_cast<int>(chunk.size()));
        if (rc == SocketErrorResult) break;
        sent += static_cast<std::size_t>(rc);
    }
    BOOST_REQUIRE(rc == SocketErrorResult);
    BOOST_REQUIRE(AsyncSocket::GetLastError() == static_cast<int>(SocketError::WouldBlock));
    Drain(loop);
    BOOST_TEST(pair.server.sends == 1);  // not writable yet: nothing

    // The peer drains everything; exactly one OnSend follows.
    BOOST_TEST(pair.peer.Read(sent).size() == sent);
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.sends == 2; }));
    Drain(loop);
    BOOST_TEST(pair.server.sends == 2);
}

BOOST_AUTO_TEST_CASE(on_connect_success_then_on_send) {
    EventLoop loop;
    RawListener raw;
    Recorder client(loop);
    BOOST_REQUIRE(client.Create());
    BOOST_TEST(!client.Connect("127.0.0.1", raw.Port()));
    BOOST_TEST(AsyncSocket::GetLastError() == static_cast<int>(SocketError::WouldBlock));
    BOOST_REQUIRE(RunUntil(loop, [&] { return client.connects == 1 && client.sends == 1; }));
    BOOST_TEST(client.lastConnectError == 0);
    BOOST_TEST((client.log == std::vector<std::string>{"connect", "send"}));
    Drain(loop);
    BOOST_TEST(client.connects == 1);
    BOOST_TEST(client.sends == 1);
    std::string address;
    unsigned port = 0;
    BOOST_REQUIRE(client.GetPeerName(address, port));
    BOOST_TEST(address == "127.0.0.1");
    BOOST_TEST(port == raw.Port());
}

BOOST_AUTO_TEST_CASE(on_connect_refused) {
    EventLoop loop;
    Recorder client(loop);
    BOOST_REQUIRE(client.Create());
    BOOST_TEST(!client.Connect("127.0.0.1", ClosedPort()));
    BOOST_TEST(AsyncSocket::GetLastError() == static_cast<int>(SocketError::WouldBlock));
    BOOST_REQUIRE(RunUntil(loop, [&] { return client.connects == 1; }));
    BOOST_TEST(client.lastConnectError == static_cast<int>(SocketError::ConnectionRefused));
    Drain(loop);
    BOOST_TEST(client.sends == 0);
    BOOST_TEST(client.connects == 1);
}

BOOST_AUTO_TEST_CASE(on_close_zero_on_fin_after_the_data) {
    EventLoop loop;
    AcceptedPair pair(loop);
    pair.server.onReceive = [](Recorder& s, int) { s.ReceiveSome(); };
    pair.peer.Write("last words");
    pair.peer.socket.shutdown(tcp::socket::shutdown_send);
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.closes == 1; }));
    BOOST_TEST(pair.server.lastCloseError == 0);
    BOOST_TEST(pair.server.received == "last words");
    Drain(loop);
    BOOST_TEST(pair.server.closes == 1);
    BOOST_TEST(pair.server.log.back() == "close");
}

BOOST_AUTO_TEST_CASE(on_close_reset) {
    EventLoop loop;
    AcceptedPair pair(loop);
    pair.peer.Reset();
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.closes == 1; }));
    BOOST_TEST(pair.server.lastCloseError == static_cast<int>(SocketError::ConnectionReset));
    Drain(loop);
    BOOST_TEST(pair.server.closes == 1);
    char c;
    BOOST_TEST(pair.server.Receive(&c, 1) == SocketErrorResult);
}

BOOST_AUTO_TEST_CASE(receive_of_zero_reports_close_once) {
    EventLoop loop;
    AcceptedPair pair(loop, FdRead | FdClose);
    int zeroes = 0;
    pair.server.onReceive = [&](Recorder& s, int) {
        if (s.ReceiveSome() == 0) ++zeroes;
    };
    pair.peer.Write("x");
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.received == "x"; }));
    pair.peer.socket.close();
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.closes == 1; }));
    Drain(loop);
    BOOST_TEST(pair.server.closes == 1);
    BOOST_TEST(pair.server.lastCloseError == 0);
}

BOOST_AUTO_TEST_CASE(on_accept_once_per_pending_connection_reenabled_by_accept) {
    EventLoop loop;
    Recorder listener(loop);
    BOOST_REQUIRE(listener.Create(0, SocketType::Stream, AllEvents, "127.0.0.1"));
    BOOST_REQUIRE(listener.Listen());
    Peer a, b;
    a.Connect("127.0.0.1", LocalPort(listener));
    b.Connect("127.0.0.1", LocalPort(listener));
    BOOST_REQUIRE(RunUntil(loop, [&] { return listener.accepts == 1; }));
    Drain(loop);
    BOOST_TEST(listener.accepts == 1);  // no Accept yet: no second OnAccept

    Recorder first(loop), second(loop), none(loop);
    SocketAddress peer;
    BOOST_REQUIRE(listener.Accept(first, &peer));
    BOOST_TEST(peer.Address() == "127.0.0.1");
    BOOST_REQUIRE(RunUntil(loop, [&] { return listener.accepts == 2; }));  // the second is pending
    BOOST_REQUIRE(listener.Accept(second));
    Drain(loop);
    BOOST_TEST(listener.accepts == 2);
    BOOST_TEST(!listener.Accept(none));
    BOOST_TEST(AsyncSocket::GetLastError() == static_cast<int>(SocketError::WouldBlock));
    BOOST_TEST(!none.IsOpen());
}

BOOST_AUTO_TEST_CASE(accepted_socket_inherits_listener_mask) {
    EventLoop loop;
    AcceptedPair pair(loop, FdAccept | FdClose);
    BOOST_TEST(pair.server.GetEvents() == (FdAccept | FdClose));
    pair.peer.Write("data");
    BOOST_REQUIRE(WaitQueued(pair.server, 4));
    Drain(loop);
    BOOST_TEST(pair.server.receives == 0);  // FdRead not selected
    BOOST_TEST(pair.server.sends == 0);     // FdWrite not selected
    // Selecting FdRead re-checks at once: the queued data is reported.
    BOOST_REQUIRE(pair.server.AsyncSelect(FdRead | FdWrite | FdClose));
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.receives == 1 && pair.server.sends == 1; }));
}

BOOST_AUTO_TEST_CASE(async_select_zero_silences_and_reselect_rechecks) {
    EventLoop loop;
    AcceptedPair pair(loop);
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.sends == 1; }));
    BOOST_REQUIRE(pair.server.AsyncSelect(0));
    pair.peer.Write("quiet");
    BOOST_REQUIRE(WaitQueued(pair.server, 5));
    Drain(loop);
    BOOST_TEST(pair.server.receives == 0);
    BOOST_REQUIRE(pair.server.AsyncSelect(FdRead));
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.receives == 1; }));
    BOOST_TEST(pair.server.sends == 1);  // FdWrite was not reselected
}

BOOST_AUTO_TEST_CASE(nothing_after_close) {
    EventLoop loop;
    AcceptedPair pair(loop);
    pair.peer.Write("ignored");
    BOOST_REQUIRE(WaitQueued(pair.server, 7));
    pair.server.Close();
    pair.server.Close();  // twice is fine
    pair.peer.Reset();
    Drain(loop);
    BOOST_TEST(pair.server.receives == 0);
    BOOST_TEST(pair.server.closes == 0);
    BOOST_TEST(!pair.server.IsOpen());
    char c;
    BOOST_TEST(pair.server.Receive(&c, 1) == SocketErrorResult);
    BOOST_TEST(AsyncSocket::GetLastError() == static_cast<int>(SocketError::NotSocket));
}

BOOST_AUTO_TEST_CASE(close_inside_on_receive_stops_everything) {
    EventLoop loop;
    AcceptedPair pair(loop);
    pair.server.onReceive = [](Recorder& s, int) {
        s.ReceiveSome(1);  // re-enables (two bytes are still queued), then closes
        s.Close();
    };
    pair.peer.Write("abc");
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.receives == 1; }));
    boost::system::error_code ec;
    asio::write(pair.peer.socket, asio::buffer("def", 3), ec);  // may be reset: we closed with data unread
    Drain(loop);
    BOOST_TEST(pair.server.receives == 1);
    BOOST_TEST(pair.server.closes == 0);
}

BOOST_AUTO_TEST_CASE(out_of_band_data) {
    EventLoop loop;
    AcceptedPair pair(loop);
    char urgent = 0;
    pair.server.onOob = [&](Recorder& s, int) { BOOST_TEST(s.Receive(&urgent, 1, MsgOob) == 1); };
    pair.server.onReceive = [](Recorder& s, int) { s.ReceiveSome(); };
    pair.peer.Write("ab");
    pair.peer.socket.send(asio::buffer("!", 1), tcp::socket::message_out_of_band);
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.oobs == 1 && pair.server.received == "ab"; }));
    BOOST_TEST(urgent == '!');
    Drain(loop);
    BOOST_TEST(pair.server.oobs == 1);
}

BOOST_AUTO_TEST_CASE(user_space_bytes_keep_on_receive_coming) {
    EventLoop loop;
    AcceptedPair pair(loop);
    // A layer above holds 3 "messages" in user space; the kernel has nothing.
    pair.server.userBytes = 3;
    pair.server.onReceive = [](Recorder& s, int) {
        --s.userBytes;        // the layer hands one to the user...
        s.ReenableReceive();  // ...which counts as a Receive call
    };
    BOOST_REQUIRE(pair.server.AsyncSelect(AllEvents));
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.userBytes == 0; }));
    Drain(loop);
    BOOST_TEST(pair.server.receives == 3);
    unsigned long queued = 99;
    BOOST_REQUIRE(pair.server.IOCtl(FionRead, &queued));
    BOOST_TEST(queued == 0u);
}

BOOST_AUTO_TEST_CASE(gather_send_is_one_write) {
    EventLoop loop;
    AcceptedPair pair(loop);
    const char header[] = {0x00, 0x07};
    BOOST_TEST(pair.server.Send({{header, 2}, {"payload", 7}}) == 9);
    BOOST_TEST(pair.peer.Read(9) == std::string("\x00\x07payload", 9));
    const ConstBuffer bad[] = {{nullptr, 3}};
    BOOST_TEST(pair.server.Send(bad, 1) == SocketErrorResult);
    BOOST_TEST(AsyncSocket::GetLastError() == static_cast<int>(SocketError::Fault));
}

BOOST_AUTO_TEST_CASE(fionread_and_fionbio) {
    EventLoop loop;
    AcceptedPair pair(loop, FdClose);
    pair.peer.Write("12345");
    BOOST_REQUIRE(WaitQueued(pair.server, 5));
    unsigned long n = 0;
    BOOST_REQUIRE(pair.server.IOCtl(FionRead, &n));
    BOOST_TEST(n == 5u);
    unsigned long blocking = 0;
    BOOST_TEST(!pair.server.IOCtl(FionBio, &blocking));  // notifications selected: stays non-blocking
    BOOST_TEST(AsyncSocket::GetLastError() == static_cast<int>(SocketError::InvalidArgument));
    BOOST_REQUIRE(pair.server.AsyncSelect(0));
    BOOST_REQUIRE(pair.server.IOCtl(FionBio, &blocking));
    char buf[5];
    BOOST_TEST(pair.server.Receive(buf, 5) == 5);  // blocking mode now
    BOOST_TEST(!pair.server.IOCtl(0x1234, &n));
    BOOST_TEST(AsyncSocket::GetLastError() == static_cast<int>(SocketError::InvalidArgument));
}

BOOST_AUTO_TEST_CASE(shut_down_sends_is_a_half_close) {
    EventLoop loop;
    AcceptedPair pair(loop);
    BOOST_REQUIRE(pair.server.Send("bye", 3) == 3);
    BOOST_REQUIRE(pair.server.ShutDown());  // default: Sends
    BOOST_TEST(pair.peer.Read(3) == "bye");
    char c;
    boost::system::error_code ec;
    pair.peer.socket.read_some(asio::buffer(&c, 1), ec);
    BOOST_TEST(ec == asio::error::eof);
    BOOST_TEST(pair.server.Send("more", 4) == SocketErrorResult);
    BOOST_TEST(AsyncSocket::GetLastError() == static_cast<int>(SocketError::Shutdown));
    // The other direction still works.
    pair.server.onReceive = [](Recorder& s, int) { s.ReceiveSome(); };
    pair.peer.Write("still here");
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.received == "still here"; }));
}

BOOST_AUTO_TEST_CASE(last_error_is_per_thread) {
    EventLoop loop;
    AsyncSocket s(loop);
    BOOST_TEST(!s.Listen());
    BOOST_TEST(AsyncSocket::GetLastError() == static_cast<int>(SocketError::NotSocket));
    int other = -1;
    std::thread([&] { other = AsyncSocket::GetLastError(); }).join();
    BOOST_TEST(other == 0);
    AsyncSocket::SetLastError(static_cast<int>(SocketError::TimedOut), "Test", "set by hand");
    BOOST_TEST(AsyncSocket::GetLastErrorInfo().Message() ==
               "Test: set by hand (WSAETIMEDOUT 10060: A connection attempt failed because the connected party did "
               "not properly respond after a period of time, or established connection failed because connected "
               "host has failed to respond.)");
}

BOOST_AUTO_TEST_CASE(reset_reported_while_on_receive_awaits_its_receive) {
    EventLoop loop;
    AcceptedPair pair(loop);
    pair.peer.Write("unread");
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.receives == 1; }));  // no Receive follows
    pair.peer.Reset();
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.closes == 1; }));  // Winsock reports it at once
    BOOST_TEST(pair.server.lastCloseError == static_cast<int>(SocketError::ConnectionReset));
    // Data that arrived before the reset may still be handed out (the OS decides); then the reset.
    int n = 0;
    for (int i = 0; i < 3 && (n = pair.server.ReceiveSome()) > 0; ++i) {
    }
    BOOST_TEST(n == SocketErrorResult);
    BOOST_TEST(AsyncSocket::GetLastError() == static_cast<int>(SocketError::ConnectionReset));
    BOOST_TEST((pair.server.received.empty() || pair.server.received == "unread"));
    Drain(loop);
    BOOST_TEST(pair.server.closes == 1);
}

BOOST_AUTO_TEST_CASE(close_seen_while_unselected_is_reported_when_selected) {
    EventLoop loop;
    AcceptedPair pair(loop, FdRead);
    pair.server.onReceive = [](Recorder& s, int) { s.ReceiveSome(); };
    pair.peer.socket.shutdown(tcp::socket::shutdown_send);
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.receives >= 1; }));  // Receive returns 0
    Drain(loop);
    BOOST_TEST(pair.server.closes == 0);
    BOOST_REQUIRE(pair.server.AsyncSelect(FdRead | FdClose));
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.closes == 1; }));
    BOOST_TEST(pair.server.lastCloseError == 0);
}

BOOST_AUTO_TEST_CASE(a_bad_receive_argument_does_not_end_the_connection) {
    EventLoop loop;
    AcceptedPair pair(loop);
    BOOST_TEST(pair.server.Receive(nullptr, 10) == SocketErrorResult);
    BOOST_TEST(AsyncSocket::GetLastError() == static_cast<int>(SocketError::Fault));
    BOOST_TEST(pair.server.Receive(pair.server.received.data(), 1, 0x100) == SocketErrorResult);
    BOOST_TEST(AsyncSocket::GetLastError() == static_cast<int>(SocketError::InvalidArgument));
    pair.server.onReceive = [](Recorder& s, int) { s.ReceiveSome(); };
    pair.peer.Write("fine");
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.received == "fine"; }));
    BOOST_TEST(pair.server.closes == 0);
}

BOOST_AUTO_TEST_CASE(oob_inline_gives_no_on_out_of_band_data_and_no_spin) {
    EventLoop loop;
    AcceptedPair pair(loop);
    int on = 1;
    BOOST_REQUIRE(pair.server.SetSockOpt(SO_OOBINLINE, &on, sizeof on));
    pair.server.onReceive = [](Recorder& s, int) { s.ReceiveSome(); };
    pair.peer.Write("a");
    pair.peer.socket.send(asio::buffer("!", 1), tcp::socket::message_out_of_band);
    pair.peer.Write("b");
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.received == "a!b"; }));
    std::size_t handlers = 0;
    for (int i = 0; i < 50; ++i)
        handlers += loop.Poll();
    BOOST_TEST(handlers < 10u);  // nothing keeps waking the loop
    BOOST_TEST(pair.server.oobs == 0);
}

BOOST_AUTO_TEST_CASE(datagram_socket_notifies_without_an_explicit_bind) {
    EventLoop loop;
    Recorder udp(loop);
    BOOST_REQUIRE(udp.Socket(SocketType::Datagram));
    BOOST_REQUIRE(RunUntil(loop, [&] { return udp.sends == 1; }));  // can send at once: OnSend once
    asio::io_context io;
    asio::ip::udp::socket raw(io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    SocketAddress target;
    BOOST_REQUIRE(SocketAddress::Parse("127.0.0.1", raw.local_endpoint().port(), target));
    BOOST_REQUIRE(udp.Connect(target));  // binds implicitly
    std::string local;
    unsigned port = 0;
    BOOST_REQUIRE(udp.GetSockName(local, port));
    raw.send_to(asio::buffer("dgram", 5),
                asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
    udp.onReceive = [](Recorder& s, int) { s.ReceiveSome(); };
    BOOST_REQUIRE(RunUntil(loop, [&] { return udp.received == "dgram"; }));
    BOOST_TEST(udp.Send("back", 4) == 4);
    char buf[8];
    BOOST_TEST(raw.receive(asio::buffer(buf)) == 4u);
}

BOOST_AUTO_TEST_CASE(read_ahead_holders_count_as_queued_data) {
    EventLoop loop;
    AcceptedPair pair(loop);
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.sends == 1; }));
    struct Held : ReadAheadHolder {
        std::size_t n = 0;
        std::size_t HeldBytes() const noexcept override { return n; }
    } held;
    pair.server.AddReadAheadHolder(held);
    pair.server.AddReadAheadHolder(held);  // once is enough: not counted twice
    // Each OnReceive consumes one held byte without a Receive call; OnReceive comes while any is left.
    pair.server.onReceive = [&](Recorder&, int) {
        if (held.n > 0) --held.n;
    };
    held.n = 3;
    unsigned long queued = 0;
    BOOST_REQUIRE(pair.server.IOCtl(FionRead, &queued));
    BOOST_TEST(queued == 3u);
    pair.server.ReadAheadChanged();  // the holder filled its buffer
    BOOST_REQUIRE(RunUntil(loop, [&] { return held.n == 0; }));
    Drain(loop);
    BOOST_TEST(pair.server.receives == 3);
    // Kernel data still brings OnReceive afterwards: reading held bytes kept it enabled.
    pair.server.onReceive = [](Recorder& s, int) { s.ReceiveSome(); };
    pair.peer.Write("k");
    BOOST_REQUIRE(RunUntil(loop, [&] { return pair.server.received == "k"; }));
    // A removed holder no longer counts.
    pair.server.RemoveReadAheadHolder(held);
    held.n = 5;
    pair.server.ReadAheadChanged();
    Drain(loop);
    BOOST_TEST(pair.server.receives == 4);
}
