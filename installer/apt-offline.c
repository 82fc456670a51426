/* apt-offline.c - see apt-offline.h; the implementation comes in its own commit. */
#include "config.h"
typedef int gs_placeholder_apt_offline;
