// SPDX-License-Identifier: GPL-2.0
/*
 * bench/measure's in-kernel limit: at load, extend PCR `pcr` `iterations` times with
 * tpm_pcr_extend() and fixed digests (no hashing, no copies, no locks of ours) and
 * print the rate. Test rigs only: it changes a PCR behind cvmguard's log.
 */
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/tpm.h>

static unsigned int iterations = 1000;
module_param(iterations, uint, 0444);
static unsigned int pcr = 16;
module_param(pcr, uint, 0444);

static int __init kbench_init(void)
{
	struct tpm_digest *d;
	struct tpm_chip *chip;
	unsigned int i;
	ktime_t t0;
	s64 ns;
	int ret = 0;

	chip = tpm_default_chip();
	if (!chip)
		return -ENODEV;
	d = kcalloc(chip->nr_allocated_banks, sizeof(*d), GFP_KERNEL);
	if (!d) {
		ret = -ENOMEM;
		goto out_put;
	}
	for (i = 0; i < chip->nr_allocated_banks; i++) {
		d[i].alg_id = chip->allocated_banks[i].alg_id;
		memset(d[i].digest, 0x5a, chip->allocated_banks[i].digest_size);
	}
	t0 = ktime_get();
	for (i = 0; i < iterations && !ret; i++)
		ret = tpm_pcr_extend(chip, pcr, d);
	ns = ktime_to_ns(ktime_sub(ktime_get(), t0));
	if (!ret)
		pr_info("cvmguard_kbench: %u extends of PCR %u in %lld us: %lld/s\n", iterations,
			pcr, ns / 1000, ns ? (s64)iterations * NSEC_PER_SEC / ns : 0);
	kfree(d);
out_put:
	put_device(&chip->dev);
	return ret > 0 ? -EIO : ret;
}

static void __exit kbench_exit(void)
{
}

module_init(kbench_init);
module_exit(kbench_exit);
MODULE_DESCRIPTION("cvmguard bench: tpm_pcr_extend() in a tight loop");
MODULE_LICENSE("GPL");
