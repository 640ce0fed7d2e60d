"""Field discovery against real Jira field catalogues, overrides, and Sprint value parsing."""

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.fields import (
    FieldDiscoveryError,
    FieldMap,
    FieldRef,
    SprintRef,
    discover_fields,
    parse_sprints,
)

# "The Public Jira Dataset" (Montgomery, Lüders, Maalej, MSR 2022), CC BY 4.0: real
# GET /rest/api/2/field responses per public instance. Read in place, never copied.
# shared/ sits beside the repository (read-only reference material)
DATASET = (
    Path(__file__).resolve().parents[3]
    / "shared/jira-reference/public-jira-dataset/jira_field_information.json"
)
CATALOGUES: dict[str, list[dict]] = json.loads(DATASET.read_text()) if DATASET.exists() else {}
INSTANCES = sorted(CATALOGUES)
needs_dataset = pytest.mark.skipif(not CATALOGUES, reason=f"{DATASET} not available")

ROLES = ("story_points", "sprint", "epic_link", "team", "parent_link")

# Chosen ids per instance, worked out by reading each catalogue by hand:
# (story_points, sprint, epic_link, team, parent_link); None where the instance has none.
EXPECTED = {
    "Apache": ("12310293", "12310921", "12311120", "12314524", "12314520"),
    "Hyperledger": ("10002", "10004", "10006", None, None),  # its "Team" is a plain text field
    "IntelDAOS": ("10016", "10020", "10014", "10001", "10018"),
    "JFrog": ("14600", "10805", "10806", None, None),  # its "Team" is a multi-select
    "Jira": ("10571", "11930", "12931", "17630", "17631"),
    "JiraEcosystem": ("19406", "10880", "12180", "16500", "15980"),
    "Mojang": (None, "11601", "11602", None, None),
    "MongoDB": ("10555", "10557", "10857", "14050", "14051"),  # not "Actual Story Points"
    "Qt": ("10183", "10302", "10400", None, None),
    "RedHat": ("12310243", "12310940", "12311140", "12313240", "12313140"),
    "Sakai": ("10016", "10020", "10014", "10001", "10018"),
    "SecondLife": ("10163", "10671", "10871", "13170", "13171"),
    "Sonatype": ("10132", "11001", "11500", "12601", "12602"),
    "Spring": ("10142", "10480", "10680", None, None),
}


def _schema(field: dict) -> dict:
    return field.get("schema") or {}


def _is_role_type(role: str, field: dict) -> bool:
    """The documented rule, restated independently of the implementation."""
    custom = _schema(field).get("custom", "")
    if role == "story_points":
        is_float = _schema(field).get("type") == "number" and custom.endswith(":float")
        named = field["name"].lower() in {"story points", "story point estimate"}
        return custom.endswith(":jsw-story-points") or (is_float and named)
    if role == "team":
        return custom == "com.atlassian.teams:rm-teams-custom-field-team"
    suffix = {
        "sprint": ":gh-sprint",
        "epic_link": ":gh-epic-link",
        "parent_link": ":jpo-custom-field-parent",
    }[role]
    return custom.endswith(suffix)


def field(id_: str, name: str, custom: str | None = None, type_: str = "any") -> dict:
    schema = {"type": type_} | ({"custom": custom} if custom else {})
    return {"id": id_, "name": name, "custom": id_.startswith("customfield_"), "schema": schema}


FLOAT = "com.atlassian.jira.plugin.system.customfieldtypes:float"
JSW_POINTS = "com.pyxis.greenhopper.jira:jsw-story-points"
SPRINT = "com.pyxis.greenhopper.jira:gh-sprint"
EPIC_LINK = "com.pyxis.greenhopper.jira:gh-epic-link"
TEAM = "com.atlassian.teams:rm-teams-custom-field-team"
TEXT = "com.atlassian.jira.plugin.system.customfieldtypes:textfield"


# --- discovery on every real catalogue ---------------------------------------------------


@needs_dataset
def test_every_instance_is_pinned():
    assert set(EXPECTED) == set(INSTANCES)


@pytest.mark.parametrize("instance", INSTANCES)
def test_discovery_finds_right_typed_fields(instance):
    catalogue = CATALOGUES[instance]
    assert any("schema" not in f for f in catalogue), "real data has schema-less items"
    found = discover_fields(catalogue)
    by_id = {f["id"]: f for f in catalogue}
    for role in ROLES:
        ref = getattr(found, role)
        exists = any(_is_role_type(role, f) for f in catalogue)
        assert (ref is not None) == exists, role
        if ref is not None:
            assert _is_role_type(role, by_id[ref.id])
            assert (ref.name, ref.custom_type) == (
                by_id[ref.id]["name"],
                _schema(by_id[ref.id])["custom"],
            )
    assert [line.split(":")[0] for line in found.decisions] == list(ROLES)
    assert found.story_point_fields[:1] == ((found.story_points,) if found.story_points else ())


@pytest.mark.parametrize("instance", INSTANCES)
def test_discovery_matches_hand_checked_choice(instance):
    found = discover_fields(CATALOGUES[instance])
    chosen = tuple(
        None
        if getattr(found, role) is None
        else getattr(found, role).id.removeprefix("customfield_")
        for role in ROLES
    )
    assert chosen == EXPECTED[instance]


@pytest.mark.parametrize("instance", INSTANCES)
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_discovery_ignores_catalogue_order(instance, data):
    catalogue = CATALOGUES[instance]
    shuffled = data.draw(st.permutations(catalogue))
    assert discover_fields(shuffled) == discover_fields(catalogue)


@needs_dataset
def test_every_instance_has_a_sprint_and_epic_link_field():
    for catalogue in CATALOGUES.values():
        found = discover_fields(catalogue)
        assert found.sprint is not None and found.epic_link is not None


@needs_dataset
def test_triplicate_story_points_pick_lowest_id_and_name_runners_up():
    decision = discover_fields(CATALOGUES["Jira"]).decisions[0]
    assert decision.startswith("story_points: customfield_10571 'Story Points'")
    assert "lowest numeric id" in decision
    assert "2 other candidates" in decision
    assert "customfield_10623" in decision and "customfield_10653" in decision


@needs_dataset
@pytest.mark.parametrize(
    ("instance", "chosen", "runner_up"),
    [
        ("IntelDAOS", "10016", "10026"),
        ("Sakai", "10016", "10026"),
        ("JiraEcosystem", "19406", "10133"),
    ],
)
def test_cloud_story_point_estimate_beats_story_points(instance, chosen, runner_up):
    decision = discover_fields(CATALOGUES[instance]).decisions[0]
    assert decision.startswith(f"story_points: customfield_{chosen} 'Story point estimate'")
    assert "jsw-story-points" in decision
    assert f"customfield_{runner_up} 'Story Points'" in decision


@needs_dataset
def test_team_named_team_beats_other_team_typed_field():
    decision = discover_fields(CATALOGUES["Sonatype"]).decisions[3]
    assert decision.startswith("team: customfield_12601 'Team'")
    assert "customfield_13900 'Supports-Team'" in decision


@needs_dataset
def test_missing_roles_say_what_was_looked_for():
    decisions = discover_fields(CATALOGUES["Mojang"]).decisions
    assert decisions[0].startswith("story_points: not found: ")
    assert "jsw-story-points" in decisions[0] and "'Story Points'" in decisions[0]
    assert decisions[3] == "team: not found: a field of type " + TEAM


# --- precedence on small catalogues ------------------------------------------------------


def test_name_precedence_then_numeric_not_lexical_id():
    catalogue = [
        field("customfield_100", "Story Points", FLOAT, "number"),
        field("customfield_99", "story points", FLOAT, "number"),
        field("customfield_5", "Story point estimate", FLOAT, "number"),
        field("customfield_1", "Story Points", TEXT, "string"),
        field("customfield_7", "Old Sprint", SPRINT, "array"),
        field("customfield_8", "Sprint", SPRINT, "array"),
    ]
    found = discover_fields(catalogue)
    assert found.story_points == FieldRef("customfield_99", "story points", FLOAT)
    assert found.sprint.id == "customfield_8"  # named "Sprint" beats a lower id
    assert "preferred over 2 other candidates" in found.decisions[0]
    assert "customfield_1'" not in found.decisions[0]  # a text field is no candidate


def test_items_without_schema_or_id_are_tolerated():
    catalogue = [
        {"id": "issuekey", "name": "Key"},
        {"id": "customfield_1", "name": "Sprint", "schema": None},
        {"name": "nameless and id-less"},
        {"id": "customfield_2", "name": "Story Points", "schema": {"type": "number"}},
        field("customfield_3", "Epic Link", EPIC_LINK),
    ]
    found = discover_fields(catalogue)
    assert (found.story_points, found.sprint, found.team) == (None, None, None)
    assert found.epic_link.id == "customfield_3"


def test_empty_catalogue_finds_nothing_without_error():
    found = discover_fields([])
    assert found == FieldMap(None, None, None, None, None, found.decisions)
    assert all(": not found: " in line for line in found.decisions)


# --- overrides ---------------------------------------------------------------------------

SMALL = [
    field("customfield_10016", "Story point estimate", JSW_POINTS, "number"),
    field("customfield_10026", "Story Points", FLOAT, "number"),
    field("customfield_10030", "Points", FLOAT, "number"),
    field("customfield_10031", "Points", FLOAT, "number"),
    field("customfield_10020", "Sprint", SPRINT, "array"),
    field("customfield_10001", "Team", TEAM),
    field("customfield_10002", "Squad", TEXT, "string"),
]


def test_override_by_id_and_by_name():
    found = discover_fields(SMALL, {"story_points": "customfield_10026", "team": "Squad"})
    assert found.story_points.id == "customfield_10026"
    assert found.decisions[0] == "story_points: customfield_10026 'Story Points' (override by id)"
    assert found.team == FieldRef("customfield_10002", "Squad", TEXT)
    assert found.decisions[3].startswith(
        "team: customfield_10002 'Squad' (override by name; warning: "
    )
    assert found.sprint.id == "customfield_10020"  # roles without overrides are still discovered
    # an overridden story points field is the only one read
    assert found.story_point_fields == (found.story_points,)


def test_every_story_points_candidate_is_read_best_first():
    found = discover_fields(SMALL)
    assert [ref.id for ref in found.story_point_fields] == [
        "customfield_10016",
        "customfield_10026",
    ]


def test_misspelt_override_names_role_value_close_matches_and_fix():
    with pytest.raises(FieldDiscoveryError) as caught:
        discover_fields(SMALL, {"story_points": "Story Pionts"})
    message = str(caught.value)
    assert "story_points='Story Pionts'" in message
    assert "Close matches by name: customfield_10026 'Story Points'" in message
    assert "Fix: set story_points to one of customfield_10026" in message
    assert message.endswith("in the field overrides.")


def test_override_without_any_suggestion_says_remove_it():
    with pytest.raises(FieldDiscoveryError, match=r"team='zzzz'.*or remove it"):
        discover_fields([field("customfield_1", "Sprint", SPRINT)], {"team": "zzzz"})


def test_override_name_shared_by_several_fields_asks_for_an_id():
    with pytest.raises(FieldDiscoveryError, match="one of customfield_10030, customfield_10031 in"):
        discover_fields(SMALL, {"story_points": "Points"})


@pytest.mark.parametrize("value", ["", None, 10026])
def test_override_value_must_be_an_id_or_name(value):
    with pytest.raises(FieldDiscoveryError, match=r"story_points=.* is not a field id or name"):
        discover_fields(SMALL, {"story_points": value})


def test_unknown_role_is_refused_with_the_valid_roles():
    with pytest.raises(
        ValueError, match=r"'storypoints'.*use only story_points, sprint, epic_link, team"
    ):
        discover_fields(SMALL, {"storypoints": "customfield_10026"})


@needs_dataset
def test_override_picks_a_duplicate_story_points_field_on_real_data():
    found = discover_fields(CATALOGUES["Jira"], {"story_points": "customfield_10653"})
    assert found.story_points.id == "customfield_10653"
    with pytest.raises(FieldDiscoveryError, match="matches 3 fields by name"):
        discover_fields(CATALOGUES["Jira"], {"story_points": "Story Points"})


# --- Sprint parsing ----------------------------------------------------------------------

DC_PREFIX = "com.atlassian.greenhopper.service.sprint.Sprint@1a2b3c"


def test_data_center_string_with_commas_in_name_and_null_date():
    # The offset is +01:00; results are normalised to UTC so one warehouse column fits all.
    value = [
        f"{DC_PREFIX}[id=12,rapidViewId=3,state=CLOSED,name=Sprint 12, with comma,goal=,"
        "startDate=2024-01-08T09:00:00.000+01:00,endDate=2024-01-22T09:00:00.000+01:00,"
        "completeDate=<null>,activatedDate=2024-01-08T09:05:00.000+01:00,sequence=12,"
        "autoStartStop=false]"
    ]
    assert parse_sprints(value) == [
        SprintRef(
            id=12,
            name="Sprint 12, with comma",
            state="closed",
            board_id=3,
            start=datetime(2024, 1, 8, 8, 0, tzinfo=UTC),
            end=datetime(2024, 1, 22, 8, 0, tzinfo=UTC),
            complete=None,
        )
    ]
    assert parse_sprints(value)[0].start.tzinfo is UTC


def test_data_center_name_and_goal_with_equals_and_unknown_keys():
    [sprint] = parse_sprints(
        [
            f"{DC_PREFIX}[id=7,rapidViewId=<null>,state=FUTURE,name=a=b,c=d, e],goal=x,y=z,"
            "startDate=<null>,endDate=<null>,completeDate=<null>,sequence=7,futureKey=1]"
        ]
    )
    assert (sprint.id, sprint.name, sprint.state, sprint.board_id) == (
        7,
        "a=b,c=d, e]",
        "future",
        None,
    )
    assert sprint.start is sprint.end is sprint.complete is None


def test_data_center_older_field_order():
    # Keys are found by name, not position; a zone-less date is taken as UTC.
    [sprint] = parse_sprints(
        [
            f"{DC_PREFIX}[id=5,rapidViewId=1,state=ACTIVE,name=S5,startDate=2016-06-06T21:30:53,"
            "endDate=<null>,completeDate=<null>,sequence=5,goal=ship it]"
        ]
    )
    assert sprint == SprintRef(
        5, "S5", "active", 1, datetime(2016, 6, 6, 21, 30, 53, tzinfo=UTC), None, None
    )


def test_cloud_objects():
    value = [
        {
            "id": 37,
            "name": "Team A Sprint 4",
            "state": "closed",
            "boardId": 9,
            "goal": "",
            "startDate": "2024-01-08T09:00:00.000Z",
            "endDate": "2024-01-22T09:00:00.000Z",
            "completeDate": "2024-01-22T10:30:00.000Z",
        },
        {"id": 38, "name": "Team A Sprint 5", "state": "future", "boardId": 9},
    ]
    closed, future = parse_sprints(value)
    assert closed == SprintRef(
        37,
        "Team A Sprint 4",
        "closed",
        9,
        datetime(2024, 1, 8, 9, tzinfo=UTC),
        datetime(2024, 1, 22, 9, tzinfo=UTC),
        datetime(2024, 1, 22, 10, 30, tzinfo=UTC),
    )
    assert future == SprintRef(38, "Team A Sprint 5", "future", 9, None, None, None)


@pytest.mark.parametrize("value", [None, [], ""])
def test_empty_values(value):
    assert parse_sprints(value) == []


@pytest.mark.parametrize(
    "value",
    [
        "Sprint 1",
        {"id": 1, "name": "not in a list"},
        ["garbage"],
        [42],
        [{"name": "no id"}],
        [{"id": True, "name": "bool id"}],
        [{"id": 1}],
        [{"id": 1, "name": "x", "startDate": "next tuesday"}],
        [f"{DC_PREFIX}[rapidViewId=1,name=no id]"],
        [f"{DC_PREFIX}[id=x1,name=bad id]"],
        [f"{DC_PREFIX}[id=1,state=CLOSED]"],
        [f"{DC_PREFIX}id=1,name=no brackets"],
        # A name containing ",goal=" cannot be told apart from the goal field: refuse, not guess.
        [f"{DC_PREFIX}[id=1,name=x,goal=y,goal=z,sequence=1]"],
    ],
)
def test_malformed_values_raise_naming_the_value(value):
    offending = value[0] if isinstance(value, list) else value
    with pytest.raises(ValueError, match=re.escape(repr(offending))):
        parse_sprints(value)


# Names are free text; only a name containing ",<known key>=" is ambiguous (see above).
KNOWN_KEY_MARKER = re.compile(
    r",(id|rapidViewId|state|name|goal|startDate|endDate|completeDate|activatedDate|sequence"
    r"|autoStartStop|synced|incompleteIssuesDestinationId)="
)


@settings(max_examples=200)
@given(
    name=st.text(alphabet=st.sampled_from("Sprint 12,=[]<>:-ab\u00e9\n"), min_size=1).filter(
        lambda n: not KNOWN_KEY_MARKER.search(n)
    ),
    sprint_id=st.integers(min_value=0, max_value=10**12),
)
def test_data_center_names_round_trip(name, sprint_id):
    text = (
        f"{DC_PREFIX}[id={sprint_id},rapidViewId=3,state=ACTIVE,name={name},goal=,"
        "startDate=<null>,endDate=<null>,completeDate=<null>,sequence=1]"
    )
    assert parse_sprints([text]) == [SprintRef(sprint_id, name, "active", 3, None, None, None)]
