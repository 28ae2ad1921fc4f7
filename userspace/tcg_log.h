/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * TCG PC Client crypto-agile event logs (the firmware's binary_bios_measurements
 * and the module's binary_measurements): parsing, and replaying them into PCR
 * values to compare with a TPM's or a quote's.
 */
#ifndef CVMG_TCG_LOG_H
#define CVMG_TCG_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "measure.h"

#define TCG_PCR_COUNT		24
#define TCG_EV_NO_ACTION	0x00000003

struct tcg_log {
	unsigned int nr_banks;
	uint16_t alg[CVMG_MAX_BANKS];
	uint16_t size[CVMG_MAX_BANKS];
	size_t nr_events;
	struct cvmg_event *events;	/* each points into the parsed buffer */
	const uint8_t *buf;		/* the parsed buffer */
	size_t hdr_len;			/* bytes up to the first event */
	int startup_locality;		/* from a StartupLocality event, or -1 */
};

/* The result of replaying one PCR of one bank. */
struct tcg_replay {
	uint32_t touched;		/* bit n: some log extends PCR n */
	unsigned int events[TCG_PCR_COUNT];	/* events extended, per PCR */
	uint8_t pcr[TCG_PCR_COUNT][CVMG_MAX_DIGEST];
};

int tcg_log_parse(const uint8_t *buf, size_t len, struct tcg_log *log);
void tcg_log_free(struct tcg_log *log);
int tcg_log_bank(const struct tcg_log *log, uint16_t alg);
int tcg_log_replay(const struct tcg_log *const *logs, size_t nlogs, uint16_t alg,
		   struct tcg_replay *out);
size_t tcg_log_prefix_len(const struct tcg_log *log, size_t nevents);
int tcg_log_fit(const struct tcg_log *fw, const struct tcg_log *log,
		uint8_t pcrs[TCG_PCR_COUNT][32], const uint8_t digest[32], size_t *nevents);

#endif /* CVMG_TCG_LOG_H */
