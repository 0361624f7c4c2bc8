"""WHO 2006 child-growth z-scores: WHO's golden values, WHO's own software outputs, an oracle.

sex 1 = male, 2 = female; ages in days.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from madangan.sectors.health.growth import zscores

IGROWUP = Path(__file__).parent / "data" / "igrowup"
NAN = np.nan


# ------------------------------------------------------------------ golden values (anthro tests, README)

# sex, age, weight, lenhei, lying (1/0/NaN), expected {indicator: (z, flagged)}
GOLDEN = [
    (1, 1000, 15, 100, NAN, {"haz": (1.70, False), "waz": (0.69, False), "whz": (-0.29, False), "baz": (-0.58, False)}),
    (1, 1010, 10, 100, NAN, {"haz": (1.62, False), "waz": (-2.76, False), "whz": (-5.19, True), "baz": (-5.61, True)}),
    (2, 1000, 15, 80, NAN, {"haz": (-3.50, False), "waz": (0.95, False), "whz": (4.13, False), "baz": (4.66, False)}),
    (1, 1001, 18, 120, NAN, {"haz": (7.31, True), "waz": (2.20, False), "whz": (-2.39, False), "baz": (-3.01, False)}),
    (2, 1522, 17, NAN, NAN, {"waz": (0.24, False)}),
    (1, 987, NAN, 72.86, 1, {"haz": (-6.09, True)}),
]


@pytest.mark.parametrize("sex, age, weight, lenhei, lying, expected", GOLDEN)
def test_who_golden_values(sex, age, weight, lenhei, lying, expected):
    z = zscores(sex, age, weight, lenhei, lying)
    for indicator, (value, flagged) in expected.items():
        assert getattr(z, indicator)[0] == pytest.approx(value, abs=1e-9), indicator
        assert z.flag(indicator)[0] == flagged, indicator


# ------------------------------------------------------------------ WHO igrowup outputs


def _num(frame: pl.DataFrame, column: str) -> np.ndarray:
    return frame[column].cast(pl.Float64, strict=False).to_numpy()


def test_agrees_with_who_igrowup_r_survey_on_every_child_under_five():
    d = pl.read_csv(IGROWUP / "MySurvey_z_st.csv", infer_schema_length=0)
    measure = d["measure"].to_numpy()
    lying = np.where(measure == "l", 1.0, np.where(measure == "h", 0.0, NAN))
    age = _num(d, "age.days")
    z = zscores(_num(d, "GENDER"), age, _num(d, "WEIGHT"), _num(d, "HEIGHT"), lying, d["oedema"].to_numpy() == "y")
    under_five = age / 30.4375 < 60
    assert under_five.sum() == 494
    compared = 0
    for ours, theirs, flag in (("haz", "zlen", "flen"), ("waz", "zwei", "fwei"), ("whz", "zwfl", "fwfl"), ("baz", "zbmi", "fbmi")):
        expected, mine = _num(d, theirs)[under_five], getattr(z, ours)[under_five]
        np.testing.assert_array_equal(np.isnan(mine), np.isnan(expected), err_msg=ours)
        assert np.nanmax(np.abs(mine - expected)) <= 0.01 + 1e-9, ours
        flags = _num(d, flag)[under_five]
        known = ~np.isnan(flags)
        np.testing.assert_array_equal(z.flag(ours)[under_five][known], flags[known] == 1, err_msg=ours)
        compared += int((~np.isnan(expected)).sum())
        # old igrowup still scored 60-61 months; anthro (and we) stop below 60 months
        assert np.isnan(getattr(z, ours)[~under_five]).all()
    assert compared > 1800


def test_agrees_with_who_igrowup_stata_outputs():
    d = pl.read_csv(IGROWUP / "test_dataset.csv", infer_schema_length=0).with_columns(
        age=(pl.col("screen_date").str.to_date("%m/%d/%Y") - pl.col("dob").str.to_date("%m/%d/%Y")).dt.total_days()
    )
    d = d.filter(pl.col("age") / 30.4375 < 60)
    assert d.height == 4421
    sex = np.where(d["sex"].to_numpy() == "Male", 1, 2)
    z = zscores(sex, d["age"].to_numpy(), _num(d, "weight"), _num(d, "height"))
    # One quirk of the Stata macro: child 270 on 2015-04-01 has no height yet gets a BMI z (-4.3).
    no_height = np.isnan(_num(d, "height"))
    assert (~np.isnan(_num(d, "_zbmi")) & no_height).sum() == 1
    for ours, theirs in (("haz", "_zlen"), ("waz", "_zwei"), ("whz", "_zwfl"), ("baz", "_zbmi")):
        expected, mine = _num(d, theirs), getattr(z, ours)
        if ours == "baz":
            expected[no_height] = NAN
        both = ~np.isnan(expected)
        assert both.sum() > 4200, ours
        assert np.abs(mine[both] - expected[both]).max() <= 0.01 + 1e-9, ours
        # the Stata macro blanks implausible z-scores: where it has none, ours is flagged or absent
        blank = np.isnan(expected)
        assert (z.flag(ours)[blank] | np.isnan(mine[blank])).all(), ours


# ------------------------------------------------------------------ independent oracle (pygrowup2)


def test_random_children_agree_with_an_independent_implementation():
    """pygrowup2 (Decimal arithmetic, per row) as oracle, on inputs where it follows WHO's rules.

    Its known departures are kept out of the sample and pinned down in their own tests below:
    it does not interpolate weight-for-length (it rounds length to 0.1 cm), it switches the
    lying/standing correction at 730 days instead of 731, it cannot take age 0 and it scores
    beyond 60 months.
    """
    oracle = pytest.importorskip("pygrowup")
    rng = np.random.default_rng(20260501)
    n = 1500
    sex = rng.integers(1, 3, n)
    age = rng.integers(1, 1827, n)
    age[age == 730] = 729
    infant = age < 731
    lenhei = np.round(np.where(infant, rng.uniform(46, 95, n), rng.uniform(76, 118, n)), 1)
    weight = np.round(np.exp(rng.normal(np.log(np.where(infant, 8.0, 13.5)), 0.25, n)), 1)
    lying = infant.astype(float)  # measured the way the standard expects: no correction
    z = zscores(sex, age, weight, lenhei, lying)
    compared = 0
    for i in range(n):
        obs = oracle.Observation(sex="male" if sex[i] == 1 else "female", age_in_days=int(age[i]))
        expected = {
            "haz": lambda: obs.lhfa(lenhei[i], recumbent=bool(infant[i])),
            "waz": lambda: obs.wfa(weight[i]),
            "whz": lambda: obs.wfl(weight[i], lenhei[i]) if infant[i] else obs.wfh(weight[i], lenhei[i]),
            "baz": lambda: obs.bmifa(weight[i] / (lenhei[i] / 100) ** 2),
        }
        for indicator, value in expected.items():
            try:
                value = float(value())
            except oracle.exceptions.PyGrowUpException:  # outside the oracle's input ranges
                continue
            assert getattr(z, indicator)[i] == pytest.approx(value, abs=0.01 + 1e-9), (indicator, i)
            compared += 1
    assert compared > 0.95 * 4 * n


def test_where_the_oracle_departs_from_anthro_we_follow_anthro():
    oracle = pytest.importorskip("pygrowup")
    # Day 730 measured standing: anthro adds 0.7 cm (< 731 days is "length"); pygrowup2 switches at 730.
    ours = zscores(1, 730, NAN, 85.0, 0).haz[0]
    theirs = float(oracle.Observation(sex="male", age_in_days=730).lhfa(85.0, recumbent=False))
    assert ours == zscores(1, 730, NAN, 85.7, 1).haz[0]
    assert theirs == pytest.approx(zscores(1, 730, NAN, 85.0, 1).haz[0], abs=0.01)
    # Before 9 months "standing" is implausible for anthro (no correction); pygrowup2 adds 0.7 cm.
    ours = zscores(2, 200, NAN, 66.0, 0).haz[0]
    theirs = float(oracle.Observation(sex="female", age_in_days=200).lhfa(66.0, recumbent=False))
    assert ours == zscores(2, 200, NAN, 66.0, 1).haz[0]
    assert theirs == pytest.approx(zscores(2, 200, NAN, 66.7, 1).haz[0], abs=0.01)
    # Weight-for-length between tenths: anthro interpolates L, M, S; pygrowup2 rounds the length.
    assert zscores(1, 300, 9.0, 72.86, 1).whz[0] != float(oracle.Observation(sex="male", age_in_days=300).wfl(9.0, 72.86))


def test_weight_for_length_interpolates_between_tenths_of_a_centimetre():
    # 72.86 cm lies between the 72.8 and 72.9 rows: the z-score lies between theirs
    z = zscores(1, 300, 9.0, [72.8, 72.86, 72.9], 1).whz
    assert z[0] > z[1] > z[2]
    assert z[1] == pytest.approx(z[0] + 0.6 * (z[2] - z[0]), abs=0.011)


# ------------------------------------------------------------------ rules and boundaries


def test_lying_and_standing_are_corrected_by_0_7_cm_switching_at_731_days():
    # under 731 days a standing height is 0.7 cm short of the length the table expects
    standing, lying = zscores(1, [730, 730], 12, [85.0, 85.7], [0, 1]).haz
    assert standing == lying
    # from 731 days a lying length is 0.7 cm longer than the height the table expects
    lying, standing = zscores(1, [731, 731], 12, [86.7, 86.0], [1, 0]).haz
    assert lying == standing
    # measured the expected way, nothing changes
    z = zscores(1, [730, 731], 12, [85.0, 85.0], [1, 0])
    np.testing.assert_array_equal(z.clenhei, [85.0, 85.0])


def test_length_table_below_731_days_height_table_from_731():
    # WHO's medians: length 87.8018 cm at 730 days, height 87.1303 cm at 731 days
    assert zscores(1, [730, 731], NAN, [87.8018, 87.1303], [1, 0]).haz.tolist() == [0.0, 0.0]
    # weight-for-length for the younger child, weight-for-height for the older, same body
    whz = zscores(1, [730, 731], 12.0, 87.0, [1, 0]).whz
    assert whz[0] != whz[1] and not np.isnan(whz).any()


def test_standing_before_nine_months_is_not_corrected():
    z = zscores(1, [250, 300], 8.0, 70.0, 0)
    assert z.clenhei[0] == 70.0  # 8.2 months: position implausible, treated as unknown
    assert z.clenhei[1] == pytest.approx(70.7)  # 9.9 months: standing, corrected to length


def test_ages_from_birth_to_just_under_60_months_only():
    z = zscores(2, [-1, 0, 1826, 1826.2, 1826.3, 1827, 1856, 2000], 12.0, 100.0, 0)
    # 60 months = 1826.25 days: 1826.2 days still scores (as day 1826), 1826.3 does not
    assert np.isnan(z.haz).tolist() == [True, False, False, False, True, True, True, True]
    assert np.isnan(z.waz).tolist() == [True, False, False, False, True, True, True, True]


def test_oedema_blanks_weight_based_z_scores_only():
    z = zscores(1, 500, [8.0, 8.0], 75.0, 1, oedema=[False, True])
    assert not np.isnan([z.waz[0], z.whz[0], z.baz[0]]).any()
    assert np.isnan([z.waz[1], z.whz[1], z.baz[1]]).all()
    assert z.haz[1] == z.haz[0]


def test_restricted_application_beyond_three_sd_for_weight_but_not_length():
    from madangan.sectors.health.growth import weight_at

    sd2, sd3 = weight_at(False, 400, 2.0), weight_at(False, 400, 3.0)
    z = zscores(1, 400, sd3 + 2 * (sd3 - sd2), NAN).waz[0]
    assert z == pytest.approx(5.0, abs=0.01)  # linear in SD2–SD3 steps beyond +3, not LMS


def test_bad_input_gets_no_number_or_a_flag():
    z = zscores([1, 3, 1, 1, 1], 600, [-2.0, 10.0, 10.0, 0.0, 10.0], [80.0, 80.0, 500.0, 80.0, -5.0], 1)
    assert np.isnan([z.waz[0], z.whz[0], z.baz[0]]).all()  # negative weight
    assert np.isnan([z.haz[1], z.waz[1], z.whz[1], z.baz[1]]).all()  # unknown sex code
    assert z.flag("haz")[2] and np.isnan(z.whz[2])  # 500 cm: flagged, off the weight-for-length table
    assert np.isnan(z.waz[3]) and np.isnan(z.haz[4])  # zero weight, negative length
    assert not z.flag("haz")[1]  # no z-score, no flag


def test_flags_use_whos_limits():
    z = zscores(1, 1000, [5.0, 30.0], 100.0, 0)
    assert z.waz[0] < -6 and z.flag("waz")[0]
    assert 5 < z.waz[1] and z.flag("waz")[1]
    assert z.flagged.tolist() == [True, True]


def test_permenkes_categories_at_their_boundaries():
    from madangan.sectors.health.growth import category

    z = [-3.01, -3.0, -2.01, -2.0, 1.0, 1.01, 2.0, 2.01, 3.0, 3.01, NAN]
    assert category("haz", z).tolist() == [
        "sangat pendek", "pendek", "pendek", "normal", "normal", "normal", "normal", "normal", "normal", "tinggi", ""]
    assert category("whz", z).tolist() == [
        "gizi buruk", "gizi kurang", "gizi kurang", "gizi baik", "gizi baik", "berisiko gizi lebih",
        "berisiko gizi lebih", "gizi lebih", "gizi lebih", "obesitas", ""]
    assert category("waz", [-2.5, 1.5]).tolist() == ["berat badan kurang", "risiko berat badan lebih"]
