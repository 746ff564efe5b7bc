/*
 * cmd_backends.c - `vastrace backends`: the project's backends as the
 * registry lists them (backend_infos), one a line, "NAME KIND [PROGRAM]",
 * so that scripts take the list from the one place it is kept
 * (conformance/conformance.py makes a report column of each).
 */
#include <stdio.h>
#include "commands.h"
#include "harness/backend.h"

int cmd_backends(int argc, char **argv)
{
    static const char *const kinds[] = {"model", "mirror", "windows"};
    (void)argv;
    if (argc != 1) {
        fprintf(stderr, "usage: vastrace backends\n");
        return 2;
    }
    for (const backend_info *i = backend_infos(); i->name != NULL; i++)
        printf("%s %s%s\n", i->here ? i->here->name : i->name, kinds[i->kind],
               i->here ? "" : " vastrace.exe");
    return 0;
}
