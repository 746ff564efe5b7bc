/*
 * vas_config.c - the profiles' limits (docs/semantics.md, "Terms").
 * Kept apart from the rest of the model: it is portable C, and the Windows
 * trace runner (conformance/win32/build.sh) links this file alone.
 */
#include "vas/vas.h"

void vas_config_default(vas_config *cfg, vas_profile profile)
{
    cfg->profile = profile;
    cfg->aslr_seed = 0;
    cfg->min_address = 0x10000;
    switch (profile) {
    case VAS_PROFILE_X86:
        cfg->max_address = 0x7FFEFFFF;
        break;
    case VAS_PROFILE_X86_LAA:
        cfg->max_address = 0xFFFEFFFF;
        break;
    case VAS_PROFILE_X64:
    default:
        cfg->max_address = 0x7FFFFFFEFFFFull;
        break;
    }
    cfg->commit_limit = 0;
    cfg->host_backed = 0;
    cfg->layout = VAS_LAYOUT_EMPTY;
}
