// The debug build (_DEBUG defined, MFC's debug configuration): ASSERT_VALID calls AssertValid, VERIFY and ASSERT
// evaluate, TRACE and afxDump write to stderr. (compat_archive_test covers the release forms: no _DEBUG there.)
#define _DEBUG
#include <portafx/afxwin.h>

#define BOOST_TEST_MODULE compat_debug_test
#include <boost/test/unit_test.hpp>

#include "compat_test_support.hpp"

namespace {
int validations = 0;
int evaluations = 0;

bool Counted(bool value) {
    ++evaluations;
    return value;
}
}  // namespace

class CThing : public CObject {
    DECLARE_DYNAMIC(CThing)
public:
    int m_n = 1;
    virtual void AssertValid() const {
        ++validations;
        ASSERT(m_n > 0);
    }
    virtual void Dump(CDumpContext& dc) const { dc << "CThing " << m_n << "\n"; }
};
IMPLEMENT_DYNAMIC(CThing, CObject)

BOOST_AUTO_TEST_CASE(debug_macros_are_active) {
    CThing thing;
    ASSERT_VALID(&thing);
    BOOST_TEST(validations == 1);
    VERIFY(Counted(true));
    ASSERT(Counted(true));
    BOOST_TEST(evaluations == 2);  // with _DEBUG, ASSERT evaluates too
    ASSERT_KINDOF(CThing, &thing);
    TRACE(_T("compat_debug_test: TRACE %d %s\n"), 5, CString(_T("wide")));
    TRACE("compat_debug_test: TRACE %s\n", "narrow");
    TRACE0("compat_debug_test: TRACE0\n");
    afxDump << &thing;
    BOOST_TEST(thing.IsKindOf(RUNTIME_CLASS(CObject)));
}
