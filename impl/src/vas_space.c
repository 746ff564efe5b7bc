/*
 * vas_space.c - an address space as a whole: profiles, creation and
 * destruction, last-error, the commit charge and the host-backed hooks.
 */
#include "vas_internal.h"

#include <stdlib.h>

/* A configuration is usable when its range is a granule-aligned part of the
 * profile's range (a smaller range is allowed: it makes "no room" easy to
 * reach). Any commit limit is fine.
 * fuzz-unreached: config - the harness builds every configuration from the profile table */
static int config_is_consistent(const vas_config *cfg)
{
    if ((unsigned)cfg->profile > VAS_PROFILE_X86_LAA)
        return 0;
    vas_config def;
    vas_config_default(&def, cfg->profile);
    if (cfg->min_address < def.min_address || cfg->max_address > def.max_address)
        return 0;
    if (cfg->min_address >= cfg->max_address)
        return 0;
    if (cfg->min_address % GRANULE_BYTES || (cfg->max_address + 1) % GRANULE_BYTES)
        return 0;
    return 1;
}

vas_t *vas_create(const vas_config *cfg)
{
    vas_config def;
    /* fuzz-unreached: config - the harness always passes a configuration */
    if (!cfg) {
        vas_config_default(&def, VAS_PROFILE_X64);
        cfg = &def;
    }
    /* fuzz-unreached: config - the harness builds every configuration from the profile table */
    if (!config_is_consistent(cfg))
        return NULL;
    vas_t *v = calloc(1, sizeof *v);
    /* fuzz-unreached: alloc-failure - calloc never fails while fuzzing */
    if (!v)
        return NULL;
    v->cfg = *cfg;
    v->mbi_size = cfg->profile == VAS_PROFILE_X64 ? VAS_MBI_SIZE_X64 : VAS_MBI_SIZE_X86;
    /* The index points at records; records own runs from the space's pool. */
    alloc_tree_init(&v->allocs);
    node_pool_init(&v->records, sizeof(allocation), 8);
    node_pool_init(&v->run_nodes, sizeof(page_run), 16);
    locks_space_init(v);
    aslr_init(v);
    avl_init(&v->sections);
    if (cfg->host_backed) {
        v->host = host_window_open(cfg);
        /* fuzz-unreached: host-failure - the kernel grants the host window */
        if (!v->host) {
            free(v);
            return NULL;
        }
    }
    if (!space_build_layout(v)) {
        vas_destroy(v);
        return NULL;
    }
    return v;
}

void vas_destroy(vas_t *v)
{
    /* fuzz-unreached: defensive - the harness never destroys a space it did not create */
    if (!v)
        return;
    processes_destroy(v);
    if (v->host)
        host_window_close(v->host);
    for (allocation *a = alloc_tree_next(v, 0), *next; a; a = next) {
        next = alloc_tree_next(v, a->end);
        /* An index that does not advance is broken (its check has said
         * so): stop rather than loop forever. */
        /* fuzz-unreached: debug-check - a correct index always advances */
        if (next && alloc_base(next) < a->end)
            next = NULL;
        allocation_delete(v, a);   /* its page contents are its own */
    }
    sections_free_all(v);
    alloc_tree_destroy(&v->allocs);
    node_pool_free_all(&v->records);
    node_pool_free_all(&v->run_nodes);
    free(v);
}

const vas_config *vas_get_config(const vas_t *v)
{
    return &v->cfg;
}

uint32_t vas_last_error(const vas_t *v)
{
    return v->last_error;
}

void vas_set_last_error(vas_t *v, uint32_t error)
{
    v->last_error = error;
}

uint64_t vas_commit_charge(const vas_t *v)
{
    return (v->committed_pages + v->cow_pages) * PAGE_BYTES;
}

int space_charge_allowed(const vas_t *v, uint64_t pages)
{
    uint64_t limit = v->cfg.commit_limit;
    uint64_t charged = v->committed_pages + v->cow_pages + v->section_pages;
    return limit == 0 || (charged + pages) * PAGE_BYTES <= limit;
}

void space_sync_host(struct vas *v, uint64_t lo, uint64_t hi)
{
    if (v->host)
        host_window_sync(v->host, v, lo, hi);
}

host_window *space_host(const vas_t *v)
{
    return v->host;
}

void *vas_host_pointer(const vas_t *v, uint64_t addr)
{
    return v->host ? host_window_pointer(v->host, addr) : NULL;
}
