from __future__ import annotations

from decimal import Decimal

from edugov.indicators.engine import Section, SharedAssets, StaffCounts, WholeSchool, load_scheme, split_combined_school

SCHEME = load_scheme()
PRIMARY_STAFF = StaffCounts(fulltime=30, backbone_county=3)
JUNIOR_STAFF = StaffCounts(fulltime=25, backbone_county=5)


def whole(type_code: str, pupils: dict[Section, int], area: str = "10400") -> WholeSchool:
    return WholeSchool(
        school_id="W1", county_id="C1", school_type_code=type_code, pupils=pupils,
        staff={Section.PRIMARY: PRIMARY_STAFF, Section.JUNIOR: JUNIOR_STAFF},
        assets=SharedAssets(teaching_area=Decimal(area), sports_ground_area=None, gym_area=Decimal("0"),
                            equipment_value=Decimal("1040000"), multimedia_classrooms=26),
    )


def test_a_nine_year_school_splits_shared_assets_by_enrolment_weighted_1_to_1_1() -> None:
    # weights: 600 × 1 = 600 and 400 × 1.1 = 440, total 1040
    primary, junior = split_combined_school(whole("312", {Section.PRIMARY: 600, Section.JUNIOR: 400}), SCHEME)
    assert (primary.section, junior.section) == (Section.PRIMARY, Section.JUNIOR)
    assert (primary.pupils, junior.pupils) == (600, 400)
    assert (primary.assets.teaching_area, junior.assets.teaching_area) == (6000, 4400)
    assert (primary.assets.equipment_value, junior.assets.equipment_value) == (600000, 440000)
    assert (primary.assets.multimedia_classrooms, junior.assets.multimedia_classrooms) == (15, 11)


def test_staff_are_taken_per_section_and_never_split() -> None:
    primary, junior = split_combined_school(whole("312", {Section.PRIMARY: 600, Section.JUNIOR: 400}), SCHEME)
    assert primary.staff == PRIMARY_STAFF
    assert junior.staff == JUNIOR_STAFF


def test_an_unreported_shared_asset_stays_unreported_in_every_section() -> None:
    sections = split_combined_school(whole("312", {Section.PRIMARY: 600, Section.JUNIOR: 400}), SCHEME)
    assert all(s.assets.sports_ground_area is None for s in sections)
    assert all(s.assets.gym_area == 0 for s in sections)


def test_a_complete_secondary_school_gives_its_senior_part_a_1_2_share_but_returns_only_the_junior_part() -> None:
    # junior 500 × 1 = 500, senior 500 × 1.2 = 600: the junior part gets 5/11
    (junior,) = split_combined_school(whole("341", {Section.JUNIOR: 500, Section.SENIOR: 500}, "11000"), SCHEME)
    assert junior.section == Section.JUNIOR
    assert junior.assets.teaching_area == 5000


def test_a_twelve_year_school_splits_1_to_1_1_to_1_32() -> None:
    # 100 × 1 + 100 × 1.1 + 100 × 1.32 = 342
    pupils = {Section.PRIMARY: 100, Section.JUNIOR: 100, Section.SENIOR: 100}
    primary, junior = split_combined_school(whole("345", pupils, "3420"), SCHEME)
    assert (primary.assets.teaching_area, junior.assets.teaching_area) == (1000, 1100)


def test_a_type_without_a_configured_ratio_splits_by_plain_enrolment() -> None:
    primary, junior = split_combined_school(whole("219", {Section.PRIMARY: 600, Section.JUNIOR: 400}), SCHEME)
    assert (primary.assets.teaching_area, junior.assets.teaching_area) == (6240, 4160)


def test_the_uncertain_ratios_can_be_overridden() -> None:
    scheme = load_scheme(overrides=[{"combined_school_split": {"ratios": {"312": {"weights": {"junior": "1"}}}}}])
    primary, junior = split_combined_school(whole("312", {Section.PRIMARY: 600, Section.JUNIOR: 400}), scheme)
    assert (primary.assets.teaching_area, junior.assets.teaching_area) == (6240, 4160)


def test_a_combined_school_with_an_empty_section_gives_that_section_no_assets_and_no_data() -> None:
    primary, junior = split_combined_school(whole("312", {Section.PRIMARY: 600, Section.JUNIOR: 0}), SCHEME)
    assert primary.assets.teaching_area == 10400
    assert junior.pupils == 0
    assert junior.assets.teaching_area == 0
