/*
 * doctor-driver.h - what the driver and boot check groups share (the
 * NVIDIA GPUs detect saw, the user-space libraries) and the parts of them
 * the unit tests reach directly.  Not an interface for other groups: they
 * read struct doctor_ctx.
 */
#ifndef GS_DOCTOR_DRIVER_H
#define GS_DOCTOR_DRIVER_H

#include <stdbool.h>
#include <stddef.h>

#include "doctor.h"
#include "run.h"

/* A driver library as the dynamic linker would find it by soname. */
struct nvidia_lib {
	char *link;      /* where the soname was found: "/usr/lib/x86_64-linux-gnu/libcuda.so.1" */
	char *real;      /* the file the symlink chain ends at */
	char *version;   /* from the real file's name (libcuda.so.570.133.07), or NULL */
};

/* Look soname up in the directories Debian and Ubuntu install the driver
 * into.  -ENOENT when none has it. */
int nvidia_lib_find(const char *soname, struct nvidia_lib *ret);
void nvidia_lib_free(struct nvidia_lib *l);

/* NVIDIA GPUs (vendor 0x10de) in det, and how many are bound to the
 * nvidia driver; det may be NULL (then both are 0). */
size_t doctor_nvidia_gpus(const struct detect_report *det, size_t *ret_bound);

/* The version and flavour in /proc/driver/nvidia/version text; -EINVAL
 * when it names no version. */
int nvrm_version_parse(const char *text, char **ret_version, enum driver_flavour *ret_flavour);

/* Judge one run of nvidia-smi: r is run_in_target's return, rr its
 * result when r is 0.  Adds driver.nvidia-smi. */
void doctor_judge_nvidia_smi(struct doctor_report *rep, int r, const struct run_result *rr);

#endif
