"""Term rows of frequent words (issue 23): a search for common words is answered from bit strings kept
per word, to exactly what the GIN index answers, and the rows follow every write.

The corpus is the benchmark's generator at 600 entries, with the term rows chosen at 20 entries (the
portal chooses at 1,000: depository.search.TERM_MIN_ENTRIES) so that its frequent words have rows."""

import io
import random

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.timezone import now

from depository import search
from depository.models import Entry, TermPosting, Theme
from portal.records import load_records
from tests.depository_helpers import make_entry

# transaction=True: the generator VACUUMs, and every write is indexed at its commit as in production.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def corpus():
    load_records()
    call_command("generate_synthetic_entries", entries=600, allow_any_database=True, stdout=io.StringIO())
    every_ninth = list(Entry.objects.order_by("pk").values_list("pk", flat=True))[::9]
    Entry.objects.filter(pk__in=every_ninth).update(status="draft")
    search.choose_terms(min_entries=20)
    assert TermPosting.objects.count() > 50


def frequent_words(count):
    """`count` words of the entries' titles whose English stem has a term row, most entries first."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT min(w.word) FROM (SELECT DISTINCT lower(unnest(regexp_split_to_array(title, '\\s+'))) AS word "
            "FROM depository_entry) w JOIN depository_termposting t ON t.language = 'en' "
            "AND tsvector_to_array(to_tsvector('twg_english', w.word)) = ARRAY[t.lexeme] "
            "WHERE w.word ~ '^[a-z]+$' GROUP BY t.lexeme, t.size ORDER BY t.size DESC, t.lexeme LIMIT %s",
            [count],
        )
        return [row[0] for row in cursor.fetchall()]


def matched_by_terms(query):
    """Whether depository_matching answered `query` from term rows (its ids column is then NULL)."""
    sql, params = search.text.matching_sql(search.text.normalize_query(query))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ids IS NULL FROM {sql}", params)  # noqa: S608 (the search's own SQL)
        return cursor.fetchone()[0]


def answer(query_string, viewer):
    """What a reader sees of a search: the count, every facet's counts, the page's ids in order."""
    results = search.search(QueryDict(query_string), viewer)
    counts = {(item["facet"].name, value.value): value.count for item in results.facets for value in item["values"]}
    return results.count, counts, [row.pk for row in results.page]


def test_term_rows_answer_exactly_what_the_gin_index_answers(corpus):
    """Sixty searches (one to three frequent words, with a rare word, a phrase, a negation, an OR, with
    a facet chosen, by relevance and by date), for a visitor and a curator: the count, every facet's
    count and the page are the same with the term rows as without them."""
    rng = random.Random(23)
    common = frequent_words(30)
    assert len(common) >= 25, common
    theme = Theme.objects.filter(parent=None).order_by("slug").values_list("slug", flat=True).first()
    queries = [" ".join(rng.sample(common, rng.randint(1, 3))) for _ in range(40)]
    queries += [f"{common[0]} kidnapping", f'"{common[0]} {common[1]}"', f"{common[2]} -{common[3]}"]
    queries += [f"{common[4]} or {common[5]}", "the of", common[6].upper()]
    # Negated words and phrases (sql/search_v7.sql): a word with a term row, one without
    # (a rare word: the GIN index takes its matches out), several, first, a negated phrase, a phrase and
    # a word.
    queries += [f"{common[7]} -kidnapping", f"{common[8]} -{common[9]} -{common[10]}", f"-{common[11]} {common[12]}"]
    queries += [f'{common[13]} -"{common[14]} {common[15]}"', f"{common[16]} {common[17]} -{common[18]}"]
    queries += [
        f'-"{common[19]} of {common[20]}" {common[21]} -{common[22]}',
        f'{common[23]} -"{common[24]} kidnapping"',
    ]
    curator = User.objects.create_user("curator", is_staff=True, is_superuser=True)
    cases = []
    for n, query in enumerate(queries):
        extra = f"&theme={theme}" if n % 3 == 0 else ""
        extra += "&sort=newest" if n % 4 == 1 else ""
        cases.append((f"q={query}{extra}", AnonymousUser() if n % 2 else curator))
    assert sum(matched_by_terms(query) for query in queries) >= 46
    assert not matched_by_terms(f'"{common[0]} {common[1]}"')
    assert matched_by_terms(f"{common[7]} -kidnapping") and matched_by_terms(f"-{common[11]} {common[12]}")
    assert matched_by_terms(f'{common[13]} -"{common[14]} {common[15]}"')
    assert not matched_by_terms(f'{common[13]} -"{common[14]} {common[15]}" or {common[16]}')
    with_terms = [answer(query_string, viewer) for query_string, viewer in cases]
    TermPosting.objects.all().delete()
    assert not any(matched_by_terms(query) for query in queries)
    without_terms = [answer(query_string, viewer) for query_string, viewer in cases]
    for case, first, second in zip(cases, with_terms, without_terms, strict=True):
        assert first == second, case[0]
    assert any(first[0] > 50 for first in with_terms)


def expected_rows():
    """{(language, lexeme): (entry bits, title bits, size)} of the term rows recomputed from the documents."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.language, t.lexeme, "
            "depository_bits(coalesce(sort(array_agg(d.entry_id::integer)), '{}'), length(t.entry_bits))::text, "
            "depository_bits(coalesce(sort(array_agg(d.entry_id::integer) FILTER (WHERE 'A' = ANY(l.weights))), '{}'), "
            "length(t.entry_bits))::text, count(d.entry_id) "
            "FROM depository_termposting t LEFT JOIN (depository_entrysearchdocument d CROSS JOIN LATERAL "
            "unnest(d.document) l) ON depository_search_group(d.language) = t.language AND l.lexeme = t.lexeme "
            "GROUP BY t.id"
        )
        return {(row[0], row[1]): tuple(row[2:]) for row in cursor.fetchall()}


def current_rows():
    return {(row.language, row.lexeme): (row.entry_bits, row.title_bits, row.size) for row in TermPosting.objects.all()}


def test_term_rows_follow_every_write(corpus):
    """A title gaining and losing frequent words, a new entry, a deletion, a language moved to another
    configuration, a theme renamed (its name is in its entries' documents), a bulk UPDATE: after the
    flush every row's bits and size equal a recount from the documents; and only the rows that changed
    were written."""
    words = frequent_words(6)
    first, second, third = Entry.objects.order_by("pk")[:3]
    first.title = f"{words[0]} {words[1]} {words[2]}"
    first.save()
    second.language = "fr"
    second.save()
    Entry.objects.filter(pk=third.pk).delete()
    Entry.objects.create(
        title=f"{words[3]} {words[4]}", slug="new-one", kind="tool", status="published", published_at=now()
    )
    Theme.objects.filter(pk=Theme.objects.order_by("pk").values("pk")[:1]).update(name=f"{words[5]} renamed")
    Entry.objects.filter(pk__in=Entry.objects.order_by("-pk").values("pk")[:20]).update(summary=words[0])
    search.flush()
    assert current_rows() == expected_rows()

    untouched = Entry.objects.order_by("-pk")[50]
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, xmin::text FROM depository_termposting")
        before = dict(cursor.fetchall())
        untouched.save()  # nothing in its document changes
        search.flush()
        cursor.execute("SELECT id, xmin::text FROM depository_termposting")
        assert dict(cursor.fetchall()) == before


@pytest.mark.parametrize(
    ("query", "lexemes"),
    [
        ("crime prevention", ["crime", "prevent"]),
        ("prevention crime crime", ["crime", "prevent"]),
        ("the of", []),
        ("crime or prevention", None),
        ("crime -prevention", ["crime"]),
        ("-prevention crime -gangs safe", ["crime", "safe"]),
        ("-prevention", None),
        ('crime -"armed gangs"', ["crime"]),
        ('-"gangs of youth" safety crime', ["crime", "safeti"]),
        ('crime -"armed gangs" or safety', None),
        ('"crime prevention"', None),
        ("crime:*", None),
    ],
)
def test_only_a_conjunction_of_words_some_negated_is_answered_from_term_rows(query, lexemes):
    with connection.cursor() as cursor:
        if ":*" in query:
            cursor.execute("SELECT depository_query_lexemes(to_tsquery('twg_english', 'crime:*'))")
        else:
            cursor.execute("SELECT depository_query_lexemes(websearch_to_tsquery('twg_english', %s))", [query])
        found = cursor.fetchone()[0]
    assert found == lexemes  # each word once, sorted


@pytest.mark.parametrize(
    ("query", "negated"),
    [
        ("crime prevention", []),
        ("crime -prevention", ["prevent"]),
        ("-prevention crime -gangs -gang safe", ["gang", "prevent"]),
        ("-prevention", None),
        ('crime -"armed gangs"', []),
        ('crime -"armed gangs" -drugs', ["drug"]),
        ("crime or -prevention", None),
        ("the of", []),
    ],
)
def test_the_negated_words_of_such_a_query(query, negated):
    with connection.cursor() as cursor:
        cursor.execute("SELECT depository_query_negated(websearch_to_tsquery('twg_english', %s))", [query])
        assert cursor.fetchone()[0] == negated


@pytest.mark.parametrize(
    ("query", "unwanted"),
    [
        ("crime -prevention", None),
        ('crime -"armed gangs"', "'crime' & 'arm' <-> 'gang'"),
        ('-"gangs of youth" safety -drugs', "'safeti' & 'gang' <2> 'youth'"),
        (
            'crime safety -"armed gangs" -"street gangs"',
            "'crime' & 'safeti' & ( 'arm' <-> 'gang' | 'street' <-> 'gang' )",
        ),
        ('crime -"armed gangs" or safety', None),
    ],
)
def test_the_entries_a_negated_phrase_takes_out(query, unwanted):
    with connection.cursor() as cursor:
        cursor.execute("SELECT depository_query_unwanted(websearch_to_tsquery('twg_english', %s))::text", [query])
        assert cursor.fetchone()[0] == unwanted


GROUPS = ["en", "es", "fr", "ar", ""]  # depository_matching's arguments, in order: one query per language group


def matching_in(group, query):
    """depository_matching given `query` (tsquery text) in one language group's argument, NULL in the
    others: (ids, bits as text, the GIN index's ids of the same arguments)."""
    arguments = [query if name == group else None for name in GROUPS]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT m.ids, m.bits::text, depository_matching_ids(%s::tsquery, %s::tsquery, %s::tsquery, "
            "%s::tsquery, %s::tsquery, false) FROM depository_matching(%s::tsquery, %s::tsquery, %s::tsquery, "
            "%s::tsquery, %s::tsquery) m",
            arguments + arguments,
        )
        return cursor.fetchone()


def test_a_word_goes_to_the_gin_index_at_once_only_when_no_group_has_its_term_row():
    """depository_matching's first test (sql/search_v10.sql): a query goes straight to the GIN index
    only when no word of any group's parse has a term row in that group. Each group's most frequent
    term row, asked in that group alone, is answered from the term rows (ids NULL) with exactly that
    row's entries; the same lexeme in a group where it has no term row, or as a prefix (which only the
    GIN index answers), or negated beside a word without a term row, gives the GIN index's matches.
    A first test that skipped a group, or took a lexeme's pieces for absent, fails here."""
    for language, words in [("en", "kidnapping ransom"), ("es", "secuestro rescate"), ("fr", "enlèvement rançon")]:
        for number in range(3):
            make_entry(f"{words} {number}", language=language, summary=words)
    search.choose_terms(min_entries=2)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT ON (language) language, lexeme, entry_bits::text FROM depository_termposting "
            "ORDER BY language, size DESC, lexeme"
        )
        rows = cursor.fetchall()
        cursor.execute("SELECT language, array_agg(lexeme) FROM depository_termposting GROUP BY language")
        lexemes = dict(cursor.fetchall())
    assert [row[0] for row in rows] == ["en", "es", "fr"], rows
    for group, lexeme, entry_bits in rows:
        word = "'" + lexeme.replace("'", "''") + "'"
        ids, bits, _ = matching_in(group, word)
        assert ids is None and bits == entry_bits, (group, lexeme)
        assert matching_in(group, f"{word} & {word}")[0] is None
        for query in [f"{word}:*", f"'kidnapping' & !{word}", f"!{word} & 'kidnapping'"]:
            ids, bits, gin = matching_in(group, query)
            assert ids == gin and bits.count("1") == len(gin), (group, query)
        elsewhere = next(name for name in GROUPS if lexeme not in lexemes.get(name, ()))
        ids, bits, gin = matching_in(elsewhere, word)
        assert ids == gin is not None, (elsewhere, lexeme)


def test_the_last_ids_of_a_bit_string_are_its_last_set_bits():
    rng = random.Random(5)
    with connection.cursor() as cursor:
        for density, length, k in [(0.3, 10_000, 220), (0.001, 20_000, 220), (0.5, 100, 10), (0.0, 8192, 5)]:
            bits = "".join("1" if rng.random() < density else "0" for _ in range(length))
            ones = [position + 1 for position, bit in enumerate(bits) if bit == "1"]
            cursor.execute("SELECT depository_last_ids(%s::bit varying, %s)", [bits, k])
            assert cursor.fetchone()[0] == ones[-k:]


def test_a_common_word_search_page_shows_the_same_and_costs_the_same_queries(corpus, client):
    word = frequent_words(1)[0]
    url = reverse("depository:browse")
    client.get(url, {"q": word})
    with CaptureQueriesContext(connection) as with_terms:
        shown = client.get(url, {"q": word})
    assert matched_by_terms(word)
    TermPosting.objects.all().delete()
    with CaptureQueriesContext(connection) as without_terms:
        expected = client.get(url, {"q": word})
    assert shown.status_code == expected.status_code == 200
    assert [row.pk for row in shown.context["page"]] == [row.pk for row in expected.context["page"]]
    assert shown.context["page"].paginator.count == expected.context["page"].paginator.count > 20
    assert len(with_terms) == len(without_terms) == 2  # the counts, the page with its themes' names


def test_every_list_of_names_in_the_search_document_is_joined_in_a_fixed_order():
    """The names of an entry's themes, city types, violence types, cities, tags and files' texts are
    joined in a fixed order, not in whatever order the plan reads their rows: otherwise the same entry
    gives a document with its words at other positions, and "a document that did not change is not
    rewritten" fails (2,424 of 5,000 unchanged documents were rewritten at 20,000 entries, where the
    plans hash the relations). Read from the installed function: every string_agg has its ORDER BY."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_functiondef('depository_search_documents'::regproc)")
        definition = cursor.fetchone()[0]
    calls = definition.split("string_agg(")[1:]
    assert len(calls) == 6
    for call in calls:
        assert "ORDER BY" in call.split(" FROM ")[0], call[:200]


def test_the_page_ranked_by_the_counting_statement_is_the_orms_ranking(corpus):
    """The counting statement ranks the candidates (facet_index._ranked_sql) and the page statement
    fetches that page's rows: the same rows in the same order as ranking them in the ORM
    (Results.entries, ranked by SearchRank, then the newest work), on the first, a middle, the last and
    an out-of-range page, for a visitor and a curator, through term rows and through the GIN index."""
    curator = User.objects.create_user("ranker", is_staff=True, is_superuser=True)
    words = frequent_words(3)
    for query in [words[0], f"{words[1]} {words[2]}", "kidnapping"]:
        for viewer in (AnonymousUser(), curator):
            for number in (1, 2, 4, 999):
                results = search.search(QueryDict(f"q={query}"), viewer, page=number, page_size=7)
                start = (results.page.number - 1) * 7
                expected = [row.pk for row in results.entries[start : start + 7]]
                assert [row.pk for row in results.page] == expected, (query, number)


def test_choosing_terms_on_an_empty_database_twice_writes_nothing_and_refuses_bad_numbers():
    """Nothing indexed yet (a new portal, or before its first import): no row, twice over, and the same
    search as without rows; a limit under 1 is refused with a message, before anything is written."""
    assert search.choose_terms() == 0 == search.choose_terms(min_entries=1)
    assert not TermPosting.objects.exists()
    assert search.search(QueryDict("q=crime"), AnonymousUser()).count == 0
    out = io.StringIO()
    call_command("choose_search_terms", "--min-entries", "1", stdout=out)
    assert out.getvalue().startswith("0 term rows written")
    for bad in ("0", "-3", "many"):
        with pytest.raises(CommandError, match="per-language"):
            call_command("choose_search_terms", "--per-language", bad)


def test_the_query_shape_functions_are_inlined():
    """depository_matching asks them for each of the five language groups: inlined, they are
    expressions of its statement; not inlined (a sub-select in the body, or a STABLE function such as
    array_to_string inside an IMMUTABLE one), each call ran as a statement of its own, ~30 us
    (sql/search_v6.sql, search_v7.sql)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN VERBOSE SELECT depository_query_lexemes(q), depository_query_negated(q), "
            "depository_query_unwanted(q) FROM (VALUES (websearch_to_tsquery('twg_english', %s)), "
            "(websearch_to_tsquery('twg_spanish', 'kidnapping'))) v(q)",
            ['youth -"armed gangs"'],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "depository_query_" not in plan, plan
