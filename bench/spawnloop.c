/*
 * spawnloop.c - the floor for bench/pool.sh a: run PROG N times, J at a
 * time, with posix_spawn and wait, and nothing else.  No shell, no job
 * table: what any tool pays at least to start N processes on this
 * machine.  Exits 1 if a run did not exit 0.
 *
 * Usage: spawnloop N J PROG
 */

#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

extern char **environ;

int
main(int argc, char **argv)
{
	char *args[2];
	long n, started, running, bad;
	int j, st;
	pid_t pid;

	if (argc != 4)
		return (2);
	n = atol(argv[1]);
	j = atoi(argv[2]);
	args[0] = argv[3];
	args[1] = NULL;
	started = running = bad = 0;
	while (started < n || running > 0) {
		while (running < j && started < n) {
			if (posix_spawn(&pid, argv[3], NULL, NULL, args,
			    environ) != 0)
				return (1);
			started++;
			running++;
		}
		if (wait(&st) < 0)
			return (1);
		running--;
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			bad++;
	}
	return (bad != 0);
}
