#!/usr/bin/env bash
# `make fuzz`: libFuzzer against the CBOR decoder and the attestation parsers (every format's statement parsing),
# each for FUZZ_SECONDS (default 120). A crash, a hang (FUZZ_TIMEOUT seconds on one input, default 5) or memory
# past FUZZ_RSS_MB (default 1024) fails the run and leaves the input under .build/fuzz/findings/, replayable with
# `.build/debug/webauthn-fuzz TARGET FILE`. The instrumented build (AddressSanitizer and libFuzzer's coverage) has
# its own build directory (.build/fuzz), so the ordinary one is left alone.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/prereqs.sh

seconds="${FUZZ_SECONDS:-120}"
timeout="${FUZZ_TIMEOUT:-5}"
rss="${FUZZ_RSS_MB:-1024}"
work=.build/fuzz
# libFuzzer without its own main: webauthn-fuzz has one (it calls LLVMFuzzerRunDriver), and so do the package's
# build tools, which the same flags reach; `-sanitize=fuzzer` would link a second main into each.
runtime=$(ls "$(dirname "$(readlink -f "$(command -v swiftc)")")"/../lib/clang/*/lib/linux/libclang_rt.fuzzer_no_main-x86_64.a \
  2>/dev/null | head -n 1)
if [ -z "$runtime" ]; then
  echo "This Swift toolchain has no libFuzzer runtime (libclang_rt.fuzzer_no_main)." >&2
  exit 2
fi
flags=(-Xswiftc -sanitize=address -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table
  -Xswiftc -DFUZZING -Xlinker "$runtime" -Xlinker -lstdc++)
echo "Building the fuzz targets, instrumented (the first build takes several minutes)"
swift build -c release --product webauthn-fuzz --scratch-path "$work/build" "${flags[@]}"
bin="$(swift build -c release --product webauthn-fuzz --scratch-path "$work/build" "${flags[@]}" --show-bin-path)/webauthn-fuzz"

mkdir -p "$work/findings"
status=0
for target in cbor attestation; do
  corpus="$work/corpus/$target"
  mkdir -p "$corpus"
  python3 Fuzz/make_seeds.py "$work/seeds"
  echo "== $target: $seconds s =="
  # -detect_leaks=0: Swift's runtime keeps metadata caches that a leak checker would report on every input.
  FUZZ_TARGET=$target "$bin" "$corpus" "$work/seeds/$target" -max_total_time="$seconds" -timeout="$timeout" \
    -rss_limit_mb="$rss" -malloc_limit_mb="$rss" -max_len=65536 -detect_leaks=0 -print_final_stats=1 \
    -artifact_prefix="$work/findings/$target-" 2>&1 | tail -n 25 || status=1
done
if [ "$status" -ne 0 ] || compgen -G "$work/findings/*" >/dev/null; then
  echo "fuzz: findings in $work/findings/" >&2
  exit 1
fi
echo "fuzz: no crash, hang or memory blow-up"
