"""The country's region list: every regency can deploy with its real kecamatan and desa names."""

import pytest

from madangan.errors import UserError
from madangan.regions import normalize_code, regions


def test_sumedang_has_26_kecamatan_and_277_desa_kelurahan():
    index = regions()
    assert index.get("32.11").name == "Kabupaten Sumedang"
    assert len(index.children("32.11")) == 26
    villages = index.desa_of("32.11")
    assert len(villages) == 277
    assert sum(v.level == "kelurahan" for v in villages) == 7


def test_whole_country_is_shipped():
    index = regions()
    regencies = [c for c in index.names if c.count(".") == 1]
    assert len(regencies) == 514
    assert index.get("11.71").name == "Kota Banda Aceh"
    assert index.get("16.06").name == "Kabupaten Musi Banyuasin"
    assert len(index.desa_of("11.71")) > 50


def test_plain_digit_codes_are_accepted():
    assert normalize_code("3211") == "32.11"
    assert normalize_code("3211012001") == "32.11.01.2001"
    assert regions().get("321122").name == "Cimalaka"


def test_search_finds_desa_and_kecamatan_by_name():
    found = regions().search("cimalaka")
    codes = {r.code: r.level for r in found}
    assert codes["32.11.22"] == "kecamatan"
    assert codes["32.11.22.2001"] == "desa"


def test_search_tolerates_a_typo():
    assert any(r.code == "32.11.22" for r in regions().search("cimalaca"))


def test_unknown_code_suggests_the_closest_regencies():
    with pytest.raises(UserError) as err:
        regions().get("32.99")
    message = str(err.value)
    assert "32.99" in message and "32.09 Kabupaten Cirebon" in message


@pytest.mark.parametrize("code", ["abc", "32-11", "3", "32.1", ""])
def test_malformed_code_is_refused_with_the_expected_form(code):
    with pytest.raises(UserError, match="32.11"):
        regions().get(code)


def test_a_deployment_must_be_a_regency_or_city():
    with pytest.raises(UserError, match="bukan kabupaten/kota"):
        regions().regency("32.11.22")
    with pytest.raises(UserError, match="bukan kabupaten/kota"):
        regions().regency("32")
