/* stubs.c - stand-ins for bash, so that parsers link alone */

/*
 * The fuzz targets link lib parsers without bash.  What the parsers call
 * from bash is given here with bash's behaviour.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "bashapi.h"

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
