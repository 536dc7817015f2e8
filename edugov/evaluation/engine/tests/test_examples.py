from __future__ import annotations

from fractions import Fraction

from edugov.evaluation.engine import (
    AdjustmentInput,
    ItemInput,
    StageInput,
    UnitInputs,
    display,
    evaluate,
    load_scheme,
    rank,
)

COUNTY = load_scheme("county_gov_duties_example", year=2025)
SCHOOL = load_scheme("school_evaluation_example", year=2025)

SELF_2025 = {
    "A1.1": ItemInput(points="7"), "A1.2": ItemInput(points="6"),
    "A2.1": ItemInput(value="93", evidence=("学前教育统计表2025.xlsx",)), "A2.2": ItemInput(value="86"),
    "A2.3": ItemInput(value="47.5"),
    "A3.1": ItemInput(value="1.2"), "A3.2": ItemInput(value="0"), "A3.3": ItemInput(value="96.5"),
    "A3.4": ItemInput(value=True),
    "A4.1": ItemInput(value="80"), "A4.2": ItemInput(value=True), "A4.3": ItemInput(points="3"),
    "A5.1": ItemInput(value="98"), "A5.2": ItemInput(value=True), "A5.3": ItemInput(points="5"),
    "A6.1": ItemInput(value="92"), "A6.3": ItemInput(value="88"),
}
COUNTY_2025 = UnitInputs(
    unit_id="370811", unit_name="示例区", year=2025,
    stages=(
        StageInput("self", SELF_2025, adjustments=(AdjustmentInput("B2", count=1, evidence=("推广文件.pdf",)),)),
        StageInput("review", {"A2.1": ItemInput(value="91", evidence=("复评核查表.pdf",))},
                   adjustments=(AdjustmentInput("P1", count=1, reason="某校食堂一般安全事故"),)),
    ),
)


def test_the_example_county_scheme_is_marked_as_an_example_with_six_areas_summing_to_100() -> None:
    assert COUNTY.example and SCHOOL.example
    assert "示例" in COUNTY.note and "替换" in COUNTY.note
    assert len(COUNTY.items) == 6
    assert sum(i.max_points for i in COUNTY.items) == COUNTY.max_score == 100
    assert COUNTY.vetoes[0].name == "发生重大安全责任事故"
    assert {i.indicator for i in COUNTY.leaves()} >= {"preschool_gross_enrolment", "large_class"}
    assert [i.max_points for i in SCHOOL.items] == [20, 25, 20, 25, 10]
    assert SCHOOL.item("S3.1").max_points == 10


def test_an_example_county_scores_the_hand_computed_total() -> None:
    # A1 7 + 6 = 13
    # A2 6 × (91 − 85)/10 = 3.6 (re-evaluated 91 overrides the self-reported 93) + 5 + 3 (47.5 in [45, 50)) = 11.6
    # A3 6 × (1 − 1.2/5) = 4.56 + 4 + 4 (96.5 in [96, 97)) + 5 = 17.56
    # A4 5 + 6 + 3 = 14;  A5 0 (98% < 100%) + 6 + 5 = 11
    # A6 myopia missing and excluded: A6.1 max 5 × 15/11 = 75/11, A6.3 max 90/11;
    #    75/11 × 7/10 = 105/22 and 4 × 15/11 = 120/22 → 225/22
    # base = 1679/25 + 225/22 = 42563/550; + 1 (B2) − 2 (P1) = 42013/550 ≈ 76.39 → 合格
    result = evaluate(COUNTY, COUNTY_2025)
    assert [result.item(c).points for c in ("A1", "A2", "A3", "A4", "A5")] == [
        13, Fraction("11.6"), Fraction("17.56"), 14, 11]
    assert result.item("A6").points == Fraction(225, 22)
    assert result.base == Fraction(42563, 550)
    assert result.total == Fraction(42013, 550)
    assert display(result.total, COUNTY.display_places) == display(Fraction("76.39"), 2)
    assert result.grade == "合格"
    assert result.excluded == ("A6.2",)
    assert [c.link for c in result.consequences] == ["整改"]
    a21 = result.item("A2.1")
    assert (a21.stage, a21.evidence) == ("review", ("复评核查表.pdf",))
    (d,) = result.discrepancies
    assert (d.code, d.change) == ("A2.1", Fraction("-1.2"))
    assert [(t.stage_name, display(t.total, 2)) for t in result.stage_totals] == [
        ("区县自评", display(Fraction(42563, 550) + 1 + Fraction("1.2"), 2)), ("市级复评", display(result.total, 2))]


def test_example_schools_can_be_scored_and_ranked() -> None:
    full = {
        "S1.1": ItemInput(points="10"), "S1.2": ItemInput(points="10"), "S2.1": ItemInput(value=True),
        "S2.2": ItemInput(value="0"), "S2.3": ItemInput(points="9"), "S3.1": ItemInput(value="72"),
        "S3.2": ItemInput(points="10"), "S4.1": ItemInput(value="95"), "S4.2": ItemInput(value="120"),
        "S4.3": ItemInput(value="30"), "S5.1": ItemInput(value="95"), "S5.2": ItemInput(points="4"),
    }
    weaker = {**full, "S4.2": ItemInput(value="90"), "S4.1": ItemInput(value="88")}  # 100 − 4 − 4 = 92
    results = [
        evaluate(SCHOOL, UnitInputs("s2", (StageInput("self", weaker),), year=2025)),
        evaluate(SCHOOL, UnitInputs("s1", (StageInput("self", full),), year=2025)),
        evaluate(SCHOOL, UnitInputs("s3", (StageInput("self", {**full, "S2.1": ItemInput(value=False)}),), year=2025)),
    ]
    assert [r.total for r in results] == [92, 100, 92]
    assert [(r.result.unit_id, r.rank, r.decided_by) for r in rank(results, SCHOOL)] == [
        ("s1", 1, ""), ("s3", 2, "总分"), ("s2", 3, "S4 项得分")]
