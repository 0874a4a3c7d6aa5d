/* poolspec.h - pool's -j and --halt values: job counts and halt rules */

#ifndef BGTOOLS_POOLSPEC_H
#define BGTOOLS_POOLSPEC_H

/* The most jobs a pool runs at a time. */
#define POOLSPEC_MAX_JOBS	100000

struct pool_cfg;

int poolspec_jobs(const char *, long, int *);
int poolspec_halt(const char *, struct pool_cfg *);

#endif
