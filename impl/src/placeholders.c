/*
 * placeholders.c - placeholders (docs/semantics.md 12.9, 12.12): making
 * one, splitting one, merging neighbours, and turning a private allocation
 * that replaced one back into one. A placeholder is an ordinary allocation
 * record (one reserved run, allocation protection NOACCESS) with its
 * placeholder flag set; each piece of a split is a record of its own.
 */
#include "vas_internal.h"

static allocation *placeholder_new(vas_t *v, uint64_t base, uint64_t end)
{
    allocation *a = allocation_new(v, base, end, VAS_PAGE_NOACCESS, VAS_MEM_RESERVE, 0);
    if (a)
        a->placeholder = 1;
    return a;
}

allocation *placeholder_insert(vas_t *v, uint64_t base, uint64_t end)
{
    allocation *a = placeholder_new(v, base, end);
    /* fuzz-unreached: alloc-failure - the node pools never run dry while fuzzing */
    if (!a)
        return NULL;
    /* fuzz-unreached: alloc-failure - the node pools never run dry while fuzzing */
    if (!alloc_tree_insert(v, a)) {
        allocation_delete(v, a);
        return NULL;
    }
    space_sync_host(v, base, end);
    return a;
}

/* A replaced private allocation becomes a placeholder again: its pages
 * are uncharged, their contents, write watch and locks are gone. */
static int restore_placeholder(vas_t *v, alloc_slot s)
{
    allocation *a = s.rec;
    uint64_t base = alloc_base(a), end = a->end;
    uint64_t committed = runs_count_committed(a, base, end);
    /* fuzz-unreached: alloc-failure - the run pool never runs dry while fuzzing */
    if (!locks_forget(v, a, base, end) || !runs_set(&v->run_nodes, a, base, end, VAS_MEM_RESERVE, 0))
        return fail(v, VAS_ERROR_NOT_ENOUGH_MEMORY);
    page_store_drop(a, base, end);
    watch_free_all(a);
    watch_init(a, 0);
    a->protect = VAS_PAGE_NOACCESS;
    a->placeholder = 1;
    a->replaced = 0;
    alloc_tree_sync_entry(s);
    v->committed_pages -= committed;   /* semantics: 12.12.release-preserve-placeholder (X428) */
    space_sync_host(v, base, end);
    return 1;
}

/* Splits placeholder a at [start, end): up to three placeholders. */
static int split(vas_t *v, allocation *a, uint64_t start, uint64_t end)
{
    uint64_t cuts[4] = {alloc_base(a), start, end, a->end};
    allocation *pieces[3] = {NULL, NULL, NULL};
    for (int i = 0; i < 3; i++) {
        if (cuts[i] == cuts[i + 1])
            continue;
        pieces[i] = placeholder_new(v, cuts[i], cuts[i + 1]);
        /* fuzz-unreached: alloc-failure - the record pool never runs dry while fuzzing */
        if (!pieces[i]) {
            for (int k = 0; k < i; k++)
                if (pieces[k])
                    allocation_delete(v, pieces[k]);
            return fail(v, VAS_ERROR_NOT_ENOUGH_MEMORY);
        }
    }
    alloc_tree_remove(v, a);
    allocation_delete(v, a);
    for (int i = 0; i < 3; i++)
        /* fuzz-unreached: alloc-failure - the node pools never run dry while fuzzing */
        if (pieces[i] && !alloc_tree_insert(v, pieces[i])) {
            allocation_delete(v, pieces[i]);
            return fail(v, VAS_ERROR_NOT_ENOUGH_MEMORY);
        }
    space_sync_host(v, cuts[0], cuts[3]);
    return 1;
}

int placeholder_free_preserve(vas_t *v, alloc_slot s, uint64_t start, uint64_t end)
{
    allocation *a = s.rec;
    if (a->placeholder) {
        if (end > a->end || (start == alloc_base(a) && end == a->end))
            return fail(v, PLANT(43) ? VAS_ERROR_INVALID_PARAMETER : VAS_ERROR_INVALID_ADDRESS);  /* semantics: 12.12.release-preserve-placeholder (G419, X418) */
        return split(v, a, start, end);  /* semantics: 12.12.release-preserve-placeholder (G418) */
    }
    if (!a->replaced || start != alloc_base(a) || end != a->end)
        return fail(v, VAS_ERROR_INVALID_ADDRESS);  /* semantics: 12.12.release-preserve-placeholder (G419, X418) */
    return restore_placeholder(v, s);  /* semantics: 12.12.release-preserve-placeholder (G422) */
}

int placeholder_coalesce(vas_t *v, alloc_slot s, uint64_t start, uint64_t end)
{
    allocation *a = s.rec;
    size_t count = 0;
    if (!a->placeholder || alloc_base(a) != start)
        return fail(v, VAS_ERROR_INVALID_ADDRESS);  /* semantics: 12.12.release-coalesce-placeholders (G425) */
    /* Adjacent placeholders from start that end exactly at end, two or more. */
    for (const allocation *p = a;; count++) {
        if (p->end == end)
            break;
        if (p->end > end)
            return fail(v, VAS_ERROR_INVALID_ADDRESS);  /* semantics: 12.12.release-coalesce-placeholders (G425) */
        const allocation *n = alloc_tree_next(v, p->end);
        if (!n || alloc_base(n) != p->end || !n->placeholder)
            return fail(v, VAS_ERROR_INVALID_ADDRESS);  /* semantics: 12.12.release-coalesce-placeholders (G425) */
        p = n;
    }
    if (count == 0)
        return fail(v, VAS_ERROR_INVALID_ADDRESS);  /* semantics: 12.12.release-coalesce-placeholders (G425: one placeholder) */
    allocation *merged = placeholder_new(v, start, end);
    /* fuzz-unreached: alloc-failure - the record pool never runs dry while fuzzing */
    if (!merged)
        return fail(v, VAS_ERROR_NOT_ENOUGH_MEMORY);
    for (uint64_t at = start; at < end;) {
        allocation *p = alloc_tree_find(v, at);
        at = p->end;
        alloc_tree_remove(v, p);
        allocation_delete(v, p);
    }
    /* fuzz-unreached: alloc-failure - the node pools never run dry while fuzzing */
    if (!alloc_tree_insert(v, merged)) {
        allocation_delete(v, merged);
        return fail(v, VAS_ERROR_NOT_ENOUGH_MEMORY);
    }
    space_sync_host(v, start, end);
    return 1;  /* semantics: 12.12.release-coalesce-placeholders (G424) */
}
