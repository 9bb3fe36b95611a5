#!/usr/bin/env bash
# Whole-process figures: what a user waits for, from exec to exit (start-up, the standard
# library, reading, checking, writing), measured by hyperfine without a shell in between
# (--shell=none) on a Release build, with the standard library stackc embeds (no
# STACKC_STDLIB), plus each command's peak RSS (GNU time). Prints each issue-21 target
# with MET or NOT MET. bench/run.sh gives the in-process figures, bench/scale.sh the
# growth with input size. Installs hyperfine and GNU time (Debian) through
# scripts/setup.sh when they are missing.
#   bench/whole-process.sh [RUNS]     (default 200 runs per command, after 20 warm-ups)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-200}
scripts/setup.sh hyperfine time >/dev/null
scripts/build.sh build-release -DCMAKE_BUILD_TYPE=Release >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
stackc=./build-release/stackc
site=examples/wordpress/site.stack
unset STACKC_STDLIB
echo "== whole process: $(hyperfine --version), $(nproc) cores, $(uname -m)," \
    "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load $(cut -d' ' -f1-3 /proc/loadavg)"
hyperfine --shell=none --warmup 20 --runs "$runs" --export-json "$out/times.json" \
    --command-name "stackc --version" "$stackc --version" \
    --command-name "stackc fmt --check (WordPress)" "$stackc fmt --check $site" \
    --command-name "stackc check (WordPress)" "$stackc check $site" \
    --command-name "stackc build (WordPress, rewriting its output)" "$stackc build $site -o $out/again" \
    --prepare "rm -rf $out/fresh" \
    --command-name "stackc build (WordPress, into a new folder)" "$stackc build $site -o $out/fresh" \
    >"$out/log"
# Peak RSS: the largest of 20 runs of each command.
rss() {
    local peak=0 kb
    for _ in $(seq 20); do
        kb=$(command time -f %M "$@" 2>&1 >/dev/null | tail -n 1)
        [ "$kb" -gt "$peak" ] && peak=$kb
    done
    echo "$peak"
}
rss_version=$(rss "$stackc" --version)
rss_fmt=$(rss "$stackc" fmt --check "$site")
rss_check=$(rss "$stackc" check "$site")
rss_build=$(rss "$stackc" build "$site" -o "$out/again")
python3 - "$out/times.json" "$rss_version" "$rss_fmt" "$rss_check" "$rss_build" "$rss_build" <<'PY'
import json, statistics, sys
results = json.load(open(sys.argv[1]))["results"]
rss = [int(kb) for kb in sys.argv[2:]]
print(f"{'command':<50} {'median ms':>10} {'min ms':>8} {'mean ± σ ms':>14} {'peak RSS':>10}")
for r, kb in zip(results, rss):
    times = [t * 1000 for t in r["times"]]
    print(f"{r['command']:<50} {statistics.median(times):>10.2f} {min(times):>8.2f} "
          f"{statistics.mean(times):>7.2f} ± {statistics.stdev(times):<5.2f} {kb / 1024:>7.1f} MB")
def target(name, value, limit, unit):
    print(f"target: {name} {value:.2f} {unit} (≤ {limit} {unit}): {'MET' if value <= limit else 'NOT MET'}")
median = {r["command"]: statistics.median(r["times"]) * 1000 for r in results}
print()
target("stackc --version, median", median["stackc --version"], 1.5, "ms")
target("WordPress stackc build, median", median["stackc build (WordPress, rewriting its output)"], 2, "ms")
target("WordPress stackc build, peak RSS", rss[3] / 1024, 8, "MB")
PY
