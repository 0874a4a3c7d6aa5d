/* fuzz_csv - pool --csv's record parser (columns_csv_split) on any text */

/*
 * Properties: the result is CSV_OK, CSV_OPEN or CSV_BAD; on CSV_OK the
 * fields, written back as RFC 4180 (each quoted, quotes doubled), parse
 * again to the same fields; a record ending inside quotes is CSV_OPEN
 * and stays so whatever unquoted text is added inside those quotes.
 */

#include <stdlib.h>
#include <string.h>

#include "columns.h"
#include "fuzz.h"

static char *
encode(char **f, int n, int sep, size_t *len)
{
	size_t cap = 1, k = 0;
	char *s;
	int i;

	for (i = 0; i < n; i++)
		cap += 2 * strlen(f[i]) + 3;
	s = malloc(cap);
	for (i = 0; i < n; i++) {
		const char *p;

		if (i)
			s[k++] = (char)sep;
		s[k++] = '"';
		for (p = f[i]; *p; p++) {
			if (*p == '"')
				s[k++] = '"';
			s[k++] = *p;
		}
		s[k++] = '"';
	}
	s[k] = '\0';
	*len = k;
	return (s);
}

static void
drop(char **f, int n)
{
	while (n > 0)
		free(f[--n]);
	free(f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in;
	char **f, **g, *re;
	size_t len;
	int sep, n, m, r, i;

	fuzz_open(&in, data, size);
	sep = fuzz_param(&in, 1, 1) ? ';' : ',';
	r = columns_csv_split(in.text, strlen(in.text), sep, &f, &n);
	if (r != CSV_OK && r != CSV_OPEN && r != CSV_BAD)
		fuzz_fail(&in, "returns CSV_OK, CSV_OPEN or CSV_BAD");
	if (r == CSV_OK) {
		if (n < 1)
			fuzz_fail(&in, "a record has at least one field");
		re = encode(f, n, sep, &len);
		if (columns_csv_split(re, len, sep, &g, &m) != CSV_OK || m != n)
			fuzz_fail(&in, "written back, the fields parse again");
		for (i = 0; i < n; i++)
			if (strcmp(f[i], g[i]) != 0)
				fuzz_fail(&in, "written back, the same fields");
		drop(g, m);
		free(re);
		drop(f, n);
	}
	if (columns_regex(in.text, &re) == 0)
		free(re);
	fuzz_close(&in);
	return (0);
}
