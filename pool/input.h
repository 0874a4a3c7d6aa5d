/* input.h - pool's items: ::: words, :::: files, arrays, stdin */

#ifndef BGTOOLS_INPUT_H
#define BGTOOLS_INPUT_H

#include <stdio.h>

#include "bashapi.h"
#include "columns.h"

#define INPUT_TRIM_L	0x01	/* --trim l: drop leading blanks */
#define INPUT_TRIM_R	0x02	/* --trim r: drop trailing blanks */

/* What input_sep says a word is. */
#define INPUT_WORDS	1	/* ::: (--arg-sep) */
#define INPUT_FILES	2	/* :::: (--arg-file-sep) */
#define INPUT_LINKED	4	/* with a +: linked to the source before */

#define INPUT_SPREAD	1	/* -X, -m: the values spread over the jobs */
#define INPUT_FILL	2	/* --xargs: as many values a job as fit */
#define INPUT_MAX_CHARS	(128 * 1024)	/* their bytes a job, at most */

struct source {
	char **vals;		/* loaded values */
	size_t n, cap;
	FILE *fp;		/* read lazily when it is the only source */
	int delim;
	int link;		/* :::+ / ::::+: paired with the source before */
	int trim, skip_blank;	/* --trim, -r: applied as values come in */
	int csv;		/* --csv: a quoted newline reads on */
	const char *name;	/* for messages */
};

struct input {
	struct source *src;
	int nsrc;
	int *gfirst;		/* sources gfirst[g]..gfirst[g+1]-1 are linked */
	size_t *glen;		/* ... and make glen[g] values each */
	int ngrp;
	long next;		/* the next job, 0-based */
	long *perm;		/* --shuf: the order of the jobs */
	unsigned long shuf_a, shuf_b;	/* --shuf beyond perm's size */
	int started, done;
	long total;		/* number of jobs, or -1 while unknown */
	long all;		/* the same, of every shard */
	int max_args;		/* -n: values per job (one source) */
	int link_all;		/* --link: every source paired, shorter wrap */
	int shuf;		/* --shuf */
	int load_all;		/* count the jobs first ({##}) */
	int xargs;		/* INPUT_SPREAD, INPUT_FILL, or 0 */
	int jobs;		/* -j, for INPUT_SPREAD */
	size_t *cuts;		/* -X, -m, --xargs: job K has values */
	long ncuts;		/* cuts[K] .. cuts[K+1]-1 */
	int trim;		/* INPUT_TRIM_* */
	int skip_blank;		/* -r: blank values are no items */
	const char *arg_sep;	/* ":::", or --arg-sep */
	const char *arg_file_sep;	/* "::::", or --arg-file-sep */
	long pos;		/* 1-based position of the last job read */
	long shard_i, shard_n;	/* --shard I/N: only positions I mod N */
	int split;		/* --colsep, --csv, --header: columns */
	struct columns cols;	/* ... split so */
	int header;		/* --header :: each source's first line */
	char **names;		/* ... names its columns: {name} */
	int nnames;
	int error;		/* a malformed record ended the input */
	size_t max_chars;	/* -s: a job's command line, at most - 1 */
	size_t ch_a, ch_m, ch_b;	/* -s: line = a + sum(m * q(v) + b) */
	size_t toolong;		/* -s: 1 + the value too long alone */
	size_t toolong_len;	/* ... the line it makes */
};

int input_trim_parse(const char *, int *);
int input_sep(const struct input *, const char *);
int input_add_words(struct input *, WORD_LIST *, WORD_LIST **, int);
int input_add_file(struct input *, const char *, int, int);
int input_add_array(struct input *, const char *);
int input_add_fd(struct input *, int, int);
int input_prepare(struct input *);
int input_header_parse(const char *);
size_t input_quoted_len(const char *);
char **input_next(struct input *, int *);
void input_free_vals(char **, int);
void input_free(struct input *);

#endif
