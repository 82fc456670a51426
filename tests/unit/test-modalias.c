/* Unit tests: PCI modaliases and Modaliases-field glob matching. */
#include "config.h"

#include <errno.h>

#include "modalias.h"
#include "tap.h"

int main(void)
{
	struct pci_gpu g = { .vendor_id = 0x10de, .device_id = 0x2204, .subsys_vendor_id = 0x1458,
			     .subsys_id = 0x403b, .class_id = 0x0300, .prog_if = 0 };
	char m[MODALIAS_MAX];
	const char *field = "nvidia(pci:v000010DEd00002204sv*sd*bc03sc*i*, pci:v000010DEd00002206sv*sd*bc03sc*i*)";

	modalias_build(&g, m);
	is_str(m, "pci:v000010DEd00002204sv00001458sd0000403Bbc03sc00i00", "modalias in the kernel's format");
	is_int(modaliases_match(field, m), 1, "an RTX 3090 matches its own glob");
	g.device_id = 0x2b85;
	modalias_build(&g, m);
	is_int(modaliases_match(field, m), 0, "an RTX 5090 does not");
	is_int(modaliases_match("nvidia(pci:v000010ded00002b85sv*sd*bc03sc*i*)", m), 1,
	       "globs match case-insensitively, as ubuntu-drivers does");
	is_int(modaliases_match("nvidia(pci:v000010DEd*sv*sd*bc03sc02i*)", m), 0, "the subclass counts");
	g.class_id = 0x0302;
	modalias_build(&g, m);
	is_int(modaliases_match("nvidia(pci:v000010DEd*sv*sd*bc03sc02i*)", m), 1, "a 3D controller matches sc02");
	is_int(modaliases_match("nvidia(pci:v1*), nvidia-open(pci:v000010DEd00002B85*)", m), 1,
	       "a later module entry matches");
	is_int(modaliases_match("", m), 0, "an empty field matches nothing");
	is_int(modaliases_match("nvidia pci:v*", m), -EINVAL, "no parenthesis: -EINVAL");
	is_int(modaliases_match("nvidia(pci:v*", m), -EINVAL, "unclosed: -EINVAL");
	is_int(modaliases_match("nvidia(pci:v*, )", m), -EINVAL, "an empty glob: -EINVAL");
	is_int(modaliases_match("(pci:v*)", m), -EINVAL, "no module name: -EINVAL");
	return done_testing();
}
