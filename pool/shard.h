/* shard.h - pool --shard: this copy's share of the items */

#ifndef BGTOOLS_SHARD_H
#define BGTOOLS_SHARD_H

int shard_parse(const char *, long *, long *);

#endif
