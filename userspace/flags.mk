# SPDX-License-Identifier: GPL-2.0-only
# Compiler flags and libraries of the helper, shared with tests/unit and bench.
PKGS     := libnl-genl-3.0 libkmod openssl json-c libcurl blkid libcryptsetup tss2-esys tss2-mu tss2-rc tss2-tctildr
CC       ?= cc
CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wformat=2 -Wshadow \
            -Wmissing-prototypes -Wstrict-prototypes -Werror=implicit-function-declaration \
            -fstack-protector-strong -D_FORTIFY_SOURCE=2 -D_GNU_SOURCE
# The release version has one source, the module's (kmod/cvmguard.h, which dkms.conf
# and debian/changelog repeat; tests/cli checks they agree); the git revision is
# shown beside it when the tree is a checkout.
CVMG_TOP := $(dir $(lastword $(MAKEFILE_LIST)))..
CVMGUARD_VERSION ?= $(shell sed -n 's/^\#define CVMGUARD_MODULE_VERSION "\(.*\)"/\1/p' $(CVMG_TOP)/kmod/cvmguard.h)
CVMGUARD_GITREV ?= $(shell git -C $(CVMG_TOP) rev-parse --is-inside-work-tree >/dev/null 2>&1 && \
	git -C $(CVMG_TOP) describe --always --dirty 2>/dev/null)
CVMGUARD_VERSION := $(CVMGUARD_VERSION)
CVMGUARD_GITREV := $(CVMGUARD_GITREV)
CPPFLAGS += -DCVMGUARD_VERSION='"$(CVMGUARD_VERSION)"' -DCVMGUARD_GITREV='"$(CVMGUARD_GITREV)"' \
	    $(shell pkg-config --cflags $(PKGS))
LDLIBS   += $(shell pkg-config --libs $(PKGS))
# what the cvmguard front binary (verify, quote-verify) links
LDLIBS_FRONT := $(shell pkg-config --libs openssl json-c)
