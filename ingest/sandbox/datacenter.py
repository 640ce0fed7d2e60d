"""The same organisation in Jira Data Center 9's dialect, rendered from the Cloud-shaped beans.

How Data Center differs, and how the sandbox renders it:
- users have `name` and `key` ("JIRAUSER10003"), no `accountId`/`accountType`, and their e-mail
  addresses show; assignee changes in changelogs name users by key;
- issue types have no `hierarchyLevel`; `statuscategorychangedate` does not exist;
- `parent` is on sub-tasks only: a story names its epic in Epic Link (the epic's key), an epic its
  initiative in Advanced Roadmaps' Parent Link (the initiative's key, a plain string);
- Sprint values are strings: `com.atlassian.greenhopper.service.sprint.Sprint@1a2b3c[id=..,...]`;
- the Team field holds the team's numeric id, as a string;
- the field list has no `key` attributes, no `parent` entry, Sprint items of type "string" and no
  "Name[Type]" clause aliases.
Datetimes keep the "2025-08-01T12:15:00.000+0200" form.
"""

from __future__ import annotations

import zlib

from ingest.sandbox.generator import (
    BASE_URL_PLACEHOLDER,
    EPIC_LINK,
    PARENT_LINK,
    SPRINT,
    TEAM,
    SandboxOrg,
    username,
)

_GREENHOPPER_SPRINT = "com.atlassian.greenhopper.service.sprint.Sprint"
_CLOUD_ONLY_FIELDS = ("parent", "statuscategorychangedate")


class DataCenterView:
    def __init__(self, org: SandboxOrg) -> None:
        self._cf = org.truth.custom_field_ids
        self._users = {}
        people = [u for u in org.users if u.get("accountType", "atlassian") == "atlassian"]
        for number, user in enumerate(people):
            name = username(user["displayName"])
            self._users[user["accountId"]] = {
                "self": f"{BASE_URL_PLACEHOLDER}/rest/api/2/user?username={name}",
                "name": name,
                "key": f"JIRAUSER{10000 + number}",
                "emailAddress": f"{name}@example.com",
                "displayName": user["displayName"],
                "active": user["active"],
                "timeZone": user.get("timeZone", "UTC"),
            }
        self.users = list(self._users.values())
        self.myself = self._users[org.myself["accountId"]]
        self._teams = {t.team_field_id: t.datacenter_team_id for t in org.truth.teams.values()}
        self._sprints = {
            sprint["id"]: self._sprint_text(sprint)
            for sprints in org.sprints.values()
            for sprint in sprints
        }
        self._issue_types: dict[str, dict] = {}
        self._refs: dict[str, dict] = {}
        self.fields = [self._field(f) for f in org.fields if f["id"] not in _CLOUD_ONLY_FIELDS]

    @staticmethod
    def _field(field: dict) -> dict:
        rendered = {name: value for name, value in field.items() if name != "key"}
        rendered["clauseNames"] = [
            c for c in field["clauseNames"] if not c.endswith("]") or c.startswith("cf[")
        ]
        custom = field.get("schema", {}).get("custom", "")
        if custom.endswith(":gh-sprint"):
            rendered["schema"] = {**field["schema"], "items": "string"}
        elif custom.endswith(":rm-teams-custom-field-team"):
            rendered["schema"] = {**field["schema"], "type": "any"}
        return rendered

    @staticmethod
    def _sprint_text(sprint: dict) -> str:
        """Greenhopper's toString() of a sprint, which Data Center sends as the field's value."""
        identity = zlib.crc32(f"sprint {sprint['id']}".encode())  # stands in for a hash code
        attributes = {
            "id": sprint["id"],
            "rapidViewId": sprint["originBoardId"],
            "state": sprint["state"].upper(),
            "name": sprint["name"],
            "startDate": sprint.get("startDate", "<null>"),
            "endDate": sprint.get("endDate", "<null>"),
            "completeDate": sprint.get("completeDate", "<null>"),
            "sequence": sprint["id"],
            "goal": sprint["goal"],
        }
        listed = ",".join(f"{name}={value}" for name, value in attributes.items())
        return f"{_GREENHOPPER_SPRINT}@{identity:x}[{listed}]"

    def user(self, user: dict | None) -> dict | None:
        return None if user is None else self._users.get(user.get("accountId"), user)

    def issue_fields(self, fields: dict) -> dict:
        """A Cloud issue's fields as Data Center sends them (a new dict)."""
        cf = self._cf
        rendered = {n: v for n, v in fields.items() if n not in _CLOUD_ONLY_FIELDS}
        rendered["issuetype"] = self._issue_type(fields["issuetype"])
        parent, level = fields.get("parent"), fields["issuetype"]["hierarchyLevel"]
        if parent is not None and level == -1:
            rendered["parent"] = self._ref(parent)
        elif parent is not None:
            rendered[cf[EPIC_LINK] if level == 0 else cf[PARENT_LINK]] = parent["key"]
        for role in ("assignee", "reporter", "creator"):
            rendered[role] = self.user(fields[role])
        sprints = fields[cf[SPRINT]]
        rendered[cf[SPRINT]] = sprints and [self._sprints[s["id"]] for s in sprints]
        team = fields[cf[TEAM]]
        rendered[cf[TEAM]] = team and self._teams[team["id"]]
        rendered["issuelinks"] = [
            {name: self._ref(v) if name.endswith("Issue") else v for name, v in link.items()}
            for link in fields["issuelinks"]
        ]
        rendered["subtasks"] = [self._ref(ref) for ref in fields["subtasks"]]
        worklog = fields["worklog"]
        rendered["worklog"] = {
            **worklog,
            "worklogs": [self.worklog(w) for w in worklog["worklogs"]],
        }
        return rendered

    def _issue_type(self, issue_type: dict) -> dict:
        if issue_type["id"] not in self._issue_types:
            self._issue_types[issue_type["id"]] = {
                n: v for n, v in issue_type.items() if n != "hierarchyLevel"
            }
        return self._issue_types[issue_type["id"]]

    def _ref(self, ref: dict) -> dict:
        """The compact form of a linked issue; the same issue's refs are equal, so one serves."""
        if ref["id"] not in self._refs:
            fields = {**ref["fields"], "issuetype": self._issue_type(ref["fields"]["issuetype"])}
            self._refs[ref["id"]] = {**ref, "fields": fields}
        return self._refs[ref["id"]]

    def history(self, history: dict) -> dict:
        return {
            **history,
            "author": self.user(history["author"]),
            "items": [self._item(item) for item in history["items"]],
        }

    def _item(self, item: dict) -> dict:
        if item["field"] != "assignee":
            return item
        old, new = self._users.get(item["from"]), self._users.get(item["to"])
        return {**item, "from": old and old["key"], "to": new and new["key"]}

    def worklog(self, worklog: dict) -> dict:
        return {
            **worklog,
            "author": self.user(worklog["author"]),
            "updateAuthor": self.user(worklog["updateAuthor"]),
        }
