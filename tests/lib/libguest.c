// SPDX-License-Identifier: GPL-2.0-only
/*
 * libguest: libcvmguard's module requests, for the guest case `examples`.
 *
 *   libguest extend PCR TYPE DATA    cvmg_extend(); prints "seq N"
 *   libguest log FROM                cvmg_read_log(); one line per event:
 *                                    "seq N pcr P type T data HEX alg-0xAAAA DIGEST..."
 *
 * Built by tests/lib/run with only <libcvmguard.h> and pkg-config. Exit: 0; 1 and
 * the errno's text on stderr when the library refuses; 64 usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libcvmguard.h>

static void hex(const uint8_t *p, size_t n)
{
	while (n--)
		printf("%02x", *p++);
}

static int print_event(const struct cvmg_log_event *ev, void *arg)
{
	uint32_t i;

	(void)arg;
	printf("seq %llu pcr %u type %u data ", (unsigned long long)ev->seq, ev->pcr,
	       ev->event_type);
	hex(ev->data, ev->data_len);
	for (i = 0; i < ev->nr_digests; i++) {
		printf(" alg-0x%04x ", ev->digests[i].alg);
		hex(ev->digests[i].value, ev->digests[i].size);
	}
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	struct cvmg_ctx *ctx;
	uint64_t seq = 0;
	int ret;

	if (argc < 3 || ((strcmp(argv[1], "extend") || argc != 5) &&
	    (strcmp(argv[1], "log") || argc != 3))) {
		fprintf(stderr, "usage: libguest extend PCR TYPE DATA | log FROM\n");
		return 64;
	}
	ret = cvmg_open(&ctx, 0);
	if (!ret && !strcmp(argv[1], "extend")) {
		ret = cvmg_extend(ctx, (uint32_t)strtoul(argv[2], NULL, 0),
				  (uint32_t)strtoul(argv[3], NULL, 0), argv[4], strlen(argv[4]), &seq);
		if (!ret)
			printf("seq %llu\n", (unsigned long long)seq);
	} else if (!ret) {
		ret = cvmg_read_log(ctx, strtoull(argv[2], NULL, 0), print_event, NULL);
	}
	cvmg_close(ctx);
	if (ret) {
		fprintf(stderr, "libguest: %s\n", strerror(-ret));
		return 1;
	}
	return 0;
}
