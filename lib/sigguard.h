/* sigguard.h - catch untrapped INT/TERM/HUP while we own children */

#ifndef BGTOOLS_SIGGUARD_H
#define BGTOOLS_SIGGUARD_H

void sigguard_begin(void);
void sigguard_end(void);
void sigguard_stand(void (*)(void));
void sigguard_child(void);
int sigguard_caught(void);
void sigguard_raise(int);

#endif
