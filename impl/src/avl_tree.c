/*
 * avl_tree.c - the intrusive AVL tree every index of the model is built on.
 *
 * Rebalancing is the textbook one: after an insert or a removal below a
 * node, `balance` restores |height(left) - height(right)| <= 1 with one or
 * two rotations, recomputing heights (and the caller's summary through
 * `update`) of every node whose children changed.
 */
#include "avl_tree.h"

#include <assert.h>

void avl_init(avl_tree *t, avl_update_fn update)
{
    t->root = NULL;
    t->update = update;
    t->count = 0;
}

static void node_fix(const avl_tree *t, avl_node *n)
{
    int32_t hl = avl_height(n->left), hr = avl_height(n->right);
    n->height = (hl > hr ? hl : hr) + 1;
    if (t->update)
        t->update(n);
}

static avl_node *rotate_right(const avl_tree *t, avl_node *n)
{
    avl_node *l = n->left;
    n->left = l->right;
    l->right = n;
    node_fix(t, n);
    node_fix(t, l);
    return l;
}

static avl_node *rotate_left(const avl_tree *t, avl_node *n)
{
    avl_node *r = n->right;
    n->right = r->left;
    r->left = n;
    node_fix(t, n);
    node_fix(t, r);
    return r;
}

static avl_node *balance(const avl_tree *t, avl_node *n)
{
    int32_t bf = avl_height(n->left) - avl_height(n->right);
    if (bf > 1) {
        if (avl_height(n->left->left) < avl_height(n->left->right))
            n->left = rotate_left(t, n->left);
        return rotate_right(t, n);
    }
    if (bf < -1) {
        if (avl_height(n->right->right) < avl_height(n->right->left))
            n->right = rotate_right(t, n->right);
        return rotate_left(t, n);
    }
    node_fix(t, n);
    return n;
}

static avl_node *insert_below(const avl_tree *t, avl_node *root, avl_node *n)
{
    if (!root)
        return n;
    assert(n->key != root->key);
    if (n->key < root->key)
        root->left = insert_below(t, root->left, n);
    else
        root->right = insert_below(t, root->right, n);
    return balance(t, root);
}

void avl_insert(avl_tree *t, avl_node *n)
{
    n->left = n->right = NULL;
    node_fix(t, n);
    t->root = insert_below(t, t->root, n);
    t->count++;
}

/* Unlinks the smallest node under root into *min. */
static avl_node *remove_min(const avl_tree *t, avl_node *root, avl_node **min)
{
    if (!root->left) {
        *min = root;
        return root->right;
    }
    root->left = remove_min(t, root->left, min);
    return balance(t, root);
}

static avl_node *remove_below(const avl_tree *t, avl_node *root, uint64_t key, avl_node **out)
{
    if (!root)
        return NULL;
    if (key < root->key) {
        root->left = remove_below(t, root->left, key, out);
    } else if (key > root->key) {
        root->right = remove_below(t, root->right, key, out);
    } else {
        *out = root;
        if (!root->right)
            return root->left;
        avl_node *m;
        avl_node *right = remove_min(t, root->right, &m);
        m->left = root->left;
        m->right = right;
        return balance(t, m);
    }
    return *out ? balance(t, root) : root;
}

avl_node *avl_remove(avl_tree *t, uint64_t key)
{
    avl_node *out = NULL;
    t->root = remove_below(t, t->root, key, &out);
    if (out) {
        t->count--;
        out->left = out->right = NULL;
    }
    return out;
}

static void refresh_below(const avl_tree *t, avl_node *n, uint64_t key)
{
    if (!n)
        return;
    if (key < n->key)
        refresh_below(t, n->left, key);
    else if (key > n->key)
        refresh_below(t, n->right, key);
    if (t->update)
        t->update(n);
}

void avl_refresh_path(avl_tree *t, uint64_t key)
{
    refresh_below(t, t->root, key);
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

avl_node *avl_find_lt(const avl_tree *t, uint64_t key)
{
    return key == 0 ? NULL : avl_find_le(t, key - 1);
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

avl_node *avl_last(const avl_tree *t)
{
    avl_node *n = t->root;
    while (n && n->right)
        n = n->right;
    return n;
}

/* Returns the subtree's height, or -1 if a rule is broken; counts nodes. */
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
