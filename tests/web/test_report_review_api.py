"""Issue 8 through HTTP: a blank is not a zero, bad values are named, dates are bounded,
the office reviews and locks with a confirmation."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

PORT = {"inbound_vessels_checked": "11", "outbound_vessels_checked": "9",
        "inbound_persons_checked": "200", "outbound_persons_checked": "150",
        "vessels_guarded": "25", "anchorage_patrols": "2"}


def test_api_submission_with_a_missing_figure_is_refused_and_named(client, login, today):
    h = {"X-CSRF-Token": login("bs1")}
    url = f"/api/report/entries/bs_beilun/port_area/{today}"
    partial = {k: v for k, v in PORT.items() if k != "anchorage_patrols"}
    r = client.put(url, headers=h, json={"values": partial | {"vessels_guarded": ""},
                                         "submit": True})
    assert r.status_code == 422
    body = r.json()
    assert body["missing"] == ["vessels_guarded", "anchorage_patrols"]
    assert "监护在港船舶、国际锚地巡查次数" in body["detail"]
    assert client.get(url).json()["status"] == "draft"
    # nothing became 0 in the report
    h = {"X-CSRF-Token": login("office1")}
    daily = client.get(f"/api/report/daily/{today}").json()
    assert daily["values"]["port_area.inbound_vessels_checked"] == 0
    assert daily["sections"]["port_area"]["missing"] == ["北仑边检站", "大榭边检站", "梅山边检站"]
    assert "port_area.inbound_vessels_checked" in daily["not_reported"]


def test_api_bad_numbers_are_named_not_stored(client, login, today):
    h = {"X-CSRF-Token": login("cg1")}
    url = f"/api/report/entries/coast_guard/sea_patrol/{today}"
    for bad in ("Infinity", "NaN", "1e30", "十"):
        r = client.put(url, headers=h, json={"values": {"personnel": bad, "boats": "3"}})
        assert r.status_code == 422, bad
        assert r.json()["unsaved"] == {"personnel": bad}
        assert r.json()["saved"] is (bad == "Infinity")  # the first one saved boats: 3
    figures = {f["key"]: f["value"] for f in client.get(url).json()["figures"]}
    assert figures["personnel"] is None and figures["boats"] == 3


def test_future_dates_are_refused_by_the_api(client, login):
    login("office1")
    # read the clock here, not at import: a run crossing local midnight must not make it today
    tomorrow = datetime.now(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=1)
    assert client.get(f"/api/report/daily/{tomorrow}").status_code == 422
    r = client.get(f"/api/report/export?start={tomorrow}&format=json")
    assert r.status_code == 422 and "未来日期" in r.json()["detail"]
    assert client.get("/api/report/export?start=2020-01-01&format=csv").status_code == 422


def test_api_review_return_resubmit_and_lock_confirmation(client, login, today):
    url = f"/api/report/entries/bs_beilun/port_area/{today}"
    client.put(url, headers={"X-CSRF-Token": login("bs1")}, json={"values": PORT, "submit": True})
    h = {"X-CSRF-Token": login("office1")}
    r = client.post(url + "/review", headers=h,
                    json={"decision": "return", "reason": "核对入境人数"})
    assert r.status_code == 200 and r.json()["status"] == "returned"
    h = {"X-CSRF-Token": login("bs1")}
    assert client.post(url + "/review", headers=h, json={"decision": "accept"}).status_code == 403
    view = client.get(url).json()
    assert (view["status"], view["review_reason"]) == ("returned", "核对入境人数")
    r = client.put(url, headers=h, json={"values": PORT | {"inbound_persons_checked": "210"},
                                         "correction_reason": "核对后更正", "submit": True})
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    h = {"X-CSRF-Token": login("office1")}
    r = client.post(f"/api/report/days/{today}/lock", headers=h)
    assert r.status_code == 409
    assert "大榭边检站（未报）" in r.json()["detail"]
    assert {"unit_key": "bs_daxie", "unit_name": "大榭边检站", "section": "port_area",
            "status": "not_started"} in r.json()["errors"]
    assert client.post(f"/api/report/days/{today}/lock", headers=h,
                       json={"confirm": True}).status_code == 200
    r = client.post(f"/api/report/entries/bs_daxie/port_area/{today}/open", headers=h,
                    json={"reason": "大榭补报"})
    assert r.status_code == 200
    h = {"X-CSRF-Token": login("bs2")}
    r = client.put(f"/api/report/entries/bs_daxie/port_area/{today}", headers=h,
                   json={"values": PORT, "submit": True})
    assert r.status_code == 200, r.text
    daily = client.get(f"/api/report/daily/{today}")
    assert daily.status_code == 403  # a liaison does not read the district report
