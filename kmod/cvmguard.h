/* SPDX-License-Identifier: GPL-2.0 */
/* Internal interfaces between the parts of the module. */
#ifndef CVMGUARD_INTERNAL_H
#define CVMGUARD_INTERNAL_H

#include <linux/cvmguard.h>
#include <linux/types.h>

#define CVMGUARD_MODULE_VERSION "0.1.0"

/* The PCR EXTEND uses by default: see Documentation/measure.rst for why 13. */
#define CVMGUARD_DEFAULT_PCR	13
/* TCG PC Client Platform Firmware Profile: an event that extends nothing */
#define CVMGUARD_EV_NO_ACTION	0x00000003
/* Room for one CVMGUARD_CMD_EVENT message of the largest event. */
#define CVMGUARD_EVENT_MSG_SIZE	(CVMGUARD_EVENT_DATA_MAX + 1024)

struct tpm_chip;

/* Same as TPM2_MAX_PCR_BANKS in <linux/tpm.h>, which this header does not pull in. */
#define CVMGUARD_MAX_BANKS	8

/**
 * struct cvmguard_event - one logged event, as readers see it
 * @seq: sequence number
 * @pcr: PCR index
 * @type: TCG event type
 * @nr_digests: number of entries in @digests, one per PCR bank
 * @digests: algorithm, size and value of each digest, in bank order
 * @data: event data
 * @data_len: its length
 * @record: the whole TCG_PCR_EVENT2 record
 * @record_len: its length
 *
 * The pointers point into the log, which lives as long as the module.
 */
struct cvmguard_event {
	u64 seq;
	u32 pcr;
	u32 type;
	unsigned int nr_digests;
	struct {
		u16 alg_id;
		u16 size;
		const u8 *value;
	} digests[CVMGUARD_MAX_BANKS];
	const u8 *data;
	u32 data_len;
	const u8 *record;
	size_t record_len;
};

/* main.c */
void cvmguard_get_info(struct cvmguard_info *info, bool privileged);

/* evidence.c */
int cvmguard_get_evidence(const u8 *user_data, u8 **report, u32 *type);
int cvmguard_evidence_size_hint(u32 *type);
int cvmguard_evidence_backend(struct tpm_chip *chip, bool may_probe);

/* chardev.c */
int cvmguard_chardev_init(void);
void cvmguard_chardev_exit(void);

/* genl.c */
int cvmguard_genl_init(void);
void cvmguard_genl_exit(void);
bool cvmguard_genl_has_listeners(void);
void cvmguard_genl_notify(const struct cvmguard_event *ev);

/* measure.c */
int cvmguard_measure_init(void);
void cvmguard_measure_exit(void);
bool cvmguard_measure_may_extend(bool admin);
int cvmguard_measure_check(u32 pcr, u32 event_type, u32 data_len);
int cvmguard_measure_extend(u32 pcr, u32 event_type, const void *data, u32 data_len, u64 *seq);
int cvmguard_measure_get(u64 seq, struct cvmguard_event *ev);
void cvmguard_measure_parse(u64 seq, const u8 *rec, struct cvmguard_event *ev);
unsigned int cvmguard_measure_banks(u16 *alg_id, u16 *size);

/* measure_fs.c */
int cvmguard_measure_fs_init(void);
void cvmguard_measure_fs_exit(void);

/* tpm.c */
struct tpm_chip *cvmguard_tpm_get(void);
void cvmguard_tpm_put(struct tpm_chip *chip);
u32 cvmguard_tpm_banks(struct tpm_chip *chip);

#endif /* CVMGUARD_INTERNAL_H */
