/*
 * test_oracle_limits.c - the oracle backend takes its profile limits from
 * docs/semantics.md (oracle.c), not from the configuration the runner
 * builds with impl's vas_config_default: a wrong default then makes the
 * two models differ instead of changing both alike (issue 10, item 14).
 *
 * The wrong default is planted by handing both backends a configuration
 * whose MAX is one granule short, as a wrong vas_config_default would.
 */
#include "harness/backend.h"
#include "check.h"

/* What query says at addr in a fresh space of backend b made from cfg. */
static size_t query_fresh(const backend *b, const vas_config *cfg, uint64_t addr, vas_mbi *out)
{
    void *self = b->create(cfg);
    size_t ret;
    if (self == NULL)
        return (size_t)-1;
    ret = b->query(self, addr, out, VAS_MBI_SIZE_X64);
    b->destroy(self);
    return ret;
}

int main(void)
{
    static const struct { vas_profile profile; uint64_t max; } stated[] = {
        /* docs/semantics.md, Terms: MAX of each profile */
        {VAS_PROFILE_X64, 0x7FFFFFFEFFFFull}, {VAS_PROFILE_X86, 0x7FFEFFFFull},
        {VAS_PROFILE_X86_LAA, 0xFFFEFFFFull},
    };
    const backend *impl = backend_find("impl"), *oracle = backend_find("oracle");
    size_t i;

    CHECK(impl != NULL && oracle != NULL);
    if (impl == NULL || oracle == NULL)
        return 1;
    for (i = 0; i < sizeof stated / sizeof stated[0]; i++) {
        vas_config right, wrong;
        vas_mbi mi, mo;
        uint64_t last_page = stated[i].max & ~(uint64_t)0xFFF;
        vas_config_default(&right, stated[i].profile);
        CHECK(right.max_address == stated[i].max);  /* impl's default agrees today */
        wrong = right;
        wrong.max_address -= 0x10000;               /* the planted wrong default */
        /* The oracle answers from its own limits: the last page is free memory ... */
        CHECK(query_fresh(oracle, &wrong, last_page, &mo) != 0);
        CHECK(mo.state == VAS_MEM_FREE && mo.base_address + mo.region_size == stated[i].max + 1);
        /* ... while impl, given the wrong limit, refuses it: the models differ. */
        CHECK(query_fresh(impl, &wrong, last_page, &mi) == 0);
    }
    return check_report("test_oracle_limits");
}
