/*
 * test_win32_environment.c - the default space of vas/win32.h takes its
 * profile from VAS_WIN32_PROFILE when it is created (on first use), so one
 * program binary runs under each profile; an unknown name leaves no space,
 * and every call fails.
 */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "vas/win32.h"

/* In a child process: the default space is made once per process. */
static int child_unknown_profile(void)
{
    setenv("VAS_WIN32_PROFILE", "x32", 1);
    if (VirtualAlloc(NULL, 0x1000, MEM_COMMIT, PAGE_READWRITE) != NULL)
        return 1;
    return GetLastError() == ERROR_NOT_ENOUGH_MEMORY ? 0 : 2;
}

int main(void)
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(child_unknown_profile());
    int status = -1;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    setenv("VAS_WIN32_PROFILE", "x86-laa", 1);
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    CHECK_EQ((ULONG_PTR)si.lpMaximumApplicationAddress, 0xFFFEFFFF);
    CHECK_EQ(si.wProcessorArchitecture, PROCESSOR_ARCHITECTURE_INTEL);
    LPVOID p = VirtualAlloc(NULL, 0x1000, MEM_RESERVE | MEM_TOP_DOWN, PAGE_READWRITE);
    CHECK(p == (LPVOID)(uintptr_t)0xFFFE0000);
    MEMORY_BASIC_INFORMATION mbi;
    CHECK_EQ(VirtualQuery(p, &mbi, sizeof mbi), sizeof mbi);
    CHECK_EQ(mbi.State, MEM_RESERVE);
    return check_report("impl_win32_environment");
}
