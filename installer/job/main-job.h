/*
 * main-job.h - `sudo gpu-setup`: the whole stack in one run, resumable
 * (main-job.c has the steps and how a re-run, a reboot and Ctrl-C go).
 */
#ifndef GS_MAIN_JOB_H
#define GS_MAIN_JOB_H

struct job_options;

/* Run it under the options o (the cli's gs_job_options); an exit code
 * from exit-codes.h. */
int main_job(const struct job_options *o);

#endif
