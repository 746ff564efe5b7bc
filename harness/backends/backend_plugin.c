/*
 * backend_plugin.c - the "so:PATH" backend: a shared object exporting the
 * table of vas/vas_plugin.h, loaded with dlopen and checked before use (ABI
 * version, the sizes of the shared types, the members every plugin must
 * have), then driven in-process like any built-in backend. Members past
 * the table's struct_size (a plugin built before they were appended) count
 * as NULL: their operations are not supported. POSIX only: on
 * Windows this file compiles to nothing.
 */
#ifndef _WIN32
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness/backend.h"
#include "vas/vas_plugin.h"

typedef struct plugin_backend {
    backend b;
    void *handle;
    struct plugin_backend *next;
} plugin_backend;

static plugin_backend *all_plugins;

/* The table's member at offset off if the plugin's struct_size covers it. */
#define MEMBER(t, m) ((t)->struct_size >= offsetof(vas_plugin, m) + sizeof((t)->m) ? (t)->m : NULL)

static int table_check(const char *spec, const vas_plugin *t)
{
    const char *missing = NULL;
    if (t->abi_version != VAS_PLUGIN_ABI_VERSION) {
        fprintf(stderr, "%s: plugin ABI version %u, this vastrace loads version %u\n", spec,
                t->abi_version, VAS_PLUGIN_ABI_VERSION);
        return -1;
    }
    if (t->config_size != sizeof(vas_config) || t->mbi_size != sizeof(vas_mbi)) {
        fprintf(stderr, "%s: plugin built with sizeof(vas_config) %u and sizeof(vas_mbi) %u; "
                "this vastrace has %zu and %zu\n", spec, t->config_size, t->mbi_size,
                sizeof(vas_config), sizeof(vas_mbi));
        return -1;
    }
    if (t->struct_size < offsetof(vas_plugin, check) + sizeof t->check) {
        fprintf(stderr, "%s: plugin table of %u bytes, ABI version 1 has at least %zu (up to check)\n",
                spec, t->struct_size, offsetof(vas_plugin, check) + sizeof t->check);
        return -1;
    }
    if ((MEMBER(t, alloc2) || MEMBER(t, map_view3) || MEMBER(t, unmap_view2) || MEMBER(t, unmap_view_ex))
        && t->ext_param_size != sizeof(vas_ext_param)) {
        fprintf(stderr, "%s: plugin built with sizeof(vas_ext_param) %u; this vastrace has %zu\n", spec,
                t->ext_param_size, sizeof(vas_ext_param));
        return -1;
    }
    if (!t->create) missing = "create";
    else if (!t->destroy) missing = "destroy";
    else if (!t->alloc) missing = "alloc";
    else if (!t->free) missing = "free";
    else if (!t->protect) missing = "protect";
    else if (!t->query) missing = "query";
    else if (!t->read) missing = "read";
    else if (!t->write) missing = "write";
    else if (!t->exec) missing = "exec";
    else if (!t->last_error) missing = "last_error";
    else if (!t->set_last_error) missing = "set_last_error";
    if (missing) {
        fprintf(stderr, "%s: plugin table has no %s\n", spec, missing);
        return -1;
    }
    return 0;
}

const backend *backend_plugin_open(const char *spec)
{
    const char *path = spec + strlen("so:");
    plugin_backend *p;
    vas_plugin_entry_fn entry;
    const vas_plugin *t;
    void *handle;

    for (p = all_plugins; p != NULL; p = p->next)
        if (strcmp(p->b.name, spec) == 0)
            return &p->b;
    handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        fprintf(stderr, "%s: cannot load: %s\n", spec, dlerror());
        return NULL;
    }
    entry = (vas_plugin_entry_fn)dlsym(handle, VAS_PLUGIN_ENTRY);
    t = entry ? entry() : NULL;
    if (t == NULL || table_check(spec, t) != 0 || (p = calloc(1, sizeof *p)) == NULL
        || (p->b.name = strdup(spec)) == NULL) {
        if (entry == NULL)
            fprintf(stderr, "%s: exports no %s\n", spec, VAS_PLUGIN_ENTRY);
        else if (t == NULL)
            fprintf(stderr, "%s: %s returned NULL\n", spec, VAS_PLUGIN_ENTRY);
        free(p);
        dlclose(handle);
        return NULL;
    }
    p->handle = handle;
    p->b.create = t->create;
    p->b.destroy = t->destroy;
    p->b.alloc = t->alloc;
    p->b.free = t->free;
    p->b.protect = t->protect;
    p->b.query = t->query;
    p->b.read = t->read;
    p->b.write = t->write;
    p->b.exec = t->exec;
    p->b.last_error = t->last_error;
    p->b.set_last_error = t->set_last_error;
    p->b.commit_charge = MEMBER(t, commit_charge);
    p->b.check = MEMBER(t, check);
    p->b.get_write_watch = MEMBER(t, get_write_watch);
    p->b.reset_write_watch = MEMBER(t, reset_write_watch);
    p->b.lock = MEMBER(t, lock);
    p->b.unlock = MEMBER(t, unlock);
    p->b.get_working_set = MEMBER(t, get_working_set);
    p->b.set_working_set = MEMBER(t, set_working_set);
    p->b.locked_bytes = MEMBER(t, locked_bytes);
    p->b.is_bad_read = MEMBER(t, is_bad_read);
    p->b.is_bad_write = MEMBER(t, is_bad_write);
    p->b.is_bad_code = MEMBER(t, is_bad_code);
    p->b.is_bad_string = MEMBER(t, is_bad_string);
    p->b.create_thread = MEMBER(t, create_thread);
    p->b.exit_thread = MEMBER(t, exit_thread);
    p->b.set_stack_guarantee = MEMBER(t, set_stack_guarantee);
    p->b.thread_read = MEMBER(t, thread_read);
    p->b.thread_probe = MEMBER(t, thread_probe);
    p->b.process_create = MEMBER(t, process_create);
    p->b.close_handle = MEMBER(t, close_handle);
    p->b.alloc_ex = MEMBER(t, alloc_ex);
    p->b.free_ex = MEMBER(t, free_ex);
    p->b.protect_ex = MEMBER(t, protect_ex);
    p->b.query_ex = MEMBER(t, query_ex);
    p->b.read_process = MEMBER(t, read_process);
    p->b.write_process = MEMBER(t, write_process);
    p->b.create_section = MEMBER(t, create_section);
    p->b.map_view = MEMBER(t, map_view);
    p->b.unmap_view = MEMBER(t, unmap_view);
    p->b.alloc2 = MEMBER(t, alloc2);
    p->b.map_view3 = MEMBER(t, map_view3);
    p->b.unmap_view2 = MEMBER(t, unmap_view2);
    p->b.unmap_view_ex = MEMBER(t, unmap_view_ex);
    p->b.deterministic_placement = (t->flags & VAS_PLUGIN_DETERMINISTIC_PLACEMENT) != 0;
    p->next = all_plugins;
    all_plugins = p;
    return &p->b;
}

#endif /* !_WIN32 */
