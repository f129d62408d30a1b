"""The load generator: readers and editors as threads over plain HTTP on loopback.

`python -m loadtest.generator --base http://127.0.0.1:8600 --plan plan.json --out results.json`

Standard library only (http.client and threads), so it adds no dependency: locust pulls
in gevent, whose zope.* dependencies are ZPL-licensed, and a pytest plugin that would
load into the test suite. Readers log in once as the workspace viewer and read the
overview, map, brokers and person panel (an HTMX partial). Editors log in to the admin
and add ties, change their own set of ties and a few ties all of them change (so
that optimistic locking has stale saves to refuse) through the admin forms, as a
browser does: GET the form, send back every field it holds (with its CSRF token and
any optimistic-locking version) and the changed values. Every write answered with a
redirect is recorded with its intended values and the time it was answered, for
loadtest.check to find in the database afterwards.
"""

import argparse
import http.client
import json
import os
import random
import sys
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

READ_TARGET_P95_MS = 500.0
CONFLICT_TEXT = "Someone else changed"
DUPLICATE_TEXT = "already exists"


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (pct in 0-100) of the values; 0 when there are none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))  # ceil without floats drifting
    return ordered[int(rank) - 1]


class FormParser(HTMLParser):
    """The fields one HTML form would submit: inputs, checked boxes, selects, textareas."""

    def __init__(self, form_id: str | None = None):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.fields: dict[str, str] = {}
        self.error_text: list[str] = []
        self._in_form = False
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None
        self._errorlist = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "form" and (self.form_id is None or a.get("id") == self.form_id):
            self._in_form = True
        if "errorlist" in a.get("class", "").split() or "errornote" in a.get("class", "").split():
            self._errorlist += 1
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            self.fields[name] = a.get("value", "on" if kind == "checkbox" else "")
        elif tag == "select" and name:
            self._select, self._select_first, self._select_chosen = name, None, False
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a and not self._select_chosen:
                self.fields[self._select] = value
                self._select_chosen = True
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._in_form:
            self._in_form = False
        elif tag == "select" and self._select:
            if not self._select_chosen and self._select_first is not None:
                self.fields[self._select] = self._select_first
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag in {"ul", "p"} and self._errorlist:
            self._errorlist -= 1

    def handle_data(self, data: str) -> None:
        if self._textarea:
            # The browser drops one newline right after <textarea>.
            value = self.fields[self._textarea] + data
            self.fields[self._textarea] = value[1:] if value.startswith("\n") else value
        if self._errorlist and data.strip():
            self.error_text.append(data.strip())


def form_fields(html: str, form_id: str | None = None) -> dict[str, str]:
    parser = FormParser(form_id)
    parser.feed(html)
    return parser.fields


def form_errors(html: str) -> str:
    parser = FormParser()
    parser.feed(html)
    return " ".join(parser.error_text)


@dataclass
class Stats:
    """Every request's outcome, shared by all threads (append under a lock)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    samples: list[tuple[str, str, int, float]] = field(default_factory=list)  # kind, name, status
    errors: list[str] = field(default_factory=list)
    writes: list[dict] = field(default_factory=list)
    conflicts: int = 0
    duplicates: int = 0

    def add(self, kind: str, name: str, status: int, ms: float) -> None:
        with self.lock:
            self.samples.append((kind, name, status, ms))

    def error(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)


class Client:
    """One user's keep-alive connection and cookies (Secure cookies kept: plain HTTP here)."""

    def __init__(self, base: str, stats: Stats, kind: str):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port or 80
        self.stats, self.kind = stats, kind
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None
        self.last_used = 0.0

    def request(
        self,
        method: str,
        path: str,
        name: str,
        body: dict | None = None,
        headers: dict | None = None,
        kind: str | None = None,
    ) -> tuple[int, dict[str, str], str]:
        send = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        send.update(headers or {})
        data = None
        if body is not None:
            data = urlencode(body).encode()
            send["Content-Type"] = "application/x-www-form-urlencoded"
        if method != "GET" and self.conn is not None and time.monotonic() - self.last_used > 1:
            # The server may close an idle kept-alive connection just as a write is sent on
            # it, and a write is never retried: send writes on a fresh one.
            self.conn.close()
            self.conn = None
        started = time.perf_counter()
        for attempt in (1, 2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
                self.conn.request(method, path, body=data, headers=send)
                response = self.conn.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (http.client.HTTPException, OSError) as exc:
                self.conn.close()
                self.conn = None
                # A kept-alive connection the server closed between requests: retry once,
                # only for reads (a write is never sent twice).
                if attempt == 2 or method != "GET" or isinstance(exc, TimeoutError):
                    ms = (time.perf_counter() - started) * 1000
                    self.stats.add(kind or self.kind, name, 0, ms)
                    self.stats.error(f"{method} {name}: {type(exc).__name__}")
                    return 0, {}, ""
        ms = (time.perf_counter() - started) * 1000
        self.last_used = time.monotonic()
        for key, value in response.getheaders():
            if key.lower() == "set-cookie":
                cookie = value.split(";", 1)[0]
                k, _, v = cookie.partition("=")
                self.cookies[k.strip()] = v.strip()
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = None
        self.stats.add(kind or self.kind, name, response.status, ms)
        if response.status >= 400:
            self.stats.error(f"{method} {name}: HTTP {response.status}")
        return response.status, {k.lower(): v for k, v in response.getheaders()}, text

    def log_in(self, path: str, username: str, password: str) -> bool:
        status, _, html = self.request("GET", path, "login form", kind="login")
        fields = form_fields(html)
        fields.update(username=username, password=password)
        status, headers, _ = self.request("POST", path, "login", body=fields, kind="login")
        if status != 302:
            self.stats.error(f"login as {username}: HTTP {status}")
            return False
        return True


def reader_pages(plan: dict, rng: random.Random) -> list[tuple[int, str, object, dict]]:
    """What readers open, with weights: (weight, name, path factory, headers)."""
    slug = plan["workspace"]
    return [
        (3, "overview", lambda: f"/w/{slug}/", {}),
        (2, "map", lambda: f"/w/{slug}/map/", {}),
        (2, "brokers", lambda: f"/w/{slug}/brokers/", {}),
        (
            3,
            "person panel",
            lambda: f"/w/{slug}/map/person/{rng.choice(plan['people'])}/",
            {"HX-Request": "true"},
        ),
    ]


def reader(
    base: str,
    plan: dict,
    cookies: dict[str, str],
    stats: Stats,
    stop: float,
    wait: tuple[float, float],
) -> None:
    rng = random.Random()
    client = Client(base, stats, "read")
    client.cookies = dict(cookies)
    pages = reader_pages(plan, rng)
    weights = [p[0] for p in pages]
    while time.monotonic() < stop:
        _, name, path, headers = rng.choices(pages, weights)[0]
        status, _, _ = client.request("GET", path(), name, headers=headers)
        if 0 < status < 400 and status != 200:
            # A redirect here means the session was lost (to the login page): a failure.
            stats.error(f"GET {name}: HTTP {status}, expected 200")
        time.sleep(rng.uniform(*wait))


def editor(
    client: "Client",
    plan: dict,
    username: str,
    stop: float,
    wait: tuple[float, float],
) -> None:
    rng = random.Random()
    stats = client.stats
    mine = list(plan["editors"][username])
    contested = list(plan.get("contested", []))
    admin = "/admin/stakeholders/relationship"
    n = 0
    while time.monotonic() < stop:
        n += 1
        token = f"loadtest {username} write {n}"
        roll = rng.random()
        adding = roll < 0.4
        tie = rng.choice(contested if contested and roll > 0.8 else mine)
        path = f"{admin}/add/" if adding else f"{admin}/{tie}/change/"
        status, _, html = client.request("GET", path, "admin form", kind="form")
        if status != 200:
            if 0 < status < 400:
                stats.error(f"GET admin form: HTTP {status}, expected 200")
            time.sleep(rng.uniform(*wait))
            continue
        fields = form_fields(html, "relationship_form")
        if "csrfmiddlewaretoken" not in fields:
            stats.error(f"{path}: no CSRF token in the form")
            time.sleep(rng.uniform(*wait))
            continue
        values = {
            "strength": str(rng.randint(1, 5)),
            "trust": rng.choice(["", "1", "2", "3", "4", "5"]),
            "evidence": token,
        }
        if adding:
            source, target = rng.sample(plan["people"], 2)
            values.update(source=str(source), target=str(target), kind=rng.choice(plan["kinds"]))
        loaded = fields.get("loaded_version", "")
        fields.update(values)
        fields["_save"] = "Save"
        time.sleep(rng.uniform(0.2, 1.0))  # filling in the form
        status, headers, html = client.request(
            "POST", path, "admin add" if adding else "admin change", body=fields
        )
        answered = time.time()
        if status == 302 and "/login/" in headers.get("location", ""):
            stats.error(f"POST {path}: sent to the login page (session lost)")
        elif status == 302:
            write = {"op": "add" if adding else "change", "answered_at": answered, **values}
            if not adding:
                write["pk"] = tie
                write["loaded_version"] = int(loaded) if loaded.isdigit() else None
            for key in ("source", "target", "kind", "strength", "trust"):
                if key in write:
                    write[key] = int(write[key]) if write[key].isdigit() else write[key] or None
            with stats.lock:
                stats.writes.append(write)
        elif status == 200:
            errors = form_errors(html)
            with stats.lock:
                if CONFLICT_TEXT in html:
                    stats.conflicts += 1
                elif adding and DUPLICATE_TEXT in errors:
                    stats.duplicates += 1
                else:
                    stats.errors.append(f"{path}: save refused: {errors[:200]}")
        time.sleep(rng.uniform(*wait))


def summary(stats: Stats, started: float, finished: float) -> dict:
    by_kind: dict[str, list[float]] = {}
    names: dict[str, list[float]] = {}
    for kind, name, _status, ms in stats.samples:
        by_kind.setdefault(kind, []).append(ms)
        names.setdefault(name, []).append(ms)
    reads, writes = by_kind.get("read", []), by_kind.get("write", [])
    return {
        "seconds": round(finished - started, 1),
        "requests": len(stats.samples),
        "requests_per_second": round(len(stats.samples) / max(finished - started, 1e-9), 1),
        "reads": len(reads),
        "read_p50_ms": round(percentile(reads, 50), 1),
        "read_p95_ms": round(percentile(reads, 95), 1),
        "writes_sent": len(writes),
        "writes_succeeded": len(stats.writes),
        "write_p50_ms": round(percentile(writes, 50), 1),
        "write_p95_ms": round(percentile(writes, 95), 1),
        "refused_concurrent_edit": stats.conflicts,
        "refused_duplicate_tie": stats.duplicates,
        "errors": len(stats.errors),
        "by_page": {
            name: {
                "n": len(v),
                "p50_ms": round(percentile(v, 50), 1),
                "p95_ms": round(percentile(v, 95), 1),
            }
            for name, v in sorted(names.items())
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="e.g. http://127.0.0.1:8600")
    parser.add_argument("--plan", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--ramp", type=float, default=5, help="seconds to start every user")
    parser.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=(1.0, 5.0),
        metavar=("MIN", "MAX"),
        help="seconds each user waits between pages, uniformly drawn (locust's between(1, 5))",
    )
    args = parser.parse_args(argv)
    if urlsplit(args.base).hostname not in {"127.0.0.1", "localhost", "::1"}:
        parser.error("the load test only targets loopback")

    plan = json.loads(args.plan.read_text())
    think = tuple(args.think)

    # Set-up, not measured: everyone logs in first (one password hash each; the readers
    # share the viewer's session, like people already signed in), then every page is
    # opened a few times so each server process has loaded its code and templates.
    setup = Stats()
    viewer = Client(args.base, setup, "setup")
    if not viewer.log_in("/accounts/login/", plan["viewer"], plan["password"]):
        print(f"error: {setup.errors}", file=sys.stderr)
        return 1
    rng = random.Random(1)
    for _ in range(3):
        for _weight, name, path, headers in reader_pages(plan, rng):
            viewer.request("GET", path(), name, headers=headers)
    stats = Stats()
    editors = {}
    for name in plan["editors"]:
        editors[name] = Client(args.base, setup, "write")
        if not editors[name].log_in("/admin/login/?next=/admin/", name, plan["password"]):
            print(f"error: {setup.errors}", file=sys.stderr)
            return 1
        editors[name].stats = stats
    if setup.errors:
        print(f"error during set-up: {setup.errors[:5]}", file=sys.stderr)
        return 1

    load_before = os.getloadavg()[0]
    started = time.time()
    stop = time.monotonic() + args.ramp + args.seconds
    threads = [
        threading.Thread(target=editor, args=(client, plan, name, stop, think))
        for name, client in editors.items()
    ] + [
        threading.Thread(target=reader, args=(args.base, plan, viewer.cookies, stats, stop, think))
        for _ in range(args.readers)
    ]
    gap = args.ramp / max(len(threads), 1)
    for thread in threads:
        thread.start()
        time.sleep(gap)
    for thread in threads:
        thread.join()
    finished = time.time()
    result = summary(stats, started, finished)
    result["users"] = {"readers": args.readers, "editors": len(plan["editors"])}
    result["think_seconds"] = list(think)
    result["load_average"] = {"before": load_before, "after": os.getloadavg()[0]}
    result["started_at"], result["finished_at"] = started, finished
    result["error_samples"] = sorted(set(stats.errors))[:20]
    result["writes"] = sorted(stats.writes, key=lambda w: w["answered_at"])
    args.out.write_text(json.dumps(result, indent=1))
    print(
        f"{result['requests']:,} requests in {result['seconds']}s "
        f"({result['requests_per_second']}/s) from {args.readers} readers and "
        f"{len(plan['editors'])} editors"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
