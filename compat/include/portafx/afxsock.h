// portafx compat — MFC's afxsock.h: CAsyncSocket, CSocket, CSocketFile, AfxSocketInit and the Winsock names,
// on portafx's AsyncSocket, Socket and SocketFile. See docs/porting-guide.md.
#pragma once

#include <portafx/afx.h>
#include <portafx/compat/sockets.hpp>
