/* SPDX-License-Identifier: GPL-2.0-only */
/* Measurement events: extending through the module, and reading its event log. */
#ifndef CVMGUARD_MEASURE_H
#define CVMGUARD_MEASURE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/cvmguard.h>

/* The event type `cvmguard measure` uses when not told one: EV_IPL, which the TCG
 * PC Client profile defines as free-form data measured by the OS / boot software. */
#define CVMG_EV_DEFAULT		0x0000000d
#define CVMG_MAX_BANKS		8
#define CVMG_MAX_DIGEST		64
#define CVMG_SECURITYFS_LOG	"/sys/kernel/security/cvmguard/binary_measurements"

struct cvmg_event {
	uint64_t seq;
	uint32_t pcr;
	uint32_t type;
	unsigned int nr_digests;
	struct {
		uint16_t alg;
		uint16_t size;
		uint8_t value[CVMG_MAX_DIGEST];
	} digests[CVMG_MAX_BANKS];
	const uint8_t *data;	/* points into the message or log buffer */
	uint32_t data_len;
};

/* Called for each event; return non-zero to stop (that value is returned). */
typedef int (*cvmg_event_fn)(const struct cvmg_event *ev, void *arg);

int cvmg_dev_extend(uint32_t pcr, uint32_t type, const void *data, uint32_t len, uint64_t *seq);
int cvmg_nl_extend(uint32_t pcr, uint32_t type, const void *data, uint32_t len, uint64_t *seq);
int cvmg_nl_get_log(uint64_t from, cvmg_event_fn fn, void *arg);
struct nl_msg;
int cvmg_nl_parse_event(struct nl_msg *msg, struct cvmg_event *ev);

const char *cvmg_alg_name(uint16_t alg);
int cvmg_alg_md(uint16_t alg, const char **md);
void cvmg_event_print(FILE *f, const struct cvmg_event *ev, bool json);
struct json_object;
struct json_object *cvmg_event_json(const struct cvmg_event *ev, bool top);
int cvmg_default_pcr(uint32_t *pcr);

int cmd_measure(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_watch(int argc, char **argv);

#endif /* CVMGUARD_MEASURE_H */
