/* cache.c - see cache.h; the implementation comes in its own commit. */
#include "config.h"
typedef int gs_placeholder_cache;
