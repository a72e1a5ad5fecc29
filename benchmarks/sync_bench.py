"""How fast the sync API is through HTTP, against the real server (`fvfield serve`).

    python benchmarks/sync_bench.py            # the full run (about two minutes)
    python benchmarks/sync_bench.py --quick    # a smaller run, for a quick look
    python benchmarks/sync_bench.py --write    # and put the figures in docs/performance.md

Each part starts `fvfield serve` on a fresh instance (a temporary folder), with
a care-circle team, a member and a person, and measures through HTTP:

1. pushing home-visit records (valid answers, form version 1, about the person)
   in batches of 500: records per second;
2. a full pull of those records, page by page: records per second;
3. an incremental pull of 10 new records on top of 1,000 stored records and on
   top of 100,000 (all pushed through HTTP): milliseconds each, and the ratio.

Targets (docs/performance.md): at least 15,000 records/s for pushes on a
2-core machine; the incremental pull on top of 100,000 at most 1.5 times the
one on top of 1,000.
"""

import argparse
import datetime
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from performance_doc import DOC, write_section  # noqa: E402
from realserver import RealServer, SyncClient, person_change, seed_instance, visit_change  # noqa: E402

SECTION = "## Sync API"
SLUG = "bench-circle"
EMAIL = "carer@example.org"
BATCH = 500
ROUNDS = 30
TASKS = ["personal_care", "meal", "medication_prompt", "company"]


def start_server(folder):
    """Start a server on a fresh instance with a care circle, a member and a person."""
    instance = Path(folder) / "instance"
    seed_instance(
        instance,
        [(EMAIL, "Bench Carer")],
        [(SLUG, "Bench circle", "care-circle", [(EMAIL, "member")])],
    )
    server = RealServer(instance).start()
    phone = SyncClient(server.url)
    phone.login(EMAIL)
    person = person_change(label="Edna Example")
    push(phone, [person])
    return server, phone, person["id"]


def visit(person_id, number):
    """Return a new home visit with the answers a carer typically gives."""
    return visit_change(
        subject_id=person_id,
        answers={
            "time_in": f"{8 + number % 10:02d}:{number % 60:02d}",
            "time_out": f"{9 + number % 10:02d}:{number % 60:02d}",
            "tasks_done": TASKS[: 1 + number % len(TASKS)],
            "medicines": "prompted",
            "food_drink": "Porridge and a cup of tea; drank most of it.",
            "own_words": "I slept badly but I'm glad you came.",
            "rating": 1 + number % 5,
            "notes": f"Visit {number}: chatted about the garden, fridge checked.",
            "concern": False,
        },
    )


def push(phone, changes):
    """Push one batch and check that every change was applied."""
    answer = phone.push(SLUG, changes, timeout=600)
    answer.raise_for_status()
    statuses = {r["status"] for r in answer.json()["results"]}
    if statuses != {"applied"}:
        raise SystemExit(f"a push was not applied: {statuses} {answer.text[:500]}")


def push_all(phone, person_id, count, first=0):
    """Push `count` new visits in batches of 500; return the seconds the pushes took."""
    batches = [
        [visit(person_id, n) for n in range(start, min(start + BATCH, first + count))]
        for start in range(first, first + count, BATCH)
    ]
    started = time.perf_counter()
    for batch in batches:
        push(phone, batch)
    return time.perf_counter() - started


def incremental_pull_ms(phone, person_id, cursor, tries=5):
    """Push 10 records, then pull them with `cursor`; return (the fastest of `tries` pulls, cursor).

    The same pull is made `tries` times: on a shared machine the fastest drops
    the moments the server waited for a core, not the work of the pull.
    """
    push(phone, [visit(person_id, n) for n in range(10)])
    fastest = None
    for _ in range(tries):
        started = time.perf_counter()
        answer = phone.pull(SLUG, since=cursor)
        elapsed = time.perf_counter() - started
        page = answer.json()
        if len(page["changes"]) != 10 or page["more"]:
            raise SystemExit(f"an incremental pull did not hold the 10 new records: {answer.text[:300]}")
        fastest = elapsed if fastest is None else min(fastest, elapsed)
    return fastest * 1000, page["cursor"]


def measure_push_and_full_pull(records):
    """Return (push records/s, full pull records/s) on a fresh instance."""
    with tempfile.TemporaryDirectory(prefix="fvfield-bench-") as folder:
        server, phone, person_id = start_server(folder)
        try:
            pushing = push_all(phone, person_id, records)
            started = time.perf_counter()
            documents, _ = phone.pull_all(SLUG)
            pulling = time.perf_counter() - started
            pulled = sum(1 for d in documents if d["collection"] == "records")
            if pulled != records:
                raise SystemExit(f"the full pull held {pulled} records, not {records}")
        finally:
            server.stop()
    return records / pushing, records / pulling


def measure_incremental(small, large, rounds):
    """Return (ms on top of `small` records, ms on top of `large`, seconds to push `large`).

    Two servers run side by side, one per size, and the rounds alternate
    between them, so that whatever else the machine does weighs on both.
    """
    with tempfile.TemporaryDirectory(prefix="fvfield-bench-") as folder:
        servers = []
        try:
            sides = []
            for name, count in (("small", small), ("large", large)):
                server, phone, person_id = start_server(Path(folder) / name)
                servers.append(server)
                took = push_all(phone, person_id, count)
                _, cursor = phone.pull_all(SLUG)
                sides.append([phone, person_id, cursor, [], took])
            for number in range(rounds + 2):
                for side in sides:
                    elapsed, side[2] = incremental_pull_ms(side[0], side[1], side[2])
                    if number >= 2:  # the first two rounds warm the caches
                        side[3].append(elapsed)
        finally:
            for server in servers:
                server.stop()
    return statistics.median(sides[0][3]), statistics.median(sides[1][3]), sides[1][4]


def section(figures):
    """Return the figures as the Markdown section of docs/performance.md."""
    f = figures
    within = lambda ok: "within" if ok else "**missed**"  # noqa: E731
    return f"""{SECTION}

Measured by `python benchmarks/sync_bench.py --write` on {datetime.date.today()}:
`fvfield serve` (waitress, 4 threads) on a fresh instance per part and the
client on the same machine: {os.cpu_count()} cores, load average {f["load_before"]:.1f} when the
run started and {f["load_after"]:.1f} when it ended (other work shared the cores).
Everything went through HTTP, the 100,000 stored records included. Records
are home visits with typical answers, form version 1, about a person.

| what | target | measured | |
|---|---|---|---|
| push {f["records"]:,} records, batches of {BATCH} | ≥ 15,000 records/s | {f["push"]:,.0f} records/s | {within(f["push"] >= 15_000)} |
| full pull of those {f["records"]:,} (pages of 500) | | {f["pull"]:,.0f} records/s | |
| incremental pull of 10 new records on {f["small"]:,} stored | | {f["on_small"]:.1f} ms | |
| the same on {f["large"]:,} stored (pushed through HTTP at {f["grow"]:,.0f} records/s) | ≤ 1.5 × | {f["on_large"]:.1f} ms ({f["ratio"]:.2f} ×) | {within(f["ratio"] <= 1.5)} |

Incremental pulls: two servers run side by side (one per size) and the rounds
alternate between them; each round pushes 10 records, then makes the same pull
5 times and keeps the fastest; the figure is the median of {f["rounds"]} rounds.
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="push 2,000 records and compare pulls on 1,000 and 10,000"
    )
    parser.add_argument("--write", action="store_true", help="write the figures into docs/performance.md")
    options = parser.parse_args()
    load_before = os.getloadavg()[0]
    records, small, large = (2_000, 1_000, 10_000) if options.quick else (10_000, 1_000, 100_000)
    rounds = 10 if options.quick else ROUNDS

    print(f"fvfield sync benchmark{' (quick)' if options.quick else ''}")
    print(
        f"  machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )
    print("  server: fvfield serve (waitress), fresh instance per part, all data through HTTP")

    push_rate, pull_rate = measure_push_and_full_pull(records)
    print(
        f"push {records:,} home visits, batches of {BATCH}:   {push_rate:10,.0f} records/s"
        f"   (target >= 15,000)"
    )
    print(f"full pull of {records:,} records:            {pull_rate:10,.0f} records/s")

    on_small, on_large, growing = measure_incremental(small, large, rounds)
    print(f"incremental pull, 10 new on {small:,}:     {on_small:10.1f} ms (median of {rounds})")
    print(f"incremental pull, 10 new on {large:,}:   {on_large:10.1f} ms (median of {rounds})")
    print(f"ratio:                                   {on_large / on_small:10.2f} x   (target <= 1.5)")
    grow_rate = large / growing
    print(
        f"  ({large:,} records were pushed through HTTP in {growing:.0f} s, "
        f"{grow_rate:,.0f} records/s, load average now {os.getloadavg()[0]:.1f})"
    )
    if options.write:
        write_section(
            SECTION,
            section(
                dict(
                    records=records,
                    push=push_rate,
                    pull=pull_rate,
                    small=small,
                    large=large,
                    on_small=on_small,
                    on_large=on_large,
                    ratio=on_large / on_small,
                    grow=grow_rate,
                    rounds=rounds,
                    load_before=load_before,
                    load_after=os.getloadavg()[0],
                )
            ),
        )
        print(f"  written to {DOC}")


if __name__ == "__main__":
    main()
