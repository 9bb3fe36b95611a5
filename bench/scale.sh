#!/usr/bin/env bash
# Growth with input size, whole process: `stackc build` (and `check`) of generated programs
# (bench/stackgen: sites of six component instances, ten sites a stack; and chains of
# stacks, each reading the one before), at sizes that double, each once in a fresh
# process into a fresh folder. Prints time (the fastest run's, the median run's and the
# fastest run's system time), peak RSS, each doubling's ratios and the exponent fitted to
# all sizes (1.0 is linear), and the issue-21 targets with MET or NOT MET. Each size runs
# five times (STACKC_BENCH_REPEATS), a quick one until it has taken a second (at most ten
# times), and the fastest counts: other work on a shared machine only ever adds time.
# Peak RSS grows to about 21 KB an instance: 100,000 instances need ~2.1 GB.
#   bench/scale.sh [MAX_INSTANCES [MAX_STACKS]]   (default 100000 and 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
max_instances=${1:-100000}
max_stacks=${2:-10000}
# Each size runs this often and the fastest run counts. Five, not three: the biggest
# sizes' system time is the machine's (see the host line), and with three runs the same
# binary's fastest 100,000-instance build read anything from 5.6 to 7.4 s.
repeats=${STACKC_BENCH_REPEATS:-5}
scripts/setup.sh time >/dev/null
scripts/build.sh build-release -DCMAKE_BUILD_TYPE=Release >/dev/null
# Outputs go to memory (/dev/shm) when it is there: thousands of templates written to a
# disk measure the file system (on this machine's ext4 with `discard`, most of a chain's
# build), not the compiler.
work=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)
trap 'rm -rf "$work"' EXIT
stackc=./build-release/stackc
unset STACKC_STDLIB

# series KIND COMMAND SIZES...: one line per size, then the fit.
series() {
    local kind=$1 command=$2
    shift 2
    echo "== stackc $command, $kind"
    for n in "$@"; do
        ./build-release/bench/stackgen "$kind" "$n" >"$work/input.stack"
        rm -rf "$work/out"
        local args=("$command" "$work/input.stack")
        [ "$command" = build ] && args+=(-o "$work/out")
        local best=0 peak=0 runs=0 spent=0 best_sys=0 times=()
        # At least $repeats runs; a size that runs in a fraction of a second runs until
        # it has taken a second (at most ten times): a 30 ms build moves by a third from
        # run to run, and its best of three alone made a doubling read 1.1.
        while [ "$runs" -lt "$repeats" ] || { [ "$spent" -lt 1000000 ] && [ "$runs" -lt 10 ]; }; do
            rm -rf "$work/out"
            local start end
            start=$(date +%s%N)
            command time -f "%M %S" -o "$work/rss" "$stackc" "${args[@]}" >/dev/null 2>"$work/err" ||
                { echo "stackc $command failed at $n:"; tail -n 5 "$work/err"; exit 1; }
            end=$(date +%s%N)
            local us=$(((end - start) / 1000)) kb sys
            read -r kb sys <<<"$(tail -n 1 "$work/rss")"
            if [ "$best" -eq 0 ] || [ "$us" -lt "$best" ]; then
                best=$us best_sys=${sys/./}0000
            fi
            [ "$kb" -gt "$peak" ] && peak=$kb
            times+=("$us")
            runs=$((runs + 1)) spent=$((spent + us))
        done
        local median
        median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")
        local us=$best kb=$peak
        [ "$command" = build ] && echo "$n $(du -sb "$work/out" | cut -f1)" >>"$work/$kind-output.rows"
        echo "$n $(stat -c %s "$work/input.stack") $us $kb $((10#$best_sys)) $median"
    done | python3 bench/scale_fit.py "$work/$kind-$command.rows"
    echo
}

# The machine: a virtual machine whose balloon driver reports free memory to its host
# (virtio free page reporting, feature bit 5) hands memory freed a few seconds ago back,
# and huge pages of it cost up to fifty times more to write again (bench/first_touch).
host_line() {
    local reporting=off order
    for features in /sys/bus/virtio/drivers/virtio_balloon/*/features; do
        [ -r "$features" ] && [ "$(cut -c6 "$features")" = 1 ] && reporting=on
    done
    order=$(cat /sys/module/page_reporting/parameters/page_reporting_order 2>/dev/null || echo "")
    echo -n "host: $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg); free page reporting to the hypervisor: $reporting"
    [ "$reporting" = on ] && [ -n "$order" ] && echo -n " (free blocks of $((4 << order)) KB and up)"
    echo
    echo
}
host_line

sizes() { # doubling up to $1, from $2
    local n=$2
    while [ "$n" -lt "$1" ]; do echo "$n"; n=$((n * 2)); done
    echo "$1"
}
series instances check $(sizes "$max_instances" 3125)
series instances build $(sizes "$max_instances" 3125)
series chain check $(sizes "$max_stacks" 625)
series chain build $(sizes "$max_stacks" 625)
python3 - "$work" "$max_instances" "$max_stacks" <<'PY'
import sys
work = sys.argv[1]
def rows(name):
    return [tuple(int(x) for x in line.split()) for line in open(f"{work}/{name}.rows")]
def target(name, ok, detail):
    print(f"target: {name}: {detail}: {'MET' if ok else 'NOT MET'}")
build = {r[0]: r for r in rows("instances-build")}
if 10000 in build:
    target("10,000 instances built in < 1 s", build[10000][2] < 1e6, f"{build[10000][2] / 1e6:.2f} s")
output = {int(n): int(b) for n, b in (line.split() for line in open(f"{work}/instances-output.rows"))}
largest = max(build)
kb_each = build[largest][3] / largest
out_kb_each = output[largest] / 1024 / largest
target(f"build memory ≤ 20 KB an instance plus the output, at {largest:,} instances",
       kb_each - out_kb_each <= 20,
       f"peak {kb_each:.1f} KB an instance, against 20 KB plus the {out_kb_each:.1f} KB of "
       "templates written")
for name, label in (("instances-build", "instances"), ("chain-build", "chained stacks")):
    r = rows(name)
    worst_t = max(b[2] / a[2] * a[0] / b[0] for a, b in zip(r, r[1:]))
    worst_m = max(b[3] / a[3] * a[0] / b[0] for a, b in zip(r, r[1:]))
    # Not the target, which counts the whole time: the same without the system time of
    # the fastest runs, to show which part of a doubling's excess the machine's is. Only
    # for doublings from a second up: GNU time counts system time in hundredths.
    own = [(b[2] - b[4]) / (a[2] - a[4]) * a[0] / b[0] for a, b in zip(r, r[1:]) if a[2] >= 1e6]
    without = f" ({max(own):.2f}× without system time)" if own else ""
    target(f"{label}: time and memory ≤ 1.1× per doubling", worst_t <= 1.1 and worst_m <= 1.1,
           f"worst time {worst_t:.2f}×{without}, worst memory {worst_m:.2f}× "
           "(per doubling, per unit)")
PY
