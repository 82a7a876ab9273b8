// portafx compat — CWinThread on std::thread and portafx::EventLoop.
#include <portafx/compat/thread.hpp>
#include <portafx/event_loop.hpp>

#include <future>
#include <system_error>
#include <thread>
#include <utility>

namespace {
thread_local CWinThread* currentThread = nullptr;
thread_local int quitCode = 0;
}  // namespace

BOOL CWinThread::CreateThread(DWORD createFlags, UINT /*stackSize*/, LPSECURITY_ATTRIBUTES /*security*/) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        suspended_ = (createFlags & CREATE_SUSPENDED) != 0;
    }
    try {
        std::thread([this] { Main(); }).detach();
    } catch (const std::system_error&) {
        return FALSE;
    }
    return TRUE;
}

DWORD CWinThread::ResumeThread() {
    std::lock_guard<std::mutex> lock(mutex_);
    const DWORD previous = suspended_ ? 1 : 0;
    suspended_ = false;
    resumed_.notify_all();
    return previous;
}

int CWinThread::Run() {
    portafx::EventLoop::Current().Run();
    m_nExitCode = quitCode;
    return ExitInstance();
}

void CWinThread::Main() {
    {
        std::unique_lock<std::mutex> lock(mutex_);
        resumed_.wait(lock, [this] { return !suspended_; });
    }
    currentThread = this;
    int exitCode = 0;
    try {
        if (m_pfnThreadProc != nullptr) {
            exitCode = static_cast<int>(m_pfnThreadProc(m_pThreadParams));
        } else if (InitInstance()) {
            exitCode = Run();
        } else {
            exitCode = ExitInstance();
        }
    } catch (CException* e) {
        e->ReportError();  // MFC reports an exception that ends a thread, too
        e->Delete();
        exitCode = -1;
    }
    m_nExitCode = exitCode;
    currentThread = nullptr;
    if (m_bAutoDelete) delete this;
}

CWinThread* AfxBeginThread(AFX_THREADPROC threadProc, LPVOID param, int /*priority*/, UINT stackSize, DWORD createFlags,
                           LPSECURITY_ATTRIBUTES security) {
    auto* thread = new CWinThread(threadProc, param);
    if (!thread->CreateThread(createFlags, stackSize, security)) {
        delete thread;
        return nullptr;
    }
    return thread;
}

CWinThread* AfxBeginThread(CRuntimeClass* threadClass, int /*priority*/, UINT /*stackSize*/, DWORD createFlags,
                           LPSECURITY_ATTRIBUTES /*security*/) {
    if (threadClass == nullptr) return nullptr;
    // The object is made in the new thread, so that its socket members belong to that thread's EventLoop.
    std::promise<CWinThread*> made;
    std::future<CWinThread*> result = made.get_future();
    try {
        std::thread([threadClass, createFlags, made = std::move(made)]() mutable {
            CObject* object = nullptr;
            try {
                object = threadClass->CreateObject();
            } catch (...) {
            }
            auto* thread = dynamic_cast<CWinThread*>(object);
            if (thread == nullptr) {
                delete object;
                made.set_value(nullptr);
                return;
            }
            thread->suspended_ = (createFlags & CREATE_SUSPENDED) != 0;
            made.set_value(thread);
            thread->Main();
        }).detach();
    } catch (const std::system_error&) {
        return nullptr;
    }
    return result.get();
}

CWinThread* AfxGetThread() noexcept {
    return currentThread;
}

void AfxPostQuitMessage(int exitCode) {
    quitCode = exitCode;
    portafx::EventLoop::Current().Stop();
}
