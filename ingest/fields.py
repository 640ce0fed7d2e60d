"""Custom-field discovery and Sprint value parsing (pure functions, no network).

Custom field ids differ per Jira instance, so the pipeline finds the fields it needs in the
``GET /rest/api/{2,3}/field`` catalogue by their ``schema.custom`` type, never by a hard-coded id.

Discovery rule
--------------
Each role is matched by an ordered list of rules; a field's rank is the first rule it satisfies.
Among several matching fields the one with the best rank wins, then the lowest numeric id
(``customfield_10016`` -> 10016), then the id text. The outcome never depends on catalogue order.
Names are compared case-insensitively.

- ``story_points``:
  1. ``schema.custom`` ending ``:jsw-story-points`` (Cloud "Story point estimate");
  2. a number field (``schema.type`` "number", ``schema.custom`` ending ``:float``) named
     "Story Points";
  3. such a number field named "Story point estimate".
  The Jira Software type comes first because it identifies the field by type; a float field is
  recognised only by its name. Other number fields ("Original story points", "Actual Story
  Points", ...) are not story points.
- ``sprint``: ``schema.custom`` ending ``:gh-sprint``; one named "Sprint" first.
- ``epic_link``: ``schema.custom`` ending ``:gh-epic-link``; one named "Epic Link" first.
- ``parent_link``: ``schema.custom`` ending ``:jpo-custom-field-parent`` (Data Center's
  Advanced Roadmaps "Parent Link", epic -> initiative); one named "Parent Link" first.
- ``team``: ``schema.custom`` equal to ``com.atlassian.teams:rm-teams-custom-field-team``
  (Advanced Roadmaps / Plans team, same key on Cloud and Data Center); one named "Team" first.
  Plain text or select fields called "Team" are not teams.

A role with no matching field is ``None`` (not an error). ``FieldMap.decisions`` holds one line
per role saying what was chosen and why, naming the runners-up, or what was looked for.

Overrides map a role to a field id (``customfield_10099``) or an exact field name. They win over
discovery. An unknown role, a value matching no field, or a name shared by several fields raises
``FieldDiscoveryError``, whose message names the fix.

Sprint values
-------------
``parse_sprints`` reads both forms of the Sprint field: Cloud objects
(``{"id", "name", "state", "boardId", "startDate", ...}``) and the Data Center ``toString`` form
(``com.atlassian.greenhopper.service.sprint.Sprint@1a2b3c[id=12,rapidViewId=3,...]``). States are
lower-cased (Cloud says "closed", Data Center "CLOSED") and datetimes are returned in UTC
(a zone-less value is taken as UTC). In the Data Center form keys are found by name, not
position, so key order and extra keys of other Jira versions do not matter; a name or goal may
contain commas and ``=``, except ``,<known key>=``, which is refused as ambiguous. Anything
else malformed raises ``ValueError`` naming the offending value.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

ROLES = ("story_points", "sprint", "epic_link", "team", "parent_link")

TEAM_TYPE = "com.atlassian.teams:rm-teams-custom-field-team"


class FieldDiscoveryError(ValueError):
    """The field catalogue or the overrides do not allow a safe choice; the message says the fix."""


@dataclass(frozen=True)
class FieldRef:
    id: str
    name: str
    custom_type: str | None


@dataclass(frozen=True)
class FieldMap:
    story_points: FieldRef | None
    sprint: FieldRef | None
    epic_link: FieldRef | None
    team: FieldRef | None
    parent_link: FieldRef | None
    decisions: tuple[str, ...]
    # Every story points candidate, best first: Cloud sites often have both "Story Points"
    # (company-managed projects) and "Story point estimate" (team-managed), each filled on
    # different issues, so an issue's estimate is the first of these that it has.
    story_point_fields: tuple[FieldRef, ...] = ()


@dataclass(frozen=True)
class _Rule:
    reason: str
    matches: Callable[[Mapping[str, Any]], bool]


def _schema(field: Mapping[str, Any]) -> Mapping[str, Any]:
    # Real catalogues contain system fields (issuekey, thumbnail, parent) with no schema at all.
    schema = field.get("schema")
    return schema if isinstance(schema, Mapping) else {}


def _custom_type(field: Mapping[str, Any]) -> str:
    return _schema(field).get("custom") or ""


def _named(field: Mapping[str, Any], name: str) -> bool:
    return str(field.get("name", "")).casefold() == name.casefold()


def _is_float(field: Mapping[str, Any]) -> bool:
    return _schema(field).get("type") == "number" and _custom_type(field).endswith(":float")


def _typed_rules(label: str, matches_type: Callable[[str], bool], name: str) -> tuple[_Rule, ...]:
    def typed(field: Mapping[str, Any]) -> bool:
        return matches_type(_custom_type(field))

    return (
        _Rule(f"{label} type named '{name}'", lambda f: typed(f) and _named(f, name)),
        _Rule(f"{label} type", typed),
    )


_RULES: dict[str, tuple[_Rule, ...]] = {
    "story_points": (
        _Rule("jsw-story-points type", lambda f: _custom_type(f).endswith(":jsw-story-points")),
        _Rule(
            "float field named 'Story Points'", lambda f: _is_float(f) and _named(f, "Story Points")
        ),
        _Rule(
            "float field named 'Story point estimate'",
            lambda f: _is_float(f) and _named(f, "Story point estimate"),
        ),
    ),
    "sprint": _typed_rules("gh-sprint", lambda t: t.endswith(":gh-sprint"), "Sprint"),
    "epic_link": _typed_rules("gh-epic-link", lambda t: t.endswith(":gh-epic-link"), "Epic Link"),
    "team": _typed_rules("Atlassian Teams", lambda t: t == TEAM_TYPE, "Team"),
    # Data Center's Advanced Roadmaps ties epics to initiatives with this field, not `parent`
    "parent_link": _typed_rules(
        "Advanced Roadmaps parent", lambda t: t.endswith(":jpo-custom-field-parent"), "Parent Link"
    ),
}

_LOOKED_FOR = {
    "story_points": "a field of type *:jsw-story-points, or a number field of type *:float "
    "named 'Story Points' or 'Story point estimate'",
    "sprint": "a field of type *:gh-sprint",
    "epic_link": "a field of type *:gh-epic-link",
    "team": f"a field of type {TEAM_TYPE}",
    "parent_link": "a field of type *:jpo-custom-field-parent",
}


def _numeric_id(field: Mapping[str, Any]) -> float:
    match = re.fullmatch(r"customfield_(\d+)", field["id"])
    return int(match.group(1)) if match else math.inf


def _ref(field: Mapping[str, Any]) -> FieldRef:
    return FieldRef(
        id=field["id"], name=str(field.get("name", "")), custom_type=_custom_type(field) or None
    )


def _label(field: Mapping[str, Any]) -> str:
    return f"{field['id']} '{field.get('name', '')}'"


def _rank(role: str, field: Mapping[str, Any]) -> int | None:
    return next((i for i, rule in enumerate(_RULES[role]) if rule.matches(field)), None)


def _candidates(role: str, fields: list[Mapping[str, Any]]) -> list[tuple[int, Mapping[str, Any]]]:
    """Matching fields for a role, best first, as (rule index, field)."""
    ranked = [(rank, f) for f in fields if (rank := _rank(role, f)) is not None]
    return sorted(ranked, key=lambda rf: (rf[0], _numeric_id(rf[1]), rf[1]["id"]))


def _discover(role: str, fields: list[Mapping[str, Any]]) -> tuple[FieldRef | None, str]:
    candidates = _candidates(role, fields)
    if not candidates:
        return None, f"{role}: not found: {_LOOKED_FOR[role]}"
    (rank, chosen), runners_up = candidates[0], candidates[1:]
    reason = _RULES[role][rank].reason
    if not runners_up:
        return _ref(chosen), f"{role}: {_label(chosen)} ({reason}; only candidate)"
    if runners_up[0][0] == rank:
        reason += ", lowest numeric id"
    others = ", ".join(f"{_label(f)} [{_RULES[role][r].reason}]" for r, f in runners_up)
    plural = "s" if len(runners_up) > 1 else ""
    return _ref(chosen), (
        f"{role}: {_label(chosen)} ({reason}; "
        f"preferred over {len(runners_up)} other candidate{plural}: {others})"
    )


def _override(role: str, value: object, fields: list[Mapping[str, Any]]) -> tuple[FieldRef, str]:
    if not isinstance(value, str) or not value:
        raise FieldDiscoveryError(
            f"field override {role}={value!r} is not a field id or name. "
            f"Fix: set {role} to a field id such as 'customfield_10016' or an exact field name "
            "in the field overrides."
        )
    matched, how = [f for f in fields if f["id"] == value], "id"
    if not matched:
        matched, how = [f for f in fields if f.get("name") == value], "name"
    if len(matched) > 1:
        ids = ", ".join(sorted((f["id"] for f in matched), key=lambda i: (len(i), i)))
        raise FieldDiscoveryError(
            f"field override {role}={value!r} matches {len(matched)} fields by name ({ids}). "
            f"Fix: set {role} to one of {ids} in the field overrides."
        )
    if not matched:
        raise FieldDiscoveryError(_not_found_message(role, value, fields))
    field = matched[0]
    decision = f"{role}: {_label(field)} (override by {how}"
    if _rank(role, field) is None:
        # Honoured because the user asked for it, but worth a log line: values may not parse.
        kind = _custom_type(field) or "no custom type"
        decision += f"; warning: {kind} is not a type discovery accepts for {role}"
    return _ref(field), decision + ")"


def _not_found_message(role: str, value: str, fields: list[Mapping[str, Any]]) -> str:
    by_name: dict[str, list[Mapping[str, Any]]] = {}
    for field in sorted(fields, key=lambda f: (_numeric_id(f), f["id"])):
        by_name.setdefault(str(field.get("name", "")).casefold(), []).append(field)
    close = [
        f for name in difflib.get_close_matches(value.casefold(), by_name) for f in by_name[name]
    ]
    typed = [f for _, f in _candidates(role, fields)]
    message = f"field override {role}={value!r} matches no field id or name in the field catalogue."
    if close:
        message += f" Close matches by name: {', '.join(map(_label, close))}."
    if typed:
        message += f" Fields discovery accepts for {role}: {', '.join(map(_label, typed))}."
    if not close and not typed:
        return (
            f"{message} Fix: set {role} to an existing field id or exact name in the field "
            "overrides, or remove it."
        )
    # Ids, not names: a name may be shared by several fields (e.g. three 'Story Points').
    options = ", ".join(dict.fromkeys(f["id"] for f in close + typed))
    return f"{message} Fix: set {role} to one of {options} in the field overrides."


def discover_fields(catalogue: list[dict], overrides: Mapping[str, str] | None = None) -> FieldMap:
    """Choose the story points, sprint, epic link and team fields; see the module docstring."""
    overrides = dict(overrides or {})
    unknown = sorted(set(overrides) - set(ROLES))
    if unknown:
        raise FieldDiscoveryError(
            f"unknown field role(s) {', '.join(map(repr, unknown))} in the field overrides. "
            f"Fix: use only {', '.join(ROLES)}."
        )
    # Items without an id cannot be requested from the search API, so they cannot be chosen.
    fields = [f for f in catalogue if isinstance(f, Mapping) and isinstance(f.get("id"), str)]
    refs: dict[str, FieldRef | None] = {}
    decisions = []
    for role in ROLES:
        if role in overrides:
            refs[role], decision = _override(role, overrides[role], fields)
        else:
            refs[role], decision = _discover(role, fields)
        decisions.append(decision)
    if "story_points" in overrides:
        story_point_fields = (refs["story_points"],)
    else:
        story_point_fields = tuple(_ref(f) for _, f in _candidates("story_points", fields))
    return FieldMap(**refs, decisions=tuple(decisions), story_point_fields=story_point_fields)


@dataclass(frozen=True)
class SprintRef:
    id: int
    name: str
    state: str | None
    board_id: int | None
    start: datetime | None
    end: datetime | None
    complete: datetime | None


_DC_SPRINT = re.compile(r"[\w.$]*Sprint@[0-9a-fA-F]+\[(?P<body>.*)\]", re.DOTALL)
_DC_KEYS = frozenset({
    "id", "rapidViewId", "state", "name", "goal", "startDate", "endDate", "completeDate",
    "activatedDate", "sequence", "autoStartStop", "synced", "incompleteIssuesDestinationId",
})  # fmt: skip
# Only name and goal are free text; every other value is a number, date, state or flag.
_DC_FREE_TEXT = frozenset({"name", "goal"})
_DC_KEY_MARKER = re.compile(r",(?=[A-Za-z]\w*=)")


def parse_sprints(value: object) -> list[SprintRef]:
    """Parse a Sprint field value (Cloud objects or Data Center strings); None/empty gives []."""
    if value in (None, ""):
        return []
    if not isinstance(value, list | tuple):
        raise ValueError(f"malformed Sprint field value {value!r}: expected a list of sprints")
    sprints = []
    for item in value:
        try:
            if isinstance(item, Mapping):
                sprints.append(_cloud_sprint(item))
            elif isinstance(item, str):
                sprints.append(_dc_sprint(item))
            else:
                raise ValueError("expected a JSON object or a Sprint@...[...] string")
        except ValueError as error:
            raise ValueError(f"malformed Sprint field value {item!r}: {error}") from None
    return sprints


def _cloud_sprint(item: Mapping[str, Any]) -> SprintRef:
    name = item.get("name")
    if not isinstance(name, str):
        raise ValueError("missing name")
    return SprintRef(
        id=_int(item.get("id"), "id"),
        name=name,
        state=_state(item.get("state")),
        board_id=None if item.get("boardId") is None else _int(item["boardId"], "boardId"),
        start=_datetime(item.get("startDate")),
        end=_datetime(item.get("endDate")),
        complete=_datetime(item.get("completeDate")),
    )


def _dc_sprint(text: str) -> SprintRef:
    match = _DC_SPRINT.fullmatch(text.strip())
    if not match:
        raise ValueError("not a ...Sprint@hash[key=value,...] string")
    fields = _dc_fields(match["body"])
    if "name" not in fields:
        raise ValueError("missing name")
    board = _null(fields.get("rapidViewId"))
    return SprintRef(
        id=_int(_null(fields.get("id")), "id"),
        name=fields["name"],
        state=_state(_null(fields.get("state"))),
        board_id=None if board is None else _int(board, "rapidViewId"),
        start=_datetime(_null(fields.get("startDate"))),
        end=_datetime(_null(fields.get("endDate"))),
        complete=_datetime(_null(fields.get("completeDate"))),
    )


def _dc_fields(body: str) -> dict[str, str]:
    """Split ``key=value,key=value`` where name and goal may contain commas and ``=``.

    The body is cut before every ``,word=``; a piece whose word is not a known key is glued back
    onto the free-text value before it (or dropped after a structured value: a key from a newer
    Jira that is not needed). A known key seen twice means a name or goal contains
    ``,<key>=`` and cannot be told apart from the real field, so that is refused, not guessed.
    """
    fields: dict[str, str] = {}
    last_key = None
    for piece in _DC_KEY_MARKER.split(body):
        key, _, value = piece.partition("=")
        if key in _DC_KEYS:
            if key in fields:
                raise ValueError(
                    f"ambiguous: {key!r} appears twice (a name or goal containing ',{key}='?)"
                )
            fields[key] = value
            last_key = key
        elif last_key in _DC_FREE_TEXT:
            fields[last_key] += "," + piece
    return fields


def _null(text: str | None) -> str | None:
    return None if text in (None, "", "<null>") else text


def _int(raw: object, key: str) -> int:
    # bool is an int subclass; a True id is corruption, not sprint 1.
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().isdigit():
        return int(raw)
    raise ValueError(f"{key} must be an integer, got {raw!r}")


def _state(raw: object) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise ValueError(f"state must be text, got {raw!r}")
    return raw.lower()


def _datetime(raw: object) -> datetime | None:
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str):
        raise ValueError(f"date must be ISO 8601 text, got {raw!r}")
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"date {raw!r} is not ISO 8601") from None
    # Jira always sends an offset; a zone-less value is taken as UTC rather than local time.
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
