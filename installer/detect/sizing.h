/*
 * sizing.h - power supply, CPU and memory hints for the detected GPUs.
 * Pure arithmetic, documented in gpu-setup(8) under SIZING:
 *
 *   cpu_w   = clamp(35 + 10 * physical cores, 65, 280)
 *   rest_w  = 75 (board, memory, storage, fans)
 *   load_w  = sum of GPU board power + cpu_w + rest_w
 *   psu_w   = load_w * 1.3 (headroom for transient spikes), rounded up to
 *             a multiple of 50, and at least NVIDIA's own recommendation
 *             for the largest card
 *   cores   : want 4 physical cores per GPU, 8 per GPU of 250 W or more
 *   memory  : want at least as much system memory as all GPU memory
 */
#ifndef GS_SIZING_H
#define GS_SIZING_H

#include <stdbool.h>

#define SIZING_REST_W 75u
#define SIZING_HEADROOM_PCT 30u
#define SIZING_HIGH_END_W 250u

struct sizing_gpu {
	unsigned power_w;   /* this GPU's share of its board power, 0 unknown */
	unsigned psu_w;     /* NVIDIA's recommended PSU for the card, 0 unknown */
	unsigned mem_mib;   /* this GPU's share of board memory, 0 unknown */
};

enum psu_verdict {
	PSU_NOT_GIVEN,
	PSU_ENOUGH,     /* >= recommended */
	PSU_MARGINAL,   /* >= load, < recommended: no headroom for spikes */
	PSU_TOO_SMALL,  /* < load */
	PSU_CANNOT_TELL, /* >= the known load, but some GPU's power is unknown */
};

struct sizing {
	unsigned gpu_w;          /* known GPU power */
	unsigned unknown_power;  /* GPUs whose power is unknown */
	unsigned cpu_w;
	unsigned rest_w;
	unsigned load_w;
	unsigned recommended_psu_w;
	unsigned psu_w;          /* what the user has (--psu-watts), or 0 */
	enum psu_verdict psu_verdict;
	unsigned cores_wanted;   /* 0 when no GPU */
	bool cpu_weak;           /* cores known and < wanted */
	unsigned long long gpu_mem_mib;  /* known GPU memory */
	bool memory_small;       /* system memory known and < GPU memory */
};

unsigned sizing_cpu_watts(unsigned cores);
unsigned sizing_round_up(unsigned watts, unsigned step);
void sizing_compute(const struct sizing_gpu *gpus, unsigned ngpus, unsigned cores,
		    unsigned long long mem_kib, unsigned psu_w, struct sizing *ret);
const char *psu_verdict_name(enum psu_verdict v);

#endif
