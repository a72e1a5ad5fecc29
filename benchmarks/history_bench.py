"""What a coordinator's pages and the exports cost as a team's history grows, against `fvfield serve`.

    python benchmarks/history_bench.py                    # 1,000 and 100,000 records
    python benchmarks/history_bench.py --sizes 1000 500000
    python benchmarks/history_bench.py --write            # and put the figures in docs/performance.md
    python benchmarks/history_bench.py --keep /tmp/history --sizes 500000   # seed once, reuse later

For each size, a fresh instance with a care-circle team gets that many home
visits through the real push API (batches of 500, by the coordinator's
phone): 50 people, visits spread over the last three years, one in twenty
raising a concern. Then, through HTTP, each coordinator page is fetched
(the fastest of 3, in ms, and its size), and both exports are downloaded
(seconds, and the server's peak resident memory while it answered).

Targets (issue 13): every page <= 300 ms and <= 1 MB at 500,000 records,
growing at most 2x from 1,000; the SQLite export of 500,000 records <= 10 s
with flat memory.
"""

import argparse
import datetime
import json
import os
import re
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from performance_doc import DOC, write_section  # noqa: E402
from realserver import RealServer, SyncClient, person_change, seed_instance, visit_change  # noqa: E402

SECTION = "## A team's history"
SLUG = "history-circle"
EMAIL = "coord@example.org"
BATCH = 500
PEOPLE = 50
YEARS = 3
TRIES = 3
TASKS = ["personal_care", "meal", "medication_prompt", "company"]


def visit(people, number, count, now):
    """Return the `number`th of `count` home visits, spread back over YEARS years from `now`."""
    when = now - datetime.timedelta(days=YEARS * 365 * (count - number) / count)
    return visit_change(
        subject_id=people[number % len(people)],
        recorded_at=when.replace(microsecond=0).isoformat(),
        answers={
            "time_in": f"{8 + number % 10:02d}:{number % 60:02d}",
            "time_out": f"{9 + number % 10:02d}:{number % 60:02d}",
            "tasks_done": TASKS[: 1 + number % len(TASKS)],
            "rating": 1 + number % 5,
            "notes": f"Visit {number}: chatted about the garden.",
            "concern": number % 20 == 0,
            **(
                {"concern_details": "Found on the floor.", "concern_urgency": "today"}
                if number % 20 == 0
                else {}
            ),
        },
    )


def push(phone, changes):
    """Push one batch and check that every change was applied."""
    answer = phone.push(SLUG, changes, timeout=600)
    answer.raise_for_status()
    statuses = {r["status"] for r in answer.json()["results"]}
    if statuses != {"applied"}:
        raise SystemExit(f"a push was not applied: {statuses} {answer.text[:500]}")


def seed(phone, count):
    """Push PEOPLE people and `count` visits; return (people ids, records/s of the pushes)."""
    people = [person_change(label=f"Person {n:02d}") for n in range(PEOPLE)]
    push(phone, people)
    ids = [p["id"] for p in people]
    now = datetime.datetime.now(datetime.UTC)
    started = time.perf_counter()
    for start in range(0, count, BATCH):
        push(phone, [visit(ids, n, count, now) for n in range(start, min(start + BATCH, count))])
    return ids, count / (time.perf_counter() - started)


class PeakMemory:
    """Sample a process's resident memory (VmRSS) while a block runs; `peak` is the largest, in MB."""

    def __init__(self, pid):
        self.pid, self.peak, self.running = pid, 0.0, False

    def rss(self):
        text = Path(f"/proc/{self.pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+)", text).group(1)) / 1024

    def sample(self):
        while self.running:
            self.peak = max(self.peak, self.rss())
            time.sleep(0.02)

    def __enter__(self):
        self.running, self.peak = True, self.rss()
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.running = False
        self.thread.join()


def fetch(phone, server, path):
    """Return (fastest ms of TRIES, bytes, status) of a page."""
    fastest, size, status = None, 0, None
    for _ in range(TRIES):
        started = time.perf_counter()
        answer = phone.http.get(server.url + path, timeout=600)
        elapsed = (time.perf_counter() - started) * 1000
        size, status = len(answer.content), answer.status_code
        fastest = elapsed if fastest is None else min(fastest, elapsed)
    return fastest, size, status


def download(phone, server, path):
    """Return (seconds, MB, server's peak MB, its MB before) of a download, streamed to nowhere."""
    with PeakMemory(server.process.pid) as memory:
        before = memory.peak
        started = time.perf_counter()
        size = 0
        with phone.http.get(server.url + path, timeout=1200, stream=True) as answer:
            answer.raise_for_status()
            for piece in answer.iter_content(1 << 16):
                size += len(piece)
        took = time.perf_counter() - started
    return took, size / 1e6, memory.peak, before


def pages(people):
    """Return [(name, path)] of the coordinator pages measured."""
    team = f"/teams/{SLUG}"
    return [
        ("home page (counts)", "/"),
        ("records, newest", f"{team}/records"),
        ("records, oldest page", f"{team}/records?oldest=1"),
        ("records of a person", f"{team}/records?subject={people[7]}"),
        ("records raising a concern", f"{team}/records?flag=concern"),
        ("concerns queue", f"{team}/concerns"),
        ("dashboard, last 12 weeks", f"{team}/dashboard"),
        ("dashboard, all time", f"{team}/dashboard?period=all"),
    ]


def measure(count, keep=None):
    """Seed a fresh instance with `count` records (or reuse the one kept under `keep`); return its figures."""
    with tempfile.TemporaryDirectory(prefix="fvfield-history-") as folder:
        instance = Path(keep or folder) / f"records-{count}"
        seeded = instance / "seeded.json"
        if not seeded.exists():
            seed_instance(
                instance,
                [(EMAIL, "Coordinator")],
                [(SLUG, "History circle", "care-circle", [(EMAIL, "coordinator")])],
            )
        server = RealServer(instance).start()
        try:
            phone = SyncClient(server.url, device_id=str(uuid.uuid4()))
            phone.login(EMAIL)
            if seeded.exists():
                kept = json.loads(seeded.read_text())
                people, rate = kept["people"], kept["push"]
                print(f"  {count:,} records kept in {instance} (pushed at {rate:,.0f} records/s then)")
            else:
                people, rate = seed(phone, count)
                seeded.write_text(json.dumps({"people": people, "push": rate}))
                print(
                    f"  {count:,} records pushed at {rate:,.0f} records/s "
                    f"(load average {os.getloadavg()[0]:.1f})"
                )
            found = {"push": rate, "pages": {}}
            # The first dashboard after the pushes counts every day's tallies once; later views only the days changed.
            started = time.perf_counter()
            phone.http.get(f"{server.url}/teams/{SLUG}/dashboard", timeout=1200).raise_for_status()
            found["first dashboard"] = (time.perf_counter() - started) * 1000
            print(f"  {'first dashboard (tallies built)':32} {found['first dashboard']:9.1f} ms")
            for name, path in pages(people):
                ms, size, status = fetch(phone, server, path)
                if status != 200:
                    raise SystemExit(f"{path} answered {status}")
                found["pages"][name] = (ms, size)
                print(f"  {name:32} {ms:9.1f} ms {size / 1000:9.1f} KB")
            for name, path in (
                ("CSV export", f"/teams/{SLUG}/export/home-visit.csv"),
                ("SQLite export", f"/teams/{SLUG}/export/sqlite"),
            ):
                took, mb, peak, before = download(phone, server, path)
                found[name] = (took, mb, peak, before)
                print(
                    f"  {name:32} {took:9.2f} s  {mb:9.1f} MB, server {before:.0f} MB before, {peak:.0f} MB at most"
                )
        finally:
            server.stop()
    return found


def section(sizes, results, load_before, load_after):
    """Return the figures as the Markdown section of docs/performance.md."""
    small, large = sizes[0], sizes[-1]
    head = " | ".join(f"{size:,} records" for size in sizes)
    lines = [
        SECTION,
        "",
        f"Measured by `python benchmarks/history_bench.py --write --sizes {' '.join(map(str, sizes))}` on "
        f"{datetime.date.today()}: `fvfield serve` (waitress, 4 threads, SQLite) on a fresh instance per size and the "
        f"client on the same machine, {os.cpu_count()} cores shared with other work: load average {load_before:.1f} "
        f"when the run started and {load_after:.1f} when it ended. Each team got its records through the push API "
        f"(home visits of {PEOPLE} people over {YEARS} years, one in twenty raising a concern). Pages: the fastest of "
        f"{TRIES}, and their size.",
        "",
        f"| what | {head} | growth | target |",
        "|---|" + "---|" * len(sizes) + "---|---|",
    ]
    for name in results[small]["pages"]:
        cells = [
            f"{results[s]['pages'][name][0]:,.0f} ms, {results[s]['pages'][name][1] / 1000:,.0f} KB"
            for s in sizes
        ]
        growth = results[large]["pages"][name][0] / results[small]["pages"][name][0]
        lines.append(f"| {name} | {' | '.join(cells)} | {growth:.1f} × | ≤ 300 ms, ≤ 1 MB, ≤ 2 × |")
    for name in ("CSV export", "SQLite export"):
        cells = [
            f"{results[s][name][0]:.1f} s, {results[s][name][1]:.1f} MB; server {results[s][name][3]:.0f} → "
            f"{results[s][name][2]:.0f} MB"
            for s in sizes
        ]
        target = "≤ 10 s at 500,000, flat memory" if name == "SQLite export" else "streamed"
        lines.append(f"| {name} | {' | '.join(cells)} | | {target} |")
    cells = [f"{results[s]['first dashboard']:,.0f} ms" for s in sizes]
    lines.append(
        f"| first dashboard after the pushes (every day's tallies counted once) | {' | '.join(cells)} | | |"
    )
    cells = [f"{results[s]['push']:,.0f} records/s" for s in sizes]
    lines.append(f"| seeding push (batches of {BATCH}) | {' | '.join(cells)} | | |")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 100_000], help="records per team")
    parser.add_argument("--write", action="store_true", help="write the figures into docs/performance.md")
    parser.add_argument(
        "--keep",
        metavar="FOLDER",
        help="keep each size's seeded instance in FOLDER/records-N and reuse it when it is already there "
        "(`fvfield serve` brings its schema up to date)",
    )
    options = parser.parse_args()
    load_before = os.getloadavg()[0]
    print(f"fvfield history benchmark: {os.cpu_count()} cores, load average {load_before:.1f} at start")
    results = {}
    for size in options.sizes:
        print(f"team of {size:,} records")
        results[size] = measure(size, options.keep)
    load_after = os.getloadavg()[0]
    print(f"load average {load_after:.1f} at the end")
    if options.write:
        write_section(SECTION, section(options.sizes, results, load_before, load_after))
        print(f"  written to {DOC}")


if __name__ == "__main__":
    main()
