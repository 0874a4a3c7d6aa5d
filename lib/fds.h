/* fds.h - our descriptors stay out of the script's 0 to 9 */

#ifndef BGTOOLS_FDS_H
#define BGTOOLS_FDS_H

#define FD_HIGH		10	/* the lowest descriptor we keep */

int fd_high(int);
int pipe_high(int[2], int);

#endif
