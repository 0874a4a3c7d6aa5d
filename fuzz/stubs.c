/* stubs.c - stand-ins for bash and the waitset, so that parsers link alone */

/*
 * The fuzz targets link lib parsers without bash.  What the parsers call
 * from bash is given here with bash's behaviour; what they never call
 * while parsing (the waitset, reached only by backoff_sleep) aborts, so
 * that a parser growing such a call is noticed at once.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "bashapi.h"
#include "waitset.h"

/*
 * bash's builtin_error: format the message (so that a bad format or
 * argument is caught by the sanitizers) and drop it.
 */
void
builtin_error(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
}

/*
 * bash's legal_number (general.c, 5.1 to 5.3): a decimal intmax_t with
 * optional leading whitespace and sign (strtoimax) and optional trailing
 * blanks (space, tab).  Return 1 and set *RESULT, or 0 (with *RESULT 0).
 */
int
legal_number(const char *string, intmax_t *result)
{
	intmax_t value;
	char *ep;

	if (result)
		*result = 0;
	if (string == NULL)
		return (0);
	errno = 0;
	value = strtoimax(string, &ep, 10);
	if (errno || ep == string)
		return (0);
	while (*ep == ' ' || *ep == '\t')
		ep++;
	if (*string && *ep == '\0') {
		if (result)
			*result = value;
		return (1);
	}
	return (0);
}

/* The waitset: not for parsers. */
int
waitset_begin(struct waitset *w, int64_t deadline, int flags)
{
	abort();
}

void
waitset_end(struct waitset *w)
{
	abort();
}

int
waitset_expired(const struct waitset *w)
{
	abort();
}

void
waitset_sleep(struct waitset *w)
{
	abort();
}

void
waitset_sleep_fds(struct waitset *w, struct pollfd *fds, int nfds)
{
	abort();
}

int
waitset_signal(void)
{
	abort();
}
