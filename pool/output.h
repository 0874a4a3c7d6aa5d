/* output.h - capture jobs' output and print it whole, in order, tagged */

#ifndef BGTOOLS_OUTPUT_H
#define BGTOOLS_OUTPUT_H

#include <stddef.h>
#include <sys/types.h>

#define OUT_GROUP	0	/* each job's output printed whole when it ends */
#define OUT_UNGROUP	1	/* jobs write to the shell's stdout/stderr */
#define OUT_LINE	2	/* whole lines as they come */

#define OUT_SPARE_MAX	16	/* spools a pool keeps for its next jobs */

struct outcap;
struct sink;

/* A pool's output: where it goes and what of it is still in flight. */
struct output {
	int mode;		/* OUT_* */
	int capture;		/* jobs write to pipes (all but plain -u) */
	struct sink *sink[2];	/* the shell's stdout and stderr, as they were */
	struct outcap *caps;	/* every capture not yet released */
	int ncaps;
	int bar;		/* --bar: the progress line is drawn here */
	int color;		/* --color: tags are colours, lines end reset */
	int spare[OUT_SPARE_MAX];	/* spools of finished jobs, for reuse */
	int nspare;
};

void output_settmp(const char *);
const char *output_tmpdir(void);
int output_tmpfile(void);
struct sink *output_sink(int);
void output_sink_free(struct sink *);
int output_begin(struct output *, int, int, int);
struct outcap *output_open(struct output *, const char *, const char *,
    int [2]);
void output_started(struct outcap *);
int output_eof(struct outcap *);
void output_close(struct outcap *);
size_t output_bytes(struct outcap *);
int output_trouble(struct outcap *, int *);
void output_wrap(struct outcap *, char *, char *);
size_t output_tail(struct outcap *, char *, size_t);
int output_each(struct outcap *, int, int,
    int (*)(void *, const char *, size_t), void *);
int output_put(struct outcap *, int, const char *, size_t);
void output_untag(struct outcap *);
void output_emit(struct outcap *);
void output_discard(struct outcap *);
int output_busy(struct output *);
void output_collect(struct output *);
int output_failed(struct output *);
void output_cancel(struct output *);
void output_bar(struct output *, const char *, int);
void output_end(struct output *);
int output_run(void);
int output_pollfd(void);
void output_detach(void);
void output_attach(void);
void output_child(void);

/* Spool streams beyond stdout (0) and stderr (1), never printed. */
#define OUT_HIDDEN	2	/* output replaced by a file name or record */
#define OUT_RECORD	3	/* a --results record, for the file */

#define OUT_TROUBLE_FULL	0x01	/* the spool's file system was full */
#define OUT_TROUBLE_RESULTS	0x02	/* writing --results failed (errno) */

#endif
