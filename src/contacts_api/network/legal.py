"""The legal texts: Markdown files shipped with the package, overridable in `LEGAL_DIR`."""

from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from flask import current_app

DOCUMENTS = {"privacy": "Privacy Policy", "terms": "Terms of Use"}


def source(name: str) -> Path:
    """The file `document(name)` reads: `LEGAL_DIR`'s copy when there is one."""
    folder = current_app.config.get("LEGAL_DIR")
    if folder and (Path(folder) / f"{name}.md").is_file():
        return Path(folder) / f"{name}.md"
    return Path(str(resources.files("contacts_api") / "legal" / f"{name}.md"))


def document(name: str) -> dict:
    """`{"title", "text", "updated"}`: a leading `# Heading` line is the title."""
    path = source(name)
    text = path.read_text(encoding="utf-8")
    title = DOCUMENTS[name]
    first, _, rest = text.partition("\n")
    if first.startswith("# "):
        title, text = first[2:].strip(), rest
    updated = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return {"title": title, "text": text.strip(), "updated": updated}
