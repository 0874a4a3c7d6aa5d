/* waitset.h - the one way bgtools sleeps */

#ifndef BGTOOLS_WAITSET_H
#define BGTOOLS_WAITSET_H

#include <poll.h>
#include <signal.h>
#include <stdint.h>

struct waitset {
	sigset_t realmask;	/* the caller's mask, put back at the end */
	sigset_t oldmask;	/* the mask to sleep with */
	int tfd;		/* timerfd for the deadline, or -1 */
	int64_t deadline;	/* absolute CLOCK_MONOTONIC ns, 0: none */
	int guarded;		/* sigguard_begin was called */
	int begun;		/* waitset_begin was called, not waitset_end */
};

#define WAITSET_GUARD	0x01	/* we own children: catch untrapped INT/TERM/HUP */
#define WAITSET_WOKEN	1	/* waitset_pause: the watched fd is ready */

int waitset_begin(struct waitset *, int64_t, int);
int waitset_deadline(struct waitset *, int64_t);
int waitset_signal(void);
int waitset_expired(const struct waitset *);
void waitset_poll(struct waitset *);
void waitset_sleep(struct waitset *);
void waitset_sleep_fds(struct waitset *, struct pollfd *, int);
int waitset_sleep_fd(struct waitset *, int);
int waitset_pause(int64_t, int);
int waitset_turn(struct waitset *, int, int);
void waitset_end(struct waitset *);
int waitset_deliver(struct waitset *, int);

#endif
