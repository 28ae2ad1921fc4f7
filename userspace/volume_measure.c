// SPDX-License-Identifier: GPL-2.0-only
/*
 * Measuring an unlocked volume: its LUKS UUID and the SHA-256 of the parameters
 * unlock authenticated (the header MAC's canonical text, header_policy.c), extended into the module's default PCR as one event through
 * /dev/cvmguard (the module hashes it for every bank and logs it).
 */
#include <errno.h>
#include <stdio.h>

#include "measure.h"
#include "volume.h"

/**
 * cvmg_volume_event() - the event data that identifies a volume
 * @uuid: the LUKS UUID
 * @header_digest: SHA-256 of the authenticated header parameters
 * @buf: receives the NUL-terminated text
 * @size: its size
 *
 * Return: the text's length, or -ENAMETOOLONG when it does not fit.
 */
int cvmg_volume_event(const char *uuid, const uint8_t header_digest[32], char *buf, size_t size)
{
	int n = snprintf(buf, size, "cvmguard-volume: luks2 uuid=%s params-sha256=", uuid);

	for (int i = 0; i < 32 && n >= 0 && (size_t)n < size; i++)
		n += snprintf(buf + n, size - n, "%02x", header_digest[i]);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : n;
}

/**
 * cvmg_measure_volume() - record an unlocked volume's identity as a measurement
 * @uuid: the LUKS UUID
 * @header_digest: SHA-256 of the authenticated header parameters
 * @pcr: receives the PCR extended
 * @seq: receives the event's sequence number in the module's log
 *
 * Return: 0, or a negative errno (-ENOENT: no module; the module's EXTEND errors).
 */
int cvmg_measure_volume(const char *uuid, const uint8_t header_digest[32], uint32_t *pcr,
			uint64_t *seq)
{
	char text[160];
	int len, ret;

	len = cvmg_volume_event(uuid, header_digest, text, sizeof(text));
	if (len < 0)
		return len;
	ret = cvmg_default_pcr(pcr);
	if (ret)
		return ret;
	return cvmg_dev_extend(*pcr, CVMG_EV_DEFAULT, text, len, seq);
}
