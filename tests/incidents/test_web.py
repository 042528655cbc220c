"""Incident intake over HTTP: the office sees the notice; the checklist ticks; others refused."""

from __future__ import annotations


def test_liaison_opens_an_incident_and_the_office_is_notified(client, login):
    csrf = login("transport1")
    page = client.get("/incidents/new")
    assert page.status_code == 200
    r = client.post("/incidents/new", data={
        "csrf_token": csrf, "kind": "sea_rescue", "persons": "3", "nationalities": "越南",
        "health_state": "sick", "occurred_at": "2026-11-28T20:30", "place": "梅山湾"},
        follow_redirects=False)
    assert r.status_code == 303, r.text
    incident_id = int(r.headers["location"].rsplit("/", 1)[1])
    detail = client.get(f"/incidents/{incident_id}")
    assert "海上求助入境 · 3人" in detail.text

    csrf = login("office1")
    notices = client.get("/notifications")
    assert "海上求助入境：3人（梅山湾）" in notices.text
    [incident] = client.get("/api/incidents").json()
    step = incident["steps"][0]
    r = client.post(f"/api/incidents/{incident_id}/steps/{step['id']}/done",
                    headers={"X-CSRF-Token": csrf})
    assert r.json()["steps"][0]["done_at"] is not None

    login("cg1")  # the coast guard answers for the rescue step, so it sees the incident
    assert client.get(f"/api/incidents/{incident_id}").status_code == 200
    login("police1")  # the police answer for isolation on a sea rescue
    assert client.get(f"/api/incidents/{incident_id}").status_code == 200


def test_a_unit_with_no_part_cannot_read_an_incident(client, login):
    csrf = login("police1")
    r = client.post("/api/incidents", headers={"X-CSRF-Token": csrf}, json={
        "kind": "illegal_entry", "persons": 2, "occurred_at": "2026-11-28T20:30:00+08:00"})
    assert r.status_code == 201, r.text
    login("cg1")
    assert client.get(f"/api/incidents/{r.json()['id']}").status_code == 403
    assert client.get("/api/incidents").json() == []
