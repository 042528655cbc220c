"""Clue linking: the issue's small network, fuzzy names, blocking, proximity, networks and
the neighbourhood graph."""

import random
from datetime import UTC, datetime, timedelta
from itertools import combinations

from rapidfuzz import fuzz

from jinghai.cases.linking import (
    Clue,
    ClueLinker,
    Evidence,
    LinkParams,
    Person,
    Vehicle,
    Vessel,
    link_groups,
    neighbourhood,
    propose_links,
)
from jinghai.geo.metric import haversine_m

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def network() -> list[Clue]:
    """Five clues days and tens of km apart: 1–3 share a phone number written three ways,
    4–5 a vessel name with a transposed digit, 6 stands alone."""
    return [
        Clue(1, T0, 121.90, 29.88, "群众举报：有人用13812345678联系偷渡，约在梅山码头接人。"),
        Clue(2, T0 + 3 * DAY, text="巡逻发现可疑人员",
             persons=(Person("王小明", phone="138-1234-5678"),)),
        Clue(3, T0 + 7 * DAY, 122.30, 30.10, "研判：嫌疑人联系电话 +86 138 1234 5678"),
        Clue(4, T0 + 10 * DAY, 121.50, 29.50, "夜间关闭AIS", vessels=(Vessel("浙象渔12345号"),)),
        Clue(5, T0 + 14 * DAY, 121.60, 29.70, "海警通报：浙象渔12354在六横岛附近接驳"),
        Clue(6, T0 + 20 * DAY, 120.00, 28.00, "冻品走私线索，车牌浙B·D12345，联系人李国强"),
    ]


def test_small_network_gets_exactly_the_right_links_with_explanations():
    proposals = propose_links(network())

    assert {p.pair for p in proposals} == {(1, 2), (1, 3), (2, 3), (4, 5)}
    by_pair = {p.pair: p for p in proposals}
    assert by_pair[(1, 2)].evidence == (Evidence(
        "phone", "exact", "13812345678", "138-1234-5678", 0.9,
        "both normalise to 13812345678"),)
    assert by_pair[(1, 3)].evidence[0].value_b == "+86 138 1234 5678"
    assert by_pair[(2, 3)].evidence[0].value_a == "138-1234-5678"
    for pair in [(1, 2), (1, 3), (2, 3)]:
        assert [(e.field, e.method) for e in by_pair[pair].evidence] == [("phone", "exact")]
        assert by_pair[pair].score == 0.9
    [vessel] = by_pair[(4, 5)].evidence
    assert (vessel.field, vessel.method) == ("vessel_name", "fuzzy")
    assert (vessel.value_a, vessel.value_b) == ("浙象渔12345号", "浙象渔12354")
    assert vessel.note == "rapidfuzz 0.88"
    assert 0.5 < by_pair[(4, 5)].score < 0.9
    assert "vessel_name fuzzy: 浙象渔12345号 ~ 浙象渔12354" in by_pair[(4, 5)].explain()


def test_output_order_is_deterministic():
    clues = network()
    first = propose_links(clues)
    assert propose_links(list(reversed(clues))) == first
    assert [p.pair for p in first] == [(1, 2), (1, 3), (2, 3), (4, 5)]


def test_exact_identifiers_from_fields_and_text():
    idn = "330206199001011235"
    clues = [
        Clue("a", persons=(Person("张三", id_number=idn),), vehicles=(Vehicle("浙b 12345"),)),
        Clue("b", text=f"车辆浙B·12345，驾驶员身份证{idn}"),
        Clue("c", vessels=(Vessel("闽狮渔06688", mmsi="412000111"),)),
        Clue("d", text="MMSI 412000111 的渔船"),
    ]
    by_pair = {p.pair: p for p in propose_links(clues)}
    assert set(by_pair) == {("a", "b"), ("c", "d")}
    assert by_pair[("a", "b")].fields == {"id_number", "plate"}
    assert by_pair[("a", "b")].score == 1.0
    assert by_pair[("c", "d")].fields == {"mmsi"}


def test_fuzzy_person_names():
    assert fuzz.ratio("王小明", "王晓明") / 100 >= LinkParams().person_name_min_score
    clues = [
        Clue(1, persons=(Person("王小明"),)),
        Clue(2, persons=(Person("王晓明"),)),
        Clue(3, persons=(Person("李国强"),)),
        Clue(4, persons=(Person("张伟"),)),
        Clue(5, persons=(Person("张玮"),)),
        Clue(6, persons=(Person("NGUYEN VAN AN"),)),
        Clue(7, persons=(Person("Nguyen An Van"),)),
    ]
    by_pair = {p.pair: p for p in propose_links(clues)}
    assert set(by_pair) == {(1, 2), (6, 7)}
    [name] = by_pair[(1, 2)].evidence
    assert (name.field, name.method, name.value_a, name.value_b) == (
        "person_name", "fuzzy", "王小明", "王晓明")
    assert name.strength == round(0.5 * fuzz.ratio("王小明", "王晓明") / 100, 4)


def test_fuzzy_name_vetoed_by_different_id_numbers():
    clues = [
        Clue(1, persons=(Person("王小明", id_number="330206199001011235"),)),
        Clue(2, persons=(Person("王晓明", id_number="33020619850512102X"),)),
    ]
    assert propose_links(clues) == []


def test_vessel_name_variants():
    clues = [
        Clue(1, vessels=(Vessel("浙象渔１２３４５号"),)),
        Clue(2, text="渔船浙象渔一二三四五号"),
        Clue(3, vessels=(Vessel("浙象渔 12345"),)),
        Clue(4, vessels=(Vessel("浙象渔12346", mmsi="412000001"),)),
        Clue(5, vessels=(Vessel("浙象渔12345", mmsi="412000002"),)),
        Clue(6, vessels=(Vessel("浙象渔12346", mmsi="412000003"),)),
    ]
    by_pair = {p.pair: p for p in propose_links(clues)}
    exact = {pair for pair, p in by_pair.items()
             if [(e.field, e.method) for e in p.evidence] == [("vessel_name", "exact")]}
    assert exact == {(1, 2), (1, 3), (1, 5), (2, 3), (2, 5), (3, 5), (4, 6)}
    fuzzy = {pair for pair, p in by_pair.items() if p.evidence[0].method == "fuzzy"}
    # 4 and 6 are one digit from the 12345 spellings; 5 vs 4/6 is vetoed by their MMSIs.
    assert fuzzy == {(1, 4), (2, 4), (3, 4), (1, 6), (2, 6), (3, 6)}


def test_time_and_place_proximity():
    clues = [
        Clue(1, T0, 121.900, 29.880, "梅山岛东侧发现登陆痕迹"),
        Clue(2, T0 + timedelta(hours=2), 121.930, 29.890, "附近有面包车接人"),  # ≈3 km
        Clue(3, T0 + timedelta(hours=30), 121.900, 29.880, "同一地点，次日"),
        Clue(4, T0, 122.100, 29.880, "同一时间，约19 km外"),
    ]
    by_pair = {p.pair: p for p in propose_links(clues)}
    assert set(by_pair) == {(1, 2)}
    [near] = by_pair[(1, 2)].evidence
    assert (near.field, near.method) == ("time_place", "proximity")
    assert near.note.startswith("3.") and near.note.endswith("2.0 h apart")
    assert 0.3 <= near.strength <= 0.6

    wide = LinkParams(max_km=25.0, max_hours=36.0)
    assert {p.pair for p in propose_links(clues, wide)} == {
        (1, 2), (1, 3), (1, 4), (2, 3), (2, 4), (3, 4)}


def test_blocking_compares_only_clues_that_share_a_key():
    clues = [Clue(i, vessels=(Vessel(f"浙象渔{10000 + 7 * i:05d}"),),
                  persons=(Person(f"N{i:04d}"),)) for i in range(400)]
    clues.append(Clue(999, text="浙象渔10008号"))  # one typo away from clue 1 (浙象渔10007)
    linker = ClueLinker()
    proposals = linker.run(clues)
    assert len(clues) ** 2 // 2 > 80_000
    assert linker.stats.fuzzy_comparisons < 2_000
    assert (1, 999) in {p.pair for p in proposals}


def test_hub_keys_are_skipped_and_reported():
    clues = [Clue(i, text="举报电话 0574-86881234") for i in range(60)]
    clues += [Clue(100, text="13812345678"), Clue(101, text="138 1234 5678")]
    linker = ClueLinker(LinkParams(max_block_size=50))
    assert [p.pair for p in linker.run(clues)] == [(100, 101)]
    assert linker.stats.hub_keys == [("phone", "0574-86881234", 60)]


def test_scores_combine_across_fields_not_within():
    clues = [
        Clue(1, text="13812345678 浙象渔12345", organisations=("宁波某某水产公司",)),
        Clue(2, text="138-1234-5678，浙象渔12345号", organisations=("宁波某某水产公司",)),
    ]
    [p] = propose_links(clues)
    assert p.fields == {"phone", "vessel_name", "organisation"}
    assert p.score == round(1 - (1 - 0.9) * (1 - 0.85) * (1 - 0.3), 4)


def test_groups_from_accepted_links():
    accepted = [(1, 2), (2, 3), (4, 5), ("x", "y"), (3, 1)]
    assert link_groups(accepted) == [(1, 2, 3), (4, 5), ("x", "y")]
    assert link_groups(propose_links(network())) == [(1, 2, 3), (4, 5)]
    assert link_groups([]) == []


def test_neighbourhood_around_a_phone_number_for_echarts():
    clues = network()
    links = propose_links(clues)
    graph = neighbourhood(clues, links, "phone", "+86 138-1234-5678")

    clue_nodes = [n for n in graph["nodes"] if n["category"] == 0]
    assert [n["clue_id"] for n in clue_nodes] == [1, 2, 3]
    entity_names = {n["name"] for n in graph["nodes"] if n["category"] != 0}
    assert entity_names == {"138****5678", "王小明"}
    [focus] = [n for n in graph["nodes"] if n["focus"]]
    assert focus["field"] == "phone"
    assert all("13812345678" not in str(v) for n in graph["nodes"] for v in n.values())
    link_edges = [(e["source"], e["target"], e["value"]) for e in graph["edges"]
                  if e["kind"] == "link"]
    assert link_edges == [("c0", "c1", 0.9), ("c0", "c2", 0.9), ("c1", "c2", 0.9)]
    assert [c["name"] for c in graph["categories"]][:3] == ["clue", "person", "phone"]


def test_neighbourhood_around_a_vessel_follows_hops():
    clues = network()
    links = propose_links(clues)
    one_hop = neighbourhood(clues, links, "vessel_name", "浙象渔12345")
    assert [n["clue_id"] for n in one_hop["nodes"] if n["category"] == 0] == [4, 5]
    zero_hop = neighbourhood(clues, links, "vessel_name", "浙象渔12345", hops=0)
    assert [n["clue_id"] for n in zero_hop["nodes"] if n["category"] == 0] == [4]
    unmasked = neighbourhood(clues, links, "phone", "13812345678", mask=False)
    assert "13812345678" in {n["name"] for n in unmasked["nodes"]}


def test_explanations_mask_phone_and_id_numbers_unless_asked():
    by_pair = {p.pair: p for p in propose_links(network())}
    assert by_pair[(1, 3)].explain() == (
        "phone exact: 138****5678 ~ +86 138 **** 5678 (0.90; both normalise to 138****5678)")
    assert "13812345678" in by_pair[(1, 3)].explain(mask=False)


def test_free_vessel_names_are_weaker_than_registry_names():
    clues = [Clue(1, text="“海星”号"), Clue(2, vessels=(Vessel("海星"),)),
             Clue(3, text="浙甬渔运00123"), Clue(4, vessels=(Vessel("浙甬渔运00123号"),))]
    scores = {p.pair: p.score for p in propose_links(clues)}
    assert scores == {(1, 2): LinkParams().vessel_free_name, (3, 4): LinkParams().vessel_name}


def test_naive_times_from_the_database_are_taken_as_utc():
    naive = T0.replace(tzinfo=None)
    clues = [Clue(1, naive, 121.90, 29.88), Clue(2, T0 + timedelta(hours=1), 121.90, 29.88)]
    [p] = propose_links(clues)
    assert p.evidence[0].note == "0.0 km, 1.0 h apart"


def test_proximity_blocking_finds_every_pair_brute_force_finds():
    rng = random.Random(5)
    clues = [Clue(i, T0 + timedelta(hours=rng.uniform(0, 72)), rng.uniform(121.5, 122.3),
                  rng.uniform(29.5, 30.2)) for i in range(300)]
    params = LinkParams(max_km=4.0, max_hours=5.0)
    expected = {
        (a.id, b.id) for a, b in combinations(clues, 2)
        if haversine_m(a.lon, a.lat, b.lon, b.lat) <= 4000.0
        and abs((a.time - b.time).total_seconds()) <= 5 * 3600.0}
    linker = ClueLinker(params)
    assert {p.pair for p in linker.run(clues)} == expected
    assert len(expected) > 10
    assert linker.stats.candidate_pairs == len(expected)
    assert linker.stats.proximity_comparisons < len(clues) ** 2 / 2 / 10


def test_neighbourhood_around_a_registry_number_or_organisation():
    clues = [Clue(1, vessels=(Vessel("浙象渔12345", registry_number="ZX 2020 0001"),),
                  organisations=("象山某某渔业公司",)),
             Clue(2, vessels=(Vessel("浙象渔12345号", registry_number="zx20200001"),))]
    links = propose_links(clues)
    graph = neighbourhood(clues, links, "vessel_registry", "ZX20200001", hops=0)
    assert [n["clue_id"] for n in graph["nodes"] if n["category"] == 0] == [1, 2]
    graph = neighbourhood(clues, links, "organisation", "象山某某渔业公司")
    assert [n["clue_id"] for n in graph["nodes"] if n["category"] == 0] == [1, 2]
