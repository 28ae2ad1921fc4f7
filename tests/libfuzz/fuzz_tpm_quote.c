// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness: TPM2 quotes. The input is a u16 (big-endian) length, that
 * many bytes of TPMS_ATTEST (tpm_quote_parse()), then the signature, bare or a
 * TPMT_SIGNATURE (tpm_quote_verify_sig()) checked with the Azure vTPM's AK, or an
 * EC key for ECDSA; a parsed quote is checked against the real PCR values and nonce.
 */
#include <openssl/pem.h>

#include "fuzz.h"
#include "tpm_quote.h"
#include "vectors.h"

static EVP_PKEY *ak_rsa, *ak_ec;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	BIO *bio = BIO_new_mem_buf(vec_akpub, sizeof(vec_akpub));

	ak_rsa = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	ak_ec = EVP_EC_gen("P-256");
	if (!ak_rsa || !ak_ec)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *msg, *sig;
	size_t mlen, slen;
	struct tpm_quote q;
	EVP_PKEY *ak;

	if (size < 2)
		return 0;
	mlen = (size_t)data[0] << 8 | data[1];
	msg = data + 2;
	if (mlen > size - 2)
		mlen = size - 2;
	sig = msg + mlen;
	slen = size - 2 - mlen;
	if (!tpm_quote_parse(msg, mlen, &q)) {
		if (q.nsel > TPM_QUOTE_MAX_SEL || q.extra_len > sizeof(q.extra) ||
		    q.pcr_digest_len > sizeof(q.pcr_digest) || q.signer_len > sizeof(q.signer))
			abort();
		tpm_quote_check_pcrs(&q, vec_pcrs, sizeof(vec_pcrs));
		tpm_quote_check_pcrs(&q, vec_pcrs, 32 * 8);
		tpm_quote_check_nonce(&q, FUZZ_NONCE, FUZZ_NONCE_LEN);
	}
	ak = slen >= 2 && sig[0] == 0 && sig[1] == (TPM_ALG_ECDSA & 0xff) ? ak_ec : ak_rsa;
	tpm_quote_verify_sig(msg, mlen, sig, slen, ak);
	ERR_clear_error();
	return 0;
}
