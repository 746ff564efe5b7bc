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
 * existing member changes. So a plugin built against an older copy of this
 * header loads unchanged (it lacks the later families), and one built
 * against a newer copy loads into an older vastrace (which ignores what it
 * does not know). The loader refuses a table whose abi_version, config_size
 * or mbi_size differ from its own, that ends before check (the first
 * revision's last member), or that sets a placeholder call with another
 * ext_param_size, naming both values.
 *
 * Every member after check is optional: NULL makes its operation "not
 * supported" (the conformance cases using it are n/a; generated traces
 * hold none).
 *
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

/* The calls of the first revision, every one required but commit_charge
 * and check; declared once, for the table below and the harness's own
 * backend table. */
#define VAS_PLUGIN_CORE_CALLS                                                                   \
    /* A fresh, empty address space; NULL when the profile or commit limit                      \
     * cannot be provided. */                                                                   \
    void *(*create)(const vas_config *cfg);                                                     \
    void (*destroy)(void *self);                                                                \
    uint64_t (*alloc)(void *self, uint64_t addr, uint64_t size, uint32_t type, uint32_t protect); \
    int (*free)(void *self, uint64_t addr, uint64_t size, uint32_t type);                       \
    /* old may be NULL: the call then fails as VirtualProtect does. */                          \
    int (*protect)(void *self, uint64_t addr, uint64_t size, uint32_t protect, uint32_t *old);  \
    size_t (*query)(void *self, uint64_t addr, vas_mbi *out, size_t len);                       \
    uint32_t (*read)(void *self, uint64_t addr, void *buf, size_t len, uint64_t *fault);        \
    uint32_t (*write)(void *self, uint64_t addr, const void *buf, size_t len, uint64_t *fault); \
    uint32_t (*exec)(void *self, uint64_t addr, uint64_t *fault);                               \
    uint32_t (*last_error)(void *self);                                                         \
    void (*set_last_error)(void *self, uint32_t error);                                         \
    uint64_t (*commit_charge)(void *self); /* NULL: not observable */                           \
    /* NULL: no self-check. Else run after every operation (for example real                    \
     * memory against the model): 0 when fine, else a one-line description                     \
     * of the first difference in msg. */                                                       \
    int (*check)(void *self, char *msg, size_t msg_len);

/* The optional families, each declared once: appended to the table below
 * (in this order) and to the harness's own backend table. Every member
 * behaves as the vas_* function of the same name in vas/vas.h, on self. */

/* Write watch, locking, pointer probes: docs/semantics.md sections 8-10.
 * The probes answer 1 or 0; -1 when the call cannot be made. */
#define VAS_PLUGIN_MEMAPI_CALLS                                                                 \
    uint32_t (*get_write_watch)(void *self, uint32_t flags, uint64_t addr, uint64_t size,        \
                                uint64_t *addresses, uint64_t *count, uint32_t *granularity);    \
    uint32_t (*reset_write_watch)(void *self, uint64_t addr, uint64_t size);                     \
    int (*lock)(void *self, uint64_t addr, uint64_t size);                                      \
    int (*unlock)(void *self, uint64_t addr, uint64_t size);                                    \
    int (*get_working_set)(void *self, uint64_t *min_bytes, uint64_t *max_bytes);               \
    int (*set_working_set)(void *self, uint64_t min_bytes, uint64_t max_bytes);                 \
    uint64_t (*locked_bytes)(void *self);                                                       \
    int (*is_bad_read)(void *self, uint64_t addr, uint64_t size);                               \
    int (*is_bad_write)(void *self, uint64_t addr, uint64_t size);                              \
    int (*is_bad_code)(void *self, uint64_t addr);                                              \
    int (*is_bad_string)(void *self, uint64_t addr, uint64_t max_chars, unsigned char_size);

/* Thread stacks: docs/semantics.md section 11. A thread is named by its
 * stack's base, as vas_create_thread returns it; set_stack_guarantee is
 * vas_set_thread_stack_guarantee. */
#define VAS_PLUGIN_THREAD_CALLS                                                                 \
    uint64_t (*create_thread)(void *self, uint64_t stack_size, int size_is_reservation);        \
    int (*exit_thread)(void *self, uint64_t stack);                                             \
    int (*set_stack_guarantee)(void *self, uint64_t stack, uint32_t *size);                     \
    uint32_t (*thread_read)(void *self, uint64_t stack, uint64_t addr, void *buf, size_t len,    \
                            uint64_t *fault);                                                   \
    uint32_t (*thread_probe)(void *self, uint64_t stack, uint64_t addr, uint64_t *fault);

/* Processes: docs/semantics.md section 13.2. process_create makes one with
 * the creator's configuration; a handle is the plugin's own value and
 * VAS_CURRENT_PROCESS the pseudo-handle; *done arrives as UINT64_MAX and
 * keeps it when the call leaves it alone. close_handle closes sections too. */
#define VAS_PLUGIN_PROCESS_CALLS                                                                \
    uint64_t (*process_create)(void *self);                                                     \
    int (*close_handle)(void *self, uint64_t handle);                                           \
    uint64_t (*alloc_ex)(void *self, uint64_t process, uint64_t addr, uint64_t size,            \
                         uint32_t type, uint32_t protect);                                      \
    int (*free_ex)(void *self, uint64_t process, uint64_t addr, uint64_t size, uint32_t type);  \
    int (*protect_ex)(void *self, uint64_t process, uint64_t addr, uint64_t size,               \
                      uint32_t protect, uint32_t *old);                                         \
    size_t (*query_ex)(void *self, uint64_t process, uint64_t addr, vas_mbi *out, size_t len);  \
    int (*read_process)(void *self, uint64_t process, uint64_t addr, uint64_t buf,              \
                        uint64_t size, uint64_t *done);                                         \
    int (*write_process)(void *self, uint64_t process, uint64_t addr, uint64_t buf,             \
                         uint64_t size, uint64_t *done);

/* Pagefile-backed sections and their views: docs/semantics.md section 12.
 * A section is closed with close_handle (above). */
#define VAS_PLUGIN_SECTION_CALLS                                                                \
    uint64_t (*create_section)(void *self, uint64_t size, uint32_t protect_and_flags);          \
    uint64_t (*map_view)(void *self, uint64_t handle, uint32_t access, uint64_t offset,         \
                         uint64_t size, uint64_t addr);                                         \
    int (*unmap_view)(void *self, uint64_t addr);

/* Placeholders: docs/semantics.md 12.9-12.14, as vas_alloc2, vas_map_view3
 * and vas_unmap_view2; unmap_view_ex is UnmapViewOfFileEx (the calling
 * process). A process handle is as for alloc_ex, 0 standing for NULL;
 * params points to count extended parameters. VirtualFree's placeholder
 * flags go through free and free_ex. */
#define VAS_PLUGIN_PLACEHOLDER_CALLS                                                            \
    uint64_t (*alloc2)(void *self, uint64_t process, uint64_t addr, uint64_t size,              \
                       uint32_t type, uint32_t protect, const vas_ext_param *params,            \
                       uint32_t count);                                                         \
    uint64_t (*map_view3)(void *self, uint64_t handle, uint64_t process, uint64_t addr,         \
                          uint64_t offset, uint64_t size, uint32_t type, uint32_t protect,      \
                          const vas_ext_param *params, uint32_t count);                         \
    int (*unmap_view2)(void *self, uint64_t process, uint64_t addr, uint32_t flags);            \
    int (*unmap_view_ex)(void *self, uint64_t addr, uint32_t flags);

typedef struct vas_plugin {
    uint32_t abi_version;   /* VAS_PLUGIN_ABI_VERSION */
    uint32_t struct_size;   /* sizeof(vas_plugin) as the plugin was compiled */
    uint32_t config_size;   /* sizeof(vas_config) */
    uint32_t mbi_size;      /* sizeof(vas_mbi): 48 */
    const char *name;       /* for messages */
    uint32_t flags;         /* VAS_PLUGIN_* */

    VAS_PLUGIN_CORE_CALLS
    /* Appended after the first revision (absent from an older plugin). */
    VAS_PLUGIN_MEMAPI_CALLS
    VAS_PLUGIN_THREAD_CALLS
    VAS_PLUGIN_PROCESS_CALLS
    VAS_PLUGIN_SECTION_CALLS
    /* Appended in the third revision: placeholders, and the size of the
     * type they take (sizeof(vas_ext_param), checked at load when any of
     * them is set). */
    uint32_t ext_param_size;
    VAS_PLUGIN_PLACEHOLDER_CALLS
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
