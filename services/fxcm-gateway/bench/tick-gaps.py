"""Natural gaps between consecutive ticks in the real FXCM EUR/USD archive, by UTC hour.

Usage: python3 services/fxcm-gateway/bench/tick-gaps.py [/path/to/eurusd-2014-05]
Prints, per UTC hour over all weekday files, the largest gap and the 99.9th percentile (seconds),
and the overall largest gap inside the trading week: the figures FXCM_STALE_SECONDS is chosen from.
Gaps across the weekly close (Friday 21:00 to Sunday 21:00 UTC) are not quiet markets and are
left out.
"""
import datetime as dt
import gzip
import os
import sys

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(__file__), "..", "..", "..", "..", "shared", "fxcm-data", "eurusd-2014-05")
root = os.path.abspath(root)
by_hour = {h: [] for h in range(24)}
worst = (0.0, None)
for name in sorted(os.listdir(root)):
    if not name.endswith("_ticks.csv.gz"):
        continue
    with gzip.open(os.path.join(root, name)) as f:
        text = f.read().decode("utf-16")
    prev = None
    for line in text.splitlines()[1:]:
        stamp = line.split(",", 1)[0]
        if not stamp:
            continue
        t = dt.datetime.strptime(stamp, "%m/%d/%Y %H:%M:%S.%f").replace(tzinfo=dt.timezone.utc)
        if prev is not None:
            gap = (t - prev).total_seconds()
            # the FX week: Sunday 21:00 UTC (17:00 New York, May) to Friday 21:00 UTC
            closed = prev.weekday() == 4 and prev.hour >= 20 or prev.weekday() == 5 or (
                prev.weekday() == 6 and prev.hour < 21)
            if not closed:
                by_hour[prev.hour].append(gap)
                if gap > worst[0]:
                    worst = (gap, prev.isoformat())
        prev = t


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else 0.0


print("hour_utc  ticks     max_gap_s  p99.9_s")
for h in range(24):
    xs = by_hour[h]
    print(f"{h:02d}        {len(xs):8d}  {max(xs, default=0):9.1f}  {pct(xs, 0.999):7.1f}")
print(f"largest gap inside the trading week: {worst[0]:.1f} s after {worst[1]}")
