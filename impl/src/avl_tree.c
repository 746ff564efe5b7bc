/*
 * avl_tree.c - the intrusive AVL tree every index of the model is built on.
 *
 * Rebalancing is the textbook one: after an insert or a removal below a
 * node, `balance` restores |height(left) - height(right)| <= 1 with one or
 * two rotations, recomputing the height of every node whose children
 * changed.
 */
#include "avl_tree.h"

#include <assert.h>

void avl_init(avl_tree *t)
{
    t->root = NULL;
    t->count = 0;
}

static void node_fix(avl_node *n)
{
    int32_t hl = avl_height(n->left), hr = avl_height(n->right);
    n->height = (hl > hr ? hl : hr) + 1;
}

static avl_node *rotate_right(avl_node *n)
{
    avl_node *l = n->left;
    n->left = l->right;
    l->right = n;
    node_fix(n);
    node_fix(l);
    return l;
}

static avl_node *rotate_left(avl_node *n)
{
    avl_node *r = n->right;
    n->right = r->left;
    r->left = n;
    node_fix(n);
    node_fix(r);
    return r;
}

static avl_node *balance(avl_node *n)
{
    int32_t bf = avl_height(n->left) - avl_height(n->right);
    if (bf > 1) {
        if (avl_height(n->left->left) < avl_height(n->left->right))
            n->left = rotate_left(n->left);
        return rotate_right(n);
    }
    if (bf < -1) {
        if (avl_height(n->right->right) < avl_height(n->right->left))
            n->right = rotate_right(n->right);
        return rotate_left(n);
    }
    node_fix(n);
    return n;
}

static avl_node *insert_below(avl_node *root, avl_node *n)
{
    if (!root)
        return n;
    assert(n->key != root->key);
    if (n->key < root->key)
        root->left = insert_below(root->left, n);
    else
        root->right = insert_below(root->right, n);
    return balance(root);
}

void avl_insert(avl_tree *t, avl_node *n)
{
    n->left = n->right = NULL;
    node_fix(n);
    t->root = insert_below(t->root, n);
    t->count++;
}

/* Unlinks the smallest node under root into *min. */
static avl_node *remove_min(avl_node *root, avl_node **min)
{
    if (!root->left) {
        *min = root;
        return root->right;
    }
    root->left = remove_min(root->left, min);
    return balance(root);
}

static avl_node *remove_below(avl_node *root, uint64_t key, avl_node **out)
{
    /* fuzz-unreached: defensive - only keys that are in the tree are removed */
    if (!root)
        return NULL;
    if (key < root->key) {
        root->left = remove_below(root->left, key, out);
    } else if (key > root->key) {
        root->right = remove_below(root->right, key, out);
    } else {
        *out = root;
        if (!root->right)
            return root->left;
        avl_node *m;
        avl_node *right = remove_min(root->right, &m);
        m->left = root->left;
        m->right = right;
        return balance(m);
    }
    return *out ? balance(root) : root;
}

avl_node *avl_remove(avl_tree *t, uint64_t key)
{
    avl_node *out = NULL;
    t->root = remove_below(t->root, key, &out);
    if (out) {
        t->count--;
        out->left = out->right = NULL;
    }
    return out;
}

avl_node *avl_find(const avl_tree *t, uint64_t key)
{
    avl_node *n = t->root;
    while (n && n->key != key)
        n = key < n->key ? n->left : n->right;
    return n;
}

avl_node *avl_find_le(const avl_tree *t, uint64_t key)
{
    avl_node *n = t->root, *best = NULL;
    while (n) {
        if (n->key <= key) {
            best = n;
            n = n->right;
        } else {
            n = n->left;
        }
    }
    return best;
}

avl_node *avl_find_ge(const avl_tree *t, uint64_t key)
{
    avl_node *n = t->root, *best = NULL;
    while (n) {
        if (n->key >= key) {
            best = n;
            n = n->left;
        } else {
            n = n->right;
        }
    }
    return best;
}

avl_node *avl_find_gt(const avl_tree *t, uint64_t key)
{
    return key == UINT64_MAX ? NULL : avl_find_ge(t, key + 1);
}

avl_node *avl_first(const avl_tree *t)
{
    avl_node *n = t->root;
    while (n && n->left)
        n = n->left;
    return n;
}

/* Returns the subtree's height, or -1 if a rule is broken; counts nodes.
 * fuzz-unreached: debug-check - its failure returns: the trees of a correct model pass */
static int32_t check_below(const avl_node *n, int has_lo, uint64_t lo, int has_hi, uint64_t hi, size_t *count)
{
    if (!n)
        return 0;
    if ((has_lo && n->key <= lo) || (has_hi && n->key >= hi))
        return -1;
    (*count)++;
    int32_t hl = check_below(n->left, has_lo, lo, 1, n->key, count);
    int32_t hr = check_below(n->right, 1, n->key, has_hi, hi, count);
    if (hl < 0 || hr < 0 || hl - hr > 1 || hr - hl > 1)
        return -1;
    int32_t h = (hl > hr ? hl : hr) + 1;
    return h == n->height ? h : -1;
}

int avl_check(const avl_tree *t)
{
    size_t count = 0;
    return check_below(t->root, 0, 0, 0, 0, &count) >= 0 && count == t->count;
}
