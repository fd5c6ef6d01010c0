#!/bin/bash
# Run each libFuzzer target for a short, bounded time (TAP).  Seeds come
# from the example configuration and a few hand-written records.
set -u
cd "$(dirname "$0")/../.."
SECS=${FUZZ_SECONDS:-20}
make -s fuzz >/dev/null || { echo "not ok 1 - build fuzz targets"; exit 1; }
n=0 bad=0
for f in build/fuzz/fuzz_*; do
	[ -x "$f" ] && [ -f "$f" ] || continue
	name=$(basename "$f"); n=$((n + 1))
	corpus=build/fuzz/corpus-$name; mkdir -p "$corpus"
	case $name in
	fuzz_config) cp conf/privauth.conf "$corpus/seed-example" ;;
	fuzz_message) printf '%s' '{code} is your code for {service} on {host}, {ttl_min} min' > "$corpus/seed" ;;
	fuzz_counters) printf 'v=1\nname=host\nsends=100:1,200:3\n' > "$corpus/seed" ;;
	fuzz_state) printf 'v=1\nuser=alice\nfails=1\nlockouts=0\nlocked_until=0\nsends=100,200\n' > "$corpus/seed" ;;
	esac
	if LSAN_OPTIONS=suppressions=tests/fuzz/lsan.supp "$f" -max_total_time="$SECS" -max_len=4096 -artifact_prefix=build/fuzz/ "$corpus" >"build/fuzz/$name.log" 2>&1; then
		echo "ok $n - $name ran ${SECS}s without a crash ($(grep -c . "$corpus"/* 2>/dev/null | wc -l) inputs)"
	else
		echo "not ok $n - $name crashed"; tail -30 "build/fuzz/$name.log" | sed 's/^/# /'; bad=1
	fi
done
exit $bad
