// portafx compat — MFC's afxwin.h. portafx has no windows: this gives what afx.h gives (the GUI is yours to
// replace; run the thread's portafx::EventLoop where MFC ran the message loop, see docs/porting-guide.md).
#pragma once

#include <portafx/afx.h>
