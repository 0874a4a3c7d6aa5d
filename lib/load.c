/* load.c - what every builtin of bgtools shares: loading and unloading */

#include <dlfcn.h>
#include <link.h>
#include <stdio.h>
#include <string.h>

#include "bashapi.h"
#include "jobref.h"
#include "load.h"

#if __ELF_NATIVE_CLASS == 64
#define LOAD_R_SYM(info)	ELF64_R_SYM(info)
#define LOAD_ST_BIND(info)	ELF64_ST_BIND(info)
#else
#define LOAD_R_SYM(info)	ELF32_R_SYM(info)
#define LOAD_ST_BIND(info)	ELF32_ST_BIND(info)
#endif

/* An address from our dynamic section, relocated if the loader did not. */
static const void *
load_addr(const struct link_map *map, ElfW(Addr) a)
{
	return ((const void *)(a < map->l_addr ? a + map->l_addr : a));
}

/*
 * Return the name of a function that this .so calls and that nothing in
 * the process defines (not bash, not what bash is linked with), or NULL.
 *
 * bgtools.so is linked without -z now: its calls into bash are bound at
 * the first call, so that dlopen of a .so built for another bash succeeds
 * and load_check can say so.  With -z now the dynamic linker refused it
 * first, naming a function that bash lacks (sh_xmalloc: a bash built with
 * its own malloc, which Debian's bash is not).  This check keeps what -z
 * now gave for the right version of a bash built otherwise: `enable -f'
 * refuses the .so, instead of the shell dying at the first call.  The
 * functions are the symbols of our PLT relocations (DT_JMPREL).
 */
static const char *
load_missing(void)
{
	Dl_info info;
	struct link_map *map = NULL;
	const ElfW(Dyn) *d;
	const ElfW(Sym) *syms = NULL, *sym;
	const char *strs = NULL, *rel = NULL, *name;
	size_t size = 0, ent = sizeof(ElfW(Rela)), i;

	if (dladdr1((void *)load_missing, &info, (void **)&map,
	    RTLD_DL_LINKMAP) == 0 || map == NULL)
		return (NULL);
	for (d = map->l_ld; d->d_tag != DT_NULL; d++) {
		if (d->d_tag == DT_SYMTAB)
			syms = load_addr(map, d->d_un.d_ptr);
		else if (d->d_tag == DT_STRTAB)
			strs = load_addr(map, d->d_un.d_ptr);
		else if (d->d_tag == DT_JMPREL)
			rel = load_addr(map, d->d_un.d_ptr);
		else if (d->d_tag == DT_PLTRELSZ)
			size = d->d_un.d_val;
		else if (d->d_tag == DT_PLTREL && d->d_un.d_val == DT_REL)
			ent = sizeof(ElfW(Rel));
	}
	if (syms == NULL || strs == NULL || rel == NULL)
		return (NULL);
	for (i = 0; i + ent <= size; i += ent) {
		/* Rel and Rela both start with r_offset, r_info. */
		sym = &syms[LOAD_R_SYM(((const ElfW(Rel) *)(rel + i))->r_info)];
		name = strs + sym->st_name;
		if (*name == '\0' || sym->st_shndx != SHN_UNDEF ||
		    LOAD_ST_BIND(sym->st_info) == STB_WEAK)
			continue;
		if (dlsym(RTLD_DEFAULT, name) == NULL)
			return (name);
	}
	return (NULL);
}

/*
 * Refuse to load NAME into a bash other than the one whose headers we were
 * built against: the job table, bgpids and the unwind stack are read
 * directly, and their layout changes between releases.  Then refuse a bash
 * of that version that lacks a function we call (load_missing).  Return 1
 * to load.
 */
int
load_check(const char *name)
{
	static int checked;
	static const char *missing;

	if (strcmp(dist_version, DISTVERSION) != 0) {
		fprintf(stderr, "%s: built for bash %s, this is bash %s: not "
		    "loaded (rebuild bgtools.so against this bash)\n", name,
		    DISTVERSION, dist_version);
		return (0);
	}
	if (!checked) {
		missing = load_missing();
		checked = 1;
	}
	if (missing != NULL) {
		fprintf(stderr, "%s: this bash has no %s, which bgtools.so "
		    "calls: not loaded (rebuild bgtools.so against this bash)\n",
		    name, missing);
		return (0);
	}
	jobref_loaded();
	return (1);
}

/*
 * `enable -d NAME' is about to remove NAME (bash gives us no way to say
 * no), and the .so too if NAME was its last builtin.  If BUSY says that
 * state of ours outlives the call (a --sem pool with jobs), pin the .so
 * in memory with RTLD_NODELETE, so that nothing of ours is unmapped under
 * it and `enable -f' brings NAME back to the same state (`pool --wait'
 * then collects those jobs).  The jobs themselves are bash's: `jobs',
 * `wait' and `kill' keep working either way.
 */
void
load_unload(const char *name, int (*busy)(void))
{
	Dl_info self;

	if (busy == NULL || !busy())
		return;
	if (dladdr((void *)load_unload, &self) == 0 || self.dli_fname == NULL ||
	    dlopen(self.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE) ==
	    NULL)
		return;
	fprintf(stderr, "%s: warning: jobs still running: %s stays loaded; "
	    "`enable -f %s %s' brings it back with them\n", name,
	    self.dli_fname, self.dli_fname, name);
}
