// portafx compat — MFC's afxcoll.h: CStringList, CStringArray, CObList, CPtrList.
#pragma once

#include <portafx/afx.h>
