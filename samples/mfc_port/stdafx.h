// stdafx.h : the MFC headers, as in every MFC project. The sample's only portafx-specific lines are these two
// include paths (MFC: <afxwin.h>, <afxsock.h>) and the one in mfc_port.cpp that runs the message loop.
#pragma once

#include <portafx/afxsock.h>  // MFC: #include <afxsock.h>
#include <portafx/afxwin.h>   // MFC: #include <afxwin.h>
