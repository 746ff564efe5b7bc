/*
 * windows.h - for building a Windows program unchanged against the model:
 * put this folder (impl/include/vas/windows, installed as
 * include/vas/windows) first on the include path, and the program's
 * `#include <windows.h>` gets vas/win32.h. Only the memory API family of
 * vas/win32.h exists behind it.
 */
#ifndef VAS_WINDOWS_WINDOWS_H
#define VAS_WINDOWS_WINDOWS_H

#include "vas/win32.h"

#endif
