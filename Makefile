# SPDX-License-Identifier: GPL-2.0
#
# cvmguard: top-level build and test entry points. See README.md.
#
#   make                  module for KDIR (default: the running kernel) + helper
#   make KDIR=DIR         module against another kernel tree
#   make deps             install the Debian packages for build, tests and demo
#   make check            unit tests + VM cases on Debian's 6.1 and 6.12 kernels
#   make check-full       the same with every VM case on both kernels
#   make check-debug      robustness + core VM cases on the KASAN/lockdep kernel
#                         (one boot, panic_on_warn=1; about 35 minutes here)
#   make check-debug-all  every module case on that kernel (about an hour)
#   make check-rt         module build + locking-heavy VM cases on Debian's
#                         PREEMPT_RT kernel (-rt-amd64, fetched, not installed)
#   make check-flavours   module builds against 6.1 and 6.12 cloud-amd64 and rt-amd64
#                         headers (fetched, not installed)
#   make fuzz-planted     the fuzzer must find a bug planted in a scratch build
#   make demo             boot a guest and show what works, narrated
#   make fuzz             libFuzzer on the verifier's parsers, FUZZ_SECONDS (600) in all
#   make fuzz-smoke       each fuzz harness once over its seeds and regression inputs
#   make dkms-install     copy the module sources to /usr/src for DKMS
#   make package          Debian packages (cvmguard, cvmguard-dkms, cvmguard-dev) in build/deb/
#   make check-package    build them in a scratch copy, lintian, check their file lists
#   make check-install    install them in a booted Debian 12 image, reboot, check, purge
#   make check-secboot    UEFI Secure Boot in QEMU: unsigned and forged builds refused,
#                         a MOK imported (tests/secboot/run --enroll: MokManager too)

KVER     ?= $(shell uname -r)
KDIR     ?= /lib/modules/$(KVER)/build
VERSION  := $(shell sed -n 's/^\#define CVMGUARD_MODULE_VERSION "\(.*\)"/\1/p' kmod/cvmguard.h)
SHARED   ?= $(abspath ../shared)
BUILD    := $(CURDIR)/build
DEBUG_KDIR := $(BUILD)/kernels/build-6.12-debug

# The kernels the VM tests boot: Debian's generic amd64 packages of each series,
# never an -rt- or -cloud- flavour installed beside them (tests/kernel-release).
KREL_6.1  = $(shell $(CURDIR)/tests/kernel-release 6.1)
KREL_6.12 = $(shell $(CURDIR)/tests/kernel-release 6.12)
# Debian's PREEMPT_RT flavour, unpacked under build/ by tests/kernels-rt, never
# installed (make kernel-rt).
RT_ROOT   = $(BUILD)/kernels/rt
KREL_rt   = $(shell $(CURDIR)/tests/kernel-release -f rt-amd64 -d $(RT_ROOT)/lib/modules 6.1)

MODULE_SRCS := Kbuild $(wildcard kmod/*.c kmod/*.h kmod/uapi/linux/*.h)

all: module userspace

module:
	@test -f $(KDIR)/Makefile || { \
		echo "make: no kernel build tree at $(KDIR)."; \
		echo "  Install the headers of the kernel to build for (Debian:"; \
		echo "  apt-get install linux-headers-$(KVER)), or point KDIR at a"; \
		echo "  configured tree: make KDIR=/lib/modules/RELEASE/build."; \
		echo "  The helper alone builds with: make userspace"; exit 2; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

userspace:
	$(MAKE) -C userspace

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
	$(MAKE) -C userspace clean
	$(MAKE) -C tests/unit clean
	$(MAKE) -C tests/paravisor clean 2>/dev/null || true
	rm -rf $(BUILD)

# --- module builds for the test kernels, each in its own copy of the sources ---

$(DEBUG_KDIR)/Makefile: $(SHARED)/kernels/6.12-debug/build.tar.xz
	mkdir -p $(BUILD)/kernels
	tar -C $(BUILD)/kernels -xJf $<
	touch $@

# build/mod-NAME/cvmguard.ko for NAME in 6.1, 6.12, debug, rt; built W=1 and C=1
# (sparse), and any warning fails the build.
$(BUILD)/mod-%/cvmguard.ko: $(MODULE_SRCS)
	rm -rf $(@D) && mkdir -p $(@D)
	cp --parents $(MODULE_SRCS) $(@D)/
	$(MAKE) -C $(KDIR_$*) M=$(@D) W=1 C=1 modules 2>&1 | tee $(@D)/build.log
	@if grep -E 'warning:|error:' $(@D)/build.log; then \
		echo "module build for $* is not warning-free"; rm -f $@; exit 1; fi
	@test -f $@

KDIR_6.1   = /lib/modules/$(KREL_6.1)/build
KDIR_6.12  = /lib/modules/$(KREL_6.12)/build
KDIR_debug = $(DEBUG_KDIR)
KDIR_rt    = $(RT_ROOT)/lib/modules/$(KREL_rt)/build
$(BUILD)/mod-debug/cvmguard.ko: $(DEBUG_KDIR)/Makefile
$(BUILD)/mod-rt/cvmguard.ko: $(RT_ROOT)/.complete

$(RT_ROOT)/.complete:
	tests/kernels-rt
kernel-rt:
	@tests/kernels-rt >/dev/null

# The .ko files are what the tests load: never delete them as intermediates.
.SECONDARY:
module-%: $(BUILD)/mod-%/cvmguard.ko ;
modules-test: module-6.1 module-6.12
modules-debug: module-debug

# --- tests ---

unit:
	$(MAKE) -C tests/unit check

paravisor:
	$(MAKE) -C tests/paravisor

# make check and make demo install what they need first (silent when complete), so
# each is one command on a fresh Debian 12 machine.
check: deps
	tests/check

check-full: deps
	tests/check --full

check-debug:
	tests/check --debug

check-debug-all:
	tests/check --debug --all

# Debian's PREEMPT_RT kernel (fetched, not installed): the module built W=1 +
# sparse against its headers, and the locking-heavy cases in one boot with
# panic_on_warn=1. Not in make check (CI budget).
check-rt: deps
	tests/check --rt

# The module against the headers of Debian 12's other amd64 flavours (cloud,
# rt; 6.1 and 6.12), fetched under build/kernels/hdr/, never installed.
check-flavours:
	tests/kernels-flavours

# The fuzzer must catch a planted bug (tests/fuzz/planted-bug.patch) in a 6.12 guest.
fuzz-planted: userspace
	tests/fuzz/planted-bug

demo: deps
	$(MAKE) modules-test userspace
	tests/demo

# libFuzzer harnesses (tests/libfuzz/), built and run under build/libfuzz/.
FUZZ_SECONDS ?= 600

fuzz:
	$(MAKE) -C tests/libfuzz fuzz BUILD=$(BUILD)/libfuzz FUZZ_SECONDS=$(FUZZ_SECONDS)

fuzz-smoke:
	$(MAKE) -C tests/libfuzz smoke BUILD=$(BUILD)/libfuzz

dkms-test:
	tests/dkms-test

# Out of make check for time (two boots per kernel); its token now carries the
# header MAC (disk-tpm-traffic, in make check, covers the secret on the bus).
check-disk-bus:
	tests/vm/disk-bus --kernel 6.12

# --- packaging ---

deps:
	@tests/deps

dkms-install:
	install -d $(DESTDIR)/usr/src/cvmguard-$(VERSION)/kmod/uapi/linux
	install -m 0644 Kbuild dkms.conf $(DESTDIR)/usr/src/cvmguard-$(VERSION)/
	install -m 0644 kmod/*.c kmod/*.h $(DESTDIR)/usr/src/cvmguard-$(VERSION)/kmod/
	install -m 0644 kmod/uapi/linux/cvmguard.h $(DESTDIR)/usr/src/cvmguard-$(VERSION)/kmod/uapi/linux/

# The helper and its files, the uapi header for applications, and the
# modules-load.d file that loads the module at boot (Documentation/install.rst).
install: userspace
	$(MAKE) -C userspace install
	install -D -m 0644 kmod/uapi/linux/cvmguard.h $(DESTDIR)/usr/include/linux/cvmguard.h
	install -D -m 0644 debian/modules-load/cvmguard.conf $(DESTDIR)/usr/lib/modules-load.d/cvmguard.conf

# The clients of Documentation/uapi.rst, built against the tree's uapi header
# (make -C examples UAPI= for the installed one).
examples:
	$(MAKE) -C examples

# Debian packages, built by dpkg-buildpackage in a scratch copy of the tree (the
# checkout stays clean) and copied to build/deb/. Not part of make check.
package:
	@tests/deps-package
	rm -rf $(BUILD)/deb && mkdir -p $(BUILD)/deb
	d=$$(mktemp -d /tmp/cvmguard-deb.XXXXXX) && mkdir "$$d/cvmguard" && \
	git ls-files -z --cached --others --exclude-standard | \
		xargs -0 -I{} sh -c '[ -e "$$1" ] && printf "%s\0" "$$1"' _ {} | \
		tar --null -T - -cf - | tar -C "$$d/cvmguard" -xf - && \
	(cd "$$d/cvmguard" && dpkg-buildpackage -us -uc -b >../build.log 2>&1 || \
		{ tail -30 ../build.log; exit 1; }) && \
	cp "$$d"/*.deb "$$d"/*.buildinfo "$$d"/*.changes $(BUILD)/deb/ && rm -rf "$$d"
	@ls $(BUILD)/deb/*.deb

check-package:
	@tests/deps-package
	tests/package

# The packages installed in a booted Debian 12 image (Debian's cloud kernel,
# swtpm, the paravisor stand-in): apt install, DKMS, reboot, the checks, the
# README's "Deploying on Azure" walk-through, purge. 10-20 minutes under TCG;
# outside make check. The image is built once and cached in build/install-image/.
check-install: deps
	@tests/deps-package
	@tests/deps-install
	$(MAKE) -s paravisor package
	tests/install/run

# UEFI Secure Boot in QEMU (tests/secboot/run): OVMF with Microsoft's keys,
# Debian's signed shim, MokManager, GRUB and 6.1 kernel (unpacked from Debian's
# packages under build/secboot/, never installed): builds the host could forge
# are refused, a test MOK is imported. One boot, about 3 minutes under TCG.
# tests/secboot/run --enroll goes on through MokManager over the serial console
# to the MOK-signed module loading (not reliable yet: Documentation/install.rst).
check-secboot: deps
	$(MAKE) -s module-6.1 userspace
	$(MAKE) -s -C tests/vm/progs
	tests/secboot/run

# Everything, one suite after another (several hours under TCG): each suite
# prints its own time and tally; make stops at the first that fails unless -k.
check-all: check-full check-debug-all check-rt check-flavours check-disk-bus check-package check-install check-secboot

.PHONY: all module userspace examples clean modules-test modules-debug unit paravisor check check-full \
	check-debug check-debug-all check-rt check-flavours kernel-rt demo fuzz fuzz-smoke fuzz-planted dkms-test deps dkms-install install \
	package check-package check-install check-secboot check-all
