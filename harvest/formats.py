"""OAI-PMH metadata formats richer than oai_dc, read into the CSL-JSON item the portal imports
(docs/harvesting.md, "Metadata formats"): DataCite (kernel 3 and 4, bare as Zenodo's `datacite` or
wrapped as `oai_datacite`), MODS 3, and MARC 21 in MARCXML (parsed by pymarc). Dublin Core stays in
harvest.sources.dc_item.

Which mapping reads a record is decided by the namespace of the record's metadata element, never by
the prefix: OAI-PMH prefixes are the repository's own names (its spec, section 3.4: Zenodo says
`oai_datacite`, `datacite`, `datacite4`; DSpace says `mods`; another says `swepub_mods`), the namespace
is the schema's. `schema_of(namespace)` names it.

Records are read from the lxml element Sickle parsed (`record.xml`): Sickle's `record.metadata`
flattens the tree into {local name: [texts]}, which loses what belongs to which creator. Like dc_item,
each mapping returns (item, files): the CSL item and the links to openly downloadable documents.
Creators carry `ORCID` and `affiliation` as Crossref's CSL-JSON does (depository.csl reads `ORCID`).
A record whose structure cannot be read raises MetadataError, which makes it an error candidate.
"""

import io
import re

import pymarc
from lxml import etree

from depository.references.readers import csl_name_of_text

OAI_DC = "oai_dc"
DATACITE = "datacite"
MODS = "mods"
MARCXML = "marcxml"
# The namespaces each schema's metadata elements come in; Zenodo's ListMetadataFormats answers its own
# spellings for some (tests/fixtures/harvest/oai-ListMetadataFormats-zenodo.xml).
SCHEMA_NAMESPACES = {
    OAI_DC: ("http://www.openarchives.org/OAI/2.0/oai_dc/",),
    DATACITE: (
        "http://datacite.org/schema/kernel-4",
        "http://datacite.org/schema/kernel-3",
        "http://schema.datacite.org/oai/oai-1.1/",
        "http://schema.datacite.org/oai/oai-1.0/",
    ),
    MODS: ("http://www.loc.gov/mods/v3",),
    # The records' namespace, and the one Zenodo's ListMetadataFormats gives for its marcxml and marc21.
    MARCXML: ("http://www.loc.gov/MARC21/slim", "https://www.loc.gov/standards/marcxml/"),
}
SCHEMA_LABELS = {OAI_DC: "Dublin Core", DATACITE: "DataCite", MODS: "MODS", MARCXML: "MARCXML"}
DATACITE_KERNEL = re.compile(r"^https?://datacite\.org/schema/kernel-\d")


class MetadataError(ValueError):
    """A record's metadata cannot be read in its schema (no DataCite resource in the payload ...)."""


def schema_of(namespace):
    """OAI_DC, DATACITE or MODS for a metadata namespace URI ('' for a schema the portal does not read)."""
    namespace = (namespace or "").strip()
    for schema, namespaces in SCHEMA_NAMESPACES.items():
        if namespace in namespaces or (schema == DATACITE and DATACITE_KERNEL.match(namespace)):
            return schema
    return ""


# -- Reading lxml elements ---------------------------------------------------------------------------------
def local(element):
    """The element's name without its namespace ('' for a comment or processing instruction)."""
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def namespace_of(element):
    tag = element.tag
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def kids(element, name):
    """The child elements called `name` (any namespace), in order."""
    return [child for child in element if local(child) == name] if element is not None else []


def kid(element, name):
    found = kids(element, name)
    return found[0] if found else None


def text(element):
    """The element's whole text (its descendants' too), whitespace collapsed; '' for None."""
    if element is None:
        return ""
    return re.sub(r"\s+", " ", "".join(element.itertext())).strip()


def texts(elements):
    return [value for value in (text(element) for element in elements) if value]


def metadata_root(record_element):
    """The element inside the record's <metadata> (oai_dc:dc, resource, mods ...), or None."""
    metadata = next((child for child in record_element.iter() if local(child) == "metadata"), None)
    if metadata is None:
        return None
    return next((child for child in metadata if local(child)), None)


DOI_IN = re.compile(r"(?:doi:\s*|https?://(?:www\.)?(?:dx\.)?doi\.org/)?(10\.\d{4,9}/\S+)", re.IGNORECASE)
ORCID_IN = re.compile(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dX])\s*$", re.IGNORECASE)


def doi_of(value):
    match = DOI_IN.fullmatch((value or "").strip())
    return match.group(1) if match else ""


def orcid_url(value):
    """'https://orcid.org/0000-0002-1825-0097' of an ORCID iD written bare or as a link; '' otherwise."""
    match = ORCID_IN.search((value or "").strip())
    return f"https://orcid.org/{match.group(1).upper()}" if match else ""


def put(item, variable, value):
    if value not in (None, "", [], {}):
        item[variable] = value


# -- DataCite ------------------------------------------------------------------------------------------
# resourceTypeGeneral (DataCite 4.5's controlled list) -> CSL type; anything else is a "document".
DATACITE_TYPES = {
    "audiovisual": "motion_picture",
    "book": "book",
    "bookchapter": "chapter",
    "collection": "collection",
    "conferencepaper": "paper-conference",
    "conferenceproceeding": "book",
    "datapaper": "article-journal",
    "dataset": "dataset",
    "dissertation": "thesis",
    "event": "event",
    "image": "graphic",
    "interactiveresource": "webpage",
    "journal": "periodical",
    "journalarticle": "article-journal",
    "preprint": "article",
    "presentation": "speech",
    "report": "report",
    "software": "software",
    "sound": "song",
    "standard": "standard",
    "text": "document",
}
# contributorType -> CSL name variable; the other types are CSL's `contributor`.
DATACITE_ROLES = {"Editor": "editor", "Translator": "translator", "Producer": "producer"}


def datacite_resource(root):
    """The <resource> of a DataCite record: the root itself (prefix `datacite`) or inside the
    oai_datacite wrapper's <payload>. MetadataError when there is none."""
    if local(root) == "resource":
        return root
    payload = kid(root, "payload")
    resource = kid(payload, "resource")
    if resource is None:
        raise MetadataError("no DataCite <resource> in the record's <payload>")
    return resource


def datacite_name(element, name_tag):
    """A CSL name of a DataCite <creator> or <contributor>, with `ORCID` and `affiliation` when given."""
    written = text(kid(element, name_tag))
    family, given = text(kid(element, "familyName")), text(kid(element, "givenName"))
    name_type = kid(element, name_tag).get("nameType", "") if kid(element, name_tag) is not None else ""
    if name_type == "Organizational":
        name = {"literal": written} if written else None
    elif family:
        name = {"family": family, "given": given} if given else {"family": family}
    else:
        name = csl_name_of_text(written)
    if not name:
        return None
    for identifier in kids(element, "nameIdentifier"):
        if identifier.get("nameIdentifierScheme", "").upper() == "ORCID" and (url := orcid_url(text(identifier))):
            name["ORCID"] = url
            break
    affiliations = [{"name": value} for value in texts(kids(element, "affiliation"))]
    if affiliations:
        name["affiliation"] = affiliations
    return name


def datacite_item(identifier, root):
    """The CSL item of one DataCite record (`root`: the metadata element, a kernel-3/4 <resource> or an
    oai_datacite wrapper) by the DataCite Metadata Schema 4.5's properties; (item, files)."""
    resource = datacite_resource(root)
    item = {"id": identifier}
    kind = kid(resource, "resourceType")
    general = kind.get("resourceTypeGeneral", "") if kind is not None else ""
    item["type"] = DATACITE_TYPES.get(re.sub(r"[^a-z]", "", general.lower()), "document")
    put(item, "genre", text(kind) or general)

    titles = kids(kid(resource, "titles"), "title")
    main = [text(t) for t in titles if not t.get("titleType") and text(t)]
    subtitles = [text(t) for t in titles if t.get("titleType") == "Subtitle" and text(t)]
    if main:
        item["title"] = f"{main[0]}: {subtitles[0]}" if subtitles else main[0]
    others = [f"{t.get('titleType') or 'Title'}: {text(t)}" for t in titles if text(t) and t.get("titleType") not in
              (None, "", "Subtitle")] + [f"Title: {value}" for value in main[1:]]  # fmt: skip
    put(item, "datacite:title", others)

    authors = [n for c in kids(kid(resource, "creators"), "creator") if (n := datacite_name(c, "creatorName"))]
    put(item, "author", authors)
    for contributor in kids(kid(resource, "contributors"), "contributor"):
        name = datacite_name(contributor, "contributorName")
        if name:
            role = DATACITE_ROLES.get(contributor.get("contributorType", ""), "contributor")
            item.setdefault(role, []).append(name)
    affiliations = [
        f"{n.get('literal') or ', '.join(filter(None, [n.get('family'), n.get('given')]))}: "
        + "; ".join(a["name"] for a in n["affiliation"])
        for n in authors
        if n.get("affiliation")
    ]
    put(item, "datacite:affiliation", affiliations)

    put(item, "publisher", text(kid(resource, "publisher")))
    dates = kids(kid(resource, "dates"), "date")
    issued = next((text(d) for d in dates if d.get("dateType") == "Issued" and text(d)), "")
    issued = issued or text(kid(resource, "publicationYear"))
    if issued:
        item["issued"] = {"raw": issued}
    put(item, "keyword", texts(kids(kid(resource, "subjects"), "subject")))
    descriptions = kids(kid(resource, "descriptions"), "description")
    put(item, "abstract", "\n\n".join(texts(d for d in descriptions if d.get("descriptionType") == "Abstract")))
    others = [f"{d.get('descriptionType') or 'Other'}: {text(d)}" for d in descriptions
              if d.get("descriptionType") != "Abstract" and text(d)]  # fmt: skip
    put(item, "datacite:description", others)
    put(item, "language", text(kid(resource, "language")))
    rights = [text(r) or r.get("rightsURI", "") or r.get("rightsIdentifier", "") for r in
              kids(kid(resource, "rightsList"), "rights")]  # fmt: skip
    put(item, "license", "; ".join(value for value in rights if value))
    put(item, "version", text(kid(resource, "version")))

    main_identifier = kid(resource, "identifier")
    doi = doi_of(text(main_identifier)) if main_identifier is not None else ""
    put(item, "DOI", doi)
    alternates = kids(kid(resource, "alternateIdentifiers"), "alternateIdentifier")
    links = [text(a) for a in alternates if text(a).startswith(("http://", "https://"))]
    put(item, "URL", f"https://doi.org/{doi}" if doi else (links[0] if links else ""))  # the DOI's page first
    put(item, "datacite:alternateIdentifier", [
        f"{a.get('alternateIdentifierType') or 'Identifier'}: {text(a)}" for a in alternates if text(a)])  # fmt: skip
    related = kids(kid(resource, "relatedIdentifiers"), "relatedIdentifier")
    put(item, "datacite:relatedIdentifier", [
        f"{r.get('relationType', '')} {r.get('relatedIdentifierType', '')}: {text(r)}".strip() for r in related
        if text(r)])  # fmt: skip
    return item, []


# -- MODS ----------------------------------------------------------------------------------------------
# MARC relator codes and terms (https://id.loc.gov/vocabulary/relators) -> CSL name variable; a name
# without a role is an author; a depositor is no creator of the work.
MODS_ROLES = {
    "aut": "author", "author": "author", "cre": "author", "creator": "author",
    "edt": "editor", "editor": "editor", "trl": "translator", "translator": "translator",
    "ill": "illustrator", "illustrator": "illustrator", "ivr": "interviewer", "interviewer": "interviewer",
    "dpt": None, "depositor": None,
}  # fmt: skip
FILE_LINK = re.compile(r"^https?://\S+(?:/bitstream/|/bitstreams/|\.pdf(?:\?|$))", re.IGNORECASE)


def mods_element(root):
    """The <mods> of a record (its root, or the first in a <modsCollection>); MetadataError if none."""
    if local(root) == "mods":
        return root
    found = kid(root, "mods")
    if found is None:
        raise MetadataError("no <mods> element in the record's metadata")
    return found


def mods_role(name):
    terms = [text(term).lower() for role in kids(name, "role") for term in kids(role, "roleTerm") if text(term)]
    for term in terms:
        if term in MODS_ROLES:
            return MODS_ROLES[term]
    return "contributor" if terms else "author"


def mods_name(name):
    """A CSL name of a MODS <name>: `namePart type=family/given`, else its whole namePart as written
    ('Family, Given' a person; a corporate name or one without a comma an organization)."""
    parts = kids(name, "namePart")
    family = " ".join(texts(p for p in parts if p.get("type") == "family"))
    given = " ".join(texts(p for p in parts if p.get("type") == "given"))
    whole = ", ".join(texts(p for p in parts if not p.get("type")))
    if name.get("type") in ("corporate", "conference"):
        csl = {"literal": whole or family} if (whole or family) else None
    elif family:
        csl = {"family": family, "given": given} if given else {"family": family}
    else:
        csl = csl_name_of_text(whole)
    if not csl:
        return None
    for identifier in kids(name, "nameIdentifier"):
        if identifier.get("type", "").lower() == "orcid" and (url := orcid_url(text(identifier))):
            csl["ORCID"] = url
    if not csl.get("ORCID") and (url := orcid_url(name.get("valueURI", ""))) and "orcid.org" in name.get(
            "valueURI", ""):  # fmt: skip
        csl["ORCID"] = url
    affiliations = [{"name": value} for value in texts(kids(name, "affiliation"))]
    if affiliations:
        csl["affiliation"] = affiliations
    return csl


def title_of(title_info):
    title = " ".join(texts([*kids(title_info, "nonSort"), *kids(title_info, "title")]))
    subtitle = text(kid(title_info, "subTitle"))
    return f"{title}: {subtitle}" if title and subtitle else title


def mods_item(identifier, root):
    """The CSL item of one MODS 3 record (`root`: <mods> or a <modsCollection>) by the MODS User
    Guidelines' elements; (item, files). The type comes from <genre> (then <typeOfResource>) read as
    dc_type reads a Dublin Core type."""
    from harvest.sources import dc_type  # the one vocabulary of types (info:eu-repo, DCMI) for both

    mods = mods_element(root)
    genres = texts(kids(mods, "genre"))
    item = {"id": identifier, "type": dc_type([*genres, *texts(kids(mods, "typeOfResource"))])}
    put(item, "genre", "; ".join(genres))
    title_infos = kids(mods, "titleInfo")
    main = [t for t in title_infos if not t.get("type") and title_of(t)]
    put(item, "title", title_of(main[0]) if main else "")
    others = [t for t in title_infos if title_of(t) and (not main or t is not main[0])]
    put(item, "mods:titleInfo", [f"{t.get('type') or 'title'}: {title_of(t)}" for t in others])
    for name in kids(mods, "name"):
        role, csl = mods_role(name), mods_name(name)
        if role and csl and csl not in item.get(role, []):
            item.setdefault(role, []).append(csl)
    origins = kids(mods, "originInfo")
    dates = [d for o in origins for d in kids(o, "dateIssued") if text(d)]
    issued = next((d for d in dates if d.get("keyDate") == "yes"), dates[0] if dates else None)
    if issued is not None:
        item["issued"] = {"raw": text(issued)}
    put(item, "publisher", "; ".join(texts(p for o in origins for p in kids(o, "publisher"))))
    places = [text(term) for o in origins for place in kids(o, "place") for term in kids(place, "placeTerm")
              if term.get("type") != "code" and text(term)]  # fmt: skip
    put(item, "publisher-place", places[0] if places else "")
    put(item, "edition", text(next((e for o in origins for e in kids(o, "edition")), None)))
    put(item, "abstract", "\n\n".join(texts(kids(mods, "abstract"))))
    subjects = kids(mods, "subject")
    put(item, "keyword", list(dict.fromkeys(texts(t for s in subjects for t in kids(s, "topic")))))
    put(item, "mods:geographic", list(dict.fromkeys(texts(g for s in subjects for g in kids(s, "geographic")))))
    languages = [text(t) for lang in kids(mods, "language") for t in kids(lang, "languageTerm") if text(t)]
    put(item, "language", languages[0] if languages else "")
    put(item, "license", "; ".join(texts(kids(mods, "accessCondition"))))

    links, other = [], []
    for element in kids(mods, "identifier"):
        value, kind = text(element), element.get("type", "").lower()
        doi = doi_of(value)
        if not value:
            continue
        if doi and "DOI" not in item:
            item["DOI"] = doi
        elif kind in ("isbn", "issn") and kind.upper() not in item:
            item[kind.upper()] = value
        elif value.startswith(("http://", "https://")) and not doi:
            links.append(value)
        else:
            other.append(f"{kind or 'identifier'}: {value}")
    urls = [u for location in kids(mods, "location") for u in kids(location, "url") if text(u)]
    urls.sort(key=lambda u: u.get("usage") != "primary display")
    links = [*[text(u) for u in urls], *links]
    pages = [link for link in links if not FILE_LINK.match(link)]
    if pages or links or item.get("DOI"):
        item["URL"] = (pages or links or [f"https://doi.org/{item.get('DOI')}"])[0]
    put(item, "mods:identifier", other)
    notes = texts(kids(mods, "note"))
    put(item, "mods:note", notes)
    return item, [link for link in links if FILE_LINK.match(link)]


# -- MARC 21 (MARCXML) ------------------------------------------------------------------------------------
# Leader/06 (type of record) and /07 (bibliographic level) -> CSL type (MARC 21 Bibliographic, Leader).
MARC_TYPES = {"e": "map", "f": "map", "g": "motion_picture", "i": "song", "j": "song", "k": "graphic",
              "m": "software", "c": "musical_score", "d": "musical_score", "t": "manuscript"}  # fmt: skip
MARC_LEVELS = {"m": "book", "a": "chapter", "b": "article", "s": "periodical", "i": "webpage"}
# Relator codes ($4) and terms ($e) of 100/700 -> CSL name variable (as MODS_ROLES); no role: the 1XX is
# the author, a 7XX a contributor.
MARC_ROLES = {**MODS_ROLES, "edt.": "editor", "ed.": "editor", "trans.": "translator", "prf": "performer",
              "performer": "performer", "ths": "contributor"}  # fmt: skip
ISBD_END = re.compile(r"\s*[/:;,.=]\s*$")


def trim(value):
    """A MARC subfield without the ISBD punctuation that ends it ('Atlantic,' -> 'Atlantic')."""
    value = re.sub(r"\s+", " ", value or "").strip()
    while ISBD_END.search(value) and not re.search(r"\b[A-Z]\.$", value):
        value = ISBD_END.sub("", value)
    return value


def whole(value):
    """A MARC subfield of prose (an abstract, a note) as written, whitespace collapsed."""
    return re.sub(r"\s+", " ", value or "").strip()


def marc_record(root):
    """The pymarc Record of a MARCXML <record> (or the first of a <collection>); MetadataError if none."""
    try:
        records = pymarc.parse_xml_to_array(io.BytesIO(etree.tostring(root)))
    except pymarc.exceptions.PymarcException as error:
        raise MetadataError(f"not MARC 21: {error}") from None
    if not records or records[0] is None:
        raise MetadataError("no MARC <record> in the record's metadata")
    return records[0]


def marc_name(field, *, corporate=False):
    """A CSL name of a 100/110/700/710 field, with `ORCID` from $0 or $1 when it is an ORCID iD."""
    written = trim(" ".join(field.get_subfields("a", "b") if corporate else field.get_subfields("a")))
    name = ({"literal": written} if written else None) if corporate else csl_name_of_text(written)
    if not name:
        return None
    for value in field.get_subfields("0", "1"):
        if "orcid" in value.lower() and (url := orcid_url(value)):
            name["ORCID"] = url
            break
    affiliations = [{"name": trim(value)} for value in field.get_subfields("u") if trim(value)]
    if affiliations:
        name["affiliation"] = affiliations
    return name


def marc_role(field, default):
    terms = [trim(v).lower() for v in [*field.get_subfields("4"), *field.get_subfields("e")] if trim(v)]
    for term in terms:
        if term in MARC_ROLES:
            return MARC_ROLES[term]
    return "contributor" if terms else default


def marc_item(identifier, root):
    """The CSL item of one MARC 21 bibliographic record in MARCXML (`root`: <record> or <collection>),
    read with pymarc by the MARC 21 Bibliographic format's fields; (item, files)."""
    record = marc_record(root)
    leader = str(record.leader or "")
    kind = MARC_TYPES.get(leader[6:7]) or MARC_LEVELS.get(leader[7:8], "document")
    fields = record.get_fields
    genres = [trim(f["a"]) for f in fields("655") if f.get("a")]
    item = {"id": identifier, "type": kind}
    put(item, "genre", "; ".join(genres))
    for field in fields("245")[:1]:
        title = trim(" ".join(field.get_subfields("a")))
        subtitle = trim(" ".join(field.get_subfields("b")))
        put(item, "title", f"{title}: {subtitle}" if title and subtitle else title)
    put(item, "marc:246", [trim(f["a"]) for f in fields("246") if f.get("a")])
    for tag, default, corporate in (("100", "author", False), ("110", "author", True), ("700", "contributor",
                                    False), ("710", "contributor", True)):  # fmt: skip
        for field in fields(tag):
            role, name = marc_role(field, default), marc_name(field, corporate=corporate)
            if role and name:
                item.setdefault(role, []).append(name)
    imprint = (fields("264") or fields("260"))[:1]
    for field in imprint:
        put(item, "publisher-place", trim(field.get("a") or ""))
        put(item, "publisher", trim(field.get("b") or ""))
        put(item, "issued", {"raw": trim(field.get("c") or "").strip("[]")} if field.get("c") else None)
    control = fields("008")
    if "issued" not in item and control and re.fullmatch(r"\d{4}", control[0].data[7:11]):
        item["issued"] = {"raw": control[0].data[7:11]}
    put(item, "edition", trim(next((f["a"] for f in fields("250") if f.get("a")), "")))
    put(item, "collection-title", trim(next((f["a"] for f in [*fields("490"), *fields("830")] if f.get("a")), "")))
    put(item, "abstract", "\n\n".join(whole(f["a"]) for f in fields("520") if f.get("a")))
    subjects = [trim(" -- ".join(f.get_subfields("a", "x", "y", "z"))) for f in [*fields("650"), *fields("651"),
                *fields("653")]]  # fmt: skip
    put(item, "keyword", list(dict.fromkeys(s for s in subjects if s)))
    languages = [v for f in fields("041") for v in f.get_subfields("a")]
    put(item, "language", languages[0] if languages else (control[0].data[35:38].strip() if control else ""))
    put(item, "license", "; ".join(trim(f["a"]) for f in [*fields("540"), *fields("506")] if f.get("a")))
    for field in fields("024"):
        if (field.get("2") or "").lower() == "doi" and doi_of(field.get("a") or "") and "DOI" not in item:
            item["DOI"] = doi_of(field["a"])
    for tag, variable in (("020", "ISBN"), ("022", "ISSN")):
        value = next((trim(f["a"]).split(" ")[0] for f in fields(tag) if f.get("a")), "")
        put(item, variable, value)
    links = [u for f in fields("856") for u in f.get_subfields("u") if u.startswith(("http://", "https://"))]
    if "DOI" not in item:
        put(item, "DOI", next((doi_of(link) for link in links if doi_of(link)), ""))
    pages = [link for link in links if not FILE_LINK.match(link) and not doi_of(link)]
    put(item, "URL", (pages or links or ([f"https://doi.org/{item['DOI']}"] if item.get("DOI") else [""]))[0])
    put(item, "marc:500", [whole(f["a"]) for f in fields("500") if f.get("a")])
    put(item, "marc:001", next((f.data for f in fields("001")), ""))
    return item, [link for link in links if FILE_LINK.match(link)]


MAPPINGS = {DATACITE: datacite_item, MODS: mods_item, MARCXML: marc_item}
