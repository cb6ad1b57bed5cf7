"""The benchmark scripts keep working: their quick mode runs against PostgreSQL (timing nothing)."""

import pytest

from bench import run
from contracts.models import Contract, EnrollmentCode


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_quick_run_prints_one_table_of_figures(capsys):
    status = run.main(["--quick"])

    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["benchmark", "measure", "value", "target", "met"]
    measures = [line for line in lines[2:] if line.startswith("codes")]
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
