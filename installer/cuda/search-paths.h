/*
 * search-paths.h - where a login shell looks for programs and ld.so for
 * libraries on the target, as far as files tell: the PATH assignments in
 * the shell start-up files (a text scan, no shell is run) and the
 * directories of /etc/ld.so.conf with its include lines.  For doctor's
 * cuda.path and cuda.libraries checks.
 */
#ifndef GS_SEARCH_PATHS_H
#define GS_SEARCH_PATHS_H

#include <stdbool.h>
#include <stddef.h>

/* A CUDA bin directory named in a PATH assignment. */
struct path_bin {
	char *dir;          /* "/usr/local/cuda/bin", "/usr/local/cuda-12.8/bin" */
	bool before;        /* it comes before $PATH in the value (or there is no $PATH) */
};

/* One assignment to PATH ("PATH=...", "export PATH=...", "PATH+=..."). */
struct path_assignment {
	unsigned line;      /* 1-based */
	bool keeps_path;    /* the value refers to $PATH; false: PATH is set anew */
	struct path_bin *bins;  /* the CUDA bin directories in the value, in order */
	size_t nbins;
};

/* Every assignment to PATH in text (shell or /etc/environment syntax),
 * comment lines left out.  A text scan: a line inside an if, a function
 * or a here-document counts like any other.  The value ends at the first
 * unquoted blank or ';', so "export PATH=/x:$PATH CUDA_HOME=/y" is read
 * right.  Returns the number found (0 when none); *ret is NULL then. */
size_t path_assignments_scan(const char *text, struct path_assignment **ret);
void path_assignments_free(struct path_assignment *a, size_t n);

/* A directory listed for ld.so. */
struct ldconf_dir {
	char *file;         /* the file on the target that lists it */
	unsigned line;
	char *dir;          /* as written there */
};

/* The directories /etc/ld.so.conf lists on the target, include lines
 * followed (glob patterns; a relative one is taken from the including
 * file's directory, as ldconfig does), then the *.conf files of
 * /etc/ld.so.conf.d not reached that way.  Missing files are no error.  Returns the number of directories, *ret NULL when 0. */
size_t ldconf_dirs_read(struct ldconf_dir **ret);
void ldconf_dirs_free(struct ldconf_dir *d, size_t n);

#endif
