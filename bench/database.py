"""Create the PostgreSQL database named by DATABASE_URL if it does not exist yet."""

import os
import sys

import dj_database_url
import psycopg
from psycopg import sql


def main() -> None:
    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    name = config["NAME"]
    admin = psycopg.connect(
        dbname="postgres",
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        autocommit=True,
    )
    with admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"Created database {name}.", file=sys.stderr)


if __name__ == "__main__":
    main()
