/* fetch.c - see fetch.h; the implementation comes in its own commit. */
#include "config.h"
typedef int gs_placeholder_fetch;
