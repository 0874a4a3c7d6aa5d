/* columns.h - --colsep, --csv: an item's columns for {1} {2} ... */

#ifndef BGTOOLS_COLUMNS_H
#define BGTOOLS_COLUMNS_H

#include <regex.h>
#include <stddef.h>

#define CSV_OK		0
#define CSV_OPEN	1	/* ends inside a quoted field: read on */
#define CSV_BAD		(-1)	/* a quote where RFC 4180 has none */

struct columns {
	regex_t re;		/* --colsep, as an extended regex */
	int re_set;
	int csv;		/* --csv: fields split on SEP, quoted */
	int sep;		/* --csv's separator (default ',') */
	int trim;		/* INPUT_TRIM_* on each column */
};

int columns_regex(const char *, char **);
int columns_csv_split(const char *, size_t, int, char ***, int *);
int columns_csv_status(const char *, size_t, int);
int columns_set(struct columns *, const char *, int, int);
int columns_split(const struct columns *, const char *, char ***, int *);
void columns_free(struct columns *);

#endif
