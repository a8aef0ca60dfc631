"""`flask contacts import|export`."""

from pathlib import Path

import pytest

from addressbook_helpers import add

DATA = Path(__file__).parent / "data"


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def run(*args):
        return runner.invoke(args=["contacts", *args])

    return run


def cards(client, headers) -> list:
    return client.get("/api/contacts/?limit=1000", headers=headers).get_json()


def test_import_then_again_with_skip(cli, client, user, auth_headers):
    result = cli("import", str(DATA / "iphone.vcf"), "--user", "alice", "--region", "us")
    assert result.exit_code == 0, result.output
    assert result.stdout == "Done: created 3, updated 0, skipped 0, failed 0\n"
    assert "card 0: TEL '555-0123' could not be read as a phone number" in result.stderr
    assert "Importing" in result.stderr
    assert len(cards(client, auth_headers)) == 3
    again = cli("import", str(DATA / "iphone.vcf"), "--user", "alice@example.com",
                "--region", "US")
    assert again.stdout == "Done: created 0, updated 0, skipped 3, failed 0\n"


def test_import_dry_run_and_failures(cli, client, user, auth_headers):
    result = cli("import", str(DATA / "google.csv"), "--user", "alice", "--dry-run",
                 "--on-conflict", "update")
    assert result.exit_code == 0, result.output
    assert result.stdout == "Would have created 3, updated 0, skipped 0, failed 1\n"
    assert "card 3: failed: The row has no name" in result.stderr
    assert cards(client, auth_headers) == []


@pytest.mark.parametrize("args, message", [
    (["--user", "nobody"], "Error: No user with username or email 'nobody'"),
    (["--user", "alice", "--on-conflict", "merge"], "Invalid value for '--on-conflict'"),
])
def test_import_refuses(cli, user, args, message):
    result = cli("import", str(DATA / "iphone.vcf"), *args)
    assert result.exit_code != 0 and message in result.output


def test_import_of_a_file_that_is_not_a_book(cli, user, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("just some text\n")
    result = cli("import", str(path), "--user", "alice")
    assert result.exit_code == 1
    assert "Error: The file is neither vCard nor a CSV this API reads" in result.stderr


def test_export_to_a_file_and_to_stdout(cli, client, user, auth_headers, tmp_path, make_user,
                                        bearer):
    add(client, auth_headers, first_name="Ann", email="ann@example.com")
    add(client, auth_headers, first_name="Bob", email="bob@example.com")
    add(client, bearer(make_user("carol")), first_name="Secret", email="s@example.com")
    out = tmp_path / "book.vcf"
    result = cli("export", "--user", "alice", "-o", str(out), "--version", "3.0")
    assert result.exit_code == 0, result.output
    assert "Exported 2 cards" in result.stderr and "Exporting" in result.stderr
    text = out.read_bytes().decode()
    assert text.count("BEGIN:VCARD\r\nVERSION:3.0\r\n") == 2 and "Secret" not in text
    csv_result = cli("export", "--user", "alice", "--format", "csv", "--query",
                     "first_name:eq:Bob")
    lines = csv_result.stdout.splitlines()
    assert lines[0].startswith("id,first_name,last_name,email") and len(lines) == 2
    assert ",Bob,Doe,bob@example.com," in lines[1]


def test_export_with_a_bad_query(cli, user):
    result = cli("export", "--user", "alice", "--query", "nosuch:eq:x")
    assert result.exit_code == 1
    assert "Error: Invalid filter operator 'eq' for field 'nosuch'" in result.stderr
