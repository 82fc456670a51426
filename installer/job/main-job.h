/*
 * main-job.h - `sudo gpu-setup`: the whole stack in one run, resumable
 * (main-job.c has the steps and how a re-run, a reboot and Ctrl-C go).
 */
#ifndef GS_MAIN_JOB_H
#define GS_MAIN_JOB_H

/* Run it under the global options; an exit code from exit-codes.h. */
int main_job(void);

#endif
