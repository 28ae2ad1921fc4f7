// SPDX-License-Identifier: GPL-2.0
/*
 * The rig's own test: a module whose load raises a real kernel WARNING. `make check`
 * boots a guest that loads it and requires the rig to fail that run, proving that
 * kernel reports on the console are never lost in a pass.
 */
#include <linux/bug.h>
#include <linux/module.h>

static int __init cvmguard_warn_test_init(void)
{
	WARN(1, "cvmguard rig self-test: this warning must fail the run\n");
	return 0;
}

static void __exit cvmguard_warn_test_exit(void)
{
}

module_init(cvmguard_warn_test_init);
module_exit(cvmguard_warn_test_exit);
MODULE_DESCRIPTION("cvmguard test rig self-test: raises a WARNING on load");
MODULE_LICENSE("GPL");
