"""`make bench` / `make bench-scale`: the app under gunicorn, driven by wrk, compared to a floor.

    python bench/run.py            # every scenario, against the data of BENCH_USERS x BENCH_CARDS
    python bench/run.py --scale    # list/filter/birthdays at 10k and at 1M cards, with EXPLAIN
    python bench/run.py --only "create card"   # the floor and the named scenarios only
    python bench/run.py --suggestions  # POST /1/suggestions alone, 200 contacts, 100k users
    python bench/run.py --transfer     # import 10,000 cards (vCard), export them, worker RSS
    python bench/run.py --carddav  # PROPFIND, sync-collection and PUT on a 10,000-card book

The app runs as in production (APP_ENV=production, gunicorn.conf.py, 2 workers) on the
PostgreSQL database BENCH_DATABASE_URL and Redis BENCH_REDIS_URL; a second instance runs
with CACHE_TYPE=NullCache for the uncached scenarios. `bench/floor.py` is served with the
same settings and load, and every scenario is printed as a ratio to its requests/s; then
`bench/bound.py`, the least code doing a scenario's database and cache round trips, and
the scenarios it bounds are printed as a ratio to it too. Results are written to
bench/results/ as JSON.
"""

import argparse
import base64
import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

import wrk

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
BIN = Path(sys.executable).parent
PASSWORD = "seed-password"  # noqa: S105 (the seeded users' documented password)
LOGIN = "user00000"
WRITER = "user00001"  # POSTs go to another user, so that the listed user's data never grow
#: The email prefixes of the cards the app's and the bound's POSTs write (`new_card`).
APP_CARDS, BOUND_CARDS = "bench", "bound"


def env(name: str, default: str) -> str:
    return os.environ.get(name) or default


SETTINGS = {
    "database": env("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/bench"),
    "redis": env("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7"),
    "users": int(env("BENCH_USERS", "1000")),
    "cards": int(env("BENCH_CARDS", "100")),
    "contacts": int(env("BENCH_CONTACTS", "50")),
    "seconds": int(env("BENCH_SECONDS", "10")),
    "runs": int(env("BENCH_RUNS", "2")),
    "connections": int(env("BENCH_CONNECTIONS", "32")),
    "workers": int(env("BENCH_WORKERS", "2")),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_environment(**extra) -> dict:
    environment = dict(os.environ)
    environment.update({
        "APP_ENV": "production",
        "SECRET_KEY": "bench-secret-key-bench-secret-key-bench-secret",
        "JWT_SECRET_KEY": "bench-jwt-secret-key-bench-jwt-secret-key-bench",
        "DATABASE_URL": SETTINGS["database"],
        "REDIS_URL": SETTINGS["redis"],
        "WEB_CONCURRENCY": str(SETTINGS["workers"]),
        "ACCESS_TOKEN_SECONDS": "3600",
        "INSTANCE_PATH": str(RESULTS / "instance"),
    })
    environment.update(extra)
    return environment


def flask(*args: str) -> None:
    subprocess.run([str(BIN / "flask"), "--app", "contacts_api", *args], check=True, cwd=ROOT,
                   env=app_environment())


def database_url() -> sa.URL:
    """BENCH_DATABASE_URL through the psycopg 3 driver, as the app connects."""
    return sa.make_url(SETTINGS["database"]).set(drivername="postgresql+psycopg")


def engine() -> sa.Engine:
    return sa.create_engine(database_url())


def create_database() -> None:
    """Create the benchmark's database on a server that does not have it yet."""
    url = database_url()
    server = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        exists = connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                   {"name": url.database})
        if not exists:
            print(f"creating database {url.database}")
            connection.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
    server.dispose()


def prepare_data(users: int, cards: int, contacts: int) -> None:
    """Create the database if needed, migrate, and seed unless exactly this data set is
    already there."""
    create_database()
    with contextlib.suppress(subprocess.CalledProcessError):
        flask("db", "upgrade")  # an empty or foreign schema is dropped and rebuilt below
    with engine().connect() as connection:
        try:
            counts = connection.execute(sa.text(
                "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM contacts "
                "WHERE owner_id = (SELECT id FROM users WHERE username = :login))"
            ), {"login": LOGIN}).one()
        except sa.exc.ProgrammingError:
            counts = None
    if counts is not None and tuple(counts) == (users, cards):
        print(f"data present: {users} users x {cards} cards")
        forget_earlier_runs()
        return
    print(f"seeding {users} users x {cards} cards, {contacts} contacts each")
    with engine().begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    flask("db", "upgrade")
    flask("seed", "--users", str(users), "--cards-per-user", str(cards),
          "--contacts-per-user", str(contacts), "--password", PASSWORD)
    checkpoint()


def forget_earlier_runs() -> None:
    """Delete the cards earlier runs' POSTs wrote and vacuum, so that a reused data set is
    measured as seeded.

    The local server runs without autovacuum: three full runs in a row left ~84,000 extra
    cards and ~63,000 dead row versions in `contacts` behind.
    """
    with engine().connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text(
            "DELETE FROM contacts WHERE owner_id = (SELECT id FROM users WHERE username = :writer)"
            " AND (email LIKE :app_cards OR email LIKE :bound_cards)"
        ), {"writer": WRITER, "app_cards": f"{APP_CARDS}-%", "bound_cards": f"{BOUND_CARDS}-%"})
        connection.execute(sa.text("VACUUM (ANALYZE)"))


def checkpoint() -> None:
    """Write dirty pages out now, not while the next scenario is measured."""
    try:
        with engine().connect() as connection:
            connection.execute(sa.text("CHECKPOINT"))
    except sa.exc.DBAPIError as error:  # CHECKPOINT needs a superuser or pg_checkpoint
        print(f"no checkpoint: {error.orig}")


class Server:
    """One gunicorn with the project's gunicorn.conf.py, on a free port.

    One setting differs from production: each worker listens on a socket of its own
    (`--reuse-port`), and the kernel spreads new connections across them. wrk opens its 32
    keep-alive connections in one burst and keeps them for the whole run; on one shared
    socket, the split between the two workers is drawn in that burst, and now and then all
    or most of them land on one worker, which then serves the run alone (seen with `ss`: all
    32 on one worker, 992 requests/s for the cached list, any other split 2,100-2,300; in
    one full run on 2026-11-24, 7 of 36 runs at about half their scenario's other run).
    Production keeps the shared socket: there an idle worker accepts first, which spreads
    the router's connections by load.
    """

    def __init__(self, name: str, target: str, workers: int | None = None, **extra_env):
        self.name = name
        self.port = free_port()
        self.worker_count = workers or SETTINGS["workers"]
        RESULTS.mkdir(parents=True, exist_ok=True)
        self.log = open(RESULTS / f"{name}.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "--config", "gunicorn.conf.py", "--pythonpath", "bench",
             "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.worker_count),
             "--reuse-port", target],
            cwd=ROOT, env=app_environment(**extra_env), stdout=self.log, stderr=self.log,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait(self, path: str) -> None:
        """Until `path` answers and every worker listens (before that, the kernel would
        give every connection to the workers already listening)."""
        for _ in range(300):
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} exited; see {self.log.name}")
            try:
                urllib.request.urlopen(self.url + path, timeout=2)  # noqa: S310
                if self.listening_sockets() == self.worker_count:
                    return
            except (urllib.error.URLError, ConnectionError):
                pass
            time.sleep(0.1)
        raise SystemExit(f"{self.name} did not start")

    def listening_sockets(self) -> int:
        """How many sockets listen on the server's port (one per worker, see above)."""
        port = f":{self.port:04X}"
        return sum(1 for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
                   if line.split()[1].endswith(port) and line.split()[3] == "0A")

    def workers(self) -> list[str]:
        """The worker processes' ids."""
        pid = self.process.pid
        return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()

    def worker_memory_mib(self) -> list[dict]:
        """VmRSS of each worker, and its PSS (shared pages of the preloaded app split)."""
        sizes = []
        for pid in self.workers():
            memory = {}
            for path, field, name in ((f"/proc/{pid}/status", "VmRSS:", "rss"),
                                      (f"/proc/{pid}/smaps_rollup", "Pss:", "pss")):
                for line in Path(path).read_text().splitlines():
                    if line.startswith(field):
                        memory[name] = round(int(line.split()[1]) / 1024, 1)
            sizes.append(memory)
        return sizes

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


def call(url: str, method: str = "GET", headers: dict | None = None,
         body: bytes | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def login(base: str, username: str) -> str:
    body = json.dumps({"username": username, "password": PASSWORD}).encode()
    status, answer = call(base + "/api/auth/login", "POST",
                          {"Content-Type": "application/json"}, body)
    if status != 200:
        raise SystemExit(f"login as {username} failed: {status} {answer[:200]!r}")
    return json.loads(answer)["access_token"]


def new_card(prefix: str) -> str:
    """A card's JSON as a wrk body format: its email is unique per thread, counter and run."""
    return ('{"first_name": "Zoë", "last_name": "Bench", '
            f'"email": "{prefix}-{int(time.time())}-%d-%d@example.com", '
            '"phone": "+14155550123", "birthday": "1990-03-14", '
            '"additional_data": {"company": "Acme"}}')


def scenarios(app: str, nocache: str) -> list[dict]:
    """name, base URL, path, method, headers, body format (Lua, two %d) of every scenario,
    and the bound (bench/bound.py) of those that have one."""
    bearer = {"Authorization": f"Bearer {login(app, LOGIN)}"}
    writer = {"Authorization": f"Bearer {login(app, WRITER)}"}
    basic = {"Authorization": "Basic " + base64.b64encode(f"{LOGIN}:{PASSWORD}".encode()).decode()}
    _, first = call(app + "/api/contacts/?limit=1", headers=bearer)
    card = json.loads(first)[0]["id"]
    since = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    query = "query=first_name:startswith:a,email:endswith:.com"
    return [
        dict(name="list 100 (cached)", base=app, path="/api/contacts/?limit=100", headers=bearer,
             bound="cached read"),
        dict(name="list 100 (uncached)", base=nocache, path="/api/contacts/?limit=100",
             headers=bearer, bound="list 100"),
        dict(name="get one card", base=app, path=f"/api/contacts/{card}", headers=bearer,
             bound="cached read"),
        dict(name="create card", base=app, path="/api/contacts/", headers=writer,
             method="POST", body=new_card(APP_CARDS), bound="create card"),
        dict(name="filter 2 terms", base=app, path=f"/api/contacts/?limit=100&{query}",
             headers=bearer),
        dict(name="filter 2 terms (uncached)", base=nocache,
             path=f"/api/contacts/?limit=100&{query}", headers=bearer),
        dict(name="birthdays 30 d", base=app,
             path="/api/contacts/get-upcoming-birthday?time_range=30&limit=100", headers=bearer),
        dict(name="birthdays 30 d (uncached)", base=nocache,
             path="/api/contacts/get-upcoming-birthday?time_range=30&limit=100", headers=bearer),
        dict(name="/1/contacts Bearer", base=app, path="/1/contacts", headers=bearer),
        dict(name="/1/contacts Basic", base=app, path="/1/contacts", headers=basic),
        dict(name="/1/search", base=app, path="/1/search?q=mu", headers=bearer),
        dict(name="/1/suggestions POST", base=app, path="/1/suggestions", headers=bearer,
             method="POST", body="{}"),
        dict(name="/1/sync POST", base=app, path="/1/sync", headers=bearer, method="POST",
             body=f'{{"since": "{since}"}}'),
    ]


def measure(scenario: dict, connections: int | None = None) -> dict:
    url = scenario["base"] + scenario["path"]
    method = scenario.get("method", "GET")
    body = scenario.get("body")
    probe_body = (body.replace("%d", "0") if body else None)
    status, answer = call(url, method, {**scenario["headers"], "Content-Type": "application/json"},
                          probe_body.encode() if probe_body else None)
    if status in (404, 405):
        return {"name": scenario["name"], "skipped": "n/a (endpoint missing)"}
    if status >= 400:
        print(f"  warning: {scenario['name']} answered {status}: {answer[:200]!r}")
    return best_run(scenario["name"], url, headers=scenario["headers"], method=method,
                    body_format=body, connections=connections or SETTINGS["connections"])


def best_run(name: str, url: str, **options) -> dict:
    """The faster of BENCH_RUNS wrk runs (each BENCH_SECONDS long); the errors printed are
    those of every run."""
    runs = [wrk.run(name, url, seconds=SETTINGS["seconds"], first_counter=index * 10**9,
                    **options)
            for index in range(SETTINGS["runs"])]
    best = max(runs, key=lambda run: run.requests_per_second)
    return best.as_dict() | {"errors": sum(run.errors for run in runs),
                             "runs_requests_per_second": [r.requests_per_second for r in runs]}


def row(result: dict, floor: float | None, bound: float | None = None) -> str:
    if "skipped" in result:
        return f"{result['name']:<28} {result['skipped']}"
    rate = result["requests_per_second"]
    ratio = f"{rate / floor:7.2f}" if floor else "      -"
    of_bound = f"{rate / bound:8.2f}" if bound else ""
    tail = result["p99_ms"] / result["p50_ms"] if result["p50_ms"] else 0
    return (f"{result['name']:<28} {rate:>9.1f} "
            f"{result['p50_ms']:>8.2f} {result['p99_ms']:>8.2f} {tail:>7.1f} "
            f"{result['errors']:>6} {ratio}{of_bound}")


HEADER = (f"{'scenario':<28} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'p99/p50':>7} "
          f"{'errors':>6} {'x floor':>7}")


def git_revision() -> str:
    return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                          text=True, cwd=ROOT).stdout.strip()


def serve_floor() -> dict:
    floor = Server("floor", "floor:app")
    try:
        floor.wait("/floor")
        result = best_run("floor", floor.url + "/floor", connections=SETTINGS["connections"])
        result["memory_mib"] = floor.worker_memory_mib()
        return result
    finally:
        floor.stop()


def serve_bounds() -> list[dict]:
    """`bench/bound.py`'s routes, measured like the scenarios they bound.

    Measured right after the first floor, on a quiet database: measured after the
    scenarios, the list's bound ran at ~450 requests/s in two full runs, and at ~850 on its
    own minutes later (the cause was not pinned down).
    """
    bound = Server("bound", "bound:app", BOUND_READER=LOGIN, BOUND_WRITER=WRITER)
    try:
        bound.wait("/bound/cached")
        return [
            best_run("bound: cached read", bound.url + "/bound/cached",
                     connections=SETTINGS["connections"]),
            best_run("bound: cached, Redis only", bound.url + "/bound/cached-redis-only",
                     connections=SETTINGS["connections"]),
            best_run("bound: list 100", bound.url + "/bound/list",
                     connections=SETTINGS["connections"]),
            best_run("bound: create card", bound.url + "/bound/create", method="POST",
                     body_format=new_card(BOUND_CARDS), connections=SETTINGS["connections"]),
        ]
    finally:
        bound.stop()


def bench(only: list[str]) -> None:
    """Every scenario, with the floor measured before and after them.

    Ratios are taken to the higher of the two floors, so a floor measured while the machine
    was busy with something else cannot flatter the app.
    """
    prepare_data(SETTINGS["users"], SETTINGS["cards"], SETTINGS["contacts"])
    floor_before = serve_floor()
    bounds = serve_bounds()
    checkpoint()  # the bound's card creations
    app = Server("app", "wsgi:app")
    nocache = Server("app-nocache", "wsgi:app", CACHE_TYPE="NullCache")
    try:
        app.wait("/api/healthchecker")
        nocache.wait("/api/healthchecker")
        chosen = [scenario for scenario in scenarios(app.url, nocache.url)
                  if not only or scenario["name"] in only]
        results = []
        for scenario in chosen:
            results.append(measure(scenario))
            print(f"  measured {scenario['name']}", flush=True)
        memory = {"app": app.worker_memory_mib(), "app-nocache": nocache.worker_memory_mib()}
    finally:
        app.stop()
        nocache.stop()
    floor_after = serve_floor()
    floor_before["name"], floor_after["name"] = "floor (before)", "floor (after)"
    memory["floor"] = floor_after["memory_mib"]
    floor = max(floor_before["requests_per_second"], floor_after["requests_per_second"])
    bound_rates = {result["name"].removeprefix("bound: "): result["requests_per_second"]
                   for result in bounds}
    print(HEADER + f" {'x bound':>7}")
    for result in [floor_before, floor_after, *bounds]:
        print(row(result, floor))
    for scenario, result in zip(chosen, results, strict=True):
        print(row(result, floor, bound_rates.get(scenario.get("bound"))))
    print("worker memory after the run (MiB):")
    for name, workers in memory.items():
        print(f"  {name:<12} " + ", ".join(f"RSS {w['rss']} / PSS {w['pss']}" for w in workers))
    print(f"load average: {os.getloadavg()}")
    write("bench", {"results": [floor_before, floor_after, *bounds, *results],
                    "memory_mib": memory})


def write(kind: str, payload: dict) -> None:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"{kind}-{stamp}-{git_revision()}.json"
    payload.update(settings={k: v for k, v in SETTINGS.items() if k not in {"database", "redis"}},
                   load=os.getloadavg(), revision=git_revision(), at=stamp)
    path.write_text(json.dumps(payload, indent=2))
    print(f"written: {path.relative_to(ROOT)}")


SCALE_PATHS = {
    "list 100": "/api/contacts/?limit=100",
    "filter 2 terms": "/api/contacts/?limit=100&query=first_name:startswith:a,email:endswith:.com",
    "birthdays 30 d": "/api/contacts/get-upcoming-birthday?time_range=30&limit=100",
    "labels filter": "/api/contacts/?limit=100&query=labels:eq:family",
}


def explain(label: str, token: str) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of every SELECT the scale scenarios run through SQLAlchemy
    (authentication's lookup by primary key runs on the driver and is not listed)."""
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.update(app_environment())
    from contacts_api import create_app
    from contacts_api.database import db

    app = create_app({"CACHE_TYPE": "NullCache"})
    statements = []
    with app.app_context():
        def capture(conn, cursor, statement, parameters, context, executemany):
            if statement.lstrip().upper().startswith("SELECT"):
                statements.append((statement, parameters))

        engines = list(db.engines.values())
        for engine in engines:
            sa.event.listen(engine, "before_cursor_execute", capture)
        client = app.test_client()
        lines = []
        for name, path in SCALE_PATHS.items():
            statements.clear()
            client.get(path, headers={"Authorization": f"Bearer {token}"})
            lines.append(f"=== {name}: {path}")
            raw = db.engine.raw_connection()
            try:
                cursor = raw.cursor()
                for statement, parameters in statements:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                    lines.append(statement.strip())
                    lines += [f"    {r[0]}" for r in cursor.fetchall()]
                    lines.append("")
            finally:
                raw.close()
        for engine in engines:
            sa.event.remove(engine, "before_cursor_execute", capture)
    (RESULTS / f"explain-{label}.txt").write_text("\n".join(lines))
    print(f"written: bench/results/explain-{label}.txt")


def scale() -> None:
    sizes = [("10k", int(env("SCALE_SMALL_USERS", "100"))),
             ("1M", int(env("SCALE_LARGE_USERS", "10000")))]
    cards = int(env("SCALE_CARDS", "100"))
    measured = {}
    for label, users in sizes:
        prepare_data(users, cards, SETTINGS["contacts"])
        server = Server(f"app-scale-{label}", "wsgi:app", CACHE_TYPE="NullCache")
        try:
            server.wait("/api/healthchecker")
            token = login(server.url, LOGIN)
            headers = {"Authorization": f"Bearer {token}"}
            measured[label] = {}
            print(f"--- {users} users x {cards} cards ({label} cards), uncached")
            print(HEADER)
            for name, path in SCALE_PATHS.items():
                result = measure(dict(name=name, base=server.url, path=path, headers=headers))
                measured[label][name] = result
                print(row(result, None), flush=True)
        finally:
            server.stop()
        explain(label, token)
    print("p50 ratio 1M / 10k:")
    for name in SCALE_PATHS:
        small, large = measured["10k"][name], measured["1M"][name]
        print(f"  {name:<20} {large['p50_ms'] / small['p50_ms']:.2f}")
    write("scale", {"results": measured})


GRAPH_LOGIN = "user50000"
GRAPH_CONTACTS = 200


def widen(login: str, contacts: int) -> None:
    """Give `login` `contacts` contacts (both link directions, as the seed writes them), taken
    from the users numbered after it, so that many of them share contacts with it."""
    with engine().begin() as connection:
        connection.execute(sa.text("""
            INSERT INTO contact_links (user_id, contact_id, added_at)
            SELECT pair.user_id, pair.contact_id, now()
            FROM (SELECT me.id AS me, other.id AS other
                  FROM users me JOIN users other ON other.username > me.username
                  WHERE me.username = :login
                    AND other.id NOT IN (SELECT contact_id FROM contact_links
                                         WHERE user_id = me.id)
                  ORDER BY other.username
                  LIMIT greatest(0, :contacts - (SELECT count(*) FROM contact_links l
                                                 JOIN users u ON u.id = l.user_id
                                                 WHERE u.username = :login))) AS chosen
            CROSS JOIN LATERAL (VALUES (chosen.me, chosen.other),
                                       (chosen.other, chosen.me)) AS pair(user_id, contact_id)
        """), {"login": login, "contacts": contacts})


def suggestions() -> None:
    """`POST /1/suggestions` alone (one connection) for a user with 200 contacts in a graph of
    GRAPH_USERS (100,000) users with BENCH_CONTACTS (50) contacts and two cards each (cards
    feed suggestions too)."""
    users = int(env("GRAPH_USERS", "100000"))
    prepare_data(users, 2, SETTINGS["contacts"])
    widen(GRAPH_LOGIN, GRAPH_CONTACTS)
    server = Server("app-graph", "wsgi:app")
    try:
        server.wait("/api/healthchecker")
        headers = {"Authorization": f"Bearer {login(server.url, GRAPH_LOGIN)}"}
        print(f"--- {users} users, {GRAPH_LOGIN} with {GRAPH_CONTACTS} contacts, one connection")
        print(HEADER)
        result = measure(dict(name="/1/suggestions POST", base=server.url,
                              path="/1/suggestions", headers=headers, method="POST", body="{}"),
                         connections=1)
        print(row(result, None))
    finally:
        server.stop()
    write("suggestions", {"results": [result], "users": users, "contacts": GRAPH_CONTACTS})


TRANSFER_CARDS = 10_000


def vcard_file(count: int, start: int = 0) -> bytes:
    """`count` realistic vCard 3.0 cards (names, two emails, two phones, birthday, address,
    note, labels, UID), as a phone exports them."""
    cards = []
    for n in range(start, start + count):
        cards.append("\r\n".join((
            "BEGIN:VCARD", "VERSION:3.0", f"N:Transfer{n};Zoë;;;", f"FN:Zoë Transfer{n}",
            f"item1.EMAIL;type=INTERNET;type=pref:transfer-{n}@example.com",
            "item1.X-ABLabel:_$!<Home>!$_", f"EMAIL;type=WORK:zoe.{n}@work.example.org",
            f"TEL;type=CELL;type=pref:+1 415 555 {n % 10000:04d}",
            f"TEL;type=WORK:+1 212 555 {n % 10000:04d}",
            f"BDAY:19{n % 90 + 10:02d}-{n % 12 + 1:02d}-{n % 28 + 1:02d}",
            "ORG:Example Corp;Research", "TITLE:Engineer",
            "item2.ADR;type=HOME:;;1 Main Street;Springfield;IL;62701;United States",
            "NOTE:Met at the conference\\, talked about address books.",
            "CATEGORIES:Friends,Work", f"UID:bench-transfer-{n}", "END:VCARD", "")))
    return "".join(cards).encode()


def transfer() -> None:
    """`POST /api/contacts/import` of 10,000 cards, then `GET /api/contacts/export` of them
    (vCard 4.0 and CSV), then of 20,000: elapsed seconds and the one worker's RSS before and
    after each export (a streamed export must not grow with the book)."""
    prepare_data(SETTINGS["users"], SETTINGS["cards"], SETTINGS["contacts"])
    with engine().begin() as connection:
        connection.execute(sa.text(
            "DELETE FROM contacts WHERE owner_id = (SELECT id FROM users WHERE username = :w)"
            " AND email LIKE 'transfer-%'"), {"w": WRITER})
    server = Server("app-transfer", "wsgi:app", workers=1)
    results = []

    def timed(name: str, method: str, path: str, body: bytes | None = None) -> None:
        rss = server.worker_memory_mib()[0]["rss"]
        started = time.perf_counter()
        status, answer = call(server.url + path, method, headers, body)
        elapsed = time.perf_counter() - started
        if status != 200:
            raise SystemExit(f"{name}: {status} {answer[:300]!r}")
        after = server.worker_memory_mib()[0]["rss"]
        results.append({"name": name, "seconds": round(elapsed, 2), "bytes": len(answer),
                        "rss_before_mib": rss, "rss_after_mib": after})
        print(f"  {name:<34} {elapsed:6.2f} s  {len(answer) / 2**20:6.1f} MiB  "
              f"worker RSS {rss} -> {after} MiB", flush=True)

    try:
        server.wait("/api/healthchecker")
        headers = {"Authorization": f"Bearer {login(server.url, WRITER)}",
                   "Content-Type": "text/vcard"}
        print(f"--- {TRANSFER_CARDS} cards into {WRITER}'s book, one worker")
        timed("import 10,000 (vCard 3.0)", "POST", "/api/contacts/import",
              vcard_file(TRANSFER_CARDS))
        timed("import again, update (no change)", "POST",
              "/api/contacts/import?on_conflict=update", vcard_file(TRANSFER_CARDS))
        for label in ("10,000", "20,000"):
            query = "query=email:startswith:transfer-"
            timed(f"export {label} (vCard 4.0)", "GET", f"/api/contacts/export?{query}")
            timed(f"export {label} (CSV)", "GET", f"/api/contacts/export?format=csv&{query}")
            if label == "10,000":
                timed("import 10,000 more", "POST", "/api/contacts/import",
                      vcard_file(TRANSFER_CARDS, TRANSFER_CARDS))
    finally:
        server.stop()
    write("transfer", {"results": results})


if __name__ == "__main__":
    from carddav import carddav  # it imports this module's helpers

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", action="store_true", help="the 10k / 1M cards scale run")
    parser.add_argument("--suggestions", action="store_true",
                        help="POST /1/suggestions alone, in a 100k-user graph")
    parser.add_argument("--transfer", action="store_true",
                        help="import and export 10,000 cards, timed, with the worker's RSS")
    parser.add_argument("--carddav", action="store_true",
                        help="CardDAV on a 10,000-card book (bench/carddav.py)")
    parser.add_argument("--only", action="append", default=[], metavar="SCENARIO",
                        help="run this scenario (by its printed name) and the floor; repeatable")
    arguments = parser.parse_args()
    if arguments.scale:
        scale()
    elif arguments.suggestions:
        suggestions()
    elif arguments.transfer:
        transfer()
    elif arguments.carddav:
        carddav()
    else:
        bench(arguments.only)
        if not arguments.only:
            transfer()
            carddav()
