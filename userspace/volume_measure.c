// SPDX-License-Identifier: GPL-2.0-only
/*
 * Measuring an unlocked volume: its LUKS UUID and a SHA-256 digest of its LUKS2
 * header, extended into a PCR as a cvmguard measurement event through the module.
 *
 * HOOK: the module's EXTEND ioctl is being written on another branch. Until it is
 * merged this returns -ENOSYS and `cvmguard unlock` says the volume was not
 * measured; wire it to the ioctl here, and nowhere else.
 */
#include <errno.h>

#include "volume.h"

/**
 * cvmg_measure_volume() - record an unlocked volume's identity as a measurement
 * @uuid: the LUKS UUID
 * @header_digest: SHA-256 of the LUKS2 binary header and JSON area
 *
 * Return: 0, or a negative errno; -ENOSYS until the EXTEND ioctl exists.
 */
int cvmg_measure_volume(const char *uuid, const uint8_t header_digest[32])
{
	(void)uuid;
	(void)header_digest;
	return -ENOSYS;
}
