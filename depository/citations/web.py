"""What the entry page tells search engines and reference managers that read web pages: Highwire Press
`citation_*` meta tags (Google Scholar, Zotero's Embedded Metadata translator) and schema.org JSON-LD,
both from the entry's CSL item."""

from depository import csl
from depository.citations.base import date_parts_of, iso_date, keywords, name_text, page_range
from depository.creators import shown_creators
from depository.csl import text_of

# -- Highwire Press tags -----------------------------------------------------------------------------
# Google Scholar's inclusion guidelines (https://scholar.google.com/intl/en/scholar/inclusion.html#indexing)
# name the tags; Zotero's Embedded Metadata translator reads the same ones, and citation_inbook_title,
# citation_series_title, citation_editor. The container's tag depends on the type.
CONTAINER_TAGS = {
    "article-journal": "citation_journal_title",
    "article-magazine": "citation_journal_title",
    "article-newspaper": "citation_journal_title",
    "article": "citation_journal_title",
    "review": "citation_journal_title",
    "review-book": "citation_journal_title",
    "paper-conference": "citation_conference_title",
    "chapter": "citation_inbook_title",
}
PUBLISHER_TAGS = {
    "thesis": "citation_dissertation_institution",
    "report": "citation_technical_report_institution",
}
HIGHWIRE = {  # CSL variable -> tag, whatever the type
    "container-title-short": "citation_journal_abbrev",
    "collection-title": "citation_series_title",
    "volume": "citation_volume",
    "issue": "citation_issue",
    "DOI": "citation_doi",
    "ISBN": "citation_isbn",
    "ISSN": "citation_issn",
    "language": "citation_language",
}


def highwire_date(parts):
    """'2019/03/04', '2019/03' or '2019' (Google Scholar: "in the format 2010/5/12", or the year alone)."""
    return "/".join(f"{part:02d}" if n else str(part) for n, part in enumerate(parts))


def highwire_meta(entry, viewer, *, url, pdf_url=None):
    """(name, content) pairs of the Highwire Press tags of the entry: authors as 'Family, Given'."""
    item = csl.csl_item(entry, viewer, url=url)
    csl_type = item["type"]
    meta = [("citation_title", item["title"])]
    meta += [("citation_author", name_text(name)) for name in item.get("author", [])]
    meta += [("citation_editor", name_text(name)) for name in item.get("editor", [])]
    parts = date_parts_of(item.get("issued"))
    if parts:
        meta.append(("citation_publication_date", highwire_date(parts)))
    container = CONTAINER_TAGS.get(csl_type)
    if container and item.get("container-title"):
        meta.append((container, item["container-title"]))
    if csl_type == "paper-conference" and item.get("event-title") and not item.get("container-title"):
        meta.append(("citation_conference_title", item["event-title"]))
    for variable, name in HIGHWIRE.items():
        if item.get(variable):
            meta.append((name, text_of(item[variable])))
    first, last = page_range(item.get("page"))
    if first:
        meta.append(("citation_firstpage", first))
    if last:
        meta.append(("citation_lastpage", last))
    if item.get("publisher"):
        meta.append((PUBLISHER_TAGS.get(csl_type, "citation_publisher"), item["publisher"]))
    if item.get("number"):
        meta.append(("citation_technical_report_number", item["number"]))
    words = keywords(item)
    if words:
        meta.append(("citation_keywords", "; ".join(words)))
    meta.append(("citation_abstract_html_url", url))
    if pdf_url:
        meta.append(("citation_pdf_url", pdf_url))
    return meta


# -- schema.org JSON-LD ------------------------------------------------------------------------------
# CSL type -> schema.org type (https://schema.org/CreativeWork's subtypes).
SCHEMA_TYPES = {
    "article": "ScholarlyArticle",
    "article-journal": "ScholarlyArticle",
    "article-magazine": "Article",
    "article-newspaper": "NewsArticle",
    "paper-conference": "ScholarlyArticle",
    "review": "Review",
    "review-book": "Review",
    "book": "Book",
    "classic": "Book",
    "chapter": "Chapter",
    "report": "Report",
    "thesis": "Thesis",
    "manuscript": "Manuscript",
    "webpage": "WebPage",
    "post": "SocialMediaPosting",
    "post-weblog": "BlogPosting",
    "dataset": "Dataset",
    "software": "SoftwareSourceCode",
    "legislation": "Legislation",
    "bill": "Legislation",
    "regulation": "Legislation",
    "map": "Map",
    "motion_picture": "Movie",
    "musical_score": "MusicComposition",
    "song": "MusicRecording",
    "graphic": "VisualArtwork",
    "figure": "ImageObject",
    "speech": "PresentationDigitalDocument",
    "periodical": "Periodical",
    "pamphlet": "Book",
}
ROLE_PROPERTIES = {"author": "author", "editor": "editor", "translator": "translator"}  # others: contributor


def schema_creator(creator):
    if not creator.is_person:
        return {"@type": "Organization", "name": creator.name}
    person = {"@type": "Person", "name": creator.display_name, "familyName": creator.family}
    if creator.given:
        person["givenName"] = creator.given
    if creator.orcid:
        person["sameAs"] = f"https://orcid.org/{creator.orcid}"
    return person


def is_part_of(item):
    """Where the work was published, as schema.org nests it: a journal article in its issue, in its volume,
    in the Periodical (https://schema.org/docs/... "Periodical": PublicationIssue and PublicationVolume);
    a chapter or a conference paper in its Book; a book or report in its series (CreativeWorkSeries)."""
    csl_type, parts = item["type"], []
    container = item.get("container-title")
    if container and csl_type in {"article-journal", "article-magazine", "article-newspaper", "article", "review"}:
        periodical = {"@type": "Periodical", "name": container}
        if item.get("container-title-short"):
            periodical["alternateName"] = item["container-title-short"]
        if item.get("ISSN"):
            periodical["issn"] = item["ISSN"]
        node = periodical
        if item.get("volume"):
            node = {"@type": "PublicationVolume", "volumeNumber": item["volume"], "isPartOf": node}
        if item.get("issue"):
            node = {"@type": "PublicationIssue", "issueNumber": item["issue"], "isPartOf": node}
        parts.append(node)
    elif container:
        book = {"@type": "Book" if csl_type in {"chapter", "paper-conference"} else "CreativeWork", "name": container}
        editors = [schema_name(name) for name in item.get("editor", [])] if csl_type == "chapter" else []
        if editors:
            book["editor"] = editors
        if item.get("ISBN") and csl_type == "chapter":
            book["isbn"] = item["ISBN"]
        parts.append(book)
    if item.get("collection-title"):
        series = {"@type": "CreativeWorkSeries", "name": item["collection-title"]}
        if item.get("collection-number"):
            series["position"] = item["collection-number"]
        parts.append(series)
    return parts


def schema_name(name):
    if name.get("literal") and not name.get("family"):
        return {"@type": "Organization", "name": name["literal"]}
    person = {"@type": "Person", "name": " ".join(filter(None, [name.get("given"), name.get("family")]))}
    person["familyName"] = name.get("family", "")
    if name.get("given"):
        person["givenName"] = name["given"]
    return person


def json_ld(entry, viewer, *, url):
    """schema.org JSON-LD of the entry: Person/Organization creators (ORCID iDs as sameAs), where it was
    published (isPartOf), pages, edition, the date at its precision, identifiers, keywords, licence."""
    creators = shown_creators(entry, viewer)
    item = csl.csl_item(entry, viewer, url=url, creators=creators)
    csl_type = item["type"]
    schema_type = SCHEMA_TYPES.get(csl_type, "CreativeWork")
    data = {
        "@context": "https://schema.org",
        "@type": schema_type,
        "name": item["title"],
        "url": url,
        "inLanguage": item.get("language") or entry.language,
        "genre": item.get("genre") or str(entry.get_kind_display()),
    }
    if item.get("title-short"):
        data["alternateName"] = item["title-short"]
    if item.get("abstract"):
        data["abstract"] = item["abstract"]
    if entry.summary:
        data["description"] = entry.summary
    for creator in creators:
        data.setdefault(ROLE_PROPERTIES.get(creator.role, "contributor"), []).append(schema_creator(creator))
    if csl_type == "chapter" and "editor" in data:
        data.pop("editor")  # the book's editors: on the Book it is part of
    if item.get("publisher"):
        publisher = {"@type": "Organization", "name": item["publisher"]}
        if item.get("publisher-place"):
            publisher["location"] = {"@type": "Place", "name": item["publisher-place"]}
        data["publisher"] = publisher
    if item.get("issued"):
        data["datePublished"] = iso_date(item["issued"])  # ISO 8601 at its precision: '2019-03'
    parts = is_part_of(item)
    if parts:
        data["isPartOf"] = parts[0] if len(parts) == 1 else parts
    first, last = page_range(item.get("page"))
    if last:
        data["pageStart"], data["pageEnd"] = first, last
    if item.get("page"):
        data["pagination"] = item["page"]
    if item.get("number-of-pages") and schema_type == "Book":
        data["numberOfPages"] = item["number-of-pages"]
    if item.get("edition"):
        data["bookEdition" if schema_type == "Book" else "version"] = item["edition"]
    if item.get("ISBN") and schema_type == "Book":
        data["isbn"] = item["ISBN"]
    if item.get("license"):
        data["license"] = item["license"]
    identifiers = [
        {"@type": "PropertyValue", "propertyID": name, "value": item[name]}
        for name in ("DOI", "ISBN", "ISSN")
        if item.get(name)
    ]
    if item.get("number"):
        identifiers.append({"@type": "PropertyValue", "propertyID": "report number", "value": item["number"]})
    if identifiers:
        data["identifier"] = identifiers
    same_as = [link for link in (f"https://doi.org/{entry.doi}" if entry.doi else "", entry.external_url) if link]
    if same_as:
        data["sameAs"] = same_as[0] if len(same_as) == 1 else list(dict.fromkeys(same_as))
    words = keywords(item)
    if words:
        data["keywords"] = words
    if csl_type == "thesis" and item.get("publisher"):
        data["sourceOrganization"] = data["publisher"]  # the university
    themes = [theme.name for theme in entry.themes.all()]
    if themes:
        data["about"] = themes
    cities = [{"@type": "City", "name": city.name} for city in entry.cities.all()]
    if cities:
        data["spatialCoverage"] = cities
    return data
