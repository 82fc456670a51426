/* target-json.c - see target.h; the implementation comes in its own commit. */
#include "config.h"
typedef int gs_placeholder_target_json;
