"""A mixed workload over both surfaces, for `locust` (see loadtest/run.py).

Each simulated person registers, confirms the address from the mail the server wrote to
`MAIL_OUTBOX_DIR`, logs in and then works: address-book cards (CRUD, lists, filters,
birthdays) with Bearer, and the `/1/` network (requests, accepting, contacts, search,
find, invites) with Bearer and Basic. Any error response counts as a failure.

Requests only ever go from an earlier-registered person to a later one, so no two
people race to request each other: every answer has one right status.
"""

import email
import itertools
import os
import random
import re
import threading
import time
import uuid
from pathlib import Path

from locust import HttpUser, between, task

OUTBOX = Path(os.environ["LOADTEST_OUTBOX"])
PASSWORD = "load test password"
RUN = uuid.uuid4().hex[:6]
_numbers = itertools.count(1)
_people: list["Person"] = []
_lock = threading.Lock()


def verification_link(address: str) -> str:
    """The link in the verification mail to `address`, waiting for it up to 10 s: the server
    delivers mail after answering, as a person's inbox receives it a moment later."""
    for _ in range(100):
        for path in OUTBOX.glob("*.eml"):
            message = email.message_from_bytes(path.read_bytes())
            if message["To"] == address:
                text = message.get_payload(decode=True).decode()
                return re.search(r"https?://\S+", text).group(0)
        time.sleep(0.1)
    raise LookupError(f"no verification mail to {address}")


class Person(HttpUser):
    wait_time = between(0.05, 0.3)

    def on_start(self):
        self.number = next(_numbers)
        self.username = f"load{RUN}{self.number}"
        self.address = f"{self.username}@example.com"
        # Behind one trusted proxy every person has an address of their own, as in life.
        self.client.headers["X-Forwarded-For"] = f"10.{self.number // 250}.{self.number % 250}.7"
        self.cards: list[str] = []
        self.requested: set[str] = set()
        self.expect("post", "/api/auth/register", 201, json={
            "username": self.username, "email": self.address, "password": PASSWORD,
            "first_name": "Load", "last_name": f"Person{self.number}"})
        link = verification_link(self.address)
        self.expect("get", "/api/" + link.split("/api/", 1)[1], 200,
                    name="/api/auth/confirmed_email/[token]")
        pair = self.expect("post", "/api/auth/login", 200, data={
            "username": self.username, "password": PASSWORD}).json()
        self.bearer = {"Authorization": f"Bearer {pair['access_token']}"}
        self.basic = (self.username, PASSWORD)
        self.id = self.expect("get", "/api/users/me", 200, headers=self.bearer).json()["id"]
        with _lock:
            _people.append(self)

    def expect(self, method, path, status, name=None, **kwargs):
        with self.client.request(method, path, name=name or path, catch_response=True,
                                 **kwargs) as response:
            if response.status_code != status:
                response.failure(f"{response.status_code} != {status}: {response.text[:200]}")
            return response

    # --- the address book (/api/) ---

    @task(4)
    def create_card(self):
        n = uuid.uuid4().hex[:10]
        card = {"first_name": random.choice(["Ann", "Bob", "Cy", "Dee"]), "last_name": n,
                "email": f"{n}@example.org", "phone": "+14155552671",
                "birthday": f"19{random.randint(50, 99)}-{random.randint(1, 12):02d}-14",
                "additional_data": {"company": "Load Inc"}}
        created = self.expect("post", "/api/contacts/", 201, json=card, headers=self.bearer)
        if created.status_code == 201:
            self.cards.append(created.json()["id"])

    @task(6)
    def list_cards(self):
        self.expect("get", "/api/contacts/?limit=20", 200, name="/api/contacts/ (page)",
                    headers=self.bearer)

    @task(3)
    def filter_cards(self):
        query = random.choice(["first_name:eq:Ann", "email:endswith:@example.org", "ann",
                               "birthday:gt:1970-01-01", "additional_data.company:eq:Load Inc"])
        self.expect("get", "/api/contacts/", 200, name="/api/contacts/ (filter)",
                    params={"query": query, "sort": "-created_at"}, headers=self.bearer)

    @task(2)
    def birthdays(self):
        self.expect("get", "/api/contacts/get-upcoming-birthday?time_range=60", 200,
                    headers=self.bearer)

    @task(3)
    def read_and_change_a_card(self):
        if not self.cards:
            return
        card = random.choice(self.cards)
        self.expect("get", f"/api/contacts/{card}", 200, name="/api/contacts/[id]",
                    headers=self.bearer)
        self.expect("patch", f"/api/contacts/{card}", 200, name="/api/contacts/[id]",
                    json={"first_name": "Changed"}, headers=self.bearer)

    @task(1)
    def delete_a_card(self):
        if self.cards:
            card = self.cards.pop(random.randrange(len(self.cards)))
            self.expect("delete", f"/api/contacts/{card}", 200, name="/api/contacts/[id]",
                        headers=self.bearer)

    # --- the network (/1/) ---

    @task(2)
    def send_a_request(self):
        with _lock:
            later = [p for p in _people if p.number > self.number and p.id not in self.requested]
        if later:
            other = random.choice(later)
            self.requested.add(other.id)
            self.expect("post", "/1/requests", 200, data={"id": other.id}, auth=self.basic)

    @task(2)
    def accept_requests(self):
        received = self.expect("get", "/1/requests/received", 200, headers=self.bearer)
        for sender in received.json() if received.status_code == 200 else []:
            self.expect("post", "/1/contacts", 200, data={"id": sender["id"]},
                        headers=self.bearer)

    @task(4)
    def contacts(self):
        if random.random() < 0.5:
            self.expect("get", "/1/contacts", 200, name="/1/contacts (basic)", auth=self.basic)
        else:
            self.expect("get", "/1/contacts", 200, name="/1/contacts (bearer)",
                        headers=self.bearer)

    @task(2)
    def search_and_find(self):
        self.expect("get", "/1/search?q=person", 200, name="/1/search", auth=self.basic)
        with _lock:
            someone = random.choice(_people)
        self.expect("get", f"/1/find?email={someone.address}", 200, name="/1/find",
                    headers=self.bearer)

    @task(1)
    def invite(self):
        self.expect("post", "/1/invites", 201, data={"email": f"{uuid.uuid4().hex}@example.net"},
                    auth=self.basic)
        self.expect("get", "/1/invites", 200, headers=self.bearer)

    @task(2)
    def you(self):
        self.expect("get", "/1/you", 200, auth=self.basic)
        self.expect("get", "/1/requests/sent", 200, headers=self.bearer)
