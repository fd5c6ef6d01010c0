# pam_privauth - build, install, test, demo, bench.
#
#   make                 build/pam_privauth.so and build/privauthctl
#   make check           install test dependencies, run every test
#   make demo            install dependencies, log in through a real sshd
#   make bench           in-process logins against pam_permit, same run
#   make install DESTDIR=... PREFIX=... [PAMDIR=...]
#
# Out-of-tree: everything goes to $(BUILD) (default build/).

BUILD      ?= build
SAN        ?=
WERROR     ?=
PREFIX     ?= /usr
SBINDIR    ?= $(PREFIX)/sbin
SYSCONFDIR ?= /etc
MANDIR     ?= $(PREFIX)/share/man
MULTIARCH  := $(shell gcc -print-multiarch 2>/dev/null)
# Debian: /usr/lib/<triplet>/security; RPM-style systems: /usr/lib64/security.
ifneq ($(wildcard /etc/debian_version),)
PAMDIR     ?= $(PREFIX)/lib/$(MULTIARCH)/security
else
PAMDIR     ?= $(PREFIX)/lib64/security
endif

CC         ?= cc
PKGS       := pam libsodium libcurl libconfig json-c
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs libsodium libcurl libconfig json-c 2>/dev/null)
PAM_LIBS   := $(shell pkg-config --libs pam 2>/dev/null)
CMOCKA_LIBS:= $(shell pkg-config --libs cmocka 2>/dev/null)

WARN       := -Wall -Wextra -Wconversion -Wshadow -Wformat=2 -Wmissing-prototypes \
              -Wstrict-prototypes -Wvla
HARDEN     := -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIC
CFLAGS     ?= -O2 -g
override CFLAGS += -std=gnu11 $(WARN) $(HARDEN) -fvisibility=hidden \
                   -Ipam_privauth $(PKG_CFLAGS)
LDHARDEN   := -Wl,-z,relro -Wl,-z,now -Wl,--as-needed
ifeq ($(WERROR),1)
override CFLAGS += -Werror
endif
ifeq ($(SAN),1)
override CFLAGS := $(filter-out -D_FORTIFY_SOURCE=2,$(CFLAGS)) -O1 \
                   -fsanitize=address,undefined -fno-omit-frame-pointer \
                   -fno-sanitize-recover=all
LDHARDEN   += -fsanitize=address,undefined
endif

LIB_SRC    := $(sort $(wildcard pam_privauth/core/*.c pam_privauth/otp/*.c \
                pam_privauth/store/*.c pam_privauth/delivery/*.c pam_privauth/policy/*.c \
                pam_privauth/privacy/*.c))
# Built-in password blocklist: generated from john-data and python3-zxcvbn,
# compiled into the library as const data (tools/mkblocklist.py).
BLOCKLIST_C := $(BUILD)/gen/blocklist_data.c
BLOCKLIST_O := $(BUILD)/obj/gen/blocklist_data.o
# Optional zxcvbn strength estimate (Debian libzxcvbn-dev has no .pc file).
ZXCVBN     ?= $(if $(wildcard /usr/include/zxcvbn.h),1,0)
ifeq ($(ZXCVBN),1)
override CFLAGS += -DPVA_HAVE_ZXCVBN
PKG_LIBS   += -lzxcvbn
endif
PAM_SRC    := $(sort $(wildcard pam_privauth/pam/*.c))
CLI_SRC    := $(sort $(wildcard pam_privauth/cli/*.c))
UNIT_SRC   := $(sort $(wildcard tests/unit/test_*.c))
TLIB_SRC   := $(sort $(wildcard tests/lib/*.c))

obj         = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
LIB        := $(BUILD)/libprivauth.a
MODULE     := $(BUILD)/pam_privauth.so
CLI        := $(BUILD)/privauthctl
UNIT_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
TOOL_BINS  := $(BUILD)/tests/pam_harness $(BUILD)/tests/faketime.so $(BUILD)/tests/bench_login \
              $(BUILD)/tests/syslogcap.so
# Message catalogs: po/LANG.po -> $(BUILD)/locale/LANG/LC_MESSAGES/pam_privauth.mo
LINGUAS    := zh_CN
LOCALEDIR  ?= $(PREFIX)/share/locale
# systemd units (conf/systemd/): installed, never enabled
UNITDIR    ?= $(PREFIX)/lib/systemd/system
UNITS      := privauth-remind.service privauth-remind.timer \
              privauth-purge.service privauth-purge.timer
MO_FILES   := $(patsubst %,$(BUILD)/locale/%/LC_MESSAGES/pam_privauth.mo,$(LINGUAS))

.PHONY: all install uninstall check unit demo bench deps clean tools pot
all: $(MODULE) $(CLI) $(MO_FILES)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(LIB): $(call obj,$(LIB_SRC)) $(BLOCKLIST_O)
	@rm -f $@
	ar rcs $@ $^

$(BLOCKLIST_C): tools/mkblocklist.py
	@mkdir -p $(dir $@)
	/usr/bin/python3 tools/mkblocklist.py $@.tmp && mv $@.tmp $@

$(BLOCKLIST_O): $(BLOCKLIST_C)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(MODULE): $(call obj,$(PAM_SRC)) $(LIB) pam_privauth/pam/pam_privauth.map
	$(CC) -shared -o $@ $(call obj,$(PAM_SRC)) $(LIB) $(LDHARDEN) -Wl,-z,nodelete \
	  -Wl,--version-script=pam_privauth/pam/pam_privauth.map $(PKG_LIBS) $(PAM_LIBS)

$(CLI): $(call obj,$(CLI_SRC)) $(LIB)
	$(CC) -o $@ $(call obj,$(CLI_SRC)) $(LIB) $(LDHARDEN) -pie $(PKG_LIBS)

$(BUILD)/tests/test_%: $(BUILD)/obj/tests/unit/test_%.o $(call obj,$(TLIB_SRC)) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(LDHARDEN) $(CMOCKA_LIBS) $(PKG_LIBS)

$(BUILD)/tests/pam_harness: $(BUILD)/obj/tests/pam/pam_harness.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(LDHARDEN) $(PAM_LIBS) $(PKG_LIBS)

$(BUILD)/tests/bench_login: $(BUILD)/obj/tests/bench/bench_login.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(LDHARDEN) $(PAM_LIBS) $(PKG_LIBS) -lm

# The policy benchmark (make bench): the library against Debian's libpwquality.
$(BUILD)/tests/bench_policy: $(BUILD)/obj/tests/bench/bench_policy.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(LDHARDEN) $(PAM_LIBS) $(PKG_LIBS) -lpwquality

$(BUILD)/tests/faketime.so: tests/pam/faketime.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -g -shared -fPIC -Wall -Wextra -o $@ $< -ldl

$(BUILD)/tests/syslogcap.so: tests/pam/syslogcap.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -g -shared -fPIC -Wall -Wextra -o $@ $< -ldl

unit: $(UNIT_BINS)
tools: $(TOOL_BINS)

$(BUILD)/locale/%/LC_MESSAGES/pam_privauth.mo: po/%.po
	@mkdir -p $(dir $@)
	msgfmt --check -o $@.tmp $< && mv $@.tmp $@

# Regenerate po/pam_privauth.pot from the sources in po/POTFILES and merge
# it into every po/LANG.po (then translate what is new or fuzzy).
pot:
	xgettext --keyword=_ --keyword=N_ --from-code=UTF-8 --language=C \
	  --add-comments=TRANSLATORS: --package-name=pam_privauth \
	  -o po/pam_privauth.pot $$(grep -v '^#' po/POTFILES)
	for l in $(LINGUAS); do \
	  msgmerge --quiet --update --backup=none po/$$l.po po/pam_privauth.pot || exit 1; \
	done

install: $(MODULE) $(CLI) $(MO_FILES)
	install -d $(DESTDIR)$(PAMDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(SYSCONFDIR)/privauth
	install -m 0644 $(MODULE) $(DESTDIR)$(PAMDIR)/pam_privauth.so
	install -m 0755 $(CLI) $(DESTDIR)$(SBINDIR)/privauthctl
	install -d $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 0644 man/privauth.conf.5 $(DESTDIR)$(MANDIR)/man5/privauth.conf.5
	install -m 0644 man/pam_privauth.8 man/privauthctl.8 $(DESTDIR)$(MANDIR)/man8/
	install -d $(DESTDIR)$(UNITDIR)
	for u in $(UNITS); do \
	  sed 's|/usr/sbin/privauthctl|$(SBINDIR)/privauthctl|' conf/systemd/$$u > $(DESTDIR)$(UNITDIR)/$$u && \
	  chmod 0644 $(DESTDIR)$(UNITDIR)/$$u || exit 1; \
	done
	for l in $(LINGUAS); do \
	  install -d $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES && \
	  install -m 0644 $(BUILD)/locale/$$l/LC_MESSAGES/pam_privauth.mo \
	    $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/pam_privauth.mo || exit 1; \
	done
	[ -e $(DESTDIR)$(SYSCONFDIR)/privauth/privauth.conf ] || \
	  install -m 0644 conf/privauth.conf $(DESTDIR)$(SYSCONFDIR)/privauth/privauth.conf

uninstall:
	rm -f $(DESTDIR)$(PAMDIR)/pam_privauth.so $(DESTDIR)$(SBINDIR)/privauthctl
	rm -f $(DESTDIR)$(MANDIR)/man5/privauth.conf.5 \
	  $(DESTDIR)$(MANDIR)/man8/pam_privauth.8 $(DESTDIR)$(MANDIR)/man8/privauthctl.8
	for l in $(LINGUAS); do rm -f $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/pam_privauth.mo; done
	rm -f $(addprefix $(DESTDIR)$(UNITDIR)/,$(UNITS))

deps:
	tests/deps.sh

# The README's test command: installs what it needs, runs every suite,
# ends with "N passed, N failed".
check: deps
	tests/run_all.sh

demo: deps
	$(MAKE) all
	tests/integration/demo.sh

bench: deps
	$(MAKE) all tools $(BUILD)/tests/bench_policy
	BUILD=$(BUILD) tests/bench/run_bench.sh
	BUILD=$(BUILD) tests/bench/run_policy_bench.sh

clean:
	rm -rf $(BUILD)

# Packages from a copy of the tree (packaging/): $(BUILD)/pkg/
# libpam-privauth_<version>_<arch>.deb and pam_privauth-<version>-1.<arch>.rpm.
# The version is the first line of packaging/debian/changelog.
.PHONY: deb rpm
deb:
	packaging/mkdeb.sh $(BUILD)/pkg
rpm:
	packaging/mkrpm.sh $(BUILD)/pkg

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# libFuzzer targets (clang): make fuzz; tests/fuzz/run_fuzz.sh runs each briefly.
FUZZ_SRC   := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS  := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))
.PHONY: fuzz
fuzz: $(FUZZ_BINS)
build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(LIB_SRC) $(BLOCKLIST_C)
	@mkdir -p $(dir $@)
	clang -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -Ipam_privauth \
	  $(PKG_CFLAGS) $(filter -DPVA_HAVE_ZXCVBN,$(CFLAGS)) -o $@ $< $(LIB_SRC) \
	  $(BLOCKLIST_C) $(PKG_LIBS)
