# SPDX-License-Identifier: GPL-2.0-only
# Compiler flags and libraries of the helper, shared with tests/unit and bench.
PKGS     := libnl-genl-3.0 libkmod openssl json-c libcurl blkid libcryptsetup tss2-esys tss2-mu tss2-rc tss2-tctildr
CC       ?= cc
CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wformat=2 -Wshadow \
            -Wmissing-prototypes -Wstrict-prototypes -Werror=implicit-function-declaration \
            -fstack-protector-strong -D_FORTIFY_SOURCE=2 -D_GNU_SOURCE
CVMGUARD_VERSION ?= $(shell git -C $(dir $(lastword $(MAKEFILE_LIST))).. describe --always --dirty 2>/dev/null || echo 0.1)
CPPFLAGS += -DCVMGUARD_VERSION='"$(CVMGUARD_VERSION)"' $(shell pkg-config --cflags $(PKGS))
LDLIBS   += $(shell pkg-config --libs $(PKGS))
# what the cvmguard front binary (verify, quote-verify) links
LDLIBS_FRONT := $(shell pkg-config --libs openssl json-c)
