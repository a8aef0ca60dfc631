"""WebDAV XML: namespaces, safe parsing of request bodies, and multistatus building.

Bodies are parsed by defusedxml with DTDs refused, so no entity is ever expanded and no
external reference fetched (a billion-laughs or XXE body is a 400, never a 500), and
read under a size limit. Responses are ElementTree elements serialized once.
"""

from http import HTTPStatus
from xml.etree import ElementTree as ET  # noqa: N817 - building only; parsing is defused

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from flask import Response, request

from .errors import XML_CONTENT_TYPE, DavError

DAV = "DAV:"
CARDDAV = "urn:ietf:params:xml:ns:carddav"
CALENDARSERVER = "http://calendarserver.org/ns/"
PREFIXES = {DAV: "D", CARDDAV: "C", CALENDARSERVER: "CS"}
for _uri, _prefix in PREFIXES.items():
    ET.register_namespace(_prefix, _uri)

#: Request bodies are a few kilobytes; a multiget naming every card of a large book fits.
MAX_XML_BYTES = 1024 * 1024


def tag(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


def split(clark: str) -> tuple[str, str]:
    """`{ns}name` → (ns, name)."""
    namespace, _, name = clark[1:].partition("}")
    return namespace, name


def read_body() -> ET.Element | None:
    """The request's XML document, or None when it has no body; 400 when it is not XML."""
    request.max_content_length = MAX_XML_BYTES
    data = request.get_data(cache=False)
    if not data.strip():
        return None
    try:
        return fromstring(data, forbid_dtd=True)
    except (ET.ParseError, DefusedXmlException, ValueError) as exc:
        raise DavError(400, "Malformed or forbidden XML request body") from exc


def element(clark: str, text: str | None = None, *children: ET.Element) -> ET.Element:
    node = ET.Element(clark)
    node.text = text
    node.extend(children)
    return node


def href(path: str) -> ET.Element:
    return element(tag(DAV, "href"), path)


def status_line(code: int) -> ET.Element:
    return element(tag(DAV, "status"), f"HTTP/1.1 {code} {HTTPStatus(code).phrase}")


def response(path: str, found: list[ET.Element] = (), missing: list[str] = (),
             status: int | None = None) -> ET.Element:
    """One `D:response`: a bare status, or a 200 propstat of `found` and a 404 of `missing`."""
    node = element(tag(DAV, "response"), None, href(path))
    if status is not None:
        node.append(status_line(status))
        return node
    propstats = [(props, code) for props, code in
                 ((found, 200), ([ET.Element(name) for name in missing], 404)) if props]
    # A response holds a status or at least one propstat (RFC 4918 §14.24): an empty
    # `<D:prop/>` asked for no property, and is answered an empty 200 propstat.
    for props, code in propstats or [((), 200)]:
        node.append(element(tag(DAV, "propstat"), None,
                            element(tag(DAV, "prop"), None, *props), status_line(code)))
    return node


def multistatus(responses, sync_token: str | None = None) -> Response:
    """207 with the given `D:response` elements (any iterable), and a sync token if any."""
    root = element(tag(DAV, "multistatus"))
    for node in responses:
        root.append(node)
    if sync_token is not None:
        root.append(element(tag(DAV, "sync-token"), sync_token))
    return document(root, 207)


def document(root: ET.Element, status: int) -> Response:
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return Response(body, status=status, content_type=XML_CONTENT_TYPE)
