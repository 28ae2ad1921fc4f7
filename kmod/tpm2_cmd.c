// SPDX-License-Identifier: GPL-2.0
/*
 * The few TPM 2.0 NV commands the HCL transport needs, built in the kernel's struct
 * tpm_buf and sent with tpm_transmit_cmd(). That function is exported by every kernel
 * cvmguard supports (tpm_send() is gone in 6.12), and with desc == NULL it keeps
 * expected TPM errors, such as an absent NV index, out of the kernel log.
 *
 * Authorisation is a password session (TPM_RS_PW) with an empty owner password,
 * as on Azure confidential VMs, where the guest owns its vTPM.
 */
#include <linux/gfp.h>
#include <linux/tpm.h>

#include "cvmguard.h"
#include "tpm2_cmd.h"

/*
 * <linux/tpm.h> names TPM2_CC_NV_READ, TPM2_CC_GET_CAPABILITY, TPM2_CAP_TPM_PROPERTIES,
 * TPM2_RS_PW, TPM2_ST_*, TPM_ALG_SHA256 and TPM2_RC_HANDLE (0x08b: format one, the
 * handle error); these are the commands and the handle it does not name.
 */
#define CVMG_CC_NV_DEFINE_SPACE	0x0000012a
#define CVMG_CC_NV_WRITE	0x00000137
#define CVMG_CC_NV_READ_PUBLIC	0x00000169
#define CVMG_RH_OWNER		0x40000001
/* a format-one response code: bit 7 set; its error number in bits 0-5 */
#define CVMG_RC_FMT1_MASK	0x0bf
/*
 * The most NV data one command carries here: tpm_buf_append() WARNs (a panic under
 * panic_on_warn) when a command outgrows its page, so sizes the TPM suggested are
 * checked against this before anything is appended.
 */
#define CVMG_NV_DATA_MAX	(PAGE_SIZE - 128)

/*
 * Commands are built with the kernel's own struct tpm_buf: tpm_buf_init() (one page,
 * the header), tpm_buf_append_u16/u32() and tpm_buf_append(), tpm_buf_length(),
 * tpm_buf_destroy(). 6.1 has them static inline in <linux/tpm.h>, 6.12 exports them
 * from drivers/char/tpm/tpm-buf.c; the calls and their meaning are the same on both.
 * The password session is appended by hand: tpm_buf_append_empty_auth() is private
 * to drivers/char/tpm on 6.1.
 */

/* An authorisation area with one empty password session. */
static void put_pw_session(struct tpm_buf *tb)
{
	tpm_buf_append_u32(tb, 9);		/* authorizationSize */
	tpm_buf_append_u32(tb, TPM2_RS_PW);
	tpm_buf_append_u16(tb, 0);		/* nonce */
	tpm_buf_append_u8(tb, 0);		/* sessionAttributes */
	tpm_buf_append_u16(tb, 0);		/* hmac: the empty password */
}

/* An owner-authorised command on an NV index: handles, then the password session. */
static int nv_begin(struct tpm_buf *tb, u32 cc, u32 index)
{
	int rc = tpm_buf_init(tb, TPM2_ST_SESSIONS, cc);

	if (rc)
		return rc;
	tpm_buf_append_u32(tb, CVMG_RH_OWNER);
	tpm_buf_append_u32(tb, index);
	put_pw_session(tb);
	return 0;
}

/*
 * Send the command; on success the response is in tb->data and its length is
 * tpm_buf_length(tb), checked to lie within the page.
 * Return: 0, a positive TPM response code, or a negative errno.
 */
static int cmd_send(struct tpm_chip *chip, struct tpm_buf *tb, const char *what)
{
	ssize_t rc;
	u32 len;

	if (tb->flags & TPM_BUF_OVERFLOW)
		return -E2BIG;
	rc = tpm_try_get_ops(chip);
	if (rc)
		return -ENODEV;
	rc = tpm_transmit_cmd(chip, tb, 0, NULL);
	tpm_put_ops(chip);
	if (rc > 0)
		pr_debug("%s: TPM error 0x%03zx\n", what, rc);
	if (rc)
		return rc;
	len = tpm_buf_length(tb);
	if (len < TPM_HEADER_SIZE || len > PAGE_SIZE)
		return -EPROTO;
	return 0;
}

/**
 * cvmguard_tpm_rc_errno() - the errno for a TPM response code
 * @rc: a TPM response code (> 0) or a negative errno, passed through
 *
 * Return: -ENOENT for TPM_RC_HANDLE (no such NV index), -EIO for other TPM errors.
 */
int cvmguard_tpm_rc_errno(int rc)
{
	if (rc <= 0)
		return rc;
	if ((rc & CVMG_RC_FMT1_MASK) == TPM2_RC_HANDLE)
		return -ENOENT;
	return -EIO;
}

/**
 * cvmguard_nv_read_public() - TPM2_NV_ReadPublic
 * @chip: the TPM, referenced by the caller
 * @index: NV index handle
 * @pub: receives the index's attributes and data size
 *
 * Return: 0, a positive TPM response code, or a negative errno.
 */
int cvmguard_nv_read_public(struct tpm_chip *chip, u32 index, struct cvmguard_nv_public *pub)
{
	struct tpm_buf tb;
	u16 size, policy;
	u32 len;
	int rc;

	rc = tpm_buf_init(&tb, TPM2_ST_NO_SESSIONS, CVMG_CC_NV_READ_PUBLIC);
	if (rc)
		return rc;
	tpm_buf_append_u32(&tb, index);
	rc = cmd_send(chip, &tb, "NV_ReadPublic");
	if (rc)
		goto out_destroy;
	/* TPM2B_NV_PUBLIC: size, nvIndex, nameAlg, attributes, authPolicy, dataSize */
	rc = -EPROTO;
	len = tpm_buf_length(&tb);
	if (len < TPM_HEADER_SIZE + 2 + 4 + 2 + 4 + 2)
		goto out_destroy;
	size = get_unaligned_be16(tb.data + 10);
	policy = get_unaligned_be16(tb.data + 22);
	if (size < 14 + policy || len < TPM_HEADER_SIZE + 2 + size ||
	    get_unaligned_be32(tb.data + 12) != index)
		goto out_destroy;
	pub->attributes = get_unaligned_be32(tb.data + 18);
	pub->data_size = get_unaligned_be16(tb.data + 24 + policy);
	rc = 0;
out_destroy:
	tpm_buf_destroy(&tb);
	return rc;
}

/**
 * cvmguard_nv_define_space() - TPM2_NV_DefineSpace under the owner hierarchy
 * @chip: the TPM
 * @index: NV index handle
 * @attributes: TPMA_NV bits
 * @size: data size
 *
 * Return: 0, a positive TPM response code, or a negative errno.
 */
int cvmguard_nv_define_space(struct tpm_chip *chip, u32 index, u32 attributes, u16 size)
{
	struct tpm_buf tb;
	int rc;

	rc = tpm_buf_init(&tb, TPM2_ST_SESSIONS, CVMG_CC_NV_DEFINE_SPACE);
	if (rc)
		return rc;
	tpm_buf_append_u32(&tb, CVMG_RH_OWNER);
	put_pw_session(&tb);
	tpm_buf_append_u16(&tb, 0);		/* auth: empty */
	tpm_buf_append_u16(&tb, 14);		/* TPM2B_NV_PUBLIC size */
	tpm_buf_append_u32(&tb, index);
	tpm_buf_append_u16(&tb, TPM_ALG_SHA256);
	tpm_buf_append_u32(&tb, attributes);
	tpm_buf_append_u16(&tb, 0);		/* authPolicy: none */
	tpm_buf_append_u16(&tb, size);
	rc = cmd_send(chip, &tb, "NV_DefineSpace");
	tpm_buf_destroy(&tb);
	return rc;
}

/**
 * cvmguard_nv_write() - TPM2_NV_Write with owner authorisation
 * @chip: the TPM
 * @index: NV index handle
 * @data: bytes to write
 * @len: their number, at most the TPM's NV buffer size
 * @offset: where in the index
 *
 * Return: 0, a positive TPM response code, or a negative errno.
 */
int cvmguard_nv_write(struct tpm_chip *chip, u32 index, const u8 *data, u16 len, u16 offset)
{
	struct tpm_buf tb;
	int rc;

	if (len > CVMG_NV_DATA_MAX)
		return -E2BIG;
	rc = nv_begin(&tb, CVMG_CC_NV_WRITE, index);
	if (rc)
		return rc;
	tpm_buf_append_u16(&tb, len);
	tpm_buf_append(&tb, data, len);
	tpm_buf_append_u16(&tb, offset);
	rc = cmd_send(chip, &tb, "NV_Write");
	tpm_buf_destroy(&tb);
	return rc;
}

/**
 * cvmguard_nv_read() - TPM2_NV_Read with owner authorisation, one chunk
 * @chip: the TPM
 * @index: NV index handle
 * @out: receives @len bytes
 * @len: bytes to read, at most the TPM's NV buffer size
 * @offset: where in the index
 *
 * Return: 0, a positive TPM response code, or a negative errno (-EPROTO when the
 * TPM answers with another length than asked for).
 */
int cvmguard_nv_read(struct tpm_chip *chip, u32 index, u8 *out, u16 len, u16 offset)
{
	struct tpm_buf tb;
	int rc;

	if (len > CVMG_NV_DATA_MAX)
		return -E2BIG;
	rc = nv_begin(&tb, TPM2_CC_NV_READ, index);
	if (rc)
		return rc;
	tpm_buf_append_u16(&tb, len);
	tpm_buf_append_u16(&tb, offset);
	rc = cmd_send(chip, &tb, "NV_Read");
	if (rc)
		goto out_destroy;
	/* header, parameterSize, TPM2B_MAX_NV_BUFFER, response auth area */
	rc = -EPROTO;
	if (tpm_buf_length(&tb) < TPM_HEADER_SIZE + 4 + 2 + len ||
	    get_unaligned_be16(tb.data + TPM_HEADER_SIZE + 4) != len)
		goto out_destroy;
	memcpy(out, tb.data + TPM_HEADER_SIZE + 6, len);
	rc = 0;
out_destroy:
	tpm_buf_destroy(&tb);
	return rc;
}

/**
 * cvmguard_tpm_get_property() - TPM2_GetCapability for one TPM property
 * @chip: the TPM
 * @property: a TPM_PT_* value
 * @value: receives its value
 *
 * Return: 0, a positive TPM response code, or a negative errno (-EPROTO when the
 * TPM does not report that property).
 */
int cvmguard_tpm_get_property(struct tpm_chip *chip, u32 property, u32 *value)
{
	struct tpm_buf tb;
	int rc;

	rc = tpm_buf_init(&tb, TPM2_ST_NO_SESSIONS, TPM2_CC_GET_CAPABILITY);
	if (rc)
		return rc;
	tpm_buf_append_u32(&tb, TPM2_CAP_TPM_PROPERTIES);
	tpm_buf_append_u32(&tb, property);
	tpm_buf_append_u32(&tb, 1);
	rc = cmd_send(chip, &tb, "GetCapability");
	if (rc)
		goto out_destroy;
	/* moreData, capability, count, { property, value } */
	rc = -EPROTO;
	if (tpm_buf_length(&tb) < TPM_HEADER_SIZE + 1 + 4 + 4 + 8 ||
	    get_unaligned_be32(tb.data + TPM_HEADER_SIZE + 1) != TPM2_CAP_TPM_PROPERTIES ||
	    get_unaligned_be32(tb.data + TPM_HEADER_SIZE + 5) < 1 ||
	    get_unaligned_be32(tb.data + TPM_HEADER_SIZE + 9) != property)
		goto out_destroy;
	*value = get_unaligned_be32(tb.data + TPM_HEADER_SIZE + 13);
	rc = 0;
out_destroy:
	tpm_buf_destroy(&tb);
	return rc;
}
