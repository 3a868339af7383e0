# loketpipe - Personio <-> Loket.nl payroll integration as small NDJSON filters.
#
#   make            build everything into $(BUILD)/ (default build/)
#   make check      install missing Debian packages, build, run every test, then run them
#                   all again on an AddressSanitizer + UBSan build (build-asan/), then
#                   make conformance
#   make conformance  the acme flows through Stoplight Prism (a validating proxy, installed
#                   with npm into $(BUILD)/prism/) against Loket's and Personio's specs
#   make demo       install missing Debian packages, build, run the demo offline
#   make bench      benchmarks (ratios against a peer measured in the same run)
#   make fuzz       build the libFuzzer harnesses (tests/fuzz/, clang) into build-fuzz/ and run
#                   each for FUZZ_SECONDS (default 150: 12 harnesses x 150 s = 30 minutes of
#                   fuzzing), FUZZ_JOBS (default 2) at a time; the table of execs, coverage and
#                   CPU seconds goes to build-fuzz/fuzz-summary.txt
#   make install    PREFIX=/usr/local DESTDIR=: the programs and pipelines, man pages, JSON Schemas
#                   (share/loketpipe/schemas), bash completion and the systemd units
#   make deb        the Debian package (dpkg-buildpackage in a copy under $(BUILD)/deb/, then
#                   lintian); make deb-check builds it and tests what it installs (make check runs it)
#   make deps       install missing Debian packages (as root)

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
BUILD  ?= build
# the one place of the version: LP_VERSION in lib/lp_cli.h (every program's --version);
# debian/changelog must agree (make deb checks it)
VERSION := $(shell sed -n 's/^\#define LP_VERSION "\(.*\)"$$/\1/p' lib/lp_cli.h)

CC      ?= cc
CFLAGS  ?= -O2 -g -fstack-protector-strong -D_FORTIFY_SOURCE=2
override CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Werror -Ilib -MMD -MP

SAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

FILTERS = extract-personio validate map-compensation loket-auth fetch-loket diff-loket push-loket report batch-report \
	  hours-from-csv extract-hours hours-to-collective-mutations loket-employees fetch-documents push-documents \
	  fetch-journal journal-export audit-verify audit-log alignment drift
TOOLS   = personio-emu gen-personio gen-loket lp-unit loket-emu lp-sink
# the pipelines that are commands (installed beside the programs; pipelines/check-clients.sh,
# which they source, goes to $(DATADIR)/loketpipe)
PIPELINES = bureau-sync monthly-sync monthly-documents monthly-journal hours-export first-sync-check

# A program is filters/NAME.c, or a folder filters/NAME/ of .c files (one program, several
# files). Each links liblp.a and only the libraries it uses (LIBS_NAME).
LIBS_extract-personio = -lcurl -ljansson -lz
LIBS_validate         = -ljansson -lz
LIBS_map-compensation = -ljansson -lz
LIBS_loket-auth       = -lcurl -ljansson -lz
LIBS_fetch-loket      = -lcurl -ljansson -lz
LIBS_diff-loket       = -ljansson -lz
LIBS_push-loket       = -lcurl -ljansson -lz
LIBS_report           = -ljansson -lz
LIBS_batch-report     = -ljansson -lz
LIBS_hours-from-csv   = -lcsv -ljansson -lz
LIBS_extract-hours    = -lcurl -ljansson -lz
LIBS_loket-employees  = -lcurl -ljansson -lcsv -lz
LIBS_fetch-documents  = -lcurl -ljansson -lz
LIBS_journal-export   = -lcurl -ljansson -lcsv -lz
LIBS_push-documents   = -lcurl -ljansson -lz
LIBS_fetch-journal    = -lcurl -ljansson -lz
LIBS_audit-verify     = -ljansson -lz
LIBS_audit-log        = -ljansson -lz
LIBS_alignment        = -ljansson -lcsv -lz
LIBS_drift            = -lcurl -ljansson -lz
LIBS_hours-to-collective-mutations = -ljansson -lcsv -lz
LIBS_gen-personio     = -ljansson -lz
LIBS_gen-loket        = -ljansson -lz
LIBS_lp-unit          = -lcurl -ljansson -lcsv -lz
LIBS_personio-emu     = -lmicrohttpd -ljansson -lpthread
LIBS_loket-emu        = -lmicrohttpd -ljansson -lpthread

LIB_SRC = $(wildcard lib/*.c)
LIB_OBJ = $(LIB_SRC:lib/%.c=$(BUILD)/obj/lib/%.o)
BINS    = $(FILTERS:%=$(BUILD)/bin/%) $(TOOLS:%=$(BUILD)/bin/%)
# the objects of each program, by where its source lives
src_of  = $(or $(wildcard filters/$(1).c),$(wildcard filters/$(1)/*.c),$(wildcard tests/unit/$(1).c),$(wildcard samples/$(1).c))
obj_of  = $(patsubst %.c,$(BUILD)/obj/%.o,$(call src_of,$(1)))
EMU_OBJ = $(BUILD)/obj/tests/emulators/emu.o
# the synthetic bureau both generators share (samples/gen-model.c)
GEN_OBJ = $(BUILD)/obj/samples/gen-model.o
ALL_OBJ = $(LIB_OBJ) $(foreach p,$(FILTERS) gen-personio gen-loket lp-unit lp-sink,$(call obj_of,$(p))) $(GEN_OBJ) \
	  $(EMU_OBJ) $(BUILD)/obj/tests/emulators/loket-emu.o $(BUILD)/obj/tests/emulators/personio-emu.o

all: $(BINS) $(BUILD)/completion/loketpipe

# what is installed: the programs (no emulators or test tools) and the completion
progs: $(FILTERS:%=$(BUILD)/bin/%) $(BUILD)/completion/loketpipe

# bash completion, generated from every command's --help (scripts/gen-completion)
$(BUILD)/completion/loketpipe: scripts/gen-completion $(FILTERS:%=$(BUILD)/bin/%) $(PIPELINES:%=pipelines/%)
	@mkdir -p $(@D)
	sh scripts/gen-completion $@ $(FILTERS:%=$(BUILD)/bin/%) $(PIPELINES:%=pipelines/%)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/liblp.a: $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

.SECONDARY:
.SECONDEXPANSION:
$(BUILD)/bin/%: $$(call obj_of,%) $(BUILD)/liblp.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) $(BUILD)/liblp.a $(LIBS_$*)

# the emulators link no liblp.a; personio-emu takes the SHA-256 of uploads from lib/lp_sha256.c
$(BUILD)/bin/personio-emu $(BUILD)/bin/loket-emu: $(BUILD)/bin/%: $(BUILD)/obj/tests/emulators/%.o $(EMU_OBJ) \
		$(BUILD)/obj/lib/lp_sha256.o
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS_$*)

$(BUILD)/bin/gen-personio $(BUILD)/bin/gen-loket: $(GEN_OBJ)

-include $(ALL_OBJ:.o=.d) $(wildcard $(FUZZ_BUILD)/obj/lib/*.d $(FUZZ_BUILD)/fuzz/*.d)

deps:
	@sh scripts/deps.sh

asan:
	@$(MAKE) --no-print-directory BUILD=build-asan CFLAGS="$(SAN_FLAGS)" LDFLAGS="-fsanitize=address,undefined"

# ---- fuzzing (tests/fuzz/, see doc/fuzzing.md) ----------------------------------------------
# Each tests/fuzz/NAME.c is one libFuzzer harness, build-fuzz/fuzz/NAME, linked against a liblp.a
# built with clang and ASan + UBSan (and the fuzzer's coverage) into build-fuzz/. LIBS_fuzz-NAME
# adds libraries; WRAP_fuzz-NAME the link options of a harness that catches exit().
FUZZ_CC      = clang
FUZZ_BUILD   = build-fuzz
FUZZ_SAN     = -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZERS      = $(basename $(notdir $(wildcard tests/fuzz/*.c)))
FUZZ_BINS    = $(FUZZERS:%=$(FUZZ_BUILD)/fuzz/%)
FUZZ_SECONDS ?= 150
FUZZ_JOBS    ?= 2
LIBS_fuzz     = -lcurl -ljansson -lcsv -lz
WRAP_fuzz-journal-export = -Wl,--wrap=exit,--wrap=lp_in_open,--wrap=lp_in_next,--wrap=lp_in_close

FUZZ_LIB     = $(FUZZ_BUILD)/liblp.a
FUZZ_LIB_OBJ = $(LIB_SRC:lib/%.c=$(FUZZ_BUILD)/obj/lib/%.o)
$(FUZZ_BUILD)/obj/lib/%.o: lib/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CFLAGS) $(FUZZ_SAN) -c -o $@ $<

$(FUZZ_LIB): $(FUZZ_LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(FUZZ_BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(FUZZ_LIB)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer -Itests/fuzz -DFUZZ_ROOT='"$(CURDIR)"' \
		$(if $(WRAP_fuzz-$*),-DFUZZ_WRAP_EXIT $(WRAP_fuzz-$*)) -o $@ $< $(FUZZ_LIB) $(LIBS_fuzz)

fuzz-build: $(FUZZ_BINS)

# the long run: every harness FUZZ_SECONDS over its seed corpus (new inputs kept in build-fuzz/corpus/)
fuzz: deps fuzz-build
	sh tests/fuzz/run long $(FUZZ_SECONDS) $(FUZZ_JOBS) $(FUZZERS)

# the brief run `make check` makes: the seed corpus and the regression cases replayed, then a few
# seconds of fuzzing each, so that the harnesses never rot
fuzz-check: fuzz-build
	sh tests/fuzz/run brief 3 1 $(FUZZERS)

# deps first (prerequisites are made left to right: the README's commands run make serially)
check: deps all asan fuzz-check
	sh tests/run build build-asan
	sh tests/conformance/run build
	@$(MAKE) --no-print-directory deb-check

conformance: deps all
	sh tests/conformance/run $(BUILD)
.PHONY: conformance

test: all
	sh tests/run build

demo: deps all
	sh pipelines/demo build

bench: deps all
	sh tests/bench/run build

install: progs
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7 \
		$(DESTDIR)$(DATADIR)/loketpipe/schemas $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(SYSTEMDUNITDIR)
	install -m0755 $(FILTERS:%=$(BUILD)/bin/%) $(PIPELINES:%=pipelines/%) $(DESTDIR)$(BINDIR)
	install -m0644 pipelines/check-clients.sh $(DESTDIR)$(DATADIR)/loketpipe
	install -m0644 $(FILTERS:%=man/%.1) $(PIPELINES:%=man/%.1) $(DESTDIR)$(MANDIR)/man1
	install -m0644 man/loketpipe.7 $(DESTDIR)$(MANDIR)/man7
	install -m0644 schemas/*.json $(DESTDIR)$(DATADIR)/loketpipe/schemas
	install -m0644 $(BUILD)/completion/loketpipe $(DESTDIR)$(BASHCOMPDIR)/loketpipe
	for p in $(FILTERS) $(PIPELINES); do ln -sf loketpipe $(DESTDIR)$(BASHCOMPDIR)/$$p; done
	install -m0644 dist/systemd/*.service dist/systemd/*.timer $(DESTDIR)$(SYSTEMDUNITDIR)

# every installed program says the version (debian/rules runs it as the package's build test)
progs-check: progs
	@for p in $(FILTERS:%=$(BUILD)/bin/%); do v=$$($$p --version) && [ "$$v" = "$${p##*/} (loketpipe) $(VERSION)" ] \
		|| { echo "$$p --version: '$$v', expected version $(VERSION)" >&2; exit 1; }; done

print-version:
	@echo $(VERSION)
# the commands that are installed, one a line (the tests compare the package with it)
print-commands:
	@for p in $(FILTERS) $(PIPELINES); do echo $$p; done
print-tools:
	@for p in $(TOOLS); do echo $$p; done

# the Debian package: dpkg-buildpackage -us -uc -b in a copy of the tree (it writes into the
# parent directory), then lintian; the .deb is $(BUILD)/deb/loketpipe_$(VERSION)_ARCH.deb
deb:
	sh scripts/build-deb $(VERSION) $(BUILD)/deb

# builds the package, unpacks it (dpkg -x) into $(BUILD)/deb/root and runs the installed
# programs, pipelines, completion and units from there (tests/deb/run)
deb-check: deps deb
	sh tests/deb/run $(BUILD)/deb

clean:
	rm -rf build build-asan build-fuzz

.PHONY: all deps asan check test demo bench install clean fuzz fuzz-build fuzz-check progs progs-check print-version print-commands print-tools deb deb-check
