/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cvmguard-paravisor: a test stand-in for the Azure paravisor (HCL).
 * Shared declarations.
 */
#ifndef PV_H
#define PV_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#define PV_REPORT_NV_INDEX	0x01400001u
#define PV_USERDATA_NV_INDEX	0x01400002u
#define PV_AK_HANDLE		0x81000003u
#define PV_EK_HANDLE		0x81010001u
/* the report index's size: OpenHCL's MAX_ATTESTATION_INDEX_SIZE, or the
 * Windows HCL's (as the real Azure vectors were read) */
#define PV_NV_SIZE_OPENHCL	2900u
#define PV_NV_SIZE_HCL		2600u
#define PV_REPORT_NV_MAX	2900u
#define PV_MAX_NV_BUFFER	1024u
#define PV_TPM_BUF		4096u

#define HCL_HDR_SIZE		32u
#define HCL_HW_SLOT		1184u
#define HCL_RT_HDR_SIZE		20u
#define HCL_JSON_OFF		(HCL_HDR_SIZE + HCL_HW_SLOT + HCL_RT_HDR_SIZE)

enum pv_mode { PV_MODE_SNP = 2, PV_MODE_TDX = 4 };
/* when a new report is made: on the reader's NV_Read at offset 0 (OpenHCL),
 * or some time after the user-data write (the older model) */
enum pv_refresh { PV_REFRESH_ON_READ, PV_REFRESH_ON_WRITE };
/* whose claims: OpenHCL (serde order, lower-case hex) or the Windows HCL
 * (sorted keys, upper-case hex, current-time) */
enum pv_style { PV_STYLE_OPENHCL, PV_STYLE_HCL };

/* values that go into the hardware report and the claims (config file) */
struct pv_config {
	uint8_t measurement[48];
	uint8_t host_data[32];
	uint8_t chip_id[64];
	uint8_t family_id[16];
	uint8_t image_id[16];
	uint8_t id_key_digest[48];
	uint8_t author_key_digest[48];
	uint8_t report_id[32];
	uint8_t report_id_ma[32];
	uint64_t policy;
	uint64_t platform_info;
	uint32_t guest_svn;
	uint32_t vmpl;
	uint8_t tcb_bl, tcb_tee, tcb_snp, tcb_ucode;		/* reported (the VCEK's) */
	uint8_t curtcb_bl, curtcb_tee, curtcb_snp, curtcb_ucode;	/* current */
	uint8_t ctcb_bl, ctcb_tee, ctcb_snp, ctcb_ucode;	/* committed */
	uint8_t ltcb_bl, ltcb_tee, ltcb_snp, ltcb_ucode;	/* launch */
	uint8_t fw_build, fw_minor, fw_major;
	bool debug;
	char product[16];		/* Milan, Genoa, Turin */
	/* TDX */
	uint8_t mrtd[48];
	uint8_t mrseam[48];
	uint8_t rtmr[4][48];
	uint64_t td_attributes;
	uint64_t xfam;
	uint8_t tee_tcb_svn[16];
	uint8_t tee_tcb_svn2[16];
	/* claims */
	bool console_enabled, secure_boot, tpm_enabled, tpm_persisted;
	bool interactive_console, filtered_vpci;
	char sealing_policy[8];		/* none, hash, signer */
	char root_thumb[64];		/* "auto": SHA-256 of the ARK, base64url */
	char vm_unique_id[40];
};

#define PV_MAX_FAULTS		32

struct pv_fault {
	uint32_t cc;
	uint32_t rc;
	int count;		/* -1: forever */
	enum { F_FAIL, F_DROP, F_DELAY } kind;
	unsigned int ms;
};

struct pv_opts {
	const char *listen;
	const char *swtpm_ctrl;
	enum pv_mode mode;
	unsigned int delay_ms;
	const char *config;
	const char *chain_out;
	const char *keys_dir;
	const char *log;
	const char *pidfile;
	const char *runtime;
	bool daemon;
	enum pv_refresh refresh;
	int interval_ms;		/* -1: the refresh model's default */
	unsigned int tear;
	enum pv_style style;
	unsigned int header_version;
	/* as given on the command line; --runtime settings start from these */
	struct pv_fault faults[PV_MAX_FAULTS];
	int nfaults;
};

/* global state */
struct pv_state {
	struct pv_opts o;
	struct pv_config cfg;
	/* in force: the command line's, or the --runtime file's */
	unsigned int delay_ms;
	enum pv_refresh refresh;
	unsigned int interval_ms;
	unsigned int tear;		/* tears still to make (UINT_MAX: always) */
	struct pv_fault faults[PV_MAX_FAULTS];
	int nfaults;
	/* keys */
	EVP_PKEY *ark, *ask, *vcek;
	X509 *ark_cert, *ask_cert, *vcek_cert;
	uint8_t tdx_mac_key[32];
	/* TPM side */
	int tpm_fd;			/* our end towards swtpm's data channel */
	bool keys_ready;
	uint8_t ak_n[256]; size_t ak_n_len;
	uint8_t ek_n[256]; size_t ek_n_len;
	/* the report NV index content */
	uint8_t report[PV_REPORT_NV_MAX];
	unsigned int nv_size;
	uint64_t nv_auth;		/* the index's password, as OpenHCL's: random */
	bool have_report;
	unsigned int reports_built;
	/* on-read: when the report was last renewed, and how */
	uint64_t renewed_ms;
	bool renewed_by_tear;
	/* the last offset-0 read of 0x01400001 was served without a renewal */
	bool read0_stale;
	bool in_read;			/* an offset-0 read was seen, chunks may follow */
	bool tear_armed;		/* on-read: a user-data write since the last tear */
	unsigned int tears;
	/* pending update */
	bool pending;
	uint64_t pending_at_ms;
	uint8_t shadow_user[64];
	FILE *logf;
};

extern struct pv_state pv;

/* util.c */
uint64_t now_ms(void);
void pv_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pv_log_hex(const char *dir, const char *what, const uint8_t *b, size_t n);
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
int read_full(int fd, void *buf, size_t n);
int write_full(int fd, const void *buf, size_t n);
static inline uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t get32(const uint8_t *p)
{ return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static inline void put16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v; }
static inline void put32(uint8_t *p, uint32_t v)
{ p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v; }
static inline void le32(uint8_t *p, uint32_t v)
{ p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24; }
static inline void le64(uint8_t *p, uint64_t v)
{ for (int i = 0; i < 8; i++) p[i] = v >> (8 * i); }

/* config.c */
void config_defaults(struct pv_config *c);
/* a key config_load() does not know: 0 taken, 1 not the caller's either, -1 bad value */
typedef int (*config_extra_fn)(const char *key, const char *value, void *arg);
int config_load(struct pv_config *c, const char *path, config_extra_fn extra, void *arg);
uint64_t snp_tcb(const struct pv_config *c);	/* reported: the VCEK's */
uint64_t snp_tcb_current(const struct pv_config *c);
uint64_t snp_tcb_committed(const struct pv_config *c);
uint64_t snp_tcb_launch(const struct pv_config *c);

/* certs.c */
int certs_setup(void);

/* report.c */
int report_build(const uint8_t user_data[64]);
unsigned int pv_default_interval(enum pv_refresh r);

/* tpm.c */
const char *tpm_cc_name(uint32_t cc);
int tpm_transact(const uint8_t *cmd, size_t len, uint8_t *rsp, size_t *rlen);
int tpm_keys_ensure(void);
void tpm_after_startup(void);
/* process one guest command; returns response length in rsp, 0 = drop */
size_t tpm_handle_guest(const uint8_t *cmd, size_t len, uint8_t *rsp);
void tpm_run_pending(void);

/* session.c */
void sess_reset(void);
void sess_observe(const uint8_t *c, size_t cl, const uint8_t *r, size_t rl);
uint32_t sess_nv_read(const uint8_t *c, size_t cl, const uint8_t *idx_name,
		      uint8_t *resp_auth, size_t *resp_auth_len,
		      const uint8_t *rparams, size_t rplen);

/* relay.c */
int relay_run(int listen_fd, int swtpm_ctrl_fd);

#endif
