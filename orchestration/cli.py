"""`portfolio`: run the whole pipeline once from a shell, with one clear line when it fails.

The scheduled path is Dagster's own (`dagster dev` / a daemon); this is the same job executed in
process, for first runs, the demo and cron-less setups.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

REQUIRED_ENV = {
    "JIRA_URL": "your site root, e.g. https://your-org.atlassian.net",
    "JIRA_API_TOKEN": "an API token (id.atlassian.com > Security > API tokens)",
}


def _missing_configuration() -> list[str]:
    return [
        f"{name} is not set: export {name}=<{hint}>"
        for name, hint in REQUIRED_ENV.items()
        if not os.environ.get(name)
    ]


def _failure_lines(result) -> list[str]:
    """One line per failed step: a `Failure`'s description, else the error's first line."""
    lines = []
    for event in result.all_events:
        if event.is_step_failure:
            data = event.step_failure_data
            if data.user_failure_data is not None and data.user_failure_data.description:
                message = data.user_failure_data.description
            else:
                cause = data.error
                while cause.cause is not None:
                    cause = cause.cause
                message = cause.message.strip().splitlines()[0]
            lines.append(f"{event.step_key}: {message}")
    for evaluation in result.get_asset_check_evaluations():
        if not evaluation.passed:
            lines.append(f"quality gate {evaluation.check_name}: {evaluation.description}")
    return lines


def run_pipeline(verbose: bool, full_refresh: bool = False) -> int:
    missing = _missing_configuration()
    if missing:
        for line in missing:
            print(f"error: {line}", file=sys.stderr)
        return 2
    from orchestration.defs.resources import prepare_dbt_manifest

    prepare_dbt_manifest()

    from dagster import DagsterInstance

    from orchestration.definitions import defs
    from orchestration.defs.schedules import portfolio_job

    instance = (
        DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else DagsterInstance.ephemeral()
    )
    log_level = "INFO" if verbose else "CRITICAL"
    # dagster-dbt echoes every dbt log line to stdout: keep it in a file unless asked to stream.
    stamp = f"{datetime.now(UTC):%Y%m%dT%H%M%S}Z"
    log_file = defs.resources["warehouse"].root / "logs" / f"run-{stamp}.log"
    with contextlib.ExitStack() as stack:
        if not verbose:
            log_file.parent.mkdir(parents=True, exist_ok=True)
            stack.enter_context(contextlib.redirect_stdout(stack.enter_context(log_file.open("w"))))
        result = defs.resolve_job_def(portfolio_job.name).execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config={
                "loggers": {"console": {"config": {"log_level": log_level}}},
                "ops": {
                    "jira_landing": {"config": {"full_refresh": full_refresh}},
                    "portfolio_dbt_models": {"config": {"full_refresh": full_refresh}},
                },
            },
        )
    if not verbose:
        print(f"run log (dbt output): {log_file}")
    for event in result.all_events:
        if event.is_step_materialization:
            print(f"materialized {event.asset_key.to_user_string()}")
    failures = _failure_lines(result)
    for line in failures:
        print(f"error: {line}", file=sys.stderr)
    if failures or not result.success:
        print("nothing was published; the last published warehouse is unchanged", file=sys.stderr)
        return 1
    print(f"published warehouse: {defs.resources['warehouse'].published_db}")
    return 0


def explain(issue_key: str, rules_file: str | None) -> int:
    """Print how one landed issue is classified, rule by rule (data from PORTFOLIO_DATA_DIR)."""
    from ingest.explain import UnknownIssue, explain_landed
    from ingest.landing import committed_batches
    from ingest.rules import RulesError, load_rules
    from orchestration.defs.resources import default_resources

    resources = default_resources()
    landing_dir = resources["warehouse"].landing_dir
    if not committed_batches(landing_dir):
        message = f"no landed issues in {landing_dir}: run `portfolio run` first"
        print(f"error: {message}", file=sys.stderr)
        return 1
    try:
        rules = load_rules(rules_file) if rules_file else resources["classification"].rules()
        print(explain_landed(issue_key, landing_dir, rules))
    except (RulesError, UnknownIssue) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="portfolio", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="extract, classify, build, check and publish once")
    run.add_argument("--verbose", action="store_true", help="stream Dagster and dbt logs")
    run.add_argument(
        "--full-refresh",
        action="store_true",
        help="re-extract the whole scope (and reconcile deletions) and rebuild the incremental "
        "models from scratch, instead of adding what changed",
    )
    explain_command = commands.add_parser(
        "explain", help="show how one issue is classified, rule by rule"
    )
    explain_command.add_argument("issue_key", help="e.g. PAY-123")
    explain_command.add_argument(
        "--rules", help="a rules file to try instead of PORTFOLIO_RULES_FILE or the default"
    )
    args = parser.parse_args(argv)
    if args.command == "run":
        return run_pipeline(args.verbose, args.full_refresh)
    if args.command == "explain":
        return explain(args.issue_key, args.rules)
    return 2


if __name__ == "__main__":
    sys.exit(main())
