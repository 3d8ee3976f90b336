"""What the search's migrations read from depository/search/sql/: one function's statement out of a
file there. Not a migration itself: Django's migration loader skips modules whose name starts with `_`.
The SQL files are kept version by version (search_v1.sql, search_v2.sql, ...), so a migration installs
a function from the newest file and, reversed, puts back the one an earlier file holds."""

import re
from pathlib import Path

SQL_DIR = Path(__file__).resolve().parent.parent / "search" / "sql"


def definition(name: str, sql_file: str | Path) -> str:
    """The CREATE OR REPLACE FUNCTION statement for `name`, up to its closing `$$;`, in `sql_file` (a
    file name in SQL_DIR, or a path). Raises AttributeError when the file has no such function."""
    match = re.search(rf"CREATE OR REPLACE FUNCTION {name}\(.*?\$\$;", (SQL_DIR / sql_file).read_text(), re.DOTALL)
    return match.group(0)
