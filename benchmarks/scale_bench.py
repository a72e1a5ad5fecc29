"""How pushes scale with server processes: PostgreSQL, and SQLite beside it.

    python benchmarks/scale_bench.py            # the full run (a few minutes)
    python benchmarks/scale_bench.py --quick    # fewer records, for a quick look
    python benchmarks/scale_bench.py --write    # and put the figures in docs/performance.md

The push of benchmarks/sync_bench.py (home visits in batches of 500, through
HTTP to `fvfield serve`) with 1 server process (waitress, 4 threads) and with
4 (`fvfield serve --workers 4`: gunicorn, 4 threads each), on a fresh
database each time, in three shapes:

1. one phone pushing to its team, batch after batch;
2. four phones of one team pushing at once (a team's pushes take turns:
   they share its change sequence);
3. four phones of four teams pushing at once (teams do not wait for each
   other on PostgreSQL; SQLite has one writer whatever the team).

PostgreSQL is a throwaway cluster (tests/pg.py) with fsync on, so that a
commit waits for the disk as it does in production. The phones are threads
of this process with their bodies serialised before the clock starts, a new
connection per push (as behind nginx). Each
figure is the best of 3 rounds on the same servers: on a shared machine that
drops the moments other work took the cores.
"""

import argparse
import datetime
import json
import os
import platform
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE))

from performance_doc import DOC, write_section  # noqa: E402
from pg import Cluster, unavailable  # noqa: E402
from realserver import RealServer, SyncClient, person_change, seed_instance  # noqa: E402
from sync_bench import BATCH, visit  # noqa: E402

SECTION = "## Several server processes"
PHONES = 4
SHAPES = {
    "one phone": (1, 1),
    "4 phones, one team": (PHONES, 1),
    "4 phones, 4 teams": (PHONES, PHONES),
}
PROCESSES = (1, 4)
ROUNDS = 3


def seed(instance, phones, teams, settings):
    """Seed users phone0@.. and teams team0.. (phone n in team n % teams); return the emails."""
    emails = [f"phone{n}@example.org" for n in range(phones)]
    seed_instance(
        instance,
        [(email, f"Phone {n}") for n, email in enumerate(emails)],
        [
            (
                f"team{t}",
                f"Team {t}",
                "care-circle",
                [(email, "member") for n, email in enumerate(emails) if n % teams == t],
            )
            for t in range(teams)
        ],
        **settings,
    )
    return emails


def bodies(phone, slug, person_id, records):
    """Return a phone's pushes as serialised JSON bodies of BATCH visits."""
    found = []
    for start in range(0, records, BATCH):
        changes = [visit(person_id, n) for n in range(start, min(start + BATCH, records))]
        found.append(json.dumps({"device_id": phone.device_id, "changes": changes}).encode())
    return found


def send(phone, slug, body):
    """POST a serialised push on a new connection; return the response.

    A new connection per push, as an nginx in front opens them by default:
    each push may reach any process, where a kept-alive connection would
    stay with the process that accepted it.
    """
    headers = {"Content-Type": "application/json", "Connection": "close", **phone.headers()}
    return phone.http.post(
        f"{phone.base_url}/api/v1/teams/{slug}/push", data=body, headers=headers, timeout=600
    )


def measure(folder, settings, processes, phones, teams, records):
    """Return (records/s, cores busy) of the best of ROUNDS rounds of phones pushing at once."""
    instance = Path(folder) / "instance"
    emails = seed(instance, phones, teams, settings)
    server = RealServer(instance, **settings)
    if processes > 1:
        server.options = ("--workers", str(processes), "--threads", "4")
    with server:
        work = []
        for n, email in enumerate(emails):
            phone, slug = SyncClient(server.url), f"team{n % teams}"
            phone.login(email)
            person = person_change(label=f"Person of phone {n}")
            warm = [visit(person["id"], k) for k in range(20)]
            # The person, then a few small pushes that warm every process up.
            for changes in ([person], *[warm[k : k + 5] for k in range(0, 20, 5)]):
                phone.push(slug, changes).raise_for_status()
            work.append((phone, slug, person["id"]))
        answers, rates = [], []
        for _ in range(ROUNDS):
            rounds = [(p, s, bodies(p, s, person_id, records)) for p, s, person_id in work]
            elapsed, cores = push_at_once(rounds, answers)
            rates.append((phones * records / elapsed, cores))
    for answer in answers:
        answer.raise_for_status()
        statuses = {r["status"] for r in answer.json()["results"]}
        if statuses != {"applied"}:
            raise SystemExit(f"a push was not applied: {statuses}")
    if "Traceback" in server.log():
        raise SystemExit(f"the server failed:\n{server.log()[-3000:]}")
    return max(rates)


def cpu_ticks():
    """Return (busy, all) CPU ticks of the machine since it started (/proc/stat)."""
    with open("/proc/stat") as stat:
        ticks = [int(value) for value in stat.readline().split()[1:]]
    return sum(ticks) - ticks[3] - ticks[4], sum(ticks)


def push_at_once(work, answers):
    """Let every phone push its bodies at once; return (seconds, cores the machine kept busy)."""
    start = threading.Barrier(len(work) + 1)

    def push_all(phone, slug, pushes):
        start.wait()
        for body in pushes:
            answers.append(send(phone, slug, body))

    threads = [threading.Thread(target=push_all, args=item) for item in work]
    for thread in threads:
        thread.start()
    start.wait()
    began, (busy, ticks) = time.perf_counter(), cpu_ticks()
    for thread in threads:
        thread.join()
    elapsed, (busy_after, ticks_after) = time.perf_counter() - began, cpu_ticks()
    return elapsed, (busy_after - busy) / (ticks_after - ticks) * os.cpu_count()


def run(store, cluster, records):
    """Return {(shape, processes): records/s} on one store."""
    figures = {}
    for shape, (phones, teams) in SHAPES.items():
        for processes in PROCESSES:
            with tempfile.TemporaryDirectory(prefix="fvfield-scale-") as folder:
                settings = {}
                url = None
                if store == "PostgreSQL":
                    url = cluster.create()
                    settings["DATABASE_URL"] = url
                try:
                    rate, cores = measure(folder, settings, processes, phones, teams, records)
                finally:
                    if url:
                        cluster.drop(url)
            figures[shape, processes] = rate, cores
            print(
                f"  {store:<10} {shape:<20} {processes} process{'es' if processes > 1 else '  '}"
                f" {rate:10,.0f} records/s, {cores:.1f} cores busy",
                flush=True,
            )
    return figures


def section(results, records, load_before, load_after):
    """Return the figures as the Markdown section of docs/performance.md."""
    rows = []
    for store, figures in results.items():
        for shape in SHAPES:
            (one, one_cores), (four, four_cores) = figures[shape, 1], figures[shape, 4]
            rows.append(
                f"| {store} | {shape} | {one:,.0f} ({one_cores:.1f}) | "
                f"{four:,.0f} ({four_cores:.1f}) | {four / one:.2f} × |"
            )
    table = "\n".join(rows)
    return f"""{SECTION}

Measured by `python benchmarks/scale_bench.py --write` on {datetime.date.today()}:
the push of the sync benchmark (home visits in batches of {BATCH}, {records:,} per
phone, through HTTP, a new connection per push) against 1 server process
(`fvfield serve`: waitress, 4 threads) and 4 (`fvfield serve --workers 4`:
gunicorn, 4 threads each), a fresh database each time; PostgreSQL {cluster_version()} on the same machine with fsync on.
{os.cpu_count()} cores for everything (servers, database, the phones), load
average {load_before:.1f} when the run started and {load_after:.1f} when it ended.

| store | shape | 1 process (cores busy) | 4 processes (cores busy) | scaling |
|---|---|---|---|---|
{table}

Records per second, all phones together, the best of {ROUNDS} rounds; in
brackets, how many of the machine's cores were busy meanwhile (the servers,
PostgreSQL and the phones together). A team's pushes take turns by design:
they share the team's change sequence, and committing in its order is what
lets a pull never skip a change, so one team's phones get no more than one
process's worth whatever the number of processes. Phones of different teams
push side by side on PostgreSQL (a lock per team); on SQLite every push
takes the database's one write lock. When the busy cores are close to all
the machine has, the cores are the limit, not the processes: 4 processes
then share the same cores as 1. Spread over machines (docs/deploying.md),
each app server brings its own cores, and PostgreSQL's.
"""


def cluster_version():
    """Return the PostgreSQL version the benchmark ran against."""
    from pg import binaries

    return binaries().parent.name


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1,000 records per phone")
    parser.add_argument("--write", action="store_true", help="write the figures into docs/performance.md")
    options = parser.parse_args()
    reason = unavailable()
    if reason:
        raise SystemExit(f"This benchmark needs PostgreSQL: {reason}.")
    records = 1_000 if options.quick else 4_000
    load_before = os.getloadavg()[0]
    print(
        f"fvfield push scaling benchmark{' (quick)' if options.quick else ''}: "
        f"{os.cpu_count()} cores, load average {load_before:.1f}, "
        f"Python {platform.python_version()}"
    )
    cluster = Cluster(durable=True).start()
    try:
        results = {store: run(store, cluster, records) for store in ("PostgreSQL", "SQLite")}
    finally:
        cluster.stop()
    if options.write:
        write_section(SECTION, section(results, records, load_before, os.getloadavg()[0]))
        print(f"  written to {DOC}")


if __name__ == "__main__":
    main()
