"""The counters that feed the daily report, as wired at the root (``jinghai.wiring``): each
counts a figure the form has, and the figures the operation no longer types are all
counted."""

import pytest

from jinghai.reporting import computed
from jinghai.reporting.computed import counted_figures
from jinghai.reporting.form import default_form

#: Sections whose every daily figure is counted from records: liaisons type none of them
#: (the demo leaves them to the counters too, ``jinghai.demo._figures``).
COUNTED_SECTIONS = ("sea_patrol", "vessel_control", "crackdown", "anti_smuggling",
                    "case_handling")
#: Figures counted in sections that are otherwise typed.
COUNTED_ELSEWHERE = {
    "port_area.anchorage_patrols", "port_area.inbound_persons_checked",
    "port_area.inbound_vessels_checked", "border_control.abnormal_arrivals",
    "border_control.abnormal_departures", "coastal.boats", "coastal.cove_patrols",
    "coastal.island_patrols", "coastal.mooring_patrols", "coastal.personnel",
    "coastal.persons_checked", "coastal.port_patrols", "coastal.vessels_checked",
    "coastal.wharf_patrols",
}


def test_every_counter_counts_a_typed_figure_of_the_form():
    form = default_form()
    typed = {f.code for f in form.figures if f.typed}
    assert counted_figures() - typed == set()


def test_every_counted_figure_has_a_counter():
    form = default_form()
    expected = {f.code for key in COUNTED_SECTIONS for f in form.section(key).typed_figures}
    assert len(expected) == 26
    assert counted_figures() == expected | COUNTED_ELSEWHERE


def test_every_wired_domain_registers_a_counter():
    modules = {fn.__module__ for fn in computed._COUNTERS.values()}
    assert modules == {f"jinghai.{d}.counters" for d in (
        "alerts", "cases", "inbound", "incidents", "outreach", "patrol", "vessels")}


def test_counting_before_the_counters_are_wired_is_an_error(monkeypatch):
    monkeypatch.setattr(computed, "_LOADED", False)
    with pytest.raises(RuntimeError, match="jinghai.wiring.load_counters"):
        counted_figures()
