"""``make sample`` / ``python -m leanetl.sample``: fill this local home with the sample sources."""

import argparse
import sys

from leanetl.sample.prepare import demo_days, prepare
from leanetl.settings import settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--days", type=int, default=14, help="dated sample days up to yesterday (default 14)"
    )
    args = parser.parse_args(argv)
    current = settings()
    if not current.is_local:
        print(
            "sample data goes into the local environment only; unset LEANETL_ENV", file=sys.stderr
        )
        return 2
    days = demo_days(current, args.days)
    written = prepare(current, [*days, current.today()])
    print(f"sample sources in {current.home} for {days[0]} to {current.today()}:")
    for domain, count in written.items():
        print(f"  {domain:<11} {count} new" + ("" if count else " (kept what was there)"))
    print("LEANETL_SAMPLE_DATA is on for this home (the sample Facebook and Chatfuel APIs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
