/*
 * cmd_serve.c - `vastrace serve [--backend NAME] [--without FAMILIES]`:
 * serves one built-in backend over the backend protocol on stdin/stdout
 * (docs/backend-protocol.md) until end of file. In vastrace.exe the backend
 * is the real Windows API. --without leaves operation families out: the
 * server declares them absent in HELLO_OK and answers their operations
 * UNSUPPORTED, so a client generates none (the Wine fuzz target leaves out
 * threads and processes, which cost Wine 8 milliseconds a call).
 */
#include <stdio.h>
#include <string.h>
#ifdef _WIN32
#include <windows.h>
#include <fcntl.h>
#include <io.h>
#endif
#include "commands.h"
#include "harness/protocol.h"

#ifdef _WIN32
/* A crash of the server is the client's finding (docs/backend-protocol.md):
 * say what it was and end at once, rather than let Wine start its debugger
 * or Windows its error report, which keeps the client waiting for its
 * timeout and then for a fresh server. */
static LONG WINAPI serve_crashed(EXCEPTION_POINTERS *ep)
{
    const EXCEPTION_RECORD *er = ep->ExceptionRecord;
    fprintf(stderr, "vastrace serve: unhandled exception 0x%08lX at %p\n",
            (unsigned long)er->ExceptionCode, er->ExceptionAddress);
    fflush(stderr);
    TerminateProcess(GetCurrentProcess(), (UINT)er->ExceptionCode);
    return EXCEPTION_EXECUTE_HANDLER;
}
#endif

/* The served backend without the families of --without. */
static const backend *served;
static uint32_t left_out;

static int narrowed_supports(const backend *b, const trace_op *op)
{
    (void)b;
    return !proto_op_only_in(op, left_out) && op_supported(served, op);
}

int cmd_serve(int argc, char **argv)
{
    const char *name = NULL, *without = NULL;
    const backend *b;
    static backend narrowed;
    static char out_buf[1 << 16];
    char err[256];
    int i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--backend") == 0 && i + 1 < argc) {
            name = argv[++i];
        } else if (strcmp(argv[i], "--without") == 0 && i + 1 < argc) {
            without = argv[++i];
        } else {
            fprintf(stderr, "usage: vastrace serve [--backend NAME] [--without FAMILY,...]\n");
            return 2;
        }
    }
    b = name ? backend_find(name) : backend_list()[0];
    if (b == NULL || b->run_whole != NULL) {
        fprintf(stderr, "vastrace serve: '%s' is not a built-in backend\n", name ? name : "");
        return 2;
    }
    if (without != NULL) {
        if (proto_families_parse(without, &left_out, err, sizeof err) != 0) {
            fprintf(stderr, "vastrace serve: --without: %s\n", err);
            return 2;
        }
        served = b;
        narrowed = *b;
        narrowed.supports = narrowed_supports;
        b = &narrowed;
    }
#ifdef _WIN32
    SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX);
    SetUnhandledExceptionFilter(serve_crashed);
    _setmode(_fileno(stdin), _O_BINARY);
    _setmode(_fileno(stdout), _O_BINARY);
#endif
    setvbuf(stdout, out_buf, _IOFBF, sizeof out_buf);
    return protocol_serve(b, stdin, stdout);
}
