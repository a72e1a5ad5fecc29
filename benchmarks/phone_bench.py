"""The phone's share of a team (issue 13): a first login and the market page, in headless Chromium.

    python benchmarks/phone_bench.py                        # 10,000 and 100,000 records per team
    python benchmarks/phone_bench.py --sizes 10000 --runs 1
    python benchmarks/phone_bench.py --write                # and put the figures in docs/performance.md

For each size, a fresh instance gets, through the real push API (batches of
500, by the coordinator's phone), a care circle with that many home visits
(people: one per 400 visits, between 50 and 300; visits over the last two
years, the newest today) and a market survey with that many pitch surveys
(one market of 500 pitches, surveys over the same two years). Then a new
phone (390x844, its own IndexedDB) logs in as the circle's carer and
another as the market's volunteer, each measured from the "Log in" tap
until the app's first sync is done (s), with the records the phone then
holds and `navigator.storage.estimate().usage` (bytes: IndexedDB and the
precached shell); the volunteer's phone then opens the market page (ms,
the in-app navigation until the pitch list shows). Medians of the runs.

Targets (issue 13): a phone's first login to a 100,000-record team <= 10 s
and <= 20 MB of IndexedDB for a care circle's worker.
"""

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, FieldServer  # noqa: E402
from performance_doc import DOC, write_section  # noqa: E402
from realserver import PASSWORD, SyncClient, person_change, seed_instance, visit_change  # noqa: E402

SECTION = "## The phone's share of a team"
CIRCLE, MARKET_TEAM = "bench-circle", "bench-market"
COORDINATOR, CARER, VOLUNTEER = "coord@example.org", "carer@example.org", "volunteer@example.org"
BATCH = 500
YEARS = 2
PITCHES = 500
TASKS = ["personal_care", "meal", "medication_prompt", "company"]
STATUSES = ["trading", "trading", "trading", "vacant", "closed_today", "casual"]
GOODS = ["fruit_veg", "meat_fish", "bakery", "groceries", "hot_food", "clothing"]
TARGETS = {"login_s": 10, "usage_mb": 20}

# Set on every page before its scripts: when the app first reports a finished sync.
WATCH_SYNC = """
window.__firstSync = null;
window.addEventListener('fv:sync-state', (event) => {
  if (window.__firstSync === null && event.detail.state === 'idle' && event.detail.lastSync) {
    window.__firstSync = Date.now();
  }
});
"""

PHONE_SHARE = """async () => {
  const {count} = await import('/static/js/db.js');
  const estimate = await navigator.storage.estimate();
  return {records: await count('records'), subjects: await count('subjects'), usage: estimate.usage,
          indexeddb: (estimate.usageDetails || {}).indexedDB || null};
}"""

# The in-app navigation to the market page, timed until its pitch list shows.
OPEN_MARKET = """async (hash) => {
  const started = performance.now();
  const shown = new Promise((resolve) => {
    const ready = () => document.querySelector('#pitches-h');
    if (ready()) { resolve(); return; }
    new MutationObserver((changes, observer) => {
      if (ready()) { observer.disconnect(); resolve(); }
    }).observe(document, {childList: true, subtree: true});
  });
  window.location.hash = hash;
  await shown;
  return {ms: performance.now() - started, tally: document.querySelector('.tally').textContent,
          heading: document.querySelector('#pitches-h').textContent};
}"""


def spread(number, count, now):
    """Return when the `number`th of `count` records was made: back over YEARS years, the last now."""
    when = now - datetime.timedelta(days=YEARS * 365 * (count - 1 - number) / count)
    return when.replace(microsecond=0).isoformat()


def home_visit(people, number, count, now):
    """Return the `number`th of `count` home visits, one in twenty raising a concern."""
    concern = number % 20 == 0
    return visit_change(
        subject_id=people[number % len(people)],
        recorded_at=spread(number, count, now),
        answers={
            "time_in": f"{8 + number % 10:02d}:{number % 60:02d}",
            "time_out": f"{9 + number % 10:02d}:{number % 60:02d}",
            "tasks_done": TASKS[: 1 + number % len(TASKS)],
            "rating": 1 + number % 5,
            "notes": f"Visit {number}: chatted about the garden, made tea, checked the fridge.",
            "concern": concern,
            **({"concern_details": "Found on the floor.", "concern_urgency": "today"} if concern else {}),
        },
    )


def pitch_survey(pitches, number, count, now):
    """Return the `number`th of `count` pitch surveys, round the market's pitches."""
    status = STATUSES[number % len(STATUSES)]
    trading = status in ("trading", "casual")
    answers = {"status": status, "trader_present": trading}
    if trading:
        answers |= {"goods_category": GOODS[number % len(GOODS)], "price_tomatoes_kg": 1.5 + number % 7 / 10}
    return visit_change(
        subject_id=pitches[number % len(pitches)],
        recorded_at=spread(number, count, now),
        form="pitch-survey",
        answers=answers,
    )


def subject(kind, label, data):
    """Return a push change of a new subject of `kind`."""
    return person_change(kind=kind, label=label, data=data)


def push(phone, slug, changes):
    """Push one batch and check that every change was applied."""
    answer = phone.push(slug, changes, timeout=600)
    answer.raise_for_status()
    refused = [r for r in answer.json()["results"] if r["status"] != "applied"]
    if refused:
        raise SystemExit(f"a push was not applied: {refused[:3]}")


def push_all(phone, slug, make, ids, count, now):
    """Push `count` records made by make(ids, n, count, now) in batches."""
    for start in range(0, count, BATCH):
        push(phone, slug, [make(ids, n, count, now) for n in range(start, min(start + BATCH, count))])


def people_for(count):
    """Return how many people a circle of `count` visits supports: one per 400, between 50 and 300."""
    return max(50, min(300, count // 400))


def seed(server, count):
    """Give both teams their subjects and `count` records each; return (market id, seconds)."""
    phone = SyncClient(server.url, device_id=str(uuid.uuid4()))
    phone.login(COORDINATOR)
    now = datetime.datetime.now(datetime.UTC)
    started = time.perf_counter()
    people = [subject("person", f"Person {n:03d}", {}) for n in range(people_for(count))]
    push(phone, CIRCLE, people)
    push_all(phone, CIRCLE, home_visit, [p["id"] for p in people], count, now)
    market = subject("market", "Bench Road Market", {"address": "Bench Road, London E8", "pitches": PITCHES})
    pitches = [
        subject("pitch", f"Pitch {n}", {"market_id": market["id"], "number": n})
        for n in range(1, PITCHES + 1)
    ]
    push(phone, MARKET_TEAM, [market])
    for start in range(0, PITCHES, BATCH):
        push(phone, MARKET_TEAM, pitches[start : start + BATCH])
    push_all(phone, MARKET_TEAM, pitch_survey, [p["id"] for p in pitches], count, now)
    return market["id"], time.perf_counter() - started


def first_login(browser, server, email, slug):
    """Log a new phone in as `email`; return (its context, page, seconds until the first sync ended)."""
    context = browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        base_url=server.url,
        service_workers="allow",
        locale="en-GB",
        timezone_id="Europe/London",
    )
    context.set_default_timeout(300_000)
    context.add_init_script(WATCH_SYNC)
    page = context.new_page()
    page.goto("/login?next=/app/")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Keep me logged in").check()
    started = time.time()
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/app/**")
    page.wait_for_function("() => window.__firstSync !== null", polling=50)
    took = page.evaluate("() => window.__firstSync") / 1000 - started
    return context, page, took


def measure_run(browser, server, market):
    """One run: the carer's and the volunteer's first logins, and the volunteer's market page."""
    found = {}
    for who, email, slug in (("carer", CARER, CIRCLE), ("volunteer", VOLUNTEER, MARKET_TEAM)):
        context, page, took = first_login(browser, server, email, slug)
        share = page.evaluate(PHONE_SHARE)
        found[who] = {"login_s": took, **share}
        if who == "volunteer":
            page.evaluate("(hash) => { window.location.hash = hash; }", f"#/t/{slug}")
            page.wait_for_selector("#main a")
            market_page = page.evaluate(OPEN_MARKET, f"#/t/{slug}/s/{market}")
            found[who]["market_ms"] = market_page["ms"]
            found[who]["tally"] = market_page["tally"]
        context.close()
    return found


def megabytes(size):
    """Return a byte count as "1.2 MB", or "not given" when the browser did not say."""
    return "not given" if size is None else f"{size / 1e6:.1f} MB"


def median_of(runs, who, key):
    """Return the median of one figure over the runs."""
    return statistics.median(run[who][key] for run in runs)


def measure(browser_factory, count, runs):
    """Seed a fresh instance with `count` records per team; return the median figures of `runs` runs."""
    with tempfile.TemporaryDirectory(prefix="fvfield-phone-") as folder:
        instance = Path(folder) / "instance"
        seed_instance(
            instance,
            [(COORDINATOR, "Cora Coordinator"), (CARER, "Cai Carer"), (VOLUNTEER, "Val Volunteer")],
            [
                (CIRCLE, "Bench Circle", "care-circle", [(COORDINATOR, "coordinator"), (CARER, "member")]),
                (
                    MARKET_TEAM,
                    "Bench Market",
                    "market-survey",
                    [(COORDINATOR, "coordinator"), (VOLUNTEER, "member")],
                ),
            ],
        )
        server = FieldServer(instance).start()
        try:
            market, seconds = seed(server, count)
            print(
                f"  seeded 2 x {count:,} records in {seconds:.1f} s (load average {os.getloadavg()[0]:.1f})"
            )
            done = []
            for run in range(runs):
                found = measure_run(browser_factory, server, market)
                done.append(found)
                c, v = found["carer"], found["volunteer"]
                print(
                    f"  run {run + 1}: carer {c['login_s']:.2f} s, {c['records']:,} records, "
                    f"{c['usage'] / 1e6:.1f} MB (IndexedDB {megabytes(c['indexeddb'])}); volunteer {v['login_s']:.2f} s, {v['records']:,} records, "
                    f"{v['usage'] / 1e6:.1f} MB (IndexedDB {megabytes(v['indexeddb'])}); market page {v['market_ms']:.0f} ms ({v['tally']})"
                )
        finally:
            server.stop()
    figures = {
        who: {key: median_of(done, who, key) for key in ("login_s", "records", "usage")}
        for who in ("carer", "volunteer")
    }
    for who in ("carer", "volunteer"):
        details = [run[who]["indexeddb"] for run in done if run[who]["indexeddb"] is not None]
        figures[who]["indexeddb"] = statistics.median(details) if details else None
    figures["volunteer"]["market_ms"] = median_of(done, "volunteer", "market_ms")
    figures["people"] = people_for(count)
    figures["runs"] = runs
    return figures


def section(sizes, results, runs, load_before, load_after):
    """Return the figures as the Markdown section of docs/performance.md."""
    head = " | ".join(f"{size:,} records" for size in sizes)
    people = ", ".join(f"{results[s]['people']} people at {s:,}" for s in sizes)
    mark = {True: "within", False: "**over**"}
    large = results[sizes[-1]]["carer"]
    lines = [
        SECTION,
        "",
        f"Measured by `python benchmarks/phone_bench.py --write --sizes {' '.join(map(str, sizes))} "
        f"--runs {runs}` on {datetime.date.today()}: `fvfield serve` (SQLite) on a fresh instance per size and "
        f"headless Chromium (Debian's, a 390x844 phone context, no throttling) on the same machine, "
        f"{os.cpu_count()} cores shared with other work: load average {load_before:.1f} when the run started and "
        f"{load_after:.1f} when it ended. Each size: a care circle of that many home visits ({people}) "
        f"and a market survey of that many pitch surveys ({PITCHES} pitches), over {YEARS} years up to today, "
        f"pushed through the API; the phones keep the default (each subject's last 10 visits and the last 30 "
        f"days). A new phone logs in as the circle's carer, another as the market's volunteer: from the "
        f'"Log in" tap until the first sync is done, then the records the phone holds and the storage it '
        f"uses (`navigator.storage.estimate().usage`: IndexedDB and the precached shell). Medians of {runs} "
        f"run(s).",
        "",
        f"| what | {head} | target |",
        "|---|" + "---|" * len(sizes) + "---|",
    ]
    rows = [
        (
            "carer's first login, until synced",
            "carer",
            lambda f: f"{f['login_s']:.1f} s",
            "≤ 10 s at 100,000",
        ),
        ("carer's phone: records held", "carer", lambda f: f"{f['records']:,.0f}", ""),
        ("carer's phone: storage used", "carer", lambda f: f"{f['usage'] / 1e6:.1f} MB", ""),
        (
            "carer's phone: of which IndexedDB",
            "carer",
            lambda f: megabytes(f["indexeddb"]),
            "≤ 20 MB at 100,000",
        ),
        ("volunteer's first login, until synced", "volunteer", lambda f: f"{f['login_s']:.1f} s", ""),
        ("volunteer's phone: records held", "volunteer", lambda f: f"{f['records']:,.0f}", ""),
        ("volunteer's phone: storage used", "volunteer", lambda f: f"{f['usage'] / 1e6:.1f} MB", ""),
        ("volunteer's phone: of which IndexedDB", "volunteer", lambda f: megabytes(f["indexeddb"]), ""),
        (
            "market page (in-app, until the pitch list shows)",
            "volunteer",
            lambda f: f"{f['market_ms']:.0f} ms",
            "",
        ),
    ]
    for name, who, cell, target in rows:
        lines.append(f"| {name} | {' | '.join(cell(results[s][who]) for s in sizes)} | {target} |")
    if sizes[-1] >= 100_000:
        lines += [
            "",
            f"At {sizes[-1]:,} records the carer's first login is {mark[large['login_s'] <= TARGETS['login_s']]} "
            f"its target and the storage {mark[large['usage'] / 1e6 <= TARGETS['usage_mb']]} its own.",
        ]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000], help="records per team")
    parser.add_argument("--runs", type=int, default=3, help="first logins per size (the median is reported)")
    parser.add_argument("--write", action="store_true", help="write the figures into docs/performance.md")
    options = parser.parse_args()
    load_before = os.getloadavg()[0]
    print(f"fvfield phone benchmark: {os.cpu_count()} cores, load average {load_before:.1f} at start")
    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM or None, args=CHROMIUM_ARGS)
        try:
            for size in options.sizes:
                print(f"teams of {size:,} records")
                results[size] = measure(browser, size, options.runs)
        finally:
            browser.close()
    load_after = os.getloadavg()[0]
    print(f"load average {load_after:.1f} at the end")
    text = section(options.sizes, results, options.runs, load_before, load_after)
    print(text)
    if options.write:
        write_section(SECTION, text)
        print(f"  written to {DOC.relative_to(REPO)}")


if __name__ == "__main__":
    main()
