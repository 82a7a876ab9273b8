// portafx compat — MFC's afx.h: the Windows types, CString, CObject and run-time classes, exceptions and
// TRY/CATCH, ASSERT/TRACE, CFile, CMemFile, CArchive and the collections. See docs/porting-guide.md.
//
// Choose the character set before including it (Unicode by default; define _MBCS for narrow strings): see
// portafx/compat/types.hpp.
#pragma once

#include <portafx/compat/archive.hpp>
#include <portafx/compat/collections.hpp>
#include <portafx/compat/cstring.hpp>
#include <portafx/compat/exceptions.hpp>
#include <portafx/compat/file.hpp>
#include <portafx/compat/object.hpp>
#include <portafx/compat/types.hpp>
