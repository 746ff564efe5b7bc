/*
 * backend_oracle.c - the simple model (oracle/, library vas_oracle) behind
 * the backend interface. Each function only adapts a signature: the backend
 * struct passes its instance as void *, the oracle API takes an oracle_t *.
 */
#include "harness/backend.h"
#include "oracle.h"

/* The oracle's limits are its own (oracle.h), not the caller's, which come
 * from impl's vas_config_default: a wrong default must show as a
 * difference between the models instead of changing both. */
static void *oracle_be_create(const vas_config *cfg)
{
    vas_config own = *cfg;
    own.min_address = own.max_address = 0;
    return oracle_create(&own);
}
static void oracle_be_destroy(void *self) { oracle_destroy(self); }

static uint64_t oracle_be_alloc(void *self, uint64_t addr, uint64_t size, uint32_t type, uint32_t protect)
{
    return oracle_alloc(self, addr, size, type, protect);
}

static int oracle_be_free(void *self, uint64_t addr, uint64_t size, uint32_t type)
{
    return oracle_free(self, addr, size, type);
}

static int oracle_be_protect(void *self, uint64_t addr, uint64_t size, uint32_t protect, uint32_t *old)
{
    return oracle_protect(self, addr, size, protect, old);
}

static size_t oracle_be_query(void *self, uint64_t addr, vas_mbi *out, size_t len)
{
    return oracle_query(self, addr, out, len);
}

static uint32_t oracle_be_read(void *self, uint64_t addr, void *buf, size_t len, uint64_t *fault)
{
    return oracle_read(self, addr, buf, len, fault);
}

static uint32_t oracle_be_write(void *self, uint64_t addr, const void *buf, size_t len, uint64_t *fault)
{
    return oracle_write(self, addr, buf, len, fault);
}

static uint32_t oracle_be_exec(void *self, uint64_t addr, uint64_t *fault) { return oracle_exec(self, addr, fault); }
static uint32_t oracle_be_last_error(void *self) { return oracle_last_error(self); }
static void oracle_be_set_last_error(void *self, uint32_t error) { oracle_set_last_error(self, error); }
static uint64_t oracle_be_commit_charge(void *self) { return oracle_commit_charge(self); }

const backend backend_oracle = {
    .name = "oracle",
    .create = oracle_be_create,
    .destroy = oracle_be_destroy,
    .alloc = oracle_be_alloc,
    .free = oracle_be_free,
    .protect = oracle_be_protect,
    .query = oracle_be_query,
    .read = oracle_be_read,
    .write = oracle_be_write,
    .exec = oracle_be_exec,
    .last_error = oracle_be_last_error,
    .set_last_error = oracle_be_set_last_error,
    .commit_charge = oracle_be_commit_charge,
    .check = NULL,
    .deterministic_placement = 1,
};
