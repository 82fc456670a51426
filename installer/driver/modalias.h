/*
 * modalias.h - the kernel's PCI modalias of a device, and matching it
 * against the Modaliases field of Ubuntu's driver packages, the way
 * ubuntu-drivers picks packages for hardware.
 *
 * Modalias: pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X.
 * Modaliases field: module(glob, glob, ...)[, module(...)]..., globs matched
 * case-insensitively with fnmatch.
 */
#ifndef GS_MODALIAS_H
#define GS_MODALIAS_H

#include <stdbool.h>
#include <stddef.h>

#include "hw-pci.h"

#define MODALIAS_MAX 64

void modalias_build(const struct pci_gpu *g, char buf[MODALIAS_MAX]);

/* Whether any glob in a Modaliases field matches modalias.  Returns 1
 * (match), 0 (no match) or -EINVAL for a field that does not parse. */
int modaliases_match(const char *field, const char *modalias);

#endif
