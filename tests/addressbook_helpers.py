"""Helpers shared by the address-book tests."""

URL = "/api/contacts/"


def card(**fields):
    """A valid card body, with `fields` overriding the defaults."""
    body = {"first_name": "John", "last_name": "Doe", "email": "john@example.com"}
    body.update(fields)
    return body


def add(client, headers, **fields):
    """Create a card through the API and return its JSON."""
    response = client.post(URL, json=card(**fields), headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def names(response):
    return [f"{c['first_name']} {c['last_name']}" for c in response.get_json()]
