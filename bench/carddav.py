"""`make bench-carddav` (`python bench/run.py --carddav`): CardDAV on a 10,000-card book.

The app runs under gunicorn as in production on its own PostgreSQL database
(BENCH_CARDDAV_DATABASE_URL, seeded with 10 users x 10,000 cards), and one client
measures, one request at a time:

- PROPFIND Depth 1 of the book (getetag, getcontenttype): the first (cold) and the median
  of the next ones; goal ≤ 1 s.
- sync-collection from a token after 10 changes: the median of several rounds; goal ≤ 50 ms.
- PUT of a new card against POST /api/contacts/ of the same card: medians; goal ≤ 2x.
"""

import base64
import json
import statistics
import time
import uuid

import run

ROUNDS = 10
WRITES = 100
PROPFIND = (b'<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/><D:getcontenttype/>'
            b"</D:prop></D:propfind>")
SYNC = ('<D:sync-collection xmlns:D="DAV:"><D:sync-token>{}</D:sync-token>'
        "<D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>")


def basic(login: str) -> dict:
    raw = base64.b64encode(f"{login}:{run.PASSWORD}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


def timed(url: str, method: str, headers: dict, body: bytes | None = None,
          expect: int = 207) -> tuple[float, bytes]:
    started = time.perf_counter()
    status, answer = run.call(url, method, headers, body)
    elapsed = (time.perf_counter() - started) * 1000
    if status != expect:
        raise SystemExit(f"{method} {url}: {status} {answer[:300]!r}")
    return elapsed, answer


def vcard(name: str) -> bytes:
    return (f"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{name}\r\nFN:Zoë Bench\r\nN:Bench;Zoë;;;\r\n"
            f"EMAIL:{name}@example.com\r\nTEL:+14155550123\r\nBDAY:1990-03-14\r\n"
            "ORG:Acme\r\nEND:VCARD\r\n").encode()


def token_of(answer: bytes) -> str:
    text = answer.decode()
    return text.split("<D:sync-token>")[1].split("</D:sync-token>")[0]


def measure(base: str, owner_hex: str) -> dict:
    book = f"{base}/dav/addressbooks/{owner_hex}/contacts/"
    reader = {**basic(run.LOGIN), "Content-Type": "application/xml"}
    results = {}

    depth1 = {**reader, "Depth": "1"}
    cold, answer = timed(book, "PROPFIND", depth1, PROPFIND)
    cards = answer.count(b"<D:response>") - 1
    warm = [timed(book, "PROPFIND", depth1, PROPFIND)[0] for _ in range(ROUNDS)]
    results["propfind_depth1"] = {"cards": cards, "cold_ms": round(cold, 1),
                                  "median_ms": round(statistics.median(warm), 1),
                                  "max_ms": round(max(warm), 1)}

    first, answer = timed(book, "REPORT", {**reader, "Depth": "1"}, SYNC.format("").encode())
    token, incremental = token_of(answer), []
    names = [line.split(b"</D:href>")[0].rsplit(b"/", 1)[1].decode()
             for line in answer.split(b"<D:href>")[2:12]]
    for round_ in range(ROUNDS):
        for name in names:  # 10 changes: cards of the book rewritten over CardDAV
            timed(book + name, "PUT", {**basic(run.LOGIN), "Content-Type": "text/vcard"},
                  vcard(f"sync-{round_}-{name}"), expect=204)
        elapsed, answer = timed(book, "REPORT", {**reader, "Depth": "1"},
                                SYNC.format(token).encode())
        assert answer.count(b"<D:response>") == len(names), answer[:500]
        token = token_of(answer)
        incremental.append(elapsed)
    results["sync_initial"] = {"ms": round(first, 1)}
    results["sync_after_10_changes"] = {"median_ms": round(statistics.median(incremental), 1),
                                        "max_ms": round(max(incremental), 1)}

    writer_book = book.replace(owner_hex, user_id(base, run.WRITER))
    writer = {**basic(run.WRITER)}
    bearer = {"Authorization": f"Bearer {run.login(base, run.WRITER)}",
              "Content-Type": "application/json"}
    puts, posts = [], []
    for _ in range(WRITES):
        name = f"{run.APP_CARDS}-{uuid.uuid4().hex}"
        puts.append(timed(f"{writer_book}{name}.vcf", "PUT",
                          {**writer, "Content-Type": "text/vcard"}, vcard(name), expect=201)[0])
        body = json.dumps({"first_name": "Zoë", "last_name": "Bench",
                           "email": f"{run.APP_CARDS}-{uuid.uuid4().hex}@example.com",
                           "phone": "+14155550123", "birthday": "1990-03-14",
                           "additional_data": {"company": "Acme"}}).encode()
        posts.append(timed(f"{base}/api/contacts/", "POST", bearer, body, expect=201)[0])
    put, post = statistics.median(puts), statistics.median(posts)
    results["put_vs_post"] = {"put_median_ms": round(put, 2), "post_median_ms": round(post, 2),
                              "ratio": round(put / post, 2)}
    return results


def carddav() -> None:
    run.SETTINGS["database"] = run.env("BENCH_CARDDAV_DATABASE_URL",
                                       "postgresql://postgres@127.0.0.1:5432/bench_carddav")
    run.prepare_data(10, 10_000, 0)
    server = run.Server("app-carddav", "wsgi:app")
    try:
        server.wait("/api/healthchecker")
        owner = user_id(server.url, run.LOGIN)
        results = measure(server.url, owner)
    finally:
        server.stop()
    for name, values in results.items():
        print(f"{name:<24} " + "  ".join(f"{k}={v}" for k, v in values.items()))
    run.write("carddav", {"results": results})


def user_id(base: str, login: str) -> str:
    """The user's id, as discovery finds it (the principal's path)."""
    _, answer = run.call(base + "/dav/", "PROPFIND", {**basic(login), "Depth": "0"})
    return answer.decode().split("/dav/principals/")[1].split("/")[0]
