"""The children behind a health rate, by name, for the roles allowed to see them.

    children(con, who, deployment_code, indikator="prevalensi_stunting", wilayah="32.11.01.2001", bulan="2026-10")

Scope is enforced in the data layer: the posyandu rows are cut to the caller's region (and, for a cadre,
posyandu) with `Principal.scope_filter` *before* anything is read, so a person outside the scope is never
fetched, let alone returned. The rule of each list is the rule of its indicator (same functions), so the
list's length is the indicator's numerator for that region and month. NIKs are masked unless the role may
see them unmasked. Callers audit every read (`madangan.sectors.health.api`).
"""

from __future__ import annotations

from datetime import date

import ibis

from madangan.access import Permission, Principal, Role, mask
from madangan.errors import NotFound, OutOfScope, UserError
from madangan.i18n import add_messages, t
from madangan.regions import normalize_code, regions
from madangan.sectors.health import indicators as hi

add_messages({
    "health.bad_month": {"id": "Bulan '{month}' tidak valid: tulis YYYY-MM, mis. 2026-10.",
                         "en": "Month '{month}' is invalid: write YYYY-MM, e.g. 2026-10."},
    "health.unknown_list": {"id": "Daftar '{name}' tidak dikenal. Pilihan: {allowed}.",
                            "en": "Unknown list '{name}'. Choose one of: {allowed}."},
    "health.region_unknown": {"id": "Wilayah '{code}' tidak ada di deployment ini ({region}).",
                              "en": "Region '{code}' is not part of this deployment ({region})."},
    "health.not_in_scope": {"id": "Wilayah {code} di luar wilayah akun Anda ({scope}).",
                            "en": "Region {code} lies outside your account's region ({scope})."},
    "health.not_health": {"id": "Akun Anda tidak berhak melihat data orang sektor kesehatan.",
                          "en": "Your account may not see persons of the health sector."},
    "health.no_data": {"id": "Belum ada data pengukuran posyandu.", "en": "No posyandu measurements yet."},
    "health.no_pregnancies": {"id": "Belum ada register ibu hamil.", "en": "No pregnancy register yet."},
    "health.bad_date": {"id": "Tanggal '{day}' tidak valid: tulis YYYY-MM-DD, mis. 2026-10-31.",
                        "en": "Date '{day}' is invalid: write YYYY-MM-DD, e.g. 2026-10-31."},
})

#: Pregnancy lists: name → what it holds.
PREGNANCY_LISTS = ("krst_dekat_hpl", "risiko_tinggi")

#: The lists behind the rates: indicator id → (kind, z-score column, cut-off, direction).
CHILD_LISTS: dict[str, tuple[str, str | None, float | None, str | None]] = {
    "prevalensi_stunting": ("growth", "haz", -2.0, "below"),
    "prevalensi_stunting_berat": ("growth", "haz", -3.0, "below"),
    "prevalensi_wasting": ("growth", "whz", -2.0, "below"),
    "prevalensi_underweight": ("growth", "waz", -2.0, "below"),
    "prevalensi_gizi_lebih": ("growth", "whz", 2.0, "above"),
    "balita_2t": ("skdn", None, None, None),
}

CHILD_COLUMNS = ("nik_anak", "nama_anak", "jenis_kelamin", "tanggal_lahir", "umur_bulan", "kode_desa", "posyandu",
                 "tanggal_ukur", "berat_kg", "tinggi_cm", "haz", "waz", "whz", "edema")


def shown(who: Principal):
    """How a NIK is shown to `who`: in full with the unmasked permission, else masked."""
    return (lambda s: s) if who.can(Permission.UNMASKED) else mask


def check_health_persons(who: Principal) -> None:
    """An analyst of another OPD sees no health person (a cadre and a health analyst do)."""
    if who.sectors and "health" not in who.sectors:
        raise OutOfScope(t("health.not_health"))


def region(deployment_code: str, who: Principal, code: str | None) -> str:
    """The region asked for: the caller's own by default; refused outside the deployment or the caller's scope."""
    if not code:
        return who.region_code or deployment_code
    code = normalize_code(code)
    if code not in regions() or not (code == deployment_code or code.startswith(deployment_code + ".")):
        raise NotFound(t("health.region_unknown", code=code, region=deployment_code))
    if not who.in_scope(code):
        raise OutOfScope(t("health.not_in_scope", code=code, scope=who.region_code))
    return code


def parse_month(text: str | None) -> date | None:
    if not text:
        return None
    try:
        year, month = text.strip().split("-")
        return date(int(year), int(month), 1)
    except ValueError:
        raise UserError(t("health.bad_month", month=text)) from None


def _in_region(table: ibis.Table, code: str) -> ibis.Table:
    return table.filter((table.kode_desa == code) | table.kode_desa.startswith(code + "."))


def scoped_posyandu(con, who: Principal, code: str) -> ibis.Table:
    """Posyandu rows of the region `code`, cut to the caller's scope in the data layer."""
    p = con.table("posyandu")
    return _in_region(who.scope_filter(p, "kode_desa"), code)


def latest_month(p: ibis.Table) -> date | None:
    found = p.tanggal_ukur.max().to_pyarrow().as_py()
    return None if found is None else date(found.year, found.month, 1)


def children(con, who: Principal, deployment_code: str, *, indikator: str = "prevalensi_stunting",
             wilayah: str | None = None, posyandu: str | None = None, bulan: str | None = None) -> tuple[list[dict], str]:
    """The children counted in the numerator of `indikator` in region `wilayah` (and `posyandu`) in `bulan`
    (default: the latest month with measurements); (rows, YYYY-MM)."""
    if indikator not in CHILD_LISTS:
        raise UserError(t("health.unknown_list", name=indikator, allowed=", ".join(CHILD_LISTS)))
    check_health_persons(who)
    code = region(deployment_code, who, wilayah)
    month = parse_month(bulan)
    if "posyandu" not in con.list_tables() or "balita" not in con.list_tables():
        raise NotFound(t("health.no_data"))
    p = scoped_posyandu(con, who, code)
    if posyandu:
        p = p.filter(p.posyandu == posyandu)
    month = month or latest_month(p)
    if month is None:
        return [], ""
    end = month.replace(year=month.year + month.month // 12, month=month.month % 12 + 1)
    b = con.table("balita").select("nik_anak", "nama_anak", "jenis_kelamin", "tanggal_lahir")
    kind, column, cut, direction = CHILD_LISTS[indikator]
    if kind == "growth":
        this_month = p.filter((p.tanggal_ukur >= month) & (p.tanggal_ukur < end))
        m = hi.measurements({"posyandu": this_month, "balita": b})
        m = hi.scored(m)
        z = m[column]
        if direction == "below":
            hit = (z < cut).fill_null(False)
            if column != "haz":  # as the indicator: oedema counts as < −3 SD for weight-based indicators
                hit = hit | (m.oedema & m.umur_hari.between(0, 60 * 30.4375 - 1e-9) & m.sex.isin([1, 2]))
        else:
            hit = (z > cut).fill_null(False)
        rows = m.filter(hit).join(b.select("nik_anak", "nama_anak"), "nik_anak")
    else:
        w = hi.weighings({"posyandu": p.filter(p.tanggal_ukur < end)})
        w = w.filter(w.dua_t & (w.bulan == month))
        rows = w.join(b, "nik_anak").mutate(haz=ibis.null("float64"), waz=ibis.null("float64"),
                                            whz=ibis.null("float64"))
    frame = rows.select(*CHILD_COLUMNS).order_by("kode_desa", "posyandu", "nama_anak").to_pyarrow().to_pylist()
    show = shown(who)
    for row in frame:
        row["nik_anak"] = show(row["nik_anak"])
        for key in ("tanggal_lahir", "tanggal_ukur"):
            row[key] = row[key].isoformat() if row[key] else None
        for key in ("haz", "waz", "whz"):
            row[key] = None if row[key] is None else round(row[key], 2)
    return frame, month.strftime("%Y-%m")


def parse_day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(t("health.bad_date", day=text)) from None


PREGNANCY_COLUMNS = ("id_kehamilan", "nik_ibu", "nama_ibu", "kode_desa", "hpht", "hpl", "skor", "rencana_persalinan",
                     "faktor_risiko")


def pregnancies(con, who: Principal, deployment_code: str, *, daftar: str = "krst_dekat_hpl",
                wilayah: str | None = None, tanggal: str | None = None) -> tuple[list[dict], str]:
    """Pregnant women on list `daftar` as of `tanggal` (default: the latest date in the register or visits);
    (rows, YYYY-MM-DD). krst_dekat_hpl: KRST, not delivered, due within 28 days, no facility birth planned;
    risiko_tinggi: ongoing with KSPR ≥ 6. Each row has the KSPR score as of the date and per trimester.
    A posyandu cadre gets the women their posyandu follows (the register's `posyandu`; none in a register without it)."""
    if daftar not in PREGNANCY_LISTS:
        raise UserError(t("health.unknown_list", name=daftar, allowed=", ".join(PREGNANCY_LISTS)))
    check_health_persons(who)
    code = region(deployment_code, who, wilayah)
    day = parse_day(tanggal)
    present = set(con.list_tables())
    if "kehamilan" not in present:
        raise NotFound(t("health.no_pregnancies"))
    k = _in_region(who.scope_filter(con.table("kehamilan"), "kode_desa"), code)
    tables = {"kehamilan": k, **({"anc": con.table("anc").semi_join(k, "id_kehamilan")} if "anc" in present else {})}
    if day is None:
        latest = [k.tanggal_daftar.max().to_pyarrow().as_py()]
        if "anc" in tables:
            latest.append(tables["anc"].tanggal_kunjungan.max().to_pyarrow().as_py())
        latest = [d for d in latest if d is not None]
        if not latest:
            return [], ""
        day = max(latest)
    on = ibis.literal(day)
    if daftar == "krst_dekat_hpl":
        rows = hi.near_term_krst(tables, on)
        rows = rows.filter(rows.tanpa_faskes)
    else:
        kk = k.filter((k.tanggal_daftar <= on) & (k.tanggal_persalinan.isnull() | (k.tanggal_persalinan > on))
                      & (k.hpl >= on - ibis.interval(days=14)))
        rows = hi.score_as_of(kk.mutate(skor_total=hi.kspr_score(kk.faktor_risiko), _on=on), tables, "_on")
        rows = rows.filter(rows.skor >= 6)
    frame = rows.select(*PREGNANCY_COLUMNS).order_by("hpl", "kode_desa", "nama_ibu").to_pyarrow().to_pylist()
    history = {}
    if frame:
        ids = [r["id_kehamilan"] for r in frame]
        h = hi.kspr_history(tables)
        h = h.filter(h.id_kehamilan.isin(ids) & (h.tanggal <= on))
        h = h.group_by("id_kehamilan", "trimester").agg(skor=h.skor.max()).to_pyarrow().to_pylist()
        for r in h:
            history.setdefault(r["id_kehamilan"], {})[r["trimester"]] = r["skor"]
    show = shown(who)
    for row in frame:
        row["nik_ibu"] = show(row["nik_ibu"])
        row["hari_menuju_hpl"] = (row["hpl"] - day).days
        row["usia_kehamilan_minggu"] = (day - row["hpht"]).days // 7
        row["kategori"] = kspr_label(row["skor"])
        row["skor_per_trimester"] = history.get(row["id_kehamilan"], {})
        for key in ("hpht", "hpl"):
            row[key] = row[key].isoformat()
    return frame, day.isoformat()


def kspr_label(score: int) -> str:
    from madangan.sectors.health import kspr_category

    return kspr_category(score)
