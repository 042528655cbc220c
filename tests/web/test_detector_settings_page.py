"""The detector settings page: the office edits plain parameters in a form and via the
API; everyone else is refused and changes nothing."""

from __future__ import annotations


def test_office_saves_and_resets_parameters_on_the_page(client, login):
    csrf = login("office1")
    page = client.get("/alerts/settings")
    assert page.status_code == 200 and 'action="/alerts/settings/encounter"' in page.text
    r = client.post("/alerts/settings/encounter", data={
        "csrf_token": csrf, "max_distance_m": "300", "min_duration_s": "2400"},
        follow_redirects=False)
    assert r.status_code == 303, r.text
    page = client.get(r.headers["location"])
    assert "已保存“海上过驳/靠帮”的参数" in page.text
    assert 'name="max_distance_m" value="300"' in page.text
    bad = client.post("/alerts/settings/encounter", data={
        "csrf_token": csrf, "max_distance_m": "-1"})
    assert bad.status_code == 422 and "“两船最大距离”应为不小于 0 的数" in bad.text

    api = client.put("/api/alerts/detectors/loitering", headers={"X-CSRF-Token": csrf},
                     json={"params": {"min_duration_s": 5400}})
    assert api.status_code == 200 and api.json()["params"] == {"min_duration_s": 5400}

    client.post("/alerts/settings/encounter", data={"csrf_token": csrf, "reset": "1"})
    assert 'name="max_distance_m" value="500"' in client.get("/alerts/settings").text


def test_others_cannot_tune(client, login):
    for user in ("leader1", "cg1"):
        csrf = login(user)
        r = client.post("/alerts/settings/encounter", data={
            "csrf_token": csrf, "max_distance_m": "10"})
        assert r.status_code == 403
        r = client.put("/api/alerts/detectors/encounter", headers={"X-CSRF-Token": csrf},
                       json={"params": {"max_distance_m": 10}})
        assert r.status_code == 403
    login("office1")
    assert 'name="max_distance_m" value="500"' in client.get("/alerts/settings").text
