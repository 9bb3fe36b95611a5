"""Reads `size bytes microseconds peak-KB system-microseconds median-microseconds` lines
(bench/scale.sh: the fastest run's time, the peak RSS, the fastest run's system time and
the median run's time) and prints the table, each step's cost per unit against the step
before (1.00 is linear) and the exponent fitted to all sizes; appends the rows to the
file named by the first argument."""
import math
import sys

rows = [tuple(int(x) for x in line.split()) for line in sys.stdin if line.strip()]
print(f"{'size':>8} {'bytes':>11} {'seconds':>9} {'median s':>9} {'system s':>9} "
      f"{'peak MB':>9} {'time/unit x':>12} {'RSS/unit x':>11} {'KB/unit':>8} {'MB/s':>6}")
previous = None
for n, size, us, kb, system_us, median_us in rows:
    ratio = ""
    if previous:
        ratio = f"{us / previous[2] * previous[0] / n:>12.2f} {kb / previous[3] * previous[0] / n:>11.2f}"
    print(f"{n:>8} {size:>11} {us / 1e6:>9.3f} {median_us / 1e6:>9.3f} {system_us / 1e6:>9.2f} "
          f"{kb / 1024:>9.1f} {ratio:>24} {kb / n:>8.1f} {size / us:>6.1f}")
    previous = (n, size, us, kb)


def fit(values):
    xs = [math.log(r[0]) for r in rows]
    ys = [math.log(v) for v in values]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


if len(rows) > 1:
    print(f"fitted exponent: time {fit([r[2] for r in rows]):.2f}, "
          f"peak RSS {fit([r[3] for r in rows]):.2f} (1.00 is linear)")
with open(sys.argv[1], "a") as f:
    for r in rows:
        f.write(" ".join(str(x) for x in r) + "\n")
