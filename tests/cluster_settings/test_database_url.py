"""DATABASE_URL with several hosts, honoured by Django's connections and by our own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import psycopg
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from dde_site.database_url import parse_database_url
from dde_site.keepalive import DeadPeerBounds, with_dead_peer_bounds
from streams.conninfo import database_conninfo
from tests.support.processes import ROOT, free_port

MULTI = "postgres://app:s%40cret@db1.internal:5432,db2.internal:5433/dde?target_session_attrs=read-write"


def test_a_url_with_two_hosts_keeps_both_hosts_and_ports_in_order() -> None:
    entry = parse_database_url(MULTI)
    assert entry["HOST"] == "db1.internal,db2.internal"
    assert entry["PORT"] == "5432,5433"
    assert (entry["NAME"], entry["USER"], entry["PASSWORD"]) == ("dde", "app", "s@cret")
    assert entry["OPTIONS"] == {"target_session_attrs": "read-write"}


def test_a_url_with_one_host_parses_as_before() -> None:
    entry = parse_database_url("postgres://postgres@127.0.0.1:5432/dde")
    assert (entry["HOST"], entry["PORT"], entry["NAME"], entry["USER"]) == (
        "127.0.0.1",
        "5432",
        "dde",
        "postgres",
    )
    assert entry["OPTIONS"] == {}


def test_a_host_without_a_port_keeps_an_empty_place_in_the_list_as_libpq_reads_it() -> None:
    # libpq's own reading: db1 and db2 on the default port, db3 on 6432.
    entry = parse_database_url("postgres://db1,db2,db3:6432/dde")
    assert (entry["HOST"], entry["PORT"]) == ("db1,db2,db3", ",,6432")


def test_one_port_given_for_all_hosts_is_accepted() -> None:
    entry = parse_database_url("postgres://db1,db2/dde?port=6432")
    assert (entry["HOST"], entry["PORT"]) == ("db1,db2", "6432")


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("mysql://db/dde", "postgres:// URL"),
        ("postgres://db1:5432,db2:5433,db3:5434/dde?port=1,2", "one port for every host"),
        ("postgres://db1/dde?nonsense_parameter=1", "libpq says"),
        ("postgres://db1:5432,db2:5433", "database name"),
    ],
)
def test_a_malformed_url_is_refused_with_a_sentence_naming_what_to_set(url: str, says: str) -> None:
    with pytest.raises(ImproperlyConfigured) as refused:
        parse_database_url(url)
    message = str(refused.value)
    assert message.startswith("Set DATABASE_URL") and says in message
    assert "\n" not in message


def test_the_url_s_own_libpq_parameters_win_and_its_options_are_kept_after_ours() -> None:
    bounds = DeadPeerBounds(5, 2, 3, 12, 5)
    given = parse_database_url(
        "postgres://db/dde?keepalives_idle=30&options=-c%20search_path%3Dother"
    )["OPTIONS"]
    merged = with_dead_peer_bounds(given, bounds)
    assert merged["keepalives_idle"] == "30"
    assert merged["options"].startswith("-c tcp_keepalives_idle=5")
    assert merged["options"].endswith("-c search_path=other")


def test_a_user_timeout_shorter_than_the_probes_is_refused() -> None:
    with pytest.raises(ImproperlyConfigured, match=r"at least .* = 11"):
        DeadPeerBounds(5, 2, 3, 10, 5)


@pytest.mark.django_db
def test_our_connection_string_carries_the_settings_options_and_adds_a_callers_options() -> None:
    params = psycopg.conninfo.conninfo_to_dict(
        database_conninfo(options="-c statement_timeout=2000", connect_timeout=2)
    )
    assert params["keepalives"] == "1" and params["connect_timeout"] == "2"
    assert "-c tcp_keepalives_idle=" in params["options"]
    assert params["options"].endswith("-c statement_timeout=2000")
    assert "pool" not in params


# Run in a process of its own: the settings read DATABASE_URL once, at start-up.
_CONNECT_EVERYWHERE = textwrap.dedent(
    """
    import json, uuid
    import django
    django.setup()
    from django.db import connection
    from streams.conninfo import database_conninfo
    from streams.feed.locks import ProcessLocks
    connection.ensure_connection()
    django_port = connection.connection.info.port
    locks = ProcessLocks(database_conninfo())
    assert locks.try_acquire(uuid.uuid4()) is not None
    lock_port = locks._conn.info.port
    locks.close()
    print(json.dumps({"django": django_port, "locks": lock_port}))
    """
)


@pytest.mark.django_db
def test_django_and_the_lock_connection_skip_a_dead_first_host_for_the_next() -> None:
    own = connection.settings_dict
    dead = free_port()  # nothing listens there: the "old primary"
    url = (
        f"postgres://{own['USER']}@127.0.0.1:{dead},{own['HOST']}:{own['PORT']}/"
        f"{own['NAME']}?target_session_attrs=read-write"
    )
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    done = subprocess.run(
        [sys.executable, "-c", _CONNECT_EVERYWHERE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    ports = json.loads(done.stdout.strip().splitlines()[-1])
    assert ports == {"django": int(own["PORT"]), "locks": int(own["PORT"])}
