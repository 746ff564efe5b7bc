/*
 * backend_registry.c - the list of backends built into this program (the
 * one list there is), and lookup by name or by a comma-separated list.
 *
 * Which backends exist is decided by the platform, here and in the
 * backend files' own guards, which use the same conditions: a Windows build
 * (the conformance runner) has the real Windows API alone; elsewhere the
 * two models, plus the host-backed model on Linux. `vastrace backends`
 * prints this list; conformance/conformance.py takes its columns from it.
 * Names with a prefix are opened on demand (not on Windows): "exec:COMMAND"
 * starts a protocol server (backend_exec.c), "so:PATH" loads a plugin
 * (backend_plugin.c).
 */
#include <stdio.h>
#include <string.h>
#include "harness/backend.h"
#include "harness/protocol.h"

#ifdef _WIN32
extern const backend backend_win32;
#else
extern const backend backend_impl;
extern const backend backend_oracle;
#ifdef __linux__
extern const backend backend_host;
#endif
#endif

/* The one list of the project's backends: those built into this program
 * and, in the native build, the one only vastrace.exe has (so that a
 * runner reporting on every backend knows its column: `vastrace backends`). */
static const backend_info infos[] = {
#ifdef _WIN32
    {"win32", BACKEND_WINDOWS, &backend_win32},
#else
    {"impl", BACKEND_MODEL, &backend_impl},
    {"oracle", BACKEND_MODEL, &backend_oracle},
#ifdef __linux__
    {"host", BACKEND_MIRROR, &backend_host},
#endif
    {"win32", BACKEND_WINDOWS, NULL},
#endif
    {NULL, BACKEND_MODEL, NULL}
};

const backend_info *backend_infos(void)
{
    return infos;
}

const backend *const *backend_list(void)
{
    static const backend *list[sizeof infos / sizeof infos[0]];
    if (list[0] == NULL) {
        size_t n = 0;
        for (const backend_info *i = infos; i->name != NULL; i++)
            if (i->here != NULL)
                list[n++] = i->here;
        list[n] = NULL;
    }
    return list;
}

const backend *backend_find(const char *name)
{
    const backend *const *b;
    if (name == NULL)
        return NULL;
#ifndef _WIN32
    if (strncmp(name, "exec:", 5) == 0)
        return backend_exec_open(name);
    if (strncmp(name, "so:", 3) == 0)
        return backend_plugin_open(name);
#endif
    for (b = backend_list(); *b != NULL; b++)
        if (strcmp((*b)->name, name) == 0)
            return *b;
    return NULL;
}

size_t backends_parse(const char *spec, const backend **out, size_t max, char *err, size_t err_len)
{
    size_t n = 0;
    const char *p = spec;
    while (*p != '\0') {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char name[1024];
        const backend *b;
        if (len == 0 || len >= sizeof name) {
            snprintf(err, err_len, "bad backend list '%s'", spec);
            return 0;
        }
        memcpy(name, p, len);
        name[len] = '\0';
        b = backend_find(name);
        if (b == NULL) {
            snprintf(err, err_len, "unknown backend '%s' (or it could not be started)", name);
            return 0;
        }
        if (n == max) {
            snprintf(err, err_len, "too many backends in '%s' (at most %zu)", spec, max);
            return 0;
        }
        out[n++] = b;
        p += len;
        if (*p == ',')
            p++;
    }
    if (n == 0)
        snprintf(err, err_len, "empty backend list");
    return n;
}
