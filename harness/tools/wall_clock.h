/*
 * wall_clock.h - wall-clock seconds for the figures vastrace prints.
 */
#ifndef VASTRACE_WALL_CLOCK_H
#define VASTRACE_WALL_CLOCK_H

double wall_clock_seconds(void);

#endif
