/*
 * vas_config_default.c - the profile limits (vas_config_default from
 * vas/vas.h) for the Windows runner, which links the harness but not the
 * model: the model's own definition sits in impl/src/vas_space.c next to
 * code that needs POSIX. The limits are those of docs/semantics.md.
 */
#include "vas/vas.h"

void vas_config_default(vas_config *cfg, vas_profile profile)
{
    cfg->profile = profile;
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
}
