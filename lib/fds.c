/* fds.c - our descriptors stay out of the script's 0 to 9 */

/*
 * A script owns descriptors 0 to 9: `exec 3>log' or `exec 2>err' takes
 * whatever is there and closes it without a word.  bash keeps its own
 * above them (the script it reads at 255, `{var}>' from 10 on); so do
 * we.  A descriptor a builtin keeps while the script's code can run (a
 * --sem pool's between calls, a trap during a wait, every's command),
 * or that could land on a closed 0, 1 or 2 (`pool --progress 2>&-' put
 * its epoll descriptor at 2 and drew its progress line into it), is
 * moved to FD_HIGH or above when it is made.
 */

#include <fcntl.h>
#include <unistd.h>

#include "fds.h"

/*
 * Return FD itself if it is FD_HIGH or above, else a close-on-exec copy
 * there (FD is closed).  With no room there (`ulimit -n 10', or every
 * descriptor above 9 taken), FD stays where it is: a builtin that works
 * is worth more than the rule.  -1 stays -1.
 */
int
fd_high(int fd)
{
	int n;

	if (fd < 0 || fd >= FD_HIGH)
		return (fd);
	if ((n = fcntl(fd, F_DUPFD_CLOEXEC, FD_HIGH)) < 0)
		return (fd);
	close(fd);
	return (n);
}

/* pipe2(P, FLAGS), both ends moved by fd_high; 0, or -1 with errno set. */
int
pipe_high(int p[2], int flags)
{
	if (pipe2(p, flags) < 0)
		return (-1);
	p[0] = fd_high(p[0]);
	p[1] = fd_high(p[1]);
	return (0);
}
