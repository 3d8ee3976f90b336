"""Reading each kind of source into UpstreamRecords, each holding a CSL-JSON item: the depository's pivot
(docs/citations.md), so `depository.csl.entry_values` maps every harvested record to an entry once.

- OAI-PMH: Sickle 0.7 (ListRecords with the source's metadataPrefix, `from` and `set`, resumption
  tokens followed by Sickle), its HTTP requests made by harvest.fetch; each record is read by the schema
  its metadata element's namespace names: oai_dc -> CSL by DC_TYPES and dc_item, DataCite, MODS and MARCXML by
  harvest.formats. ListMetadataFormats (`offered_formats`) tells the organizer what a repository offers.
- Zotero web API v3: `/<groups|users>/<id>[/collections/<key>]/items?format=csljson&since=<version>`
  (Zotero answers CSL-JSON itself: {"items": [...]}) paged by `start`/`limit`, the library's version
  from `Last-Modified-Version`; deletions from `/<groups|users>/<id>/deleted?since=<version>`; for a
  source with full text, the attachments (`items?format=json&itemType=attachment`) give each record
  its document links (CSL-JSON carries none).
- ReliefWeb API v2: `/reports?appname=...` with the query, newest changes first, paged by `offset`,
  incremental on `date.changed`; a report -> CSL by reliefweb_item.
"""

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _
from sickle import Sickle, oaiexceptions
from sickle.app import DEFAULT_CLASS_MAP
from sickle.models import Header, Record

from depository.references.readers import csl_name_of_text
from harvest import formats
from harvest.fetch import FetchError
from harvest.models import SourceKind

ZOTERO_PAGE = 100
RELIEFWEB_PAGE = 100
MAX_PAGES = 1000  # a runaway source (a resumption token that never ends) stops here, as an error


class HarvestError(Exception):
    """The run cannot go on: the source failed, or answered what cannot be read. Nothing is written."""


@dataclass
class UpstreamRecord:
    identifier: str
    datestamp: str = ""
    link: str = ""
    item: dict = field(default_factory=dict)
    deleted: bool = False
    error: str = ""  # why this record cannot be read (the others still can)
    files: list = field(default_factory=list)  # links to openly downloadable documents


@dataclass
class Harvested:
    """What one run read: its records, and where the next run starts (`state`: a datestamp or version)."""

    records: list
    state: str = ""


def no_progress(pages, records):
    """The default progress callback: nothing to report to."""


def harvest_source(source, fetcher, *, since="", progress=no_progress):
    """What `source` holds (since `since`), read whole: a Harvested. `progress(pages, records)` is called
    after each page read (pages fetched so far, records read so far; the run writes it for the admin).
    Raises HarvestError when the source fails or answers what cannot be read."""
    readers = {SourceKind.OAI: read_oai, SourceKind.ZOTERO: read_zotero, SourceKind.RELIEFWEB: read_reliefweb}
    try:
        return readers[source.kind](source, fetcher, since=since, progress=progress)
    except FetchError as error:
        raise HarvestError(str(error)) from None


# -- OAI-PMH ---------------------------------------------------------------------------------------------
class SafeSickle(Sickle):
    """Sickle with its requests made by harvest.fetch (Sickle calls `_request(params)` and reads the
    answer's status_code, raise_for_status(), content, text and encoding)."""

    def __init__(self, endpoint, *, fetcher, before_request=None, **kwargs):
        super().__init__(endpoint, **kwargs)
        self.fetcher = fetcher
        self.before_request = before_request or (lambda pages: None)
        self.pages = 0  # pages fetched: Sickle asks for the next page once the last one's records are read

    def _request(self, kwargs):
        self.before_request(self.pages)
        response = self.fetcher.get(self.endpoint, params=kwargs)
        self.pages += 1
        return response


class TolerantRecord(Record):
    """A record Sickle could not read (no header, no metadata) becomes one with `error` set, so one bad
    record is an error candidate and the others go on."""

    def __init__(self, record_element, strip_ns=True):
        self.error = ""
        try:
            super().__init__(record_element, strip_ns=strip_ns)
        except (AttributeError, IndexError, TypeError, ValueError) as error:
            self.error = _("This record could not be read: %(error)s") % {"error": error or type(error).__name__}
            header = record_element.find(".//" + self._oai_namespace + "header")
            self.header = Header(header) if header is not None else None
            self.deleted, self.metadata = False, {}


# info:eu-repo/semantics and DCMI type vocabulary -> CSL types; anything else is a "document".
DC_TYPES = {
    "article": "article-journal",
    "journalarticle": "article-journal",
    "book": "book",
    "bookpart": "chapter",
    "report": "report",
    "workingpaper": "report",
    "technicalreport": "report",
    "doctoralthesis": "thesis",
    "masterthesis": "thesis",
    "bachelorthesis": "thesis",
    "thesis": "thesis",
    "conferenceobject": "paper-conference",
    "conferencepaper": "paper-conference",
    "lecture": "speech",
    "dataset": "dataset",
    "image": "graphic",
    "movingimage": "motion_picture",
    "sound": "song",
    "interactiveresource": "webpage",
    "software": "software",
    "preprint": "article",
}
DOI_IN = re.compile(r"(?:doi:|https?://(?:dx\.)?doi\.org/)?(10\.\d{4,9}/\S+)", re.IGNORECASE)
FILE_LINK = re.compile(r"^https?://\S+(?:/bitstream/|/bitstreams/|\.pdf(?:\?|$))", re.IGNORECASE)


def dc_type(values):
    for value in values:
        key = re.sub(r"[^a-z]", "", value.rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower())
        if key in DC_TYPES:
            return DC_TYPES[key]
    return "document"


def dc_item(identifier, metadata):
    """The CSL item of one oai_dc record (`metadata`: element name -> [values], as Sickle reads it)."""

    def values(name):
        return [re.sub(r"\s+", " ", value).strip() for value in metadata.get(name) or [] if value and value.strip()]

    item = {"id": identifier, "type": dc_type(values("type"))}
    titles = values("title")
    if titles:
        item["title"] = titles[0]
    if titles[1:]:
        item["dc:title"] = titles[1:]
    authors = [name for value in values("creator") if (name := csl_name_of_text(value))]
    if authors:
        item["author"] = authors
    contributors = [name for value in values("contributor") if (name := csl_name_of_text(value))]
    if contributors:
        item["contributor"] = contributors
    if values("description"):
        item["abstract"] = "\n\n".join(values("description"))
    if values("publisher"):
        item["publisher"] = "; ".join(values("publisher"))
    if values("date"):
        item["issued"] = {"raw": values("date")[0]}
    if values("language"):
        item["language"] = values("language")[0]
    if values("rights"):
        item["license"] = "; ".join(values("rights"))
    if values("subject"):
        item["keyword"] = values("subject")
    links, other = [], []
    for value in values("identifier"):
        doi = DOI_IN.fullmatch(value)
        if doi and "DOI" not in item:
            item["DOI"] = doi.group(1)
        elif value.lower().startswith(("urn:isbn:", "isbn:")) and "ISBN" not in item:
            item["ISBN"] = value.split(":")[-1].strip()
        elif value.lower().startswith(("urn:issn:", "issn:")) and "ISSN" not in item:
            item["ISSN"] = value.split(":")[-1].strip()
        elif value.startswith(("http://", "https://")):
            links.append(value)
        else:
            other.append(value)
    pages = [link for link in links if not FILE_LINK.match(link)]
    if pages or links:
        item["URL"] = (pages or links)[0]
    if other or links[1:]:
        item["dc:identifier"] = [*links[1:], *other] if pages or links else other
    for name in ("source", "relation", "coverage", "format"):
        if values(name):
            item[f"dc:{name}"] = values(name)
    return item, [link for link in links if FILE_LINK.match(link)]


def read_oai(source, fetcher, *, since="", progress=no_progress):
    records, latest = [], since

    def before_request(pages):  # the records of every page fetched so far are read by now
        if pages:
            progress(pages, len(records))

    class_mapping = {**DEFAULT_CLASS_MAP, "ListRecords": TolerantRecord}
    client = SafeSickle(
        source.oai_base_url, fetcher=fetcher, max_retries=0, class_mapping=class_mapping, before_request=before_request
    )
    params = {"metadataPrefix": source.oai_metadata_prefix or "oai_dc"}
    if source.oai_set:
        params["set"] = source.oai_set
    if since:
        params["from"] = since
    try:
        iterator = client.ListRecords(**params)
        for record in iterator:
            if len(records) > MAX_PAGES * 1000:
                raise HarvestError(_("The repository sent more records than a run takes."))
            records.append(oai_record(record))
            latest = max(latest, records[-1].datestamp)
    except oaiexceptions.NoRecordsMatch:
        pass  # nothing new since the last run
    except oaiexceptions.OAIError as error:
        code = type(error).__name__
        raise HarvestError(
            _("The repository answered the OAI-PMH error %(code)s: %(message)s") % {"code": code, "message": error}
        ) from None
    except (ValueError, AttributeError, TypeError) as error:  # not OAI-PMH at all
        raise HarvestError(_("The answer is not OAI-PMH: %(error)s") % {"error": error}) from None
    progress(client.pages, len(records))
    return Harvested(records=records, state=latest)


def oai_record(record):
    """The UpstreamRecord of one Sickle record: read by the mapping of the schema its metadata element's
    namespace names (oai_dc: dc_item; DataCite, MODS, MARCXML: harvest.formats); a record that cannot be read in
    it, or whose schema the portal does not read, is one with `error`, and the others go on."""
    header = record.header
    identifier = ((header.identifier if header else "") or "").strip()
    datestamp = ((header.datestamp if header else "") or "").strip()
    if record.error or not identifier:
        error = record.error or _("A record without an identifier.")
        return UpstreamRecord(identifier=identifier or "?", datestamp=datestamp, error=error)
    if header.deleted:
        return UpstreamRecord(identifier=identifier, datestamp=datestamp, deleted=True)
    root = formats.metadata_root(record.xml)
    namespace = formats.namespace_of(root) if root is not None else formats.SCHEMA_NAMESPACES[formats.OAI_DC][0]
    schema = formats.schema_of(namespace)
    if not schema:
        error = _("The metadata are in %(namespace)s, a format the portal does not read (it reads %(formats)s).") % {
            "namespace": namespace or "?", "formats": ", ".join(formats.SCHEMA_LABELS.values())}  # fmt: skip
        return UpstreamRecord(identifier=identifier, datestamp=datestamp, error=error)
    try:
        if schema == formats.OAI_DC:
            item, files = dc_item(identifier, record.metadata or {})
        else:
            item, files = formats.MAPPINGS[schema](identifier, root)
    except (AttributeError, TypeError, ValueError, KeyError, IndexError) as error:  # MetadataError is a ValueError
        message = _("This %(format)s record could not be read: %(error)s") % {
            "format": formats.SCHEMA_LABELS[schema], "error": error or type(error).__name__}  # fmt: skip
        return UpstreamRecord(identifier=identifier, datestamp=datestamp, error=message)
    return UpstreamRecord(identifier=identifier, datestamp=datestamp, link=item.get("URL", ""), item=item, files=files)


@dataclass
class OfferedFormat:
    """One metadata format a repository's ListMetadataFormats lists: its `prefix`, `namespace` and
    `schema` (the XSD's URL) as the repository writes them, and `reads`: the portal's schema that reads
    it (formats.OAI_DC, DATACITE, MODS, MARCXML), '' when none does."""

    prefix: str
    namespace: str
    schema: str
    reads: str

    @property
    def label(self):
        return formats.SCHEMA_LABELS.get(self.reads, "")


def offered_formats(source, fetcher):
    """The metadata formats the source's repository offers (OAI-PMH ListMetadataFormats through the safe
    fetcher): a list of OfferedFormat in the repository's order. Raises HarvestError with what failed
    (the network, an HTTP error, an OAI-PMH error, an answer that is not OAI-PMH)."""
    client = SafeSickle(source.oai_base_url, fetcher=fetcher, max_retries=0)
    try:
        offered = [
            OfferedFormat(
                prefix=(getattr(f, "metadataPrefix", "") or "").strip(),
                namespace=(getattr(f, "metadataNamespace", "") or "").strip(),
                schema=(getattr(f, "schema", "") or "").strip(),
                reads=formats.schema_of(getattr(f, "metadataNamespace", "")),
            )
            for f in client.ListMetadataFormats()
        ]
    except FetchError as error:
        raise HarvestError(str(error)) from None
    except oaiexceptions.OAIError as error:
        code = type(error).__name__
        raise HarvestError(
            _("The repository answered the OAI-PMH error %(code)s: %(message)s") % {"code": code, "message": error}
        ) from None
    except (ValueError, AttributeError, TypeError) as error:
        raise HarvestError(_("The answer is not OAI-PMH: %(error)s") % {"error": error}) from None
    if not offered:
        raise HarvestError(_("The answer is not OAI-PMH: it lists no metadata format."))
    return offered


# -- Zotero --------------------------------------------------------------------------------------------
def zotero_headers(source):
    headers = {"Zotero-API-Version": "3"}
    if source.zotero_api_key:
        headers["Zotero-API-Key"] = source.zotero_api_key  # a header: never in a URL, a log or an error
    return headers


def read_zotero(source, fetcher, *, since="", progress=no_progress):
    library = f"{settings.HARVEST_ZOTERO_API}/{source.zotero_library_type}/{source.zotero_library_id}"
    items_url = f"{library}/collections/{source.zotero_collection_key}/items" if source.zotero_collection_key else (
        f"{library}/items")  # fmt: skip
    headers = zotero_headers(source)
    records, version, pages = [], since, 0
    for page in range(MAX_PAGES):
        params = {"format": "csljson", "limit": ZOTERO_PAGE, "start": page * ZOTERO_PAGE}
        if since:
            params["since"] = since
        response = fetcher.get(items_url, params=params, headers=headers)
        pages += 1
        if response.status_code == 304:
            break
        response.raise_for_status()
        version = response.headers.get("last-modified-version", version)
        items = zotero_json(response)
        items = items.get("items", []) if isinstance(items, dict) else items
        for item in items:
            records.append(zotero_record(source, item))
        progress(pages, len(records))
        if len(items) < ZOTERO_PAGE:
            break
    if source.fetch_full_text and any(r.item for r in records):
        pages = zotero_attachments(source, fetcher, library, records, pages=pages, progress=progress)
    if since:
        response = fetcher.get(f"{library}/deleted", params={"since": since}, headers=headers)
        response.raise_for_status()
        for key in zotero_json(response).get("items", []):
            records.append(UpstreamRecord(identifier=str(key), deleted=True, datestamp=str(version)))
        progress(pages + 1, len(records))
    return Harvested(records=records, state=str(version or ""))


def zotero_json(response):
    try:
        return response.json()
    except ValueError as error:
        raise HarvestError(_("Zotero's answer is not JSON: %(error)s") % {"error": error}) from None


# The attachments whose file may be the record's full text (docs/harvesting.md, "Zotero attachments").
ZOTERO_DOCUMENT_TYPES = {
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.oasis.opendocument.text",
}
ZOTERO_STORED = ("imported_file", "imported_url")


def zotero_attachment_link(attachment):
    """(parent item key, document link, stored) of one attachment as Zotero's `format=json` gives it
    (`{"key", "links": {"enclosure": {"href"}}, "data": {"itemType": "attachment", "parentItem",
    "linkMode", "contentType", "url"}}`), or None when it is no openly downloadable document: a stored
    file (`imported_file`, `imported_url`) is its enclosure (`.../items/<key>/file/view` on the API), a
    `linked_url` its `url`; only PDF, DOCX and ODT (a web-page snapshot, a linked local file never)."""
    if not isinstance(attachment, dict) or not isinstance(attachment.get("data"), dict):
        return None
    data = attachment["data"]
    parent, mode = data.get("parentItem"), data.get("linkMode")
    if data.get("itemType") != "attachment" or not parent:
        return None
    if str(data.get("contentType") or "").lower() not in ZOTERO_DOCUMENT_TYPES:
        return None
    if mode in ZOTERO_STORED:
        link = ((attachment.get("links") or {}).get("enclosure") or {}).get("href") or ""
    elif mode == "linked_url":
        link = str(data.get("url") or "")
    else:
        return None
    return (str(parent), link, mode in ZOTERO_STORED) if link.startswith(("https://", "http://")) else None


def zotero_attachments(source, fetcher, library, records, *, pages, progress):
    """Give each record read the document links of its attachments (stored files first), from the
    library's attachments (`items?format=json&itemType=attachment`, paged). Asked without `since`: an
    item changed upstream keeps the links of attachments that did not change. Returns the pages count."""
    by_key = {record.identifier: record for record in records if record.item}
    links = {}
    for page in range(MAX_PAGES):
        params = {"format": "json", "itemType": "attachment", "limit": ZOTERO_PAGE, "start": page * ZOTERO_PAGE}
        response = fetcher.get(f"{library}/items", params=params, headers=zotero_headers(source))
        pages += 1
        response.raise_for_status()
        attachments = zotero_json(response)
        if not isinstance(attachments, list):
            raise HarvestError(_("Zotero's list of attachments is not a JSON array."))
        for attachment in attachments:
            found = zotero_attachment_link(attachment)
            if found and found[0] in by_key:
                links.setdefault(found[0], []).append(found[1:])
        progress(pages, len(records))
        if len(attachments) < ZOTERO_PAGE:
            break
    for key, found in links.items():
        ordered = [link for link, stored in found if stored] + [link for link, stored in found if not stored]
        by_key[key].files = list(dict.fromkeys(ordered))
    return pages


def zotero_record(source, item):
    if not isinstance(item, dict):
        return UpstreamRecord(identifier="?", error=_("A CSL-JSON item must be an object."))
    # Zotero's CSL ids are "<library id>/<item key>"; the key is the item's identifier in the library.
    key = str(item.get("id", "")).rsplit("/", 1)[-1]
    user_or_group = "groups" if source.zotero_library_type == "groups" else "users"
    link = f"https://www.zotero.org/{user_or_group}/{source.zotero_library_id}/items/{key}"
    return UpstreamRecord(identifier=key, link=link, item=item)


# -- ReliefWeb -------------------------------------------------------------------------------------------
RELIEFWEB_FIELDS = ["title", "body", "date", "source", "url_alias", "url", "file", "language", "country", "format"]
RELIEFWEB_FORMATS = {
    "analysis": "report",
    "assessment": "report",
    "evaluation and lessons learned": "report",
    "manual and guideline": "report",
    "situation report": "report",
    "news and press release": "article-newspaper",
    "map": "map",
    "infographic": "graphic",
}


def read_reliefweb(source, fetcher, *, since="", progress=no_progress):
    appname = source.reliefweb_appname or settings.RELIEFWEB_APPNAME
    if not appname:
        raise HarvestError(_("No ReliefWeb appname: set RELIEFWEB_APPNAME or the source's appname."))
    records, latest = [], since
    for page in range(MAX_PAGES):
        params = {
            "appname": appname,
            "query[value]": source.reliefweb_query,
            "limit": RELIEFWEB_PAGE,
            "offset": page * RELIEFWEB_PAGE,
            "sort[]": "date.changed:desc",
            "fields[include][]": RELIEFWEB_FIELDS,
        }
        if since:
            params["filter[field]"] = "date.changed"
            params["filter[value][from]"] = since
        response = fetcher.get(f"{settings.HARVEST_RELIEFWEB_API}/reports", params=params)
        refused_with_reason(response)
        response.raise_for_status()
        try:
            data = response.json()
        except ValueError as error:
            raise HarvestError(_("ReliefWeb's answer is not JSON: %(error)s") % {"error": error}) from None
        reports = data.get("data", [])
        for report in reports:
            records.append(reliefweb_record(report))
            latest = max(latest, records[-1].datestamp)
        progress(page + 1, len(records))
        if not (data.get("links") or {}).get("next") or not reports:
            break
    return Harvested(records=records, state=latest)


def refused_with_reason(response):
    """Raise HarvestError with ReliefWeb's own message when it refuses a request (4xx with its JSON error
    body: `{"status": 403, "error": {"type": "AccessDeniedHttpException", "message": "You are not using an
    approved appname..."}}`); since November 2025 it answers only appnames it approved (KNOWN.md), and
    a retired version answers 410 (`"The API version 'v1' has been decommissioned..."`)."""
    if not 400 <= response.status_code < 500:
        return
    try:
        message = (response.json().get("error") or {}).get("message", "")
    except (ValueError, AttributeError):
        return
    if not message:
        return
    if response.status_code in (400, 403):
        hint = _(" Ask ReliefWeb for an appname and set it as RELIEFWEB_APPNAME or on the source.")
    elif response.status_code == 410:  # a retired API version ("v1 has been decommissioned", October 2026)
        hint = _(" Set HARVEST_RELIEFWEB_API to the API's current version (https://api.reliefweb.int/v2).")
    else:
        hint = ""
    raise HarvestError(
        _("ReliefWeb refused the request (HTTP %(status)d): %(message)s")
        % {"status": response.status_code, "message": message[:300]}
        + hint
    )


def reliefweb_record(report):
    """The UpstreamRecord of one report of ReliefWeb's `data`; a report that cannot be read (no id or
    fields, or a field not in the documented shape) is one with `error`, and the others go on."""
    identifier = str(report.get("id", "")) if isinstance(report, dict) else ""
    fields = report.get("fields") if isinstance(report, dict) else None
    if not identifier or not isinstance(fields, dict):
        return UpstreamRecord(identifier=identifier or "?", error=_("A report without an id or fields."))
    try:
        return UpstreamRecord(
            identifier=identifier,
            datestamp=str(
                (fields.get("date") or {}).get("changed") or (fields.get("date") or {}).get("original") or ""
            ),
            link=str(fields.get("url_alias") or fields.get("url") or ""),
            item=reliefweb_item(identifier, fields),
            files=[f["url"] for f in fields.get("file") or [] if isinstance(f, dict) and f.get("url")],
        )
    except (AttributeError, TypeError, ValueError, KeyError) as error:
        return UpstreamRecord(
            identifier=identifier,
            error=_("This report could not be read: %(error)s") % {"error": error or type(error).__name__},
        )


def reliefweb_item(identifier, fields):
    """The CSL item of one ReliefWeb report (the fields of https://apidoc.reliefweb.int/fields-tables)."""
    formats = [f.get("name", "") for f in fields.get("format") or [] if isinstance(f, dict)]
    item = {
        "id": f"reliefweb:{identifier}",
        "type": next((RELIEFWEB_FORMATS[f.lower()] for f in formats if f.lower() in RELIEFWEB_FORMATS), "report"),
        "title": fields.get("title", ""),
        "URL": fields.get("url_alias") or fields.get("url") or "",
        "author": [{"literal": s.get("name", "")} for s in fields.get("source") or [] if s.get("name")],
        "publisher": "; ".join(s.get("name", "") for s in fields.get("source") or [] if s.get("name")),
        "archive": "ReliefWeb",
    }
    original = (fields.get("date") or {}).get("original")
    if original:
        item["issued"] = {"raw": str(original)[:10]}
    if fields.get("body"):
        item["abstract"] = fields["body"]
    languages = [lang.get("code") for lang in fields.get("language") or [] if isinstance(lang, dict)]
    if languages and languages[0]:
        item["language"] = languages[0]
    countries = [c.get("name") for c in fields.get("country") or [] if isinstance(c, dict) and c.get("name")]
    if countries:
        item["reliefweb:country"] = countries
    if formats:
        item["genre"] = "; ".join(formats)
    return {name: value for name, value in item.items() if value not in ("", [], None)}
