"""`flask users create|verify|set-role|list|delete`."""

import pytest

import outbox
from conftest import PASSWORD
from contacts_api.accounts.models import Role, User
from contacts_api.database import db


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def run(*args, input=None):
        return runner.invoke(args=["users", *args], input=input)

    return run


def login(client, username, password=PASSWORD):
    return client.post("/api/auth/login", json={"username": username, "password": password})


def stored(app, username) -> User | None:
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == username))
        if user is not None:
            db.session.expunge(user)
        return user


class TestCreate:
    def test_with_password_option(self, app, client, cli):
        result = cli("create", "bob", "Bob@Example.com", "--password", PASSWORD)
        assert result.exit_code == 0, result.output
        bob = stored(app, "bob")
        assert result.output == f"Created user bob <Bob@example.com> id={bob.id.hex}\n"
        assert bob.is_verified and bob.role == Role.USER
        assert login(client, "bob").status_code == 200

    def test_prompts_for_the_password(self, app, client, cli):
        result = cli("create", "root", "root@example.com", "--admin",
                     input=f"{PASSWORD}\n{PASSWORD}\n")
        assert result.exit_code == 0, result.output
        assert "Password:" in result.output and PASSWORD not in result.output
        assert stored(app, "root").role == Role.ADMIN
        assert login(client, "root").status_code == 200

    def test_no_verification_email_is_sent(self, app, cli):
        cli("create", "bob", "bob@example.com", "--password", PASSWORD)
        assert outbox.messages(app) == []

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (("b", "bob@example.com", "--password", PASSWORD), "Invalid value for USERNAME"),
            (("bob", "not-an-email", "--password", PASSWORD), "Invalid value for EMAIL"),
            (("bob", "bob@example.com", "--password", "short"), "Invalid value for --password"),
            (("alice", "new@example.com", "--password", PASSWORD),
             "Username alice is already taken"),
            (("bob", "alice@example.com", "--password", PASSWORD),
             "Email alice@example.com is already registered"),
        ],
    )
    def test_refuses_bad_input(self, app, cli, user, args, message):
        result = cli("create", *args)
        assert result.exit_code != 0
        assert message in result.output
        assert stored(app, "bob") is None


def test_verify(app, client, cli, make_user):
    make_user("carol", verified=False)
    result = cli("verify", "CAROL@example.com")
    assert result.exit_code == 0
    assert result.output == "Verified carol <carol@example.com>\n"
    assert login(client, "carol").status_code == 200
    assert cli("verify", "nobody@example.com").exit_code != 0


def test_set_role(app, cli, user):
    result = cli("set-role", "alice@example.com", "admin")
    assert result.exit_code == 0
    assert result.output == "alice is now admin\n"
    assert stored(app, "alice").role == Role.ADMIN
    assert cli("set-role", "alice", "root").exit_code != 0
    assert "No user" in cli("set-role", "nobody", "user").output


def test_list(cli, make_user):
    alice = make_user("alice")
    bob = make_user("bob", verified=False, role=Role.ADMIN)
    result = cli("list")
    assert result.exit_code == 0
    assert result.output == (
        f"{alice.id.hex}  alice  alice@example.com  user  verified\n"
        f"{bob.id.hex}  bob  bob@example.com  admin  unverified\n"
    )


def test_delete(app, client, cli, user):
    assert cli("delete", "alice", input="n\n").exit_code != 0
    assert stored(app, "alice") is not None
    result = cli("delete", "alice", "--yes")
    assert result.exit_code == 0
    assert result.output == "Deleted alice\n"
    assert stored(app, "alice") is None
    assert login(client, "alice").status_code == 401
