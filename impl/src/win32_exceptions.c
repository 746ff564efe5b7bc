/*
 * win32_exceptions.c - AddVectoredExceptionHandler and
 * RemoveVectoredExceptionHandler (vas/win32.h): the program's handlers in
 * call order, and the dispatcher the host-backed mirror calls on a real
 * fault (vas/vas_host.h's host_exception_handler), which builds Windows'
 * EXCEPTION_RECORD and offers it to each handler in turn
 * (docs/semantics.md section 15.2).
 *
 * fuzz-unreached-file: win32-shim - no fuzz target registers an exception handler
 */
#include "win32_shim.h"

#include <stdlib.h>

#ifdef __linux__
#include "vas/vas_host.h"
#endif

typedef struct vectored_handler {
    PVECTORED_EXCEPTION_HANDLER handler;
    struct vectored_handler *next;
} vectored_handler;

static vectored_handler *handlers;   /* in call order */

#ifdef __linux__
static int dispatch(void *ctx, const host_exception *e)
{
    (void)ctx;
    EXCEPTION_RECORD record = {0};
    record.ExceptionCode = e->code;
    record.ExceptionAddress = e->pc;
    record.NumberParameters = 2;
    record.ExceptionInformation[0] = (ULONG_PTR)e->access;
    record.ExceptionInformation[1] = (ULONG_PTR)e->address;
    EXCEPTION_POINTERS pointers = {&record, (PCONTEXT)e->context};
    for (vectored_handler *h = handlers; h; h = h->next)
        if (h->handler(&pointers) == EXCEPTION_CONTINUE_EXECUTION)
            return 1;
    return 0;
}
#endif

/* The mirror calls the dispatcher only while there is a handler. */
static void handlers_changed(void)
{
#ifdef __linux__
    host_set_exception_handler(handlers ? dispatch : NULL, NULL);
#endif
}

PVOID WINAPI AddVectoredExceptionHandler(ULONG First, PVECTORED_EXCEPTION_HANDLER Handler)
{
    vectored_handler *h = malloc(sizeof *h);
    if (!h)
        return NULL;
    h->handler = Handler;
    h->next = NULL;
    vectored_handler **at = &handlers;
    if (!First)
        while (*at)
            at = &(*at)->next;
    h->next = *at;
    *at = h;
    handlers_changed();
    return h;
}

ULONG WINAPI RemoveVectoredExceptionHandler(PVOID Handle)
{
    for (vectored_handler **at = &handlers; *at; at = &(*at)->next) {
        if (*at == Handle) {
            vectored_handler *h = *at;
            *at = h->next;
            free(h);
            handlers_changed();
            return 1;
        }
    }
    return 0;
}
