# loketpipe - Personio <-> Loket.nl payroll integration as small NDJSON filters.
#
#   make            build everything into $(BUILD)/ (default build/)
#   make check      install missing Debian packages, build, run every test, then run them
#                   all again on an AddressSanitizer + UBSan build (build-asan/)
#   make demo       install missing Debian packages, build, run the demo offline
#   make bench      benchmarks (ratios against a peer measured in the same run)
#   make install    PREFIX=/usr/local DESTDIR=
#   make deps       install missing Debian packages (as root)

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BUILD  ?= build

CC      ?= cc
CFLAGS  ?= -O2 -g -fstack-protector-strong -D_FORTIFY_SOURCE=2
override CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Ilib -MMD -MP
LDLIBS  = -lcurl -ljansson -lcsv -lz

SAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

FILTERS = extract-personio validate map-compensation loket-auth fetch-loket diff-loket push-loket report
TOOLS   = personio-emu gen-personio lp-unit loket-emu

LIB_SRC = $(wildcard lib/*.c)
LIB_OBJ = $(LIB_SRC:lib/%.c=$(BUILD)/lib/%.o)
BINS    = $(FILTERS:%=$(BUILD)/bin/%) $(TOOLS:%=$(BUILD)/bin/%)

all: $(BINS)

$(BUILD)/lib/%.o: lib/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/liblp.a: $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/bin/%: filters/%.c $(BUILD)/liblp.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/liblp.a $(LDLIBS)

$(BUILD)/bin/personio-emu: tests/emulators/personio-emu.c tests/emulators/emu.c tests/emulators/emu.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -Itests/emulators -o $@ tests/emulators/personio-emu.c tests/emulators/emu.c -lmicrohttpd -ljansson -lpthread

$(BUILD)/bin/loket-emu: tests/emulators/loket-emu.c tests/emulators/emu.c tests/emulators/emu.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -Itests/emulators -o $@ tests/emulators/loket-emu.c tests/emulators/emu.c -lmicrohttpd -ljansson -lpthread

$(BUILD)/bin/gen-personio: samples/gen-personio.c $(BUILD)/liblp.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/liblp.a $(LDLIBS)

$(BUILD)/bin/lp-unit: tests/unit/lp-unit.c $(BUILD)/liblp.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/liblp.a $(LDLIBS)

-include $(LIB_OBJ:.o=.d) $(BINS:=.d)

deps:
	@sh scripts/deps.sh

asan:
	$(MAKE) BUILD=build-asan CFLAGS="$(SAN_FLAGS)" LDFLAGS="-fsanitize=address,undefined"

check: deps
	$(MAKE) all
	$(MAKE) asan
	sh tests/run build build-asan

test: all
	sh tests/run build

demo: deps
	$(MAKE) all
	sh pipelines/demo build

bench: deps
	$(MAKE) all
	sh tests/bench/run build

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7
	install -m0755 $(FILTERS:%=$(BUILD)/bin/%) $(DESTDIR)$(BINDIR)
	install -m0644 $(FILTERS:%=man/%.1) $(DESTDIR)$(MANDIR)/man1
	install -m0644 man/loketpipe.7 $(DESTDIR)$(MANDIR)/man7

clean:
	rm -rf build build-asan

.PHONY: all deps asan check test demo bench install clean
