"""coverage_reasons.py - why the fuzz targets cannot run some lines of
impl/src: one reason per (file, function), the same table fuzz/COVERAGE.md
explains. The coverage report labels every never-run line with the reason
of the function it is in; lines in a function not listed here are
"unexplained", which is what to look at after a change (new code the
fuzzer does not reach, or a seed that went missing).

Keyed by function, not by line number, so that edits elsewhere in a file
do not make the table stale. A function listed here may still have
reachable lines that are covered; the reason speaks only for the lines the
fuzzer did not run.
"""

CATEGORIES = {
    "alloc-failure": "malloc/calloc/node-pool failure: the fuzz process never runs out of memory "
                     "(needs fault injection, not inputs)",
    "debug-check": "invariant checks and inspection helpers (vas/vas_debug.h, *_check): no fuzz target "
                   "calls them (the impl backend has no self-check hook)",
    "unused-api": "no caller in impl/ or harness/: kept for a complete interface",
    "tree-height": "B+tree inner-node split/merge needs 17+ leaves (over 256 allocations); a fuzz "
                   "input holds at most 32 operations",
    "pool-growth": "node-pool chunk growth needs more index, record or run nodes than 32 operations "
                   "can create",
    "config": "invalid or missing space configurations: the harness builds every configuration from "
              "the profile table",
    "defensive": "can't-happen branch or failed-assertion path (the model's own invariants rule it out)",
    "host-failure": "host-backed mode when the kernel refuses (mmap, mprotect, sigaction or /proc "
                    "failing, no free window) or real memory disagrees with the model (aborts, verifier "
                    "reports), and window clamps and list limits a run verified after every operation "
                    "never hits",
    "host-unused": "host-backed hooks the harness does not use: direct access to real memory "
                   "(the guard-page fault path, real-pointer lookups, code execution probes)",
    "host-kernel": "the /proc/self/maps text parser: the fallback for kernels without the PROCMAP_QUERY "
                   "ioctl (before Linux 6.11); where the ioctl works it never runs",
    "host-only": "host-backed code: runs only in fuzz_diff_host replays (not measured in this run)",
    "win32-shim": "the VirtualAlloc-style wrapper (vas/win32.h): no fuzz target calls it",
    "sse-fallback": "the portable version of a vector routine, compiled out where SSE2 exists",
}

_TABLE = {
    "impl/src/alloc_tree.c": {
        "locate_gt": "debug-check", "alloc_tree_next": "debug-check", "check_node": "debug-check",
        "alloc_tree_check": "debug-check",
        "inner_to_buffer": "tree-height", "buffer_to_inner": "tree-height", "inner_insert": "tree-height",
        "rebalance_pair": "tree-height",
        "alloc_tree_insert": "alloc-failure", "refresh_path": "defensive", "find_fitting": "defensive",
        "count_le": "sse-fallback",
    },
    "impl/src/allocation.c": {"allocation_new": "alloc-failure"},
    "impl/src/avl_tree.c": {
        "remove_below": "defensive",
        "avl_find_gt": "debug-check", "check_below": "debug-check", "avl_check": "debug-check",
    },
    "impl/src/node_pool.c": {
        "node_pool_init": "defensive", "add_chunk": "pool-growth", "node_pool_reserve": "alloc-failure",
        "node_pool_take": "alloc-failure",
    },
    "impl/src/page_runs.c": {
        "run_new": "alloc-failure", "runs_init": "alloc-failure", "prepare_split": "alloc-failure",
        "runs_set": "alloc-failure", "runs_protect": "alloc-failure", "runs_check": "debug-check",
        "runs_reset": "alloc-failure",
    },
    "impl/src/page_store.c": {"page_store_get": "alloc-failure", "page_store_check": "debug-check"},
    "impl/src/vas_access.c": {"clear_guard": "alloc-failure", "store_bytes": "alloc-failure",
                              "vas_write": "alloc-failure"},
    "impl/src/vas_alloc.c": {"reserve_range": "alloc-failure", "commit_at": "alloc-failure"},
    "impl/src/vas_free.c": {"decommit_range": "alloc-failure"},
    "impl/src/vas_protect.c": {"vas_protect": "alloc-failure"},
    "impl/src/vas_space.c": {
        "config_is_consistent": "config", "vas_create": "config", "vas_destroy": "defensive",
        "vas_get_config": "unused-api",
    },
    "impl/src/vas_debug.c": {"vas_debug_page_contents": "debug-check", "broken": "debug-check",
                             "vas_debug_check_invariants": "debug-check"},
    "impl/src/win32_compat.c": "win32-shim",
    "impl/src/host/host_fault.c": {
        "host_fault_find": "host-unused", "fire_guard": "host-unused", "pass_on": "host-unused",
        "on_segv": "host-unused", "install_handler": "host-failure", "host_fault_register": "host-failure",
        "host_fault_unregister": "host-failure",
    },
    "impl/src/host/host_probe.c": {"host_probe_catch": "host-unused", "host_probe_exec": "host-unused",
                              "host_probe_call": "host-unused", "host_probe_copy": "host-failure",
                              "host_probe_read": "host-failure", "host_probe_write": "host-failure"},
    "impl/src/host/host_proc.c": {"child_after_fork": "host-unused", "host_proc_fd": "host-failure"},
    "impl/src/host/host_maps.c": {"read_maps_text": "host-kernel", "parse_hex": "host-kernel",
                             "scan_maps_text": "host-kernel", "maps_push": "alloc-failure",
                             "query_maps": "host-failure", "host_maps_read": "host-failure"},
    "impl/src/host/host_mirror.c": "host-failure",
    "impl/src/host/host_verify.c": "host-failure",
    "impl/src/host/host_window.c": {"host_take_fault": "host-unused", "host_offset": "host-unused",
                               "host_window_pointer": "host-unused", None: "host-failure"},
}

HOST_FILES = ("impl/src/host/",)


def reason_for(path, function, host_replayed=True):
    """The category for never-run lines of `function` in `path` (a path
    relative to the repository), "unexplained" when the table has none."""
    if not host_replayed and path.startswith(HOST_FILES):
        return "host-only"
    entry = _TABLE.get(path)
    if isinstance(entry, str):
        return entry
    if entry and function in entry:
        return entry[function]
    if entry and None in entry and path.startswith(HOST_FILES):
        return entry[None]    # the rest of a host file: failure handling
    return "unexplained"
