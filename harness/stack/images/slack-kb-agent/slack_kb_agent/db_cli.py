"""slack-kb-db: backups and restores of the knowledge-base database.

    slack-kb-db backup FILE     every table as JSON, gzipped; prints the row counts and the content checksum
    slack-kb-db restore FILE    replaces every table's rows with FILE's in one transaction; prints counts before and after
    slack-kb-db counts          prints "table rows" lines and the content checksum

FILE must lie under data/ of the working directory (the compose project's data folder, mounted at
/app/data). The checksum is a sha256 over every row in key order, so equal data gives equal sums
whichever file it came from.
"""
import gzip
import hashlib
import json
import os
import sys
import time

import psycopg2

from . import config

TABLES = ("users", "documents", "messages")  # in foreign-key order
DATA_ROOT = os.path.realpath("data")


def fail(code, message):
    print(f"slack-kb-db: {message}", file=sys.stderr)
    sys.exit(code)


def resolve(given):
    path = os.path.realpath(given)
    if not path.startswith(DATA_ROOT + os.sep):
        fail(2, f"refusing {given!r}: backup files live under {DATA_ROOT} (it resolves to {path})")
    return path


def connect():
    last = None
    for _ in range(30):  # PostgreSQL may still be starting (after `up -d postgres`)
        try:
            return psycopg2.connect(config.DATABASE_URL, connect_timeout=3)
        except psycopg2.OperationalError as error:
            last = error
            time.sleep(1)
    fail(1, f"cannot connect to the database: {str(last).strip()}")


def rows_of(cur, table):
    cur.execute(f'select row_to_json(t)::text from (select * from "{table}" order by 1) t')
    return [json.loads(row[0]) for row in cur.fetchall()]


def summary(cur):
    digest = hashlib.sha256()
    counts = {}
    for table in TABLES:
        rows = rows_of(cur, table)
        counts[table] = len(rows)
        for row in rows:
            digest.update(json.dumps(row, sort_keys=True, separators=(",", ":")).encode())
    return counts, digest.hexdigest()


def print_summary(label, counts, checksum):
    print(f"{label}: " + ", ".join(f"{table} {count}" for table, count in counts.items()))
    print(f"{label} checksum: {checksum}")


def backup(target):
    path = resolve(target)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    conn = connect()
    with conn, conn.cursor() as cur:
        cur.execute("set transaction isolation level repeatable read")
        dump = {"format": "slack-kb-db/1", "tables": {table: rows_of(cur, table) for table in TABLES}}
        counts, checksum = summary(cur)
    partial = f"{path}.partial.{os.getpid()}"
    with gzip.open(partial, "wt", encoding="utf-8") as out:
        json.dump(dump, out)
    os.replace(partial, path)
    print_summary("rows", counts, checksum)


def restore(source):
    path = resolve(source)
    if not os.path.isfile(path):
        fail(1, f"no backup {source!r}")
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            dump = json.load(handle)
    except (OSError, ValueError) as error:
        fail(1, f"{source} is not a slack-kb-db backup: {error}")
    if dump.get("format") != "slack-kb-db/1" or set(dump.get("tables", {})) != set(TABLES):
        fail(1, f"{source} is not a slack-kb-db backup of tables {', '.join(TABLES)}")
    conn = connect()
    with conn, conn.cursor() as cur:
        before, before_sum = summary(cur)
        print_summary("before", before, before_sum)
        cur.execute("truncate " + ", ".join(f'"{t}"' for t in TABLES) + " restart identity cascade")
        for table in TABLES:
            for row in dump["tables"][table]:
                columns = list(row)
                cur.execute(
                    f'insert into "{table}" ({", ".join(columns)}) values ({", ".join(["%s"] * len(columns))})',
                    [row[c] for c in columns],
                )
            cur.execute(
                f"select setval(pg_get_serial_sequence('{table}', 'id'), coalesce(max(id), 1)) from \"{table}\""
            )
        after, after_sum = summary(cur)
    print_summary("after", after, after_sum)


def main(argv):
    if len(argv) == 2 and argv[0] in ("backup", "restore"):
        return backup(argv[1]) if argv[0] == "backup" else restore(argv[1])
    if argv == ["counts"]:
        conn = connect()
        with conn, conn.cursor() as cur:
            print_summary("rows", *summary(cur))
        return None
    fail(64, "usage: slack-kb-db backup FILE | restore FILE | counts")


if __name__ == "__main__":
    main(sys.argv[1:])
