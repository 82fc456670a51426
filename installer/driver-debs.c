/* driver-debs.c - see driver-debs.h; the implementation comes in its own commit. */
#include "config.h"
typedef int gs_placeholder_driver_debs;
