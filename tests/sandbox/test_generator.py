"""The generated organisation: deterministic, internally consistent, and with its truths planted."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import Counter, defaultdict

from ingest.sandbox import generate_org
from ingest.sandbox.generator import TIER_LABELS

_CUSTOM_TYPES = {
    "Story Points": "com.atlassian.jira.plugin.system.customfieldtypes:float",
    "Story point estimate": "com.pyxis.greenhopper.jira:jsw-story-points",
    "Sprint": "com.pyxis.greenhopper.jira:gh-sprint",
    "Team": "com.atlassian.teams:rm-teams-custom-field-team",
    "Epic Link": "com.pyxis.greenhopper.jira:gh-epic-link",
    "Rank": "com.pyxis.greenhopper.jira:gh-lexo-rank",
    "Flagged": "com.atlassian.jira.plugin.system.customfieldtypes:multicheckboxes",
    "Customer": "com.atlassian.jira.plugin.system.customfieldtypes:textfield",
    "Parent Link": "com.atlassian.jpo:jpo-custom-field-parent",
    "Business Value": "com.atlassian.jira.plugin.system.customfieldtypes:float",
}
_SYSTEM_FIELDS = {
    "summary",
    "issuetype",
    "status",
    "project",
    "priority",
    "labels",
    "components",
    "assignee",
    "reporter",
    "created",
    "updated",
    "resolutiondate",
    "resolution",
    "duedate",
    "parent",
    "issuelinks",
}
_TIER_SCORES = {"sure_thing": 0.0, "linear_bet": 0.5, "moonshot": 1.0}


def _serialised(org) -> str:
    return json.dumps(
        [
            org.fields,
            org.statuses,
            org.users,
            org.myself,
            org.issues,
            dict(org.changelogs),
            org.worklogs,
            org.boards,
            org.sprints,
            org.resolutions,
        ]
    )


def _instant(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")


def test_same_seed_gives_identical_bytes_in_under_two_seconds(org):
    started = time.perf_counter()
    again = generate_org(seed=7)
    assert time.perf_counter() - started < 2.0
    assert _serialised(again) == _serialised(org)
    assert again.truth == org.truth
    assert 1500 <= len(org.issues) <= 3000


def test_custom_fields_have_instance_specific_ids(org):
    other = generate_org(seed=8)
    assert (
        org.truth.custom_field_ids.keys()
        == other.truth.custom_field_ids.keys()
        == set(_CUSTOM_TYPES)
    )
    assert org.truth.custom_field_ids != other.truth.custom_field_ids
    for generated in (org, other):
        custom = {f["name"]: f for f in generated.fields if f["custom"]}
        assert {name: f["id"] for name, f in custom.items()} == generated.truth.custom_field_ids
        assert {name: f["schema"]["custom"] for name, f in custom.items()} == _CUSTOM_TYPES
        assert all(
            f["schema"]["customId"] == int(f["id"].removeprefix("customfield_"))
            for f in custom.values()
        )
    sprint = next(f for f in org.fields if f["name"] == "Sprint")["schema"]
    team = next(f for f in org.fields if f["name"] == "Team")["schema"]
    assert (sprint["type"], sprint["items"], team["type"]) == ("array", "json", "team")
    assert {f["id"] for f in org.fields if not f["custom"]} >= _SYSTEM_FIELDS


def test_scale_multiplies_issue_counts(org):
    half = generate_org(seed=7, scale=0.5)
    assert 0.35 < len(half.issues) / len(org.issues) < 0.65


def test_every_parent_chain_ends_at_an_existing_issue_or_an_intended_orphan(org):
    by_key = {issue["key"]: issue for issue in org.issues}
    assert len(by_key) == len(org.issues)
    ids = [int(issue["id"]) for issue in org.issues]
    assert ids == sorted(set(ids))  # unique, in creation order
    for issue in org.issues:
        fields = issue["fields"]
        level = fields["issuetype"]["hierarchyLevel"]
        assert fields["issuetype"]["subtask"] == (level == -1)
        parent = fields.get("parent")
        if parent is None:
            assert level >= 1 or issue["key"] in org.truth.orphan_keys
            continue
        assert issue["key"] not in org.truth.orphan_keys
        assert by_key[parent["key"]]["id"] == parent["id"]
        assert by_key[parent["key"]]["fields"]["issuetype"]["hierarchyLevel"] == level + 1
        if level == -1:
            assert issue["key"] in [s["key"] for s in by_key[parent["key"]]["fields"]["subtasks"]]
    epics = [by_key[key]["fields"] for key in org.truth.epics]
    assert any("parent" in epic for epic in epics) and any("parent" not in epic for epic in epics)


def test_epic_link_mirrors_parent_on_migrated_epics(org):
    epic_link = org.truth.custom_field_ids["Epic Link"]
    linked = [issue["fields"] for issue in org.issues if issue["fields"][epic_link]]
    assert all(fields[epic_link] == fields["parent"]["key"] for fields in linked)
    assert {fields[epic_link] for fields in linked} == set(org.truth.epic_link_epics)
    assert len(org.truth.epic_link_epics) == 2


def test_planted_tier_markings_are_recognisable(org):
    truth = org.truth
    by_key = {issue["key"]: issue["fields"] for issue in org.issues}
    children = defaultdict(list)
    for fields in by_key.values():
        if "parent" in fields:
            children[fields["parent"]["key"]].append(fields)
    markings = Counter(epic.marked_by for epic in truth.epics.values())
    assert markings.keys() == {"label", "initiative_label", "rule", "none"}
    assert markings["none"] <= 0.1 * len(truth.epics)
    label_overrides_initiative = 0
    for key, epic in truth.epics.items():
        labels = set(by_key[key]["labels"])
        tier_labels = labels & set(TIER_LABELS.values())
        initiative_tier = truth.initiative_tiers.get(epic.initiative)
        kinds = Counter(child["issuetype"]["name"] for child in children[key])
        if epic.marked_by == "label":
            assert tier_labels == {TIER_LABELS[epic.tier]}
            assert epic.reason == f"label:{TIER_LABELS[epic.tier]}"
            label_overrides_initiative += initiative_tier not in (None, epic.tier)
            continue
        assert not tier_labels
        if epic.marked_by == "initiative_label":
            assert initiative_tier == epic.tier
            assert epic.reason == f"inherited:{epic.initiative}"
            continue
        assert initiative_tier is None
        if epic.marked_by == "rule":
            rule_evidence = {
                "rule:label-experiment": ("experiment" in labels, "moonshot"),
                "rule:label-maintenance": ("maintenance" in labels, "sure_thing"),
                "rule:spike-heavy": (kinds["Spike"] > kinds.total() / 2, "moonshot"),
                "rule:bug-heavy": (kinds["Bug"] > kinds.total() / 2, "sure_thing"),
            }
            assert rule_evidence[epic.reason] == (True, epic.tier)
        else:
            assert epic.reason == "unclassified"
            assert not labels & {"experiment", "maintenance"}
            assert kinds.keys() <= {"Story", "Task"}
            assert not any(child["labels"] for child in children[key])
    assert label_overrides_initiative


def _effort_by_team_quarter_and_tier(org) -> dict:
    """Days In Progress of leaf issues, by performing team, quarter of start and visible tier."""
    truth = org.truth
    team_of_project = {team.project_key: name for name, team in truth.teams.items()}
    team_field = truth.custom_field_ids["Team"]
    parent_of = {i["key"]: i["fields"].get("parent", {}).get("key") for i in org.issues}
    has_children = set(parent_of.values())
    effort = defaultdict(Counter)
    for issue in org.issues:
        fields = issue["fields"]
        if issue["key"] in has_children or fields["issuetype"]["hierarchyLevel"] > 0:
            continue
        key = issue["key"]
        while key and key not in truth.epics:
            key = parent_of[key]
        visible = key and truth.epics[key].marked_by != "none"
        tier = truth.epics[key].tier if visible else "unclassified"
        team = (fields[team_field] or {}).get("name") or team_of_project[fields["project"]["key"]]
        started = None
        for history in org.changelogs[issue["id"]]:
            for item in history["items"]:
                if item["field"] != "status":
                    continue
                at = _instant(history["created"])
                if item["toString"] == "In Progress" and started is None:
                    started = at
                elif item["fromString"] == "In Progress" and started is not None:
                    quarter = (started.year, (started.month - 1) // 3 + 1)
                    effort[team, quarter][tier] += (at - started).total_seconds() / 86400
                    started = None
    return effort


def test_postures_show_in_every_recent_quarter(org):
    truth = org.truth
    assert Counter(team.posture for team in truth.teams.values()) == Counter(
        {"balanced": 3, "risk_averse": 1, "too_bold": 1}
    )
    effort = _effort_by_team_quarter_and_tier(org)
    last_four = [(2025, 4), (2026, 1), (2026, 2), (2026, 3)]  # complete quarters before as_of
    planted = truth.planted
    swing = {
        (quarter.year, (quarter.month - 1) // 3 + 1)
        for quarter in (planted.failed_moonshot_quarter, planted.rebalancing_quarter)
    }
    for name, team in truth.teams.items():
        # The failed moonshot's team leaves its posture for the planted swing and back.
        quarters = [q for q in last_four if name != planted.failed_moonshot_team or q not in swing]
        postures = []
        for quarter in quarters:
            classified = {tier: effort[name, quarter][tier] for tier in _TIER_SCORES}
            total = sum(classified.values())
            assert total > 0, (name, quarter)
            appetite = sum(_TIER_SCORES[t] * days / total for t, days in classified.items())
            postures.append(
                "risk_averse"
                if appetite < 0.25 - 0.08
                else "too_bold"
                if appetite > 0.25 + 0.08
                else "balanced"
            )
        assert postures.count(team.posture) >= len(quarters) - 1, (name, postures)


def test_moonshot_epics_cluster_in_the_bold_team(org):
    epics_by_team = defaultdict(Counter)
    for epic in org.truth.epics.values():
        epics_by_team[epic.team][epic.tier] += 1
    moonshot_share = {
        team: tiers["moonshot"] / tiers.total() for team, tiers in epics_by_team.items()
    }
    sure_share = {
        team: tiers["sure_thing"] / tiers.total() for team, tiers in epics_by_team.items()
    }
    postures = {name: team.posture for name, team in org.truth.teams.items()}
    bold = next(name for name, posture in postures.items() if posture == "too_bold")
    averse = next(name for name, posture in postures.items() if posture == "risk_averse")
    # Moonshot epics are the largest, so by count the bold team's lead is smaller than by effort.
    assert moonshot_share[bold] > 1.5 * max(v for t, v in moonshot_share.items() if t != bold)
    assert sure_share[averse] == max(sure_share.values()) > 0.8


def test_noisy_issues_have_250_plus_histories(org):
    ids = {issue["key"]: issue["id"] for issue in org.issues}
    assert len(org.truth.noisy_issue_keys) >= 3
    assert all(len(org.changelogs[ids[key]]) >= 250 for key in org.truth.noisy_issue_keys)
    assert set(org.truth.noisy_issue_keys) <= org.truth.orphan_keys


def test_changelogs_agree_with_fields(org):
    status_names = {status["id"]: status["name"] for status in org.statuses}
    now = org.truth.now
    for issue in org.issues:
        fields, histories = issue["fields"], org.changelogs[issue["id"]]
        created = _instant(fields["created"])
        assert created <= now
        times = [_instant(h["created"]) for h in histories]
        assert times == sorted(times) and all(created <= t <= now for t in times)
        assert [int(h["id"]) for h in histories] == sorted({int(h["id"]) for h in histories})
        # Logging work updates an issue too.
        logged = [_instant(w["created"]) for w in org.worklogs.get(issue["id"], [])]
        assert _instant(fields["updated"]) == max([created, *times, *logged])
        assert fields["created"][-5:] in ("+0100", "+0200")  # rendered in the user's zone
        last = {item["field"]: item for h in histories for item in h["items"]}
        if "status" in last:
            assert last["status"]["to"] == fields["status"]["id"]
            assert last["status"]["toString"] == status_names[last["status"]["to"]]
        if "assignee" in last:
            assert last["assignee"]["to"] == (fields["assignee"] or {}).get("accountId")
        done = fields["status"]["statusCategory"]["key"] == "done"
        assert done == (fields["resolution"] is not None) == (fields["resolutiondate"] is not None)


def test_team_specific_fields(org):
    truth = org.truth
    cf = truth.custom_field_ids
    teams_by_project = {team.project_key: team for team in truth.teams.values()}
    seen = defaultdict(set)
    for issue in org.issues:
        fields = issue["fields"]
        team = teams_by_project.get(fields["project"]["key"])
        for name in ("Story Points", "Sprint", "Team"):
            if fields[cf[name]] is not None:
                seen[name].add(fields["project"]["key"])
        for sprint in fields[cf["Sprint"]] or ():
            assert sprint["state"] in ("closed", "active", "future")
            assert ("completeDate" in sprint) == (sprint["state"] == "closed")
        if fields[cf["Team"]] is not None:
            assert fields[cf["Team"]].keys() == {
                "id",
                "name",
                "title",
                "isShared",
                "isVisible",
                "isVerified",
            }
            assert fields[cf["Team"]]["id"] == truth.teams[fields[cf["Team"]]["name"]].team_field_id
        assert fields[cf["Story point estimate"]] is None
        assert team is not None or fields["issuetype"]["name"] == "Initiative"
    assert seen["Story Points"] == {t.project_key for t in truth.teams.values() if t.story_points}
    assert len(seen["Story Points"]) == 3
    assert seen["Sprint"] == {t.project_key for t in truth.teams.values() if t.scrum}
    with_team = sum(issue["fields"][cf["Team"]] is not None for issue in org.issues)
    assert 0 < with_team < len(org.issues) / 2
    overrides = {
        i["key"]: i["fields"] for i in org.issues if i["key"] in truth.performing_team_overrides
    }
    assert overrides
    for key, fields in overrides.items():
        performer = truth.performing_team_overrides[key]
        assert fields[cf["Team"]]["name"] == performer
        assert fields["project"]["key"] != truth.teams[performer].project_key


def _in_progress_spans(org, issue: dict) -> list[tuple[dt.datetime, dt.datetime, str | None]]:
    """(from, to, assignee) of each stretch In Progress, read from the changelog."""
    histories = org.changelogs[issue["id"]]
    changes = [i for h in histories for i in h["items"] if i["field"] == "assignee"]
    # The assignee at creation: what the first change changed, else the one still assigned.
    assignee = (
        changes[0]["from"] if changes else (issue["fields"]["assignee"] or {}).get("accountId")
    )
    spans, since = [], None
    for history in histories:
        at = _instant(history["created"])
        for item in history["items"]:
            if item["field"] == "assignee":
                assignee = item["to"]
            elif item["field"] == "status" and item["toString"] == "In Progress":
                since = since or at
            elif item["field"] == "status" and since is not None:
                spans.append((since, at, assignee))
                since = None
    if since is not None:
        spans.append((since, org.truth.now, assignee))
    return spans


def test_worklogs_are_logged_by_the_assignee_while_in_progress(org):
    truth = org.truth
    by_id = {issue["id"]: issue for issue in org.issues}
    logging_projects = {t.project_key for t in truth.teams.values() if t.logs_work}
    assert logging_projects == {"PLAT", "DATA"}
    assert {by_id[i]["key"] for i in org.worklogs} == truth.worklog_issue_keys
    assert {by_id[i]["fields"]["project"]["key"] for i in org.worklogs} == logging_projects
    counts = sorted(len(worklogs) for worklogs in org.worklogs.values())
    assert counts[0] >= 1 and counts[-1] > 20  # some have more than the 20 Jira embeds
    worklog_ids = []
    for issue_id, worklogs in org.worklogs.items():
        issue = by_id[issue_id]
        spans = _in_progress_spans(org, issue)
        embedded = issue["fields"]["worklog"]
        assert embedded == {
            "startAt": 0,
            "maxResults": 20,
            "total": len(worklogs),
            "worklogs": worklogs[:20],
        }
        assert issue["fields"]["timespent"] == sum(w["timeSpentSeconds"] for w in worklogs)
        for worklog in worklogs:
            started = _instant(worklog["started"])
            assert worklog["issueId"] == issue_id
            assert worklog["timeSpentSeconds"] % 900 == 0 and worklog["timeSpentSeconds"] > 0
            assert started + dt.timedelta(seconds=worklog["timeSpentSeconds"]) <= _instant(
                worklog["created"]
            )
            author = worklog["author"]["accountId"]
            # `started` is to the minute, so it may precede the span's start by seconds.
            assert any(
                begin - dt.timedelta(minutes=1) < started < end and who == author
                for begin, end, who in spans
            ), (issue["key"], worklog)
        worklog_ids += [int(w["id"]) for w in worklogs]
    assert len(worklog_ids) == len(set(worklog_ids))
    without = next(i for i in org.issues if i["id"] not in org.worklogs)
    assert without["fields"]["worklog"]["total"] == 0 and without["fields"]["timespent"] is None


def test_issue_links_agree_on_both_ends(org):
    by_key = {issue["key"]: issue for issue in org.issues}
    ends = defaultdict(list)
    for issue in org.issues:
        for link in issue["fields"]["issuelinks"]:
            (side,) = {"inwardIssue", "outwardIssue"} & link.keys()
            ends[link["id"]].append((issue["key"], side, link[side]["key"], link["type"]["name"]))
    for link_id, (one, other) in ((i, e) for i, e in ends.items() if len(e) == 2):
        assert (one[0], one[2]) == (other[2], other[0]), link_id
        assert {one[1], other[1]} == {"inwardIssue", "outwardIssue"} and one[3] == "Blocks"
    assert all(len(found) == 2 for found in ends.values())
    blocked_by = {
        (link["inwardIssue"]["key"], issue["key"])
        for issue in org.issues
        for link in issue["fields"]["issuelinks"]
        if "inwardIssue" in link
    }
    stories = org.truth.story_block_links
    assert len(stories) >= 4 and set(stories) <= blocked_by
    for blocker, blocked in stories:
        assert {by_key[k]["fields"]["issuetype"]["name"] for k in (blocker, blocked)} == {"Story"}
        first_started = min(begin for begin, _, _ in _in_progress_spans(org, by_key[blocked]))
        assert first_started > _instant(by_key[blocker]["fields"]["resolutiondate"])


def test_some_accounts_hide_their_email_and_not_all_are_people(org):
    people = [u for u in org.users if u["accountType"] == "atlassian"]
    hidden = [u for u in people if "emailAddress" not in u]
    assert 0 < len(hidden) < len(people)
    assert "emailAddress" in org.myself
    assert [u["displayName"] for u in org.users if u["accountType"] == "app"] == [
        "Automation for Jira"
    ]
    assert sum(not u["active"] for u in org.users) == 1
    assignees = {
        i["fields"]["assignee"]["accountId"] for i in org.issues if i["fields"]["assignee"]
    }
    assert assignees <= {u["accountId"] for u in people if u["active"]}


def test_one_board_per_team_and_sprints_match_the_sprint_field(org):
    truth, sprint_field = org.truth, org.truth.custom_field_ids["Sprint"]
    boards = {board["id"]: board for board in org.boards}
    assert [b["id"] for b in org.boards] == list(range(1, len(truth.teams) + 1))
    for team in truth.teams.values():
        board = boards[team.board_id]
        assert board["location"]["projectKey"] == team.project_key
        assert board["type"] == ("scrum" if team.scrum else "kanban")
        assert (team.board_id in org.sprints) == team.scrum
    listed = {s["id"]: s for sprints in org.sprints.values() for s in sprints}
    seen = set()
    for issue in org.issues:
        for value in issue["fields"][sprint_field] or ():
            sprint = listed[value["id"]]
            same = ("name", "state", "goal", "startDate", "endDate", "completeDate")
            assert {k: sprint.get(k) for k in same} == {k: value.get(k) for k in same}
            assert sprint["originBoardId"] == value["boardId"]
            seen.add(value["id"])
    assert seen and seen <= listed.keys()
    for sprints in org.sprints.values():
        states = [s["state"] for s in sprints]
        assert states == sorted(states, key=["closed", "active", "future"].index)
        assert states.count("active") == 1
