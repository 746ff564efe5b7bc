/*
 * avl_tree.h - an intrusive AVL tree keyed by uint64_t.
 *
 * The per-allocation indexes (page runs by first address, stored content
 * pages by address) are these; the allocation index itself is a B+tree
 * (alloc_tree.c). Nodes are embedded in the caller's structs; the tree
 * never allocates. Operations are recursive from the root (no parent pointers): insert, remove, and the
 * neighbour searches are O(log n).
 */
#ifndef VAS_AVL_TREE_H
#define VAS_AVL_TREE_H

#include <stddef.h>
#include <stdint.h>

typedef struct avl_node {
    struct avl_node *left, *right;
    uint64_t key;
    int32_t height;  /* 1 for a leaf */
} avl_node;

typedef struct avl_tree {
    avl_node *root;
    size_t count;
} avl_tree;

void avl_init(avl_tree *t);
/* Inserts n (n->key must not be in the tree yet). */
void avl_insert(avl_tree *t, avl_node *n);
/* Unlinks and returns the node with this key, or NULL if there is none. */
avl_node *avl_remove(avl_tree *t, uint64_t key);

avl_node *avl_find(const avl_tree *t, uint64_t key);
avl_node *avl_find_le(const avl_tree *t, uint64_t key); /* greatest key <= key */
avl_node *avl_find_ge(const avl_tree *t, uint64_t key); /* least key >= key */
avl_node *avl_find_gt(const avl_tree *t, uint64_t key); /* least key > key */
avl_node *avl_first(const avl_tree *t);

/* Checks order, heights, balance and count; 1 if all hold. */
int avl_check(const avl_tree *t);

static inline int32_t avl_height(const avl_node *n) { return n ? n->height : 0; }

#endif
