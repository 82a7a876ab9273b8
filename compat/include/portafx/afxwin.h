// portafx compat — MFC's afxwin.h: what afx.h gives, and CWinThread / AfxBeginThread / PostQuitMessage. portafx has
// no windows: the GUI is yours to replace; run the thread's portafx::EventLoop where MFC ran the message loop (see
// docs/porting-guide.md).
#pragma once

#include <portafx/afx.h>
#include <portafx/compat/thread.hpp>
#include <portafx/compat/ui.hpp>
