/*
 * plants.h - planted bugs, for measuring the harness (the bug-based metric:
 * fuzz/planted.md lists each bug, what it breaks and where it is).
 *
 * Only a build with -DVAS_PLANTS carries them (fuzz.py build --plants);
 * there PLANT(n) is 1 when $VAS_PLANT is n, so one build serves every bug.
 * Everywhere else PLANT(n) is the constant 0 and the compiler removes the
 * wrong side. A plant is one expression on one line, e.g.
 *     return fail(v, PLANT(1) ? VAS_ERROR_INVALID_ADDRESS : VAS_ERROR_INVALID_PARAMETER);
 * so that a build without plants runs that line whatever the condition.
 */
#ifndef VAS_PLANTS_H
#define VAS_PLANTS_H

#ifdef VAS_PLANTS
/* 1 when planted bug n is the one $VAS_PLANT chose; the first time, it
 * also creates the file $VAS_PLANT_REACHED names (the metric's "reached":
 * the planted line ran). */
int vas_plant(int n);
#define PLANT(n) vas_plant(n)
#else
#define PLANT(n) 0
#endif

#endif
