/*
 * sizing.c - the arithmetic behind detect's sizing hints (see sizing.h).
 */
#include "config.h"

#include <string.h>

#include "sizing.h"

unsigned sizing_cpu_watts(unsigned cores)
{
	/* /proc does not tell a CPU's power; this follows desktop and server
	 * parts' package power closely enough for PSU sizing. */
	unsigned w = 35 + 10 * (cores > 1000 ? 1000 : cores);

	if (w < 65)
		w = 65;
	if (w > 280)
		w = 280;
	return w;
}

unsigned sizing_round_up(unsigned watts, unsigned step)
{
	return (watts + step - 1) / step * step;
}

const char *psu_verdict_name(enum psu_verdict v)
{
	switch (v) {
	case PSU_ENOUGH: return "enough";
	case PSU_MARGINAL: return "marginal";
	case PSU_TOO_SMALL: return "too-small";
	case PSU_CANNOT_TELL: return "cannot-tell";
	default: return "not-given";
	}
}

void sizing_compute(const struct sizing_gpu *gpus, unsigned ngpus, unsigned cores,
		    unsigned long long mem_kib, unsigned psu_w, struct sizing *s)
{
	unsigned nvidia_psu = 0;

	memset(s, 0, sizeof(*s));
	for (unsigned i = 0; i < ngpus; i++) {
		if (gpus[i].power_w)
			s->gpu_w += gpus[i].power_w;
		else
			s->unknown_power++;
		if (gpus[i].psu_w > nvidia_psu)
			nvidia_psu = gpus[i].psu_w;
		s->gpu_mem_mib += gpus[i].mem_mib;
		s->cores_wanted += gpus[i].power_w >= SIZING_HIGH_END_W ? 8 : 4;
	}
	s->cpu_w = sizing_cpu_watts(cores);
	s->rest_w = SIZING_REST_W;
	s->load_w = s->gpu_w + s->cpu_w + s->rest_w;
	s->recommended_psu_w =
		sizing_round_up((s->load_w * (100 + SIZING_HEADROOM_PCT) + 99) / 100, 50);
	if (nvidia_psu > s->recommended_psu_w)
		s->recommended_psu_w = nvidia_psu;

	s->psu_w = psu_w;
	if (!psu_w)
		s->psu_verdict = PSU_NOT_GIVEN;
	else if (psu_w < s->load_w)
		s->psu_verdict = PSU_TOO_SMALL;
	else if (s->unknown_power)
		s->psu_verdict = PSU_CANNOT_TELL;
	else if (psu_w >= s->recommended_psu_w)
		s->psu_verdict = PSU_ENOUGH;
	else
		s->psu_verdict = PSU_MARGINAL;

	s->cpu_weak = cores && ngpus && cores < s->cores_wanted;
	/* MemTotal is a little below the installed size (the kernel keeps some
	 * for itself): allow 5% before calling memory small. */
	s->memory_small = mem_kib && s->gpu_mem_mib &&
			  mem_kib / 1024 * 105 / 100 < s->gpu_mem_mib;
}
