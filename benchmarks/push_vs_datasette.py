"""fvfield's push beside Datasette's JSON insert API, on the same rows, in one run.

    python -m venv /tmp/datasette-1 && /tmp/datasette-1/bin/pip install 'datasette==1.0a41'
    python benchmarks/push_vs_datasette.py --datasette /tmp/datasette-1/bin/datasette
    python benchmarks/push_vs_datasette.py --datasette ... --write   # and into docs/performance.md

Datasette 1.0's `POST /<db>/<table>/-/insert` is a bare insert: it takes rows
and writes them. fvfield's push does more with each record: it checks the
change and its answers against the form, writes the document and its revision,
keeps the change id so a retry is answered "duplicate", and counts the
dashboard's numbers. The target (issue 13, docs/performance.md) is a push at
least as fast as the bare insert: ratio >= 1.0.

Both servers run on this machine, each on a fresh database, and are sent the
same home visits (fvfield as push changes, Datasette as rows of a table with
the same columns, the answers as JSON text) in batches of 500 over one HTTP
connection. The rounds alternate between the two, so that whatever else the
machine does weighs on both; the figure is the median of the rounds.
Datasette 1.0 is an alpha with dependencies of its own: it runs from its own
virtual environment, never fvfield's.
"""

import argparse
import datetime
import json
import os
import secrets
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from performance_doc import DOC, write_section  # noqa: E402
from realserver import free_port  # noqa: E402
from sync_bench import BATCH, push, start_server, visit  # noqa: E402

SECTION = "## Push beside a bare insert API"
COLUMNS = ("id", "form", "form_version", "subject_id", "recorded_at", "data")


class DatasetteServer:
    """`datasette serve` on a fresh SQLite file with a records table, and a token to insert with."""

    def __init__(self, command, folder):
        self.command = command
        self.database = Path(folder) / "bench.db"
        self.secret = secrets.token_hex(16)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None
        self.http = requests.Session()

    def start(self):
        with sqlite3.connect(self.database) as db:
            db.execute(
                "create table records (id text primary key, form text, form_version integer,"
                " subject_id text, recorded_at text, data text)"
            )
        token = subprocess.run(
            [self.command, "create-token", "root", "--secret", self.secret],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.process = subprocess.Popen(
            [
                self.command,
                "serve",
                str(self.database),
                "--secret",
                self.secret,
                "--root",
                "-p",
                str(self.port),
            ]
            + ["--setting", "max_insert_rows", str(BATCH)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(300):
            try:
                if self.http.get(f"{self.url}/-/versions.json", timeout=2).ok:
                    return self
            except requests.ConnectionError:
                time.sleep(0.1)
        raise SystemExit("datasette did not start")

    def version(self):
        return self.http.get(f"{self.url}/-/versions.json", timeout=10).json()["datasette"]["version"]

    def insert(self, rows):
        answer = self.http.post(f"{self.url}/bench/records/-/insert", json={"rows": rows}, timeout=600)
        if answer.status_code != 201:
            raise SystemExit(f"datasette answered {answer.status_code}: {answer.text[:300]}")

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=30)


def as_row(change):
    """The same record as a row of the bare table."""
    row = {name: change[name] for name in COLUMNS if name != "data"}
    row["data"] = json.dumps(change["data"], separators=(",", ":"))
    return row


def rounds_side_by_side(datasette_command, per_round, rounds):
    """Return ([fvfield records/s per round], [datasette records/s per round], datasette version)."""
    with tempfile.TemporaryDirectory(prefix="fvfield-bench-") as folder:
        server, phone, person_id = start_server(Path(folder) / "fvfield")
        datasette = DatasetteServer(datasette_command, folder).start()
        try:
            ours, theirs = [], []
            for number in range(rounds + 1):
                first = number * per_round
                batches = [
                    [visit(person_id, n) for n in range(start, start + BATCH)]
                    for start in range(first, first + per_round, BATCH)
                ]
                rows = [[as_row(change) for change in batch] for batch in batches]
                started = time.perf_counter()
                for batch in batches:
                    push(phone, batch)
                fvfield_rate = per_round / (time.perf_counter() - started)
                started = time.perf_counter()
                for batch in rows:
                    datasette.insert(batch)
                datasette_rate = per_round / (time.perf_counter() - started)
                if number:  # the first round warms both up
                    ours.append(fvfield_rate)
                    theirs.append(datasette_rate)
                    print(
                        f"  round {number}: fvfield {fvfield_rate:8,.0f}/s   datasette {datasette_rate:8,.0f}/s"
                        f"   ratio {fvfield_rate / datasette_rate:.2f}   load {os.getloadavg()[0]:.1f}"
                    )
            return ours, theirs, datasette.version()
        finally:
            datasette.stop()
            server.stop()


def section(f):
    within = "within" if f["ratio"] >= 1.0 else "**missed**"
    return f"""{SECTION}

Measured by `python benchmarks/push_vs_datasette.py --datasette … --write` on {datetime.date.today()}:
`fvfield serve` (waitress, 4 threads, SQLite) and Datasette {f["version"]} (`datasette serve`,
its JSON insert API) side by side on the same machine, each on a fresh database, {os.cpu_count()} cores
shared with other work: load average {f["load_before"]:.1f} when the run started and
{f["load_after"]:.1f} when it ended. Each round sends {f["per_round"]:,} home visits to each in
batches of {BATCH} over one connection, fvfield first; the figures are the medians of {f["rounds"]}
rounds (a first round warms both and is left out).

| what | records/s |
|---|---|
| fvfield push (checked against the form, revision and change id kept, numbers counted) | {f["ours"]:,.0f} |
| Datasette insert (rows written, nothing checked) | {f["theirs"]:,.0f} |
| ratio, target ≥ 1.0 | {f["ratio"]:.2f} × ({within}) |
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasette", required=True, help="the datasette command of a Datasette 1.0 venv")
    parser.add_argument("--per-round", type=int, default=5_000, help="records sent to each per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--write", action="store_true", help="write the figures into docs/performance.md")
    options = parser.parse_args()
    load_before = os.getloadavg()[0]
    print(f"push beside Datasette's insert API: {os.cpu_count()} cores, load average {load_before:.1f}")
    ours, theirs, version = rounds_side_by_side(options.datasette, options.per_round, options.rounds)
    figures = dict(
        ours=statistics.median(ours),
        theirs=statistics.median(theirs),
        version=version,
        per_round=options.per_round,
        rounds=options.rounds,
        load_before=load_before,
        load_after=os.getloadavg()[0],
    )
    figures["ratio"] = figures["ours"] / figures["theirs"]
    print(
        f"median: fvfield {figures['ours']:,.0f}/s, datasette {version} {figures['theirs']:,.0f}/s, "
        f"ratio {figures['ratio']:.2f} (target >= 1.0); load average now {figures['load_after']:.1f}"
    )
    if options.write:
        write_section(SECTION, section(figures))
        print(f"  written to {DOC}")


if __name__ == "__main__":
    main()
