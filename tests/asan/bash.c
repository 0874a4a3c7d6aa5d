/* bash.c - `make asan': run /bin/bash with ASan+UBSan preloaded */

/*
 * bash is not instrumented, so the sanitizer runtimes must be preloaded
 * into it for the instrumented bgtools.so to load.  Only bash gets them:
 * BASH_ENV makes each new bash drop LD_PRELOAD from the environment its
 * commands inherit (pgrep, for one, hangs under libasan).  A C program,
 * not a script: dash drops bats' exported functions, and a bash script
 * loses an exported PS1.  Built and used by `make asan' only.
 */

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	(void)argc;
	if (setenv("LD_PRELOAD", PRELOAD, 1) < 0 ||
	    setenv("BASH_ENV", UNPRELOAD, 1) < 0)
		return (126);
	argv[0] = REALBASH;
	execv(REALBASH, argv);
	perror(REALBASH);
	return (127);
}
