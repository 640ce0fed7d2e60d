"""`portfolio run` from a shell: clear, single-line failures and a non-zero exit."""

from __future__ import annotations

from orchestration.cli import main


def test_missing_configuration_names_each_variable_and_exits_2(monkeypatch, capsys):
    for name in ("JIRA_URL", "JIRA_EMAIL", "JIRA_API_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    assert main(["run"]) == 2
    errors = capsys.readouterr().err.splitlines()
    assert [line.split(" is not set")[0] for line in errors] == [
        "error: JIRA_URL",
        "error: JIRA_API_TOKEN",
    ]


def test_an_unreachable_jira_fails_in_one_line_and_publishes_nothing(
    monkeypatch, capsys, tmp_path, dbt_manifest
):
    monkeypatch.setenv("JIRA_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("JIRA_API_TOKEN", "cli-test-token")
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    # the definitions read PORTFOLIO_DATA_DIR when first imported: point the resource here
    from orchestration.definitions import defs

    monkeypatch.setitem(defs.resources["warehouse"].__dict__, "data_dir", str(tmp_path))
    assert main(["run"]) == 1
    captured = capsys.readouterr()
    [error, status] = captured.err.splitlines()
    assert error == (
        "error: jira_landing: cannot reach Jira at http://127.0.0.1:9 while connecting: "
        "check JIRA_URL and the network"
    )
    assert "nothing was published" in status
    assert "cli-test-token" not in captured.out + captured.err
    assert list((tmp_path / "logs").glob("run-*.log"))  # the run used this data directory
    assert not (tmp_path / "published").exists()
