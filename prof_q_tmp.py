import sys

import django

django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment

setup_test_environment()
c = Client()
c.get(sys.argv[1])
with CaptureQueriesContext(connection) as ctx:
    c.get(sys.argv[1])
sql = ctx.captured_queries[0]["sql"]
open("/tmp/count.sql", "w").write(sql)
with connection.cursor() as cur:
    cur.execute("EXPLAIN (ANALYZE, TIMING ON) " + sql)
    for (line,) in cur.fetchall():
        if "actual time" in line and (
            "CTE" in line
            or "InitPlan" in line
            or "Result" in line[:40]
            or "Append" in line
            or "Subquery" in line
            or "Function" in line
        ):
            print(line[:200])
