"""The benchmark scripts keep working: their quick mode runs against PostgreSQL (timing nothing)."""

import secrets

import pytest

from accounts.models import User
from bench import run
from contracts.models import Contract, EnrollmentCode


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_quick_run_prints_one_table_of_figures(capsys):
    status = run.main(["--quick", "codes"])

    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["benchmark", "measure", "value", "target", "met"]
    measures = [line for line in lines[2:] if line.startswith("codes ")]
    assert len(measures) == 2 * 5 + 2  # per size: issue, 2 formats x (time, memory); 2 growths
    assert "issue 200 one-time codes, s" in out
    assert "export 200 codes as json, peak MiB" in out
    assert status in (0, 1)  # 1 would mean a target was missed: timings are not judged here
    # The benchmark removes what it made.
    assert not Contract.objects.exists()
    assert not EnrollmentCode.objects.exists()


def test_run_refuses_a_database_other_than_postgresql(monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", "sqlite:///bench.sqlite3")

    assert run.main(["--quick"]) == 2
    assert "need PostgreSQL" in capsys.readouterr().err


def test_run_refuses_an_unknown_benchmark():
    with pytest.raises(SystemExit):
        run.main(["nope"])


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_attach_benchmark_quick_run_counts_statements_and_cleans_up():
    from bench import attach

    results = {r.measure: r for r in attach.run(quick=True)}

    assert results["200 already attached"].value < results["201 attached (first membership)"].value
    assert results["404 malformed code"].value < results["404 unknown code"].value
    assert results["median ratio 200 / 0 seats"].value > 0
    assert not Contract.objects.exists()
    assert not User.objects.exists()


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_end_to_end_benchmark_fills_the_contract_exactly_across_worker_processes(settings):
    from bench import endtoend

    # The gunicorn workers run with DEBUG off, which needs a real key; sessions are signed with it.
    settings.SECRET_KEY = secrets.token_urlsafe(40)

    results = endtoend.run(quick=True)

    exact = [r for r in results if r.bound == "exactly" or r.measure == "answers 5xx"]
    assert len(exact) == 3 * 5  # three runs, five exact figures each
    assert all(r.met for r in exact), [(r.benchmark, r.measure, r.value) for r in exact]
    assert not Contract.objects.exists()
