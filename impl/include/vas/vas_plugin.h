/*
 * vas_plugin.h - put your own implementation of the Windows address-space
 * API under the vas harness as an in-process plugin: a shared object that
 * exports one function returning one table.
 *
 *     #include <vas/vas_plugin.h>
 *     static const vas_plugin table = {
 *         VAS_PLUGIN_ABI_VERSION, sizeof(vas_plugin), sizeof(vas_config), sizeof(vas_mbi),
 *         "my-vm", VAS_PLUGIN_DETERMINISTIC_PLACEMENT,
 *         my_create, my_destroy, my_alloc, ...
 *     };
 *     VAS_PLUGIN_EXPORT const vas_plugin *vas_plugin_entry(void) { return &table; }
 *
 *     cc -shared -fPIC -o my_plugin.so my_plugin.c
 *     vastrace diff --backends impl,so:./my_plugin.so conformance/cases/alloc/G001*.trace
 *
 * Every function behaves as the Win32 call of the same name (see vas/vas.h
 * for the contract of each, and docs/semantics.md for the rules); self is
 * what create returned. The harness calls one instance from one thread.
 *
 * Stability: the layout below is version 1 of a C ABI. Members are only ever
 * appended; struct_size tells the loader which ones a plugin has (members
 * past it count as absent, i.e. NULL), and abi_version changes only if an
 * existing member changes. The loader refuses a table whose abi_version,
 * config_size or mbi_size differ from its own, naming both values.
 * An example is examples/oracle_plugin/ (the oracle as oracle_plugin.so).
 */
#ifndef VAS_VAS_PLUGIN_H
#define VAS_VAS_PLUGIN_H

#include <stddef.h>
#include <stdint.h>
#include "vas/vas.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VAS_PLUGIN_ABI_VERSION 1u

/* vas_plugin.flags */
#define VAS_PLUGIN_DETERMINISTIC_PLACEMENT 1u  /* system-chosen addresses are first fit (a model) */

typedef struct vas_plugin {
    uint32_t abi_version;   /* VAS_PLUGIN_ABI_VERSION */
    uint32_t struct_size;   /* sizeof(vas_plugin) as the plugin was compiled */
    uint32_t config_size;   /* sizeof(vas_config) */
    uint32_t mbi_size;      /* sizeof(vas_mbi): 48 */
    const char *name;       /* for messages */
    uint32_t flags;         /* VAS_PLUGIN_* */

    /* A fresh, empty address space; NULL when the profile or commit limit
     * cannot be provided. */
    void *(*create)(const vas_config *cfg);
    void (*destroy)(void *self);
    uint64_t (*alloc)(void *self, uint64_t addr, uint64_t size, uint32_t type, uint32_t protect);
    int (*free)(void *self, uint64_t addr, uint64_t size, uint32_t type);
    int (*protect)(void *self, uint64_t addr, uint64_t size, uint32_t protect, uint32_t *old);
    size_t (*query)(void *self, uint64_t addr, vas_mbi *out, size_t len);
    uint32_t (*read)(void *self, uint64_t addr, void *buf, size_t len, uint64_t *fault);
    uint32_t (*write)(void *self, uint64_t addr, const void *buf, size_t len, uint64_t *fault);
    uint32_t (*exec)(void *self, uint64_t addr, uint64_t *fault);
    uint32_t (*last_error)(void *self);
    void (*set_last_error)(void *self, uint32_t error);
    uint64_t (*commit_charge)(void *self);              /* NULL: not observable */
    int (*check)(void *self, char *msg, size_t msg_len); /* NULL: no self-check */
    /* Members of later operation families are appended here. */
} vas_plugin;

#if defined(_WIN32)
#define VAS_PLUGIN_EXPORT __declspec(dllexport)
#else
#define VAS_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

/* The one symbol a plugin exports. */
typedef const vas_plugin *(*vas_plugin_entry_fn)(void);
#define VAS_PLUGIN_ENTRY "vas_plugin_entry"

#ifdef __cplusplus
}
#endif

#endif /* VAS_VAS_PLUGIN_H */
