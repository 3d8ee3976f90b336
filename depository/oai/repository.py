"""The depository as an OAI-PMH 2.0 repository (https://www.openarchives.org/OAI/openarchivesprotocol.html).

The protocol (verbs, arguments, error codes, datestamps, the XML envelope) is the `oaipmh` library's
(ETH Library's maintained fork of pyoai); this module answers its questions about the entries:

- records are the entries ever published (`published_at` set); one no longer published (archived,
  or back to draft) is a deleted record; an entry removed from the database leaves no trace, hence
  `deletedRecord` "transient";
- a record's datestamp is the entry's `updated_at` (UTC, seconds granularity);
- sets are `theme`, `theme:<slug>` (a parent theme holds its sub-themes' entries), `kind` and
  `kind:<value>`;
- list verbs walk (updated_at, id) in order with a keyset cursor carried by a signed resumption
  token, so pages neither skip nor repeat records that change between requests, and no state is
  kept on the server.
"""

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

from django.conf import settings
from django.core import signing
from django.db.models import Exists, Min, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import override
from lxml.etree import SubElement
from oaipmh import common, error
from oaipmh.datestamp import datestamp_to_datetime, datetime_to_datestamp
from oaipmh.metadata import MetadataRegistry
from oaipmh.server import NS_DC, NS_OAIDC, NS_XSI, ServerBase

from depository import csl, exports, interop
from depository.citations.base import iso_date, name_text, page_range
from depository.models import Entry, EntryKind, EntryStatus, ItemType, Theme

# The repository's own format; the export formats with an `oai` part follow (depository.exports).
OAI_DC = ("oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd", NS_OAIDC)
DC_ELEMENTS = ["title", "creator", "contributor", "subject", "description", "publisher", "date", "type", "identifier",
               "source", "language", "relation", "rights"]  # fmt: skip
# CSL type -> DCMI Type (https://www.dublincore.org/specifications/dublin-core/dcmi-type-vocabulary/); Text otherwise.
DCMI_TYPES = {
    "dataset": "Dataset", "software": "Software", "graphic": "StillImage", "figure": "StillImage", "map": "Image",
    "motion_picture": "MovingImage", "broadcast": "MovingImage", "song": "Sound", "event": "Event",
    "performance": "Event", "collection": "Collection",
}  # fmt: skip
# What Dublin Core's record reads of the entry: the long texts it does not show stay in the database.
NOT_IN_RECORD = ("body", "what_it_is", "who_implements", "costs_and_needs", "outcomes", "what_was_tried")
TOKEN_SALT = "depository.oai.resumption-token"  # noqa: S105 (a signing salt, not a secret)
# Characters XML 1.0 allows (https://www.w3.org/TR/xml/#charsets); lxml refuses the others.
XML_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# The last second a datestamp can name: `until` plus one second must stay a datetime.
LAST_SECOND = datetime(9999, 12, 31, 23, 59, 59)
LIST_VERBS = {"ListIdentifiers", "ListRecords"}


def xml_safe(text):
    """The text without the characters XML 1.0 forbids (a control character pasted into a title
    must not break every harvest of the repository)."""
    return XML_FORBIDDEN.sub("", str(text))


def namespace():
    """The namespace-identifier of the records' `oai:` identifiers: the public host name."""
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def oai_identifier(entry):
    # The primary key, not the slug: curators may rename a slug, a harvested identifier must stay.
    return f"oai:{namespace()}:entries/{entry.pk}"


def entry_pk(identifier):
    """The entry primary key an `oai:` identifier names; idDoesNotExist if it names none of ours."""
    prefix = f"oai:{namespace()}:entries/"
    local = identifier[len(prefix) :] if identifier.startswith(prefix) else ""
    if not (local.isascii() and local.isdigit() and len(local) < 10):
        raise error.IdDoesNotExistError(f"No record has the identifier {identifier}.")
    return int(local)


def naive_utc(moment):
    """The library's datestamps are naive UTC datetimes."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def metadata_formats():
    """(metadataPrefix, schema, namespace) of every format the repository disseminates."""
    return [OAI_DC] + [(found.prefix, found.schema, found.namespace) for found in exports.oai_formats()]


class EntryMetadata(common.Metadata):
    """A record's metadata: the simple Dublin Core map (oai_dc's), and the entry and the creators the
    public may see, for the export formats' OAI writers."""

    def __init__(self, entry, creators, dublin_core):
        super().__init__(None, dublin_core)
        self.entry = entry
        self.creators = creators


def oai_dc_writer(element, metadata):
    """Writes the record's simple Dublin Core (oai_dc.xsd) under `element`."""
    dc = SubElement(element, f"{{{NS_OAIDC}}}dc", nsmap={"oai_dc": NS_OAIDC, "dc": NS_DC, "xsi": NS_XSI})
    dc.set(f"{{{NS_XSI}}}schemaLocation", f"{NS_OAIDC} http://www.openarchives.org/OAI/2.0/oai_dc.xsd")
    fields = metadata.getMap()
    for name in DC_ELEMENTS:
        for value in fields.get(name, []):
            SubElement(dc, f"{{{NS_DC}}}{name}").text = xml_safe(value)


class Identify(common.Identify):
    """The repository's description. The library asks for it in every response (for the base URL of
    the <request> element); only the Identify verb reads the earliest datestamp, so only it queries."""

    def earliestDatestamp(self):  # noqa: N802 (the library's interface)
        earliest = Entry.objects.filter(published_at__isnull=False).aggregate(first=Min("updated_at"))["first"]
        return naive_utc(earliest or timezone.now())


class Repository:
    """Answers the OAI-PMH verbs over the depository's entries (the `oaipmh` library's IBatchingOAI
    questions, with a keyset cursor `after` = (updated_at, pk) instead of an offset)."""

    def identify(self):
        return Identify(
            repositoryName="TWG Portal depository",
            baseURL=interop.absolute_url(reverse("oai")),
            protocolVersion="2.0",
            adminEmails=[settings.OAI_ADMIN_EMAIL],
            earliestDatestamp=None,
            deletedRecord="transient",
            granularity="YYYY-MM-DDThh:mm:ssZ",
            compression=["identity"],
            toolkit_description=False,
        )

    def list_metadata_formats(self, identifier=None):
        if identifier is not None and not self._entries().filter(pk=entry_pk(identifier)).exists():
            self._no_such(identifier)
        return metadata_formats()

    def list_sets(self):
        with override("en"):
            sets = [("theme", "Themes", []), ("kind", "Kinds of entry", [])]
            themes = Theme.objects.order_by("slug").values_list("slug", "name")
            sets += [(f"theme:{slug}", xml_safe(name), []) for slug, name in themes]
            sets += [(f"kind:{value}", str(label), []) for value, label in EntryKind.choices]
        return sets

    def get_record(self, identifier, metadataPrefix):  # noqa: N803 (the protocol's argument name)
        entries = self._entries().filter(pk=entry_pk(identifier))
        records = self._records(entries, metadataPrefix)
        if not records:
            self._no_such(identifier)
        return records[0][1]

    def list_records(self, *, metadataPrefix, limit, after=None, set=None, from_=None, until=None):  # noqa: A002, N803
        entries = self._selection(set=set, from_=from_, until=until, after=after)
        return self._records(entries.order_by("updated_at", "pk")[:limit], metadataPrefix)

    def list_identifiers(self, *, metadataPrefix, limit, after=None, set=None, from_=None, until=None):  # noqa: A002, N803
        entries = self._selection(set=set, from_=from_, until=until, after=after)
        self._check_format(metadataPrefix)
        entries = entries.only("pk", "kind", "status", "updated_at").prefetch_related(self._themes())
        return [(self._key(entry), self._header(entry)) for entry in entries.order_by("updated_at", "pk")[:limit]]

    # -- the entries -------------------------------------------------------------------------------
    def _entries(self):
        """Every entry ever published: the published ones are records, the others deleted records."""
        return Entry.objects.filter(published_at__isnull=False)

    def _selection(self, *, set, from_, until, after):  # noqa: A002
        entries = self._entries()
        if from_ is not None:
            entries = entries.filter(updated_at__gte=from_.replace(tzinfo=UTC))
        if until is not None and until < LAST_SECOND:
            # Datestamps drop the fraction of a second: `until` takes in the whole second it names.
            entries = entries.filter(updated_at__lt=until.replace(tzinfo=UTC) + timedelta(seconds=1))
        if set is not None:
            entries = entries.filter(self._set_condition(set))
        if after is not None:
            moment, pk = after
            entries = entries.filter(Q(updated_at__gt=moment) | Q(updated_at=moment, pk__gt=pk))
        return entries

    def _set_condition(self, spec):
        group, _, value = spec.partition(":")
        if group == "kind" and not value:
            return Q()
        if group == "kind" and value in EntryKind.values:
            return Q(kind=value)
        if group == "theme":
            tagged = Entry.themes.through.objects.filter(entry=OuterRef("pk"))
            if value:
                tagged = tagged.filter(Q(theme__slug=value) | Q(theme__parent__slug=value))
            return Q(Exists(tagged))
        # A set the repository does not have holds no records (noRecordsMatch).
        return Q(pk__in=[])

    def _themes(self):
        return Prefetch("themes", queryset=Theme.objects.select_related("parent").only("slug", "name", "parent__slug"))

    def _records(self, entries, prefix):
        self._check_format(prefix)
        entries = list(
            entries.defer(*(name for name in Entry.LONG_TEXT_FIELDS if name in NOT_IN_RECORD)).prefetch_related(
                self._themes(), "tags"
            ),
        )
        written = interop.creators([entry for entry in entries if entry.is_public], interop.public_viewer())
        records = []
        with override("en"):
            for entry in entries:
                header = self._header(entry)
                metadata = (
                    EntryMetadata(entry, written[entry.pk], self._dublin_core(entry, written[entry.pk]))
                    if entry.is_public
                    else None
                )
                records.append((self._key(entry), (header, metadata, None)))
        return records

    def _header(self, entry):
        specs = ["kind", f"kind:{entry.kind}"]
        themes = {theme.slug for theme in entry.themes.all()}
        themes |= {theme.parent.slug for theme in entry.themes.all() if theme.parent_id}
        specs += ["theme"] * bool(themes) + [f"theme:{slug}" for slug in sorted(themes)]
        return common.Header(
            None, oai_identifier(entry), naive_utc(entry.updated_at), specs, entry.status != EntryStatus.PUBLISHED
        )

    def _dublin_core(self, entry, creators):
        """The entry in simple Dublin Core (https://www.dublincore.org/specifications/dublin-core/dces/), from
        its CSL item (depository.csl.csl_item, as the public sees it; DCMI's "Using simple Dublin Core to
        describe bibliographic resources" for source and relation): `creator` the authors, `contributor`
        every other role, `source` where it was published ('Journal, 12(3), 45-67'), `relation` its series."""
        item = csl.csl_item(entry, interop.public_viewer(), url=interop.absolute_url(entry.get_absolute_url()))
        roles = [role for role in csl.NAME_VARIABLES if role != "author" and item.get(role)]
        subjects = [theme.name for theme in entry.themes.all()] + sorted(tag.name for tag in entry.tags.all())
        descriptions = [item["abstract"]] if item.get("abstract") else []
        if entry.summary and entry.summary not in descriptions:
            descriptions.append(entry.summary)  # the portal's own summary, beside the work's abstract
        # DCMI Type vocabulary first, then the depository's own kind, then the work's CSL type.
        types = [DCMI_TYPES.get(item["type"], "Text"), str(EntryKind(entry.kind).label)]
        if entry.item_type:
            types.append(str(ItemType(entry.item_type).label))
        first, last = page_range(item.get("page"))
        numbers = item.get("volume", "") + (f"({item['issue']})" if item.get("issue") else "")
        source = ", ".join(filter(None, [item.get("container-title"), numbers, f"{first}-{last}" if last else first]))
        series = ", ".join(filter(None, [item.get("collection-title"), item.get("collection-number")]))
        return {
            "title": [item["title"]],
            "creator": [name_text(name) for name in item.get("author", [])],
            "contributor": [name_text(name) for role in roles for name in item[role]],
            "subject": subjects,
            "description": descriptions,
            "publisher": [item["publisher"]] if item.get("publisher") else [],
            "date": [iso_date(item["issued"])] if item.get("issued") else [],
            "type": types,
            "identifier": [
                interop.absolute_url(entry.get_absolute_url()),
                *(identifier.uri for identifier in interop.identifiers(entry)),
            ],
            "source": [source] if item.get("container-title") else [],
            "language": [entry.language],
            "relation": [series] if series else [],
            "rights": [item["license"]] if item.get("license") else [],
        }

    @staticmethod
    def _key(entry):
        return entry.updated_at, entry.pk

    @staticmethod
    def _check_format(prefix):
        if prefix not in {format[0] for format in metadata_formats()}:
            raise error.CannotDisseminateFormatError(f"The metadata format {prefix} is not disseminated here.")

    @staticmethod
    def _no_such(identifier):
        raise error.IdDoesNotExistError(f"No record has the identifier {identifier}.")


# -- resumption tokens -----------------------------------------------------------------------------
def encode_token(arguments, cursor, after):
    """A resumption token: the list request's arguments, how many items were sent before (`cursor`),
    the last item's (updated_at, pk), signed with SECRET_KEY so that it cannot be forged.

    URL-quoted urlencoded pairs, the form the `oaipmh` library's decodeResumptionToken() reads."""
    pairs = {name: value for name, value in arguments.items() if value is not None}
    for name in ("from_", "until"):
        if name in pairs:
            pairs[name] = datetime_to_datestamp(pairs[name])
    pairs["cursor"] = str(cursor)
    pairs["after"] = f"{after[0].isoformat()}|{after[1]}"
    payload = urlencode(sorted(pairs.items()))
    return quote(f"{payload}&sig={signing.Signer(salt=TOKEN_SALT).signature(payload)}")


def decode_token(token):
    """(arguments, cursor, after) of a token made by encode_token(); badResumptionToken otherwise."""
    payload, _, signature = unquote(token).rpartition("&sig=")
    if not constant_time_compare(signing.Signer(salt=TOKEN_SALT).signature(payload), signature):
        raise error.BadResumptionTokenError("The resumption token is not one this repository issued.")
    try:
        pairs = {name: values[0] for name, values in parse_qs(payload, keep_blank_values=True).items()}
        moment, _, pk = pairs.pop("after").partition("|")
        cursor = int(pairs.pop("cursor"))
        for name in ("from_", "until"):
            if name in pairs:
                pairs[name] = datestamp_to_datetime(pairs[name])
        return pairs, cursor, (datetime.fromisoformat(moment), int(pk))
    except (KeyError, ValueError, error.DatestampError) as problem:
        # Signed by this repository, so only a change of the token format can bring this here.
        raise error.BadResumptionTokenError("The resumption token cannot be read.") from problem


class SignedResumption(common.ResumptionOAIPMH):
    """Pages the list verbs for the `oaipmh` library's XML server (its ResumptionOAIPMH interface:
    list verbs return (items, resumptionToken); None means the list was complete, "" ends a list
    that came in parts, as the protocol asks)."""

    def __init__(self, repository, page_size):
        self.repository = repository
        self.page_size = page_size

    def handleVerb(self, verb, kw):  # noqa: N802 (the library's interface)
        if verb == "Identify":
            return self.repository.identify()
        if verb == "ListMetadataFormats":
            return self.repository.list_metadata_formats(**kw)
        if verb == "GetRecord":
            return self.repository.get_record(**kw)
        if verb == "ListSets":
            if "resumptionToken" in kw:
                raise error.BadResumptionTokenError("ListSets is never split: there is nothing to resume.")
            return self.repository.list_sets(), None
        if verb not in LIST_VERBS:
            raise error.BadVerbError(f"Illegal verb: {verb}")
        resumed = "resumptionToken" in kw
        if resumed:
            kw, cursor, after = decode_token(kw["resumptionToken"])
        else:
            cursor, after = 0, None
            if kw.get("from_") and kw.get("until") and kw["from_"] > kw["until"]:
                raise error.BadArgumentError("The from argument is later than the until argument.")
        method = self.repository.list_records if verb == "ListRecords" else self.repository.list_identifiers
        items = method(**kw, after=after, limit=self.page_size + 1)
        if len(items) > self.page_size:
            items = items[: self.page_size]
            return [item for _, item in items], encode_token(kw, cursor + self.page_size, items[-1][0])
        return [item for _, item in items], ("" if resumed else None)


def _export_writer(write):
    """The `oaipmh` library's writer(element, metadata) for an export format's write(element, entry, creators)."""
    return lambda element, metadata: write(element, metadata.entry, metadata.creators)


def server():
    """The OAI-PMH server: handleRequest({argument: value}) -> UTF-8 XML bytes."""
    registry = MetadataRegistry()
    registry.registerWriter("oai_dc", oai_dc_writer)
    for found in exports.oai_formats():
        registry.registerWriter(found.prefix, _export_writer(found.write))
    return ServerBase(SignedResumption(Repository(), settings.OAI_PAGE_SIZE), registry)
