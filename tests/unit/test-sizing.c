/* Unit tests: the sizing arithmetic documented in gpu-setup(8). */
#include "config.h"

#include "sizing.h"
#include "tap.h"

int main(void)
{
	struct sizing s;
	struct sizing_gpu rtx3090 = { 350, 750, 24 * 1024 };
	struct sizing_gpu rtx4090 = { 450, 850, 24 * 1024 };
	struct sizing_gpu unknown = { 0, 0, 0 };
	struct sizing_gpu two[2] = { { 350, 750, 24 * 1024 }, { 350, 750, 24 * 1024 } };

	is_int(sizing_cpu_watts(1), 65, "small CPUs are counted at 65 W at least");
	is_int(sizing_cpu_watts(12), 155, "12 cores: 35 + 10 * 12");
	is_int(sizing_cpu_watts(64), 280, "big CPUs are capped at 280 W");
	is_int(sizing_round_up(751, 50), 800, "round up to 50 W");
	is_int(sizing_round_up(750, 50), 750, "an exact multiple stays");

	/* 350 + 155 + 75 = 580; * 1.3 = 754 -> 800 */
	sizing_compute(&rtx3090, 1, 12, 64ull << 20, 0, &s);
	is_int(s.load_w, 580, "one RTX 3090 with 12 cores: load");
	is_int(s.recommended_psu_w, 800, "one RTX 3090 with 12 cores: PSU");
	is_int(s.psu_verdict, PSU_NOT_GIVEN, "no PSU given, no verdict");
	ok(!s.cpu_weak && !s.memory_small, "12 cores and 64 GiB are enough for one 3090");

	sizing_compute(&rtx3090, 1, 12, 64ull << 20, 800, &s);
	is_int(s.psu_verdict, PSU_ENOUGH, "800 W is enough");
	sizing_compute(&rtx3090, 1, 12, 64ull << 20, 650, &s);
	is_int(s.psu_verdict, PSU_MARGINAL, "650 W covers the load but not the headroom");
	sizing_compute(&rtx3090, 1, 12, 64ull << 20, 500, &s);
	is_int(s.psu_verdict, PSU_TOO_SMALL, "500 W is below the load");

	/* 2 * 350 + 195 + 75 = 970; * 1.3 = 1261 -> 1300 */
	sizing_compute(two, 2, 16, 128ull << 20, 0, &s);
	is_int(s.load_w, 970, "two cards add up");
	is_int(s.recommended_psu_w, 1300, "two cards: PSU");
	is_int(s.cores_wanted, 16, "two high-end cards want 16 cores");

	/* NVIDIA's own figure wins when larger: 4090 + 1 core CPU:
	 * 450 + 65 + 75 = 590 * 1.3 = 767 -> 800 < 850 */
	sizing_compute(&rtx4090, 1, 1, 64ull << 20, 0, &s);
	is_int(s.recommended_psu_w, 850, "NVIDIA's recommendation is a floor");
	ok(s.cpu_weak, "one core is weak for a 4090");
	is_int(s.cores_wanted, 8, "a 450 W card wants 8 cores");

	sizing_compute(&rtx4090, 1, 8, 16ull << 20, 0, &s);
	ok(s.memory_small, "16 GiB of RAM is small for 24 GiB of GPU memory");
	sizing_compute(&rtx4090, 1, 8, 23ull << 20, 0, &s);
	ok(!s.memory_small, "MemTotal a little under the GPU memory is allowed (5%%)");

	sizing_compute(&unknown, 1, 4, 8ull << 20, 0, &s);
	is_int(s.unknown_power, 1, "a GPU of unknown power is counted as unknown");
	is_int(s.gpu_w, 0, "and adds no invented watts");
	is_int(s.cores_wanted, 4, "an unknown card wants 4 cores");
	ok(!s.memory_small, "unknown GPU memory never claims memory is small");
	sizing_compute(&unknown, 1, 4, 8ull << 20, 2000, &s);
	is_int(s.psu_verdict, PSU_CANNOT_TELL, "a big PSU with a GPU of unknown power: cannot tell");
	sizing_compute(&unknown, 1, 4, 8ull << 20, 100, &s);
	is_int(s.psu_verdict, PSU_TOO_SMALL, "below the known load is too small even then");
	sizing_compute(&rtx3090, 1, 0, 0, 0, &s);
	ok(!s.cpu_weak && !s.memory_small, "unknown cores and memory give no warnings");
	return done_testing();
}
