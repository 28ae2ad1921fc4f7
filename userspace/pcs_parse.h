/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Intel PCS v4 answers (the API a PCCS serves), parsed strictly:
 *   /tdx/certification/v4/tcb         {"tcbInfo": {...}, "signature": "<128 hex>"}
 *   /tdx/certification/v4/qe/identity {"enclaveIdentity": {...}, "signature": ...}
 *   /sgx/certification/v4/pckcrl      a CRL: DER (encoding=der), PEM or hex
 *   /sgx/certification/v4/rootcacrl   a CRL, hex from a PCCS
 * and the issuer chains' response headers, URL-encoded PEM. The signature of a
 * TCB info or QE identity covers the exact text of its object as served, which
 * pcs_signed_body() returns untouched.
 */
#ifndef CVMG_PCS_PARSE_H
#define CVMG_PCS_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

char *pcs_url_decode(const char *s);
int pcs_signed_body(const uint8_t *body, size_t len, const char *key, char **raw,
		    uint8_t sig[64]);
int pcs_crl_parse(const uint8_t *b, size_t len, X509_CRL **crl);
char *pcs_crl_hex(X509_CRL *crl);

#endif /* CVMG_PCS_PARSE_H */
