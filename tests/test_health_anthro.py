"""`madangan anthro`: a nutrition officer's survey file in, z-scores, flags and categories out."""

from __future__ import annotations

import csv
import subprocess
import sys

import openpyxl
import pytest

from madangan.errors import UserError
from madangan.sectors.health.anthro import run

HEADER = ["ID", "Jenis Kelamin", "Umur (hari)", "Berat", "Tinggi", "Cara Ukur", "Edema"]
#: WHO anthro's golden children (see issue 5) and the answers they must get, to 2 decimals
GOLDEN = [
    (["A1", "1", "1000", "15", "100", "", ""], {"z_tb_u": "1.7", "z_bb_u": "0.69", "z_bb_tb": "-0.29", "z_imt_u": "-0.58"}),
    (["A2", "L", "1010", "10", "100", "h", "tidak"], {"z_bb_tb": "-5.19", "z_bb_tb_flag": "1", "kategori_bb_tb": ""}),
    (["A3", "P", "1000", "15", "80", "", ""], {"z_tb_u": "-3.5", "kategori_tb_u": "sangat pendek", "z_imt_u": "4.66"}),
    (["A4", "1", "1001", "18", "120", "", ""], {"z_tb_u": "7.31", "z_tb_u_flag": "1", "z_imt_u": "-3.01"}),
    (["A5", "2", "1522", "17", "", "", ""], {"z_bb_u": "0.24", "z_tb_u": ""}),
    (["A6", "1", "987", "", "72,86", "l", ""], {"z_tb_u": "-6.09", "z_tb_u_flag": "1"}),
]
BAD = [
    (["B1", "X", "500", "10", "80", "", ""], "jenis kelamin 'X'"),
    (["B2", "1", "-5", "10", "80", "", ""], "umur negatif"),
    (["B3", "1", "400", "9", "500", "", ""], "500.0 cm tidak wajar"),
    (["B4", "2", "2000", "15", "100", "", ""], "≥ 60 bulan"),
    (["B5", "1", "300", "=1+1", "70", "duduk", "mungkin"], "cara ukur 'DUDUK'"),
]


def write_csv(path, rows, header=HEADER):
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([header, *rows])


def read_out(path):
    with path.open(encoding="utf-8") as f:
        return {row["ID"]: row for row in csv.DictReader(f)}


def test_golden_children_and_bad_rows_from_a_csv(tmp_path):
    source, out = tmp_path / "survei.csv", tmp_path / "hasil.csv"
    write_csv(source, [r for r, _ in GOLDEN] + [r for r, _ in BAD])
    rows, noted = run(source, out)
    assert (rows, noted) == (len(GOLDEN) + len(BAD), len(BAD))
    result = read_out(out)
    for row, expected in GOLDEN:
        for column, value in expected.items():
            assert result[row[0]][column] == value, (row[0], column)
        assert result[row[0]]["alasan"] == ""
    for row, reason in BAD:
        assert reason in result[row[0]]["alasan"], row[0]
    assert "edema 'MUNGKIN'" in result["B5"]["alasan"] and "berat '=1+1' bukan angka" in result["B5"]["alasan"]
    assert result["B5"]["Berat"] == "'=1+1"  # echoed input, neutralised for spreadsheets
    assert result["B2"]["Umur (hari)"] == "-5"  # a negative number is not a formula


def test_birth_and_visit_dates_instead_of_age_and_an_xlsx_out(tmp_path):
    source, out = tmp_path / "posyandu.csv", tmp_path / "hasil.xlsx"
    write_csv(source, [["C1", "L", "2024-01-01", "26/09/2026", "15", "100"]],
              header=["ID", "JK", "Tanggal Lahir", "Tanggal Ukur", "BB", "TB"])
    run(source, out)
    sheet = openpyxl.load_workbook(out).active
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, next(sheet.iter_rows(min_row=2, values_only=True))))
    assert row["umur_hari"] == 999 and row["kategori_tb_u"] == "normal"


def test_missing_columns_are_named(tmp_path):
    source = tmp_path / "x.csv"
    write_csv(source, [["1", "12"]], header=["ID", "Berat"])
    with pytest.raises(UserError, match=r"jenis kelamin.*umur"):
        run(source, tmp_path / "out.csv")


def test_the_command_line(tmp_path):
    source, out = tmp_path / "survei.csv", tmp_path / "hasil.csv"
    write_csv(source, [GOLDEN[0][0], BAD[0][0]])
    done = subprocess.run([sys.executable, "-m", "madangan", "anthro", str(source), "--out", str(out)],
                          capture_output=True, text=True, env={"MADANGAN_LANG": "id", "PATH": ""})
    assert done.returncode == 0, done.stderr
    assert "2 baris dinilai; 1 dengan catatan" in done.stdout
    assert read_out(out)["A1"]["z_tb_u"] == "1.7"
