/*
 * oracle_plugin.c - the oracle (oracle/) as a plugin: the example of
 * vas/vas_plugin.h that CI loads with --backend so:PATH/oracle_plugin.so.
 *
 * A plugin of your own fills a static const table with its functions, as
 * the header's comment shows. This one takes every member from the
 * harness's oracle backend (harness/backends/backend_oracle.c, built into
 * the module), whose functions already adapt the oracle's signatures: the
 * adapters are written once, and the plugin runs exactly what
 * --backend oracle runs.
 */
#include "harness/backend.h"
#include "vas/vas_plugin.h"

extern const backend backend_oracle;

static vas_plugin table = {
    .abi_version = VAS_PLUGIN_ABI_VERSION,
    .struct_size = sizeof(vas_plugin),
    .config_size = sizeof(vas_config),
    .mbi_size = sizeof(vas_mbi),
    .name = "oracle (plugin)",
    .flags = VAS_PLUGIN_DETERMINISTIC_PLACEMENT,
    .ext_param_size = sizeof(vas_ext_param),
};

static void take_oracle_members(vas_plugin *t, const backend *o)
{
    t->create = o->create;
    t->destroy = o->destroy;
    t->alloc = o->alloc;
    t->free = o->free;
    t->protect = o->protect;
    t->query = o->query;
    t->read = o->read;
    t->write = o->write;
    t->exec = o->exec;
    t->last_error = o->last_error;
    t->set_last_error = o->set_last_error;
    t->commit_charge = o->commit_charge;
    t->check = o->check;
    t->get_write_watch = o->get_write_watch;
    t->reset_write_watch = o->reset_write_watch;
    t->lock = o->lock;
    t->unlock = o->unlock;
    t->get_working_set = o->get_working_set;
    t->set_working_set = o->set_working_set;
    t->locked_bytes = o->locked_bytes;
    t->is_bad_read = o->is_bad_read;
    t->is_bad_write = o->is_bad_write;
    t->is_bad_code = o->is_bad_code;
    t->is_bad_string = o->is_bad_string;
    t->create_thread = o->create_thread;
    t->exit_thread = o->exit_thread;
    t->set_stack_guarantee = o->set_stack_guarantee;
    t->thread_read = o->thread_read;
    t->thread_probe = o->thread_probe;
    t->process_create = o->process_create;
    t->close_handle = o->close_handle;
    t->alloc_ex = o->alloc_ex;
    t->free_ex = o->free_ex;
    t->protect_ex = o->protect_ex;
    t->query_ex = o->query_ex;
    t->read_process = o->read_process;
    t->write_process = o->write_process;
    t->create_section = o->create_section;
    t->map_view = o->map_view;
    t->unmap_view = o->unmap_view;
    t->alloc2 = o->alloc2;
    t->map_view3 = o->map_view3;
    t->unmap_view2 = o->unmap_view2;
    t->unmap_view_ex = o->unmap_view_ex;
}

VAS_PLUGIN_EXPORT const vas_plugin *vas_plugin_entry(void);

VAS_PLUGIN_EXPORT const vas_plugin *vas_plugin_entry(void)
{
    if (table.create == NULL)
        take_oracle_members(&table, &backend_oracle);
    return &table;
}
