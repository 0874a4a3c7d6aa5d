/* waitset.h - sleep until a child changes state, a deadline, or a signal */

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
};

#define WAITSET_GUARD	0x01	/* we own children: catch untrapped INT/TERM/HUP */

int waitset_begin(struct waitset *, int64_t, int);
int waitset_deadline(struct waitset *, int64_t);
int waitset_signal(void);
int waitset_expired(const struct waitset *);
void waitset_sleep(struct waitset *);
void waitset_sleep_fds(struct waitset *, struct pollfd *, int);
void waitset_end(struct waitset *);
int waitset_deliver(struct waitset *, int);

#endif
