/* input.h - pool's items: ::: words, :::: files, arrays, stdin */

#ifndef BGTOOLS_INPUT_H
#define BGTOOLS_INPUT_H

#include <stdio.h>

#include "bashapi.h"

struct source {
	char **vals;		/* loaded values */
	size_t n, cap;
	FILE *fp;		/* read lazily when it is the only source */
	int delim;
	const char *name;	/* for messages */
};

struct input {
	struct source *src;
	int nsrc;
	size_t *odo;		/* positions, for the product of sources */
	int started, done;
	long total;		/* number of jobs, or -1 while unknown */
	int max_args;		/* -n: values per job (one source) */
	long pos;		/* 1-based position of the last job read */
	long shard_i, shard_n;	/* --shard I/N: only positions I mod N */
};

int input_add_words(struct input *, WORD_LIST *, WORD_LIST **);
int input_add_file(struct input *, const char *, int);
int input_add_array(struct input *, const char *);
int input_add_fd(struct input *, int, int);
int input_prepare(struct input *);
char **input_next(struct input *, int *);
void input_free_vals(char **, int);
void input_free(struct input *);

#endif
