"""`flask --app contacts_api contacts import|export`: a user's address book from the shell."""

import sys

import click
from flask.cli import AppGroup

from ..accounts.auth import find_by_login
from ..http.errors import ApiError
from . import transfer

contacts_cli = AppGroup("contacts", help="Import and export address books.")


def _user_id(login: str):
    user = find_by_login(login)
    if user is None:
        raise click.ClickException(f"No user with username or email {login!r}")
    return user.id


@contacts_cli.command("import")
@click.argument("file", type=click.File("rb"))
@click.option("--user", "login", required=True, help="Username or email of the book's owner.")
@click.option("--dry-run", is_flag=True, help="Check and report; write nothing.")
@click.option("--on-conflict", type=click.Choice(["skip", "update"]), default="skip",
              show_default=True, help="What to do with a card already in the book.")
@click.option("--region", help="ISO country (e.g. US) for numbers without a country code.")
def import_command(file, login, dry_run, on_conflict, region):
    """Import a vCard (3.0/4.0) or CSV (this API's, Google, Outlook) FILE."""
    owner_id = _user_id(login)
    data = file.read()
    # Cards in a vCard file, else (CSV) about one per line.
    cards = data.upper().count(b"BEGIN:VCARD") or data.count(b"\n") or 1
    with click.progressbar(length=cards, label="Importing", file=sys.stderr) as bar:
        try:
            report = transfer.import_cards(owner_id, data, dry_run=dry_run,
                                           on_conflict=on_conflict,
                                           region=region.upper() if region else None,
                                           progress=bar.update)
        except ApiError as exc:
            raise click.ClickException(str(exc.detail)) from exc
        bar.update(bar.length)
    for result in report["results"]:
        if result["status"] == "failed":
            click.echo(f"card {result['index']}: failed: {result['detail']}", err=True)
        for warning in result.get("warnings", ()):
            click.echo(f"card {result['index']}: {warning}", err=True)
    verb = "Would have" if dry_run else "Done:"
    click.echo(f"{verb} created {report['created']}, updated {report['updated']}, "
               f"skipped {report['skipped']}, failed {report['failed']}")


@contacts_cli.command("export")
@click.option("--user", "login", required=True, help="Username or email of the book's owner.")
@click.option("--format", "fmt", type=click.Choice(["vcard", "csv"]), default="vcard",
              show_default=True)
@click.option("--version", type=click.Choice(["3.0", "4.0"]), default="4.0", show_default=True,
              help="vCard version.")
@click.option("--query", help="Only the cards matching this filter (as in the JSON list).")
# Bytes, so that the CRLF line ends vCard and CSV require go out untranslated.
@click.option("-o", "--output", type=click.File("wb", lazy=True), default="-",
              help="File to write (default: standard output).")
def export_command(login, fmt, version, query, output):
    """Export a user's cards as vCard or CSV."""
    owner_id = _user_id(login)
    try:
        total = transfer.count_cards(owner_id, query)
        batches = transfer.export_batches(owner_id, fmt, version, query)
    except ApiError as exc:
        raise click.ClickException(str(exc.detail)) from exc
    with click.progressbar(length=total or 1, label="Exporting", file=sys.stderr) as bar:
        for count, text in batches:
            output.write(text.encode())
            bar.update(count)
    click.echo(f"Exported {total} cards", err=True)
