// portafx compat — CWinThread, AfxBeginThread and PostQuitMessage: MFC's threads, each with its own EventLoop.
//
// A thread started with AfxBeginThread gets its own portafx::EventLoop (the counterpart of its message queue): a
// worker thread runs its function; a "user-interface" thread (a CWinThread-derived class made with
// DECLARE_DYNCREATE) runs InitInstance, then Run — the thread's EventLoop, which delivers its sockets' notifications —
// until PostQuitMessage, then ExitInstance. CREATE_SUSPENDED and ResumeThread work as in MFC (the csocket-class
// hand-off: Detach a socket, start a suspended thread, give it the handle, resume it, Attach there). Threads are
// detached; with m_bAutoDelete (the default) the CWinThread deletes itself when the thread ends.
//
// portafx sockets belong to the EventLoop of the thread that constructs them, where MFC binds a socket to a thread
// only at Create/Attach. So AfxBeginThread(RUNTIME_CLASS(C)) constructs the C object in the new thread (and returns
// once it is made): socket members of a thread class belong to that thread, as the MFC hand-off expects.
#pragma once

#include <portafx/compat/exceptions.hpp>
#include <portafx/compat/object.hpp>
#include <portafx/compat/types.hpp>

#include <condition_variable>
#include <functional>
#include <mutex>

using AFX_THREADPROC = UINT (*)(LPVOID);
using LPSECURITY_ATTRIBUTES = void*;

#define THREAD_PRIORITY_NORMAL 0
#define THREAD_PRIORITY_LOWEST (-2)
#define THREAD_PRIORITY_BELOW_NORMAL (-1)
#define THREAD_PRIORITY_ABOVE_NORMAL 1
#define THREAD_PRIORITY_HIGHEST 2
#define CREATE_SUSPENDED 0x00000004

/// MFC's CWinThread.
class CWinThread : public CObject {
    PORTAFX_COMPAT_INLINE_RUNTIME_(CWinThread, CObject, "CWinThread", 0xFFFFu, nullptr, nullptr)
public:
    CWinThread() = default;
    CWinThread(AFX_THREADPROC threadProc, LPVOID param) : m_pfnThreadProc(threadProc), m_pThreadParams(param) {}
    ~CWinThread() override = default;

    /// Starts the thread (suspended with CREATE_SUSPENDED). FALSE if the system cannot start one.
    BOOL CreateThread(DWORD createFlags = 0, UINT stackSize = 0, LPSECURITY_ATTRIBUTES security = nullptr);
    /// Lets a suspended thread run. Returns the previous suspend count (1, then 0).
    DWORD ResumeThread();

    /// Called first in the new thread; TRUE goes on to Run. The default returns FALSE, as MFC's.
    virtual BOOL InitInstance() { return FALSE; }
    /// Runs the thread's EventLoop until PostQuitMessage, then returns ExitInstance().
    virtual int Run();
    /// Called last; its result is the thread's exit code.
    virtual int ExitInstance() { return m_nExitCode; }

    BOOL m_bAutoDelete = TRUE;
    int m_nExitCode = 0;
    AFX_THREADPROC m_pfnThreadProc = nullptr;
    LPVOID m_pThreadParams = nullptr;

private:
    friend CWinThread* AfxBeginThread(CRuntimeClass*, int, UINT, DWORD, LPSECURITY_ATTRIBUTES);
    void Main();

    std::mutex mutex_;
    std::condition_variable resumed_;
    bool suspended_ = false;
};

/// Starts a worker thread running `threadProc(param)`. Null if it cannot start.
CWinThread* AfxBeginThread(AFX_THREADPROC threadProc, LPVOID param, int priority = THREAD_PRIORITY_NORMAL,
                           UINT stackSize = 0, DWORD createFlags = 0, LPSECURITY_ATTRIBUTES security = nullptr);
/// Creates an object of `threadClass` (a DECLARE_DYNCREATE CWinThread) and starts it. Null if it cannot.
CWinThread* AfxBeginThread(CRuntimeClass* threadClass, int priority = THREAD_PRIORITY_NORMAL, UINT stackSize = 0,
                           DWORD createFlags = 0, LPSECURITY_ATTRIBUTES security = nullptr);
/// The CWinThread of the calling thread, or null (the main thread has none).
CWinThread* AfxGetThread() noexcept;
/// Ends the calling thread's Run (its EventLoop's Run) with `exitCode`.
void AfxPostQuitMessage(int exitCode);
inline void PostQuitMessage(int exitCode) {
    AfxPostQuitMessage(exitCode);
}
