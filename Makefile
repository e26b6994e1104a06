# pkgmeta: PGXS build.  `make && make install` installs into the server that
# `pg_config` names; `./run test` runs every test against a private staged copy.
EXTENSION = pkgmeta
MODULE_big = pkgmeta
OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))
DATA = $(wildcard sql/pkgmeta--*.sql)
PGFILEDESC = "pkgmeta - package metadata sync and lookup"

# the version of pkgmeta.control, for the User-Agent of GCS requests
PKGMETA_VERSION := $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" $(dir $(lastword $(MAKEFILE_LIST)))pkgmeta.control)
PG_CPPFLAGS = -I$(srcdir)/src -std=gnu11 -DPKGMETA_VERSION='"$(PKGMETA_VERSION)"'
PG_CFLAGS = -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
SHLIB_LINK = -lcurl -lz -larchive -lzstd

# pg_regress: a throwaway server that preloads the library (see ./run).
REGRESS = $(patsubst test/sql/%.sql,%,$(sort $(wildcard test/sql/*.sql)))
REGRESS_OPTS = --inputdir=test --outputdir=test \
	--temp-instance=test/tmp_check --temp-config=test/regress.conf --encoding=UTF8 --no-locale

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# libFuzzer targets of the parsers (fuzz/Makefile, clang): each runs for
# FUZZ_SECONDS from its committed corpus.  `make -C fuzz replay` only replays.
FUZZ_SECONDS ?= 60
fuzz:
	$(MAKE) -C fuzz run FUZZ_SECONDS=$(FUZZ_SECONDS) PG_CONFIG=$(PG_CONFIG)
.PHONY: fuzz
