// SPDX-License-Identifier: GPL-2.0
/*
 * The few TPM 2.0 NV commands the HCL transport needs, marshalled by hand into a
 * page and sent with tpm_transmit_cmd(). That function is exported by every kernel
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

struct tpm2_msg {
	u8 *buf;	/* one page, as tpm_transmit_cmd() expects */
	u32 len;	/* bytes marshalled so far; on overflow > PAGE_SIZE */
};

static void put_bytes(struct tpm2_msg *c, const void *p, u32 n)
{
	if (c->len + n <= PAGE_SIZE)
		memcpy(c->buf + c->len, p, n);
	c->len += n;
}

static void put_u16(struct tpm2_msg *c, u16 v)
{
	__be16 b = cpu_to_be16(v);

	put_bytes(c, &b, sizeof(b));
}

static void put_u32(struct tpm2_msg *c, u32 v)
{
	__be32 b = cpu_to_be32(v);

	put_bytes(c, &b, sizeof(b));
}

static void cmd_begin(struct tpm2_msg *c, u16 tag, u32 cc)
{
	c->len = 0;
	put_u16(c, tag);
	put_u32(c, 0);		/* length, set by cmd_send() */
	put_u32(c, cc);
}

/* An authorisation area with one empty password session. */
static void put_pw_session(struct tpm2_msg *c)
{
	put_u32(c, 9);		/* authorizationSize */
	put_u32(c, TPM2_RS_PW);
	put_u16(c, 0);		/* nonce */
	put_bytes(c, "\0", 1);	/* sessionAttributes */
	put_u16(c, 0);		/* hmac: the empty password */
}

/* An owner-authorised command on an NV index: handles, then the password session. */
static void nv_begin(struct tpm2_msg *c, u32 cc, u32 index)
{
	cmd_begin(c, TPM2_ST_SESSIONS, cc);
	put_u32(c, CVMG_RH_OWNER);
	put_u32(c, index);
	put_pw_session(c);
}

/*
 * Send the command; on success the response is in c->buf and c->len is its length.
 * Return: 0, a positive TPM response code, or a negative errno.
 */
static int cmd_send(struct tpm_chip *chip, struct tpm2_msg *c, const char *what)
{
	struct tpm_buf tb = { .data = c->buf };
	ssize_t rc;

	if (c->len > PAGE_SIZE)
		return -E2BIG;
	put_unaligned_be32(c->len, c->buf + 2);
	rc = tpm_try_get_ops(chip);
	if (rc)
		return -ENODEV;
	rc = tpm_transmit_cmd(chip, &tb, 0, NULL);
	tpm_put_ops(chip);
	if (rc > 0)
		pr_debug("%s: TPM error 0x%03zx\n", what, rc);
	if (rc)
		return rc;
	c->len = get_unaligned_be32(c->buf + 2);
	if (c->len < TPM_HEADER_SIZE || c->len > PAGE_SIZE)
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

static int with_page(struct tpm2_msg *c)
{
	c->buf = (u8 *)__get_free_page(GFP_KERNEL);
	return c->buf ? 0 : -ENOMEM;
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
	struct tpm2_msg c;
	u16 size, policy;
	int rc;

	rc = with_page(&c);
	if (rc)
		return rc;
	cmd_begin(&c, TPM2_ST_NO_SESSIONS, CVMG_CC_NV_READ_PUBLIC);
	put_u32(&c, index);
	rc = cmd_send(chip, &c, "NV_ReadPublic");
	if (rc)
		goto out;
	/* TPM2B_NV_PUBLIC: size, nvIndex, nameAlg, attributes, authPolicy, dataSize */
	rc = -EPROTO;
	if (c.len < TPM_HEADER_SIZE + 2 + 4 + 2 + 4 + 2)
		goto out;
	size = get_unaligned_be16(c.buf + 10);
	policy = get_unaligned_be16(c.buf + 22);
	if (size < 14 + policy || c.len < TPM_HEADER_SIZE + 2 + size ||
	    get_unaligned_be32(c.buf + 12) != index)
		goto out;
	pub->attributes = get_unaligned_be32(c.buf + 18);
	pub->data_size = get_unaligned_be16(c.buf + 24 + policy);
	rc = 0;
out:
	free_page((unsigned long)c.buf);
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
	struct tpm2_msg c;
	int rc;

	rc = with_page(&c);
	if (rc)
		return rc;
	cmd_begin(&c, TPM2_ST_SESSIONS, CVMG_CC_NV_DEFINE_SPACE);
	put_u32(&c, CVMG_RH_OWNER);
	put_pw_session(&c);
	put_u16(&c, 0);			/* auth: empty */
	put_u16(&c, 14);		/* TPM2B_NV_PUBLIC size */
	put_u32(&c, index);
	put_u16(&c, TPM_ALG_SHA256);
	put_u32(&c, attributes);
	put_u16(&c, 0);			/* authPolicy: none */
	put_u16(&c, size);
	rc = cmd_send(chip, &c, "NV_DefineSpace");
	free_page((unsigned long)c.buf);
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
	struct tpm2_msg c;
	int rc;

	rc = with_page(&c);
	if (rc)
		return rc;
	nv_begin(&c, CVMG_CC_NV_WRITE, index);
	put_u16(&c, len);
	put_bytes(&c, data, len);
	put_u16(&c, offset);
	rc = cmd_send(chip, &c, "NV_Write");
	free_page((unsigned long)c.buf);
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
	struct tpm2_msg c;
	int rc;

	rc = with_page(&c);
	if (rc)
		return rc;
	nv_begin(&c, TPM2_CC_NV_READ, index);
	put_u16(&c, len);
	put_u16(&c, offset);
	rc = cmd_send(chip, &c, "NV_Read");
	if (rc)
		goto out;
	/* header, parameterSize, TPM2B_MAX_NV_BUFFER, response auth area */
	rc = -EPROTO;
	if (c.len < TPM_HEADER_SIZE + 4 + 2 + len ||
	    get_unaligned_be16(c.buf + TPM_HEADER_SIZE + 4) != len)
		goto out;
	memcpy(out, c.buf + TPM_HEADER_SIZE + 6, len);
	rc = 0;
out:
	free_page((unsigned long)c.buf);
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
	struct tpm2_msg c;
	int rc;

	rc = with_page(&c);
	if (rc)
		return rc;
	cmd_begin(&c, TPM2_ST_NO_SESSIONS, TPM2_CC_GET_CAPABILITY);
	put_u32(&c, TPM2_CAP_TPM_PROPERTIES);
	put_u32(&c, property);
	put_u32(&c, 1);
	rc = cmd_send(chip, &c, "GetCapability");
	if (rc)
		goto out;
	/* moreData, capability, count, { property, value } */
	rc = -EPROTO;
	if (c.len < TPM_HEADER_SIZE + 1 + 4 + 4 + 8 ||
	    get_unaligned_be32(c.buf + TPM_HEADER_SIZE + 1) != TPM2_CAP_TPM_PROPERTIES ||
	    get_unaligned_be32(c.buf + TPM_HEADER_SIZE + 5) < 1 ||
	    get_unaligned_be32(c.buf + TPM_HEADER_SIZE + 9) != property)
		goto out;
	*value = get_unaligned_be32(c.buf + TPM_HEADER_SIZE + 13);
	rc = 0;
out:
	free_page((unsigned long)c.buf);
	return rc;
}
