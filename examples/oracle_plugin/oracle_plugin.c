/*
 * oracle_plugin.c - the oracle (oracle/) as a plugin: the example of
 * vas/vas_plugin.h that CI loads with --backend so:PATH/oracle_plugin.so.
 * Every member only adapts a signature (self is an oracle_t *).
 */
#include "vas/vas_plugin.h"
#include "oracle.h"

static void *create(const vas_config *cfg) { return oracle_create(cfg); }
static void destroy(void *self) { oracle_destroy(self); }

static uint64_t alloc(void *self, uint64_t addr, uint64_t size, uint32_t type, uint32_t protect)
{
    return oracle_alloc(self, addr, size, type, protect);
}

static int release(void *self, uint64_t addr, uint64_t size, uint32_t type)
{
    return oracle_free(self, addr, size, type);
}

static int protect(void *self, uint64_t addr, uint64_t size, uint32_t prot, uint32_t *old)
{
    return oracle_protect(self, addr, size, prot, old);
}

static size_t query(void *self, uint64_t addr, vas_mbi *out, size_t len)
{
    return oracle_query(self, addr, out, len);
}

static uint32_t read_mem(void *self, uint64_t addr, void *buf, size_t len, uint64_t *fault)
{
    return oracle_read(self, addr, buf, len, fault);
}

static uint32_t write_mem(void *self, uint64_t addr, const void *buf, size_t len, uint64_t *fault)
{
    return oracle_write(self, addr, buf, len, fault);
}

static uint32_t exec_at(void *self, uint64_t addr, uint64_t *fault) { return oracle_exec(self, addr, fault); }
static uint32_t last_error(void *self) { return oracle_last_error(self); }
static void set_last_error(void *self, uint32_t error) { oracle_set_last_error(self, error); }
static uint64_t commit_charge(void *self) { return oracle_commit_charge(self); }

static const vas_plugin table = {
    .abi_version = VAS_PLUGIN_ABI_VERSION,
    .struct_size = sizeof(vas_plugin),
    .config_size = sizeof(vas_config),
    .mbi_size = sizeof(vas_mbi),
    .name = "oracle (plugin)",
    .flags = VAS_PLUGIN_DETERMINISTIC_PLACEMENT,
    .create = create,
    .destroy = destroy,
    .alloc = alloc,
    .free = release,
    .protect = protect,
    .query = query,
    .read = read_mem,
    .write = write_mem,
    .exec = exec_at,
    .last_error = last_error,
    .set_last_error = set_last_error,
    .commit_charge = commit_charge,
    .check = NULL,
};

VAS_PLUGIN_EXPORT const vas_plugin *vas_plugin_entry(void);

VAS_PLUGIN_EXPORT const vas_plugin *vas_plugin_entry(void)
{
    return &table;
}
