/*
 * cheader.h - the numeric #define lines of C headers NVIDIA ships
 * (CUDA_VERSION in cuda.h, CUDNN_MAJOR and friends in cudnn_version.h),
 * read without a preprocessor.
 */
#ifndef GS_CHEADER_H
#define GS_CHEADER_H

/* The value of the first "#define NAME 123" line of text ("# define" and
 * blanks allowed; a comment may follow the number).  0; -ENOENT when no
 * line defines NAME; -EINVAL when the first one that does is not a plain
 * number of at most 9 digits (a later line is not taken instead). */
int cheader_define(const char *text, const char *name, unsigned *ret);

#endif
