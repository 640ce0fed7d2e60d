"""The per-team tier mix, pinned on a hand-made team whose numbers can be worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

TEAM = "Payments"


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def issue(key: str, issue_type: str, parent: str | None = None, labels=(), created="2026-03-01"):
    level = {"Epic": 1, "Story": 0}[issue_type]
    return {
        "issue_id": key.split("-")[1],
        "issue_key": key,
        "project_key": "PAY",
        "project_name": TEAM,
        "issue_type": issue_type,
        "hierarchy_level": level,
        "labels": list(labels),
        "parent_key": parent,
        "status_id": "10001",
        "status_name": "Done",
        "status_category": "done",
        "created_at": at(created),
        "updated_at": at("2026-05-01"),
    }


def moves(key: str, *steps: tuple[str, str, str]) -> list[dict]:
    """Status changes (when, from id, to id) of one issue."""
    return [
        {
            "issue_id": key.split("-")[1],
            "history_id": f"{key}-{n}",
            "item_index": 0,
            "changed_at": at(when),
            "field": "status",
            "field_id": "status",
            "from_value": before,
            "to_value": after,
        }
        for n, (when, before, after) in enumerate(steps)
    ]


@pytest.fixture(scope="module")
def mix(build_warehouse):
    issues = [
        issue("PAY-1", "Epic", labels=["tier:sure"]),
        issue("PAY-2", "Story", parent="PAY-1"),
        issue("PAY-4", "Epic", labels=["tier:moonshot"]),
        issue("PAY-3", "Story", parent="PAY-4"),
        issue("PAY-5", "Story"),  # no epic, no rule: unclassified
        issue("PAY-6", "Story", parent="PAY-4"),
    ]
    changelog = [
        # the epic is "in progress" for months: epics are containers, not effort
        *moves("PAY-1", ("2026-03-02", "1", "3")),
        # one day either side of the quarter boundary
        *moves("PAY-2", ("2026-03-31", "1", "3"), ("2026-04-02", "3", "10001")),
        *moves("PAY-3", ("2026-04-01", "1", "3"), ("2026-04-04", "3", "10001")),
        *moves("PAY-5", ("2026-04-01", "1", "3"), ("2026-04-02", "3", "10001")),
        # reopened: two separate in-progress days
        *moves(
            "PAY-6",
            ("2026-04-10", "1", "3"),
            ("2026-04-11", "3", "10001"),
            ("2026-04-20", "10001", "3"),
            ("2026-04-21", "3", "10001"),
        ),
    ]
    connection = build_warehouse(issues, changelog)
    relation = connection.sql("select * from marts.fct_team_quarter_tier_mix")
    return {row["quarter_start"]: row for row in relation.pl().iter_rows(named=True)}


def test_one_row_per_team_and_quarter_with_effort_split_at_the_boundary(mix):
    assert sorted(mix) == [date(2026, 1, 1), date(2026, 4, 1)]
    q1, q2 = mix[date(2026, 1, 1)], mix[date(2026, 4, 1)]
    assert (q1["team"], q1["quarter_label"]) == (TEAM, "2026-Q1")
    assert q1["sure_thing_days"] == pytest.approx(1)
    assert q2["sure_thing_days"] == pytest.approx(1)
    # PAY-3 three days plus the reopened PAY-6's two
    assert q2["moonshot_days"] == pytest.approx(5)
    assert q2["unclassified_days"] == pytest.approx(1)
    assert q2["total_days"] == pytest.approx(7)


def test_shares_are_of_classified_effort_and_drift_compares_with_the_target(mix):
    q2 = mix[date(2026, 4, 1)]
    assert q2["sure_thing_share"] == pytest.approx(1 / 6)
    assert q2["linear_bet_share"] == pytest.approx(0)
    assert q2["moonshot_share"] == pytest.approx(5 / 6)
    assert q2["unclassified_share"] == pytest.approx(1 / 7)
    expected_drift = 0.5 * (abs(1 / 6 - 0.6) + abs(0 - 0.3) + abs(5 / 6 - 0.1))
    assert q2["mix_drift"] == pytest.approx(expected_drift)
    assert mix[date(2026, 1, 1)]["mix_drift"] == pytest.approx(0.4)
