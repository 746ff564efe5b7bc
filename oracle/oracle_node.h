/*
 * oracle_node.h - the oracle's records are short singly linked lists with
 * the newest first. ORACLE_PUSH makes a zeroed node and links it in front.
 * Host memory running out stops the model: a record lost would make it
 * answer wrongly, and silently. Private to oracle/.
 */
#ifndef VAS_ORACLE_NODE_H
#define VAS_ORACLE_NODE_H

#include <stdlib.h>

static inline void *oracle_node(size_t size)
{
    void *p = calloc(1, size);
    if (!p)
        abort();  /* the model cannot continue without its memory */
    return p;
}

/* node = a new zeroed node, linked in front of the list at head (by the
 * node's member next). */
#define ORACLE_PUSH(node, head) \
    ((node) = oracle_node(sizeof *(node)), (node)->next = (head), (void)((head) = (node)))

#endif
