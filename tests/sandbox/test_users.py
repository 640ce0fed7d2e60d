"""Users: Cloud lists every account, privacy hiding some e-mails; Data Center searches by name."""

from __future__ import annotations


def test_cloud_lists_every_account_in_pages(sandbox, http, org):
    url = f"{sandbox.url}/rest/api/3/users/search"
    assert len(http.get(url).json()) == min(50, len(org.users))  # the default page
    users, start_at = [], 0
    while page := http.get(url, params={"startAt": start_at, "maxResults": 7}).json():
        users += page
        start_at += len(page)
    assert [u["accountId"] for u in users] == [u["accountId"] for u in org.users]
    assert {u["accountType"] for u in users} == {"atlassian", "app"}
    assert any(not u["active"] for u in users)
    with_email = [u for u in users if "emailAddress" in u]
    assert 0 < len(with_email) < len(users)


def test_data_center_searches_users_by_username(dc_sandbox, dc_http, org):
    url = f"{dc_sandbox.url}/rest/api/2/user/search"
    everyone = dc_http.get(url, params={"username": ".", "maxResults": 1000}).json()
    people = [u for u in org.users if u["accountType"] == "atlassian"]
    assert len(everyone) == sum(u["active"] for u in people)
    assert all(u.keys() >= {"name", "key", "emailAddress"} for u in everyone)
    assert not any("accountId" in u for u in everyone)
    inactive = {"username": ".", "includeInactive": "true", "maxResults": 1000}
    assert len(dc_http.get(url, params=inactive).json()) == len(people)
    (me,) = dc_http.get(url, params={"username": "portfolio"}).json()
    assert me["displayName"] == "Portfolio Reporter"
    assert dc_http.get(url).status_code == 400
