"""The public transparency portal (no login, Bahasa Indonesia first): budget, public services, indicators.

Every figure comes from a publication (`madangan publish`), so a page shows what was published and stays
as it was; `?terbitan=N` shows an older one. Citizens comment on a budget line or a service; comments wait
for a moderator (`madangan feedback`) before they appear.
"""

from __future__ import annotations

import json

import polars as pl
from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from madangan.access.web import RateLimiter, public
from madangan.errors import UserError
from madangan.i18n import add_messages, t
from madangan.opendata import feedback
from madangan.opendata.publish import Published, load, publications, resource_id
from madangan.web.deps import lang_of, render

router = APIRouter(include_in_schema=False, dependencies=[public])

BUDGET = "apbd-belanja-dan-pendapatan"
SERVICES = "kinerja-layanan-publik"
COMPLAINTS = "pengaduan-masyarakat"
QUALITY = "skor-kualitas-data-desa"
VILLAGES = "apbdes-desa"

add_messages({
    "portal.title": {"id": "Portal Publik", "en": "Public Portal"},
    "portal.lead": {"id": "Anggaran, kinerja layanan publik dan indikator daerah — terbuka untuk semua, tanpa data pribadi.",
                    "en": "Budget, public-service performance and regional indicators — open to all, without personal data."},
    "portal.budget": {"id": "Anggaran Daerah (APBD)", "en": "Regional Budget (APBD)"},
    "portal.services": {"id": "Layanan Publik", "en": "Public Services"},
    "portal.indicators": {"id": "Indikator per Kecamatan", "en": "Indicators per Kecamatan"},
    "portal.opendata": {"id": "Data Terbuka", "en": "Open Data"},
    "portal.nothing": {"id": "Belum ada data yang diterbitkan. Walidata menerbitkan dengan 'madangan publish'.",
                       "en": "Nothing has been published yet. The data custodian publishes with 'madangan publish'."},
    "portal.publication": {"id": "Terbitan {label} (#{number}), {date}", "en": "Publication {label} (#{number}), {date}"},
    "portal.pagu": {"id": "Pagu belanja", "en": "Spending allocation"},
    "portal.realized": {"id": "Realisasi belanja", "en": "Spending realized"},
    "portal.realized_pct": {"id": "Persentase realisasi", "en": "Share realized"},
    "portal.revenue": {"id": "Realisasi pendapatan", "en": "Revenue realized"},
    "portal.treemap": {"id": "Pagu per perangkat daerah dan program", "en": "Allocation by agency and program"},
    "portal.curve": {"id": "Realisasi sepanjang tahun (kumulatif)", "en": "Realization over the year (cumulative)"},
    "portal.by_opd": {"id": "Per perangkat daerah", "en": "By agency"},
    "portal.opd": {"id": "Perangkat daerah", "en": "Agency"},
    "portal.service": {"id": "Layanan", "en": "Service"},
    "portal.requests": {"id": "Permohonan", "en": "Requests"},
    "portal.sla": {"id": "Selesai sesuai standar waktu", "en": "Finished within the standard"},
    "portal.ikm": {"id": "Indeks Kepuasan (IKM)", "en": "Satisfaction (IKM)"},
    "portal.complaints": {"id": "Penanganan pengaduan", "en": "Complaint handling"},
    "portal.complaints_in": {"id": "Pengaduan masuk", "en": "Complaints received"},
    "portal.overdue": {"id": "Masih terbuka > 60 hari", "en": "Still open > 60 days"},
    "portal.overdue_on": {"id": "posisi {date}", "en": "as of {date}"},
    "portal.standard": {"id": "Standar (hari kerja)", "en": "Standard (working days)"},
    "portal.median_days": {"id": "Median hari kerja", "en": "Median working days"},
    "portal.p90_days": {"id": "90% selesai dalam (hari kerja)", "en": "90% done within (working days)"},
    "portal.open": {"id": "Masih diproses", "en": "Still open"},
    "portal.grade": {"id": "Mutu", "en": "Grade"},
    "portal.ikm_regency": {"id": "IKM kabupaten", "en": "Regency IKM"},
    "portal.ikm_note": {"id": "IKM = rata-rata nilai survei (1–4) × 25 (PermenPANRB 14/2017): A Sangat Baik ≥ 88,31; "
                              "B Baik ≥ 76,61; C Kurang Baik ≥ 65,00; D Tidak Baik di bawahnya.",
                        "en": "IKM = mean survey score (1–4) × 25 (PermenPANRB 14/2017): A Very good ≥ 88.31; "
                              "B Good ≥ 76.61; C Poor ≥ 65.00; D Very poor below."},
    "portal.ikm_A": {"id": "Sangat Baik", "en": "Very good"},
    "portal.ikm_B": {"id": "Baik", "en": "Good"},
    "portal.ikm_C": {"id": "Kurang Baik", "en": "Poor"},
    "portal.ikm_D": {"id": "Tidak Baik", "en": "Very poor"},
    "portal.followed_up": {"id": "Ditindaklanjuti", "en": "Followed up"},
    "portal.suppressed": {"id": "— : disensor, kurang dari 5 orang (melindungi privasi)",
                          "en": "— : suppressed, fewer than 5 people (protects privacy)"},
    "portal.feedback": {"id": "Sampaikan tanggapan", "en": "Send feedback"},
    "portal.feedback_about": {"id": "Tentang", "en": "About"},
    "portal.feedback_text": {"id": "Tanggapan (tanpa data pribadi, maks. 1.000 karakter)",
                             "en": "Feedback (no personal data, max. 1,000 characters)"},
    "portal.feedback_send": {"id": "Kirim", "en": "Send"},
    "portal.feedback_shown": {"id": "Tanggapan warga yang telah dimoderasi", "en": "Moderated citizens' feedback"},
    "portal.kecamatan": {"id": "Kecamatan", "en": "Kecamatan"},
    "portal.villages": {"id": "APBDes (Keuangan Desa)", "en": "Village Budgets (APBDes)"},
    "portal.villages_lead": {"id": "Anggaran dan realisasi pendapatan dan belanja setiap desa. Pilih kecamatan, lalu desa.",
                             "en": "Each village's revenue and spending, budgeted and realized. Choose a kecamatan, then a village."},
    "portal.villages_none": {"id": "Terbitan ini belum memuat APBDes.", "en": "This publication holds no village budgets."},
    "portal.all_kecamatan": {"id": "Semua kecamatan", "en": "All kecamatan"},
    "portal.show": {"id": "Tampilkan", "en": "Show"},
    "portal.desa": {"id": "Desa", "en": "Village"},
    "portal.village_revenue": {"id": "Pendapatan desa", "en": "Village revenue"},
    "portal.village_spending": {"id": "Belanja desa", "en": "Village spending"},
    "portal.dana_desa": {"id": "Dana Desa", "en": "Village Fund"},
    "portal.budgeted": {"id": "Anggaran", "en": "Budgeted"},
    "portal.report_date": {"id": "Tanggal laporan", "en": "Report date"},
    "portal.line": {"id": "Uraian", "en": "Item"},
    "portal.kind": {"id": "Jenis", "en": "Kind"},
    "portal.unknown_region": {"id": "Wilayah '{code}' tidak ada dalam APBDes terbitan ini.",
                              "en": "Region '{code}' is not in this publication's village budgets."},
    "portal.month": {"id": "Bulan", "en": "Month"},
    "portal.quality": {"id": "Skor kualitas data desa (peringkat teratas)", "en": "Village data-quality score (top ranks)"},
    "portal.datasets": {"id": "Dataset dan API", "en": "Datasets and API"},
    "portal.plan": {"id": "Anggaran kas", "en": "Cash plan"},
    "portal.year": {"id": "Tahun anggaran {year}", "en": "Fiscal year {year}"},
    "portal.absorption": {"id": "Serapan per perangkat daerah terhadap anggaran kas dan garis linear",
                          "en": "Absorption by agency against the cash plan and the linear path"},
    "portal.absorption_note": {"id": "Posisi s.d. bulan {month}. Tertinggal lebih dari 20 poin dari anggaran kas ditandai ⚠.",
                               "en": "Position through month {month}. More than 20 points behind the cash plan is marked ⚠."},
    "portal.plan_pct": {"id": "Rencana kas (%)", "en": "Cash plan (%)"},
    "portal.linear_pct": {"id": "Linear (%)", "en": "Linear (%)"},
    "portal.gap": {"id": "Selisih thd rencana (poin)", "en": "Gap to plan (points)"},
    "portal.pct_of_pagu": {"id": "% dari pagu", "en": "% of allocation"},
    "portal.choose_opd": {"id": "Pilih perangkat daerah", "en": "Choose an agency"},
    "portal.by_kecamatan": {"id": "Belanja per kecamatan dan stunting", "en": "Spending per kecamatan and stunting"},
    "portal.by_kecamatan_note": {"id": "Hanya belanja yang lokasinya di kecamatan itu (bukan belanja lingkup kabupaten). "
                                       "Prevalensi stunting dari hasil penimbangan posyandu bulan terakhir.",
                                 "en": "Only spending located in the kecamatan (not regency-wide spending). Stunting "
                                       "prevalence from the latest month of posyandu measurements."},
    "portal.residents": {"id": "Penduduk", "en": "Residents"},
    "portal.per_capita": {"id": "Realisasi per penduduk (Rp)", "en": "Realized per resident (Rp)"},
    "portal.stunting_budget": {"id": "Pagu program stunting", "en": "Stunting programme allocation"},
    "portal.stunting_spent": {"id": "Realisasi program stunting", "en": "Stunting programme spent"},
    "portal.stunting_rate": {"id": "Prevalensi stunting (%)", "en": "Stunting prevalence (%)"},
    "portal.linear": {"id": "Garis linear", "en": "Linear path"},
})


def _published(request: Request) -> Published | None:
    number = request.query_params.get("terbitan")
    try:
        if number and not 1 <= int(number) < 2**31:
            raise ValueError(f"terbitan: {number}")
        return load(request.app.state.settings, request.app.state.engine, int(number) if number else None)
    except (UserError, ValueError) as exc:
        raise HTTPException(404, str(exc)) from None


def _page(request: Request, name: str, p: Published | None, **context) -> HTMLResponse:
    return render(request, name, p=p, publications=publications(request.app.state.engine), **context)


def _money(value, lang: str) -> str:
    """Rp in billions (miliar) from a billion up, in millions (juta) below; Indonesian or English separators."""
    if value is None:
        return "—"
    big = abs(value) >= 1e9 or value == 0
    text = f"{value / (1e9 if big else 1e6):,.2f}"
    if lang == "id":
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    unit = ("M" if lang == "id" else "bn") if big else ("jt" if lang == "id" else "mn")
    return f"Rp {text} {unit}"


def _num(value, lang: str, digits: int = 1) -> str:
    if value is None:
        return "—"
    text = f"{value:,.{digits}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".") if lang == "id" else text


#: IKM grades (PermenPANRB 14/2017) from the lowest converted value: the services sector's published `mutu_ikm`
#: column carries the grade; the regency-wide figure is graded here with the same bounds.
_IKM_GRADES = ((88.31, "A"), (76.61, "B"), (65.00, "C"), (25.00, "D"))


def _grade(value: float | None) -> str | None:
    if value is None:
        return None
    return next((g for lower, g in _IKM_GRADES if round(value, 2) >= lower), "D")


def _grade_label(grade: str | None, lang: str) -> str:
    return t(f"portal.ikm_{grade}", lang) if grade in ("A", "B", "C", "D") else ""


def _targets(p: Published) -> dict[str, list[str]]:
    budget = p.resource(BUDGET, "belanja_per_program")
    services = p.resource(SERVICES, "kinerja_layanan")
    return {"anggaran": [f"{r['opd']} / {r['program']}" for r in budget.iter_rows(named=True)],
            "layanan": [f"{r['opd']} / {r['layanan']}" for r in services.iter_rows(named=True)]}


def _approved(request: Request, kind: str) -> list:
    return feedback.listing(request.app.state.engine, "disetujui", kind, limit=20)


@router.get("/publik", response_class=HTMLResponse)
def portal_home(request: Request):
    p = _published(request)
    if p is None:
        return _page(request, "portal_home.html", None)
    lang = lang_of(request)
    per_program = p.resource(BUDGET, "belanja_per_program")
    pagu, realized = per_program["pagu"].sum(), per_program["realisasi"].sum()
    datasets = [{"name": d["name"], "title": d["title"], "organization": d["organization"],
                 "resources": [(r["name"], resource_id(p.manifest["region_code"], p.number, d["name"], r["name"]))
                               for r in d["resources"]]} for d in p.manifest["datasets"]]
    return _page(request, "portal_home.html", p, datasets=datasets, pagu=_money(pagu, lang),
                 realized=_money(realized, lang), pct=_num(100 * realized / pagu if pagu else None, lang))


@router.get("/publik/anggaran", response_class=HTMLResponse)
def portal_budget(request: Request, pesan: str | None = None):
    p = _published(request)
    if p is None:
        return _page(request, "portal_budget.html", None)
    lang = lang_of(request)
    per_program = p.resource(BUDGET, "belanja_per_program")
    monthly = p.resource(BUDGET, "belanja_bulanan")
    revenue = p.resource(BUDGET, "pendapatan")
    by_opd = (per_program.group_by("opd").agg(pl.col("pagu").sum(), pl.col("realisasi").sum(),
                                               pl.col("rencana_kas_sd_bulan_ini").sum())
              .with_columns(persen=100 * pl.col("realisasi") / pl.col("pagu")).sort("pagu", descending=True))
    pagu, realized = per_program["pagu"].sum(), per_program["realisasi"].sum()
    chart = {
        "treemap": [{"name": opd, "value": int(g["pagu"].sum()),
                     "children": [{"name": r["program"], "value": int(r["pagu"])} for r in g.iter_rows(named=True)]}
                    for (opd,), g in per_program.group_by("opd", maintain_order=True)],
        "months": [int(m) for m in monthly["bulan"]],
        "plan": [int(v) if v is not None else None for v in monthly["rencana_kas_kumulatif"]],
        "realized": [int(v) if v is not None else None for v in monthly["realisasi_kumulatif"]],
        "linear": [int(pagu * m / 12) for m in monthly["bulan"]],
        "labels": {"plan": t("portal.plan", lang), "realized": t("portal.realized", lang),
                   "linear": t("portal.linear", lang)},
    }
    absorption = _absorption(p, lang)
    chart["absorption"] = absorption["series"]
    chart["labels"].update(opd_pct=t("portal.pct_of_pagu", lang), stunting=t("portal.stunting_spent", lang),
                           stunting_rate=t("portal.stunting_rate", lang))
    kecamatan = _kecamatan(p, lang)
    chart["kecamatan"] = kecamatan["chart"]
    rows = [{"opd": r["opd"], "pagu": _money(r["pagu"], lang), "realisasi": _money(r["realisasi"], lang),
             "persen": _num(r["persen"], lang), **absorption["latest"].get(r["opd"], {})}
            for r in by_opd.iter_rows(named=True)]
    year = per_program["tahun"].max() if "tahun" in per_program.columns and not per_program.is_empty() else None
    return _page(request, "portal_budget.html", p, rows=rows, chart_json=json.dumps(chart), year=year,
                 absorption_month=absorption["month"], opds=list(absorption["series"]), kecamatan=kecamatan["rows"],
                 pagu=_money(pagu, lang), realized=_money(realized, lang),
                 pct=_num(100 * realized / pagu if pagu else None, lang),
                 revenue=_money(revenue["realisasi"].sum(), lang), revenue_target=_money(revenue["target"].sum(), lang),
                 targets=_targets(p)["anggaran"], kind="anggaran", approved=_approved(request, "anggaran"),
                 message=t("feedback.received", lang) if pesan == "terkirim" else None)


def _absorption(p: Published, lang: str) -> dict:
    """Per OPD: cumulative % of its allocation realized and planned by month (chart), and at the latest reported
    month the realized, planned and linear % and the gap to plan (table). Older publications lack the resource."""
    empty = {"series": {}, "latest": {}, "month": None}
    try:
        frame = p.resource(BUDGET, "serapan_opd_bulanan")
    except KeyError:
        return empty
    if frame.is_empty():
        return empty
    reported = frame.filter(pl.col("persen_realisasi").is_not_null())
    month = reported["bulan"].max() if not reported.is_empty() else None
    series = {opd: {"plan": g.sort("bulan")["persen_rencana"].to_list(), "realized": g.sort("bulan")["persen_realisasi"].to_list()}
              for (opd,), g in frame.group_by("opd", maintain_order=True)}
    latest = {}
    if month is not None:
        for r in frame.filter(pl.col("bulan") == month).iter_rows(named=True):
            gap = r["selisih_rencana_poin"]
            latest[r["opd"]] = {"rencana": _num(r["persen_rencana"], lang), "linear": _num(r["persen_linear"], lang),
                                "selisih": _num(gap, lang), "tertinggal": gap is not None and gap < -20}
    return {"series": series, "latest": latest, "month": month}


def _kecamatan(p: Published, lang: str) -> dict:
    """Spending located in each kecamatan, per resident, the stunting-tagged part and the stunting rate."""
    try:
        frame = p.resource(BUDGET, "belanja_per_kecamatan")
    except KeyError:
        return {"rows": [], "chart": None}
    rows = [{"nama": r["nama_kecamatan"], "penduduk": _num(r["penduduk"], lang, 0),
             "realisasi": _money(r["realisasi"], lang), "per_kapita": _num(r["realisasi_per_kapita"], lang, 0),
             "stunting_pagu": _money(r["pagu_stunting"], lang), "stunting_realisasi": _money(r["realisasi_stunting"], lang),
             "prevalensi": _num(r["prevalensi_stunting"], lang), "bulan": r["bulan_stunting"] or "",
             "disensor": r["disensor"]} for r in frame.iter_rows(named=True)]
    chart = {"names": frame["nama_kecamatan"].to_list(),
             "spent": [int(v) if v is not None else None for v in frame["realisasi_stunting"].to_list()],
             "rate": frame["prevalensi_stunting"].to_list()}
    return {"rows": rows, "chart": chart}


@router.get("/publik/desa", response_class=HTMLResponse)
def portal_villages(request: Request, kecamatan: str | None = None, desa: str | None = None):
    """APBDes down to desa: the villages of a kecamatan with their totals; one village's lines by source and bidang."""
    p = _published(request)
    if p is None:
        return _page(request, "portal_villages.html", None)
    lang = lang_of(request)
    try:
        totals, lines = p.resource(VILLAGES, "apbdes_per_desa"), p.resource(VILLAGES, "apbdes_rincian")
    except KeyError:  # a publication made before village budgets were published
        return _page(request, "portal_villages.html", p, missing=True)
    choices = totals.select("kode_kecamatan", "nama_kecamatan").unique(maintain_order=True).rows()
    for field, code in (("kecamatan", kecamatan), ("desa", desa)):
        column = "kode_kecamatan" if field == "kecamatan" else "kode_desa"
        if code and code not in set(totals[column].to_list()):
            raise HTTPException(404, t("portal.unknown_region", lang, code=code[:40]))
    if desa:
        kecamatan = totals.filter(pl.col("kode_desa") == desa)["kode_kecamatan"][0]
    shown = totals.filter(pl.col("kode_kecamatan") == kecamatan) if kecamatan else totals
    rows = [{"kode": r["kode_desa"], "nama": r["nama_desa"], "kecamatan": r["nama_kecamatan"],
             "pendapatan": _money(r["pendapatan_anggaran"], lang), "pendapatan_real": _money(r["pendapatan_realisasi"], lang),
             "belanja": _money(r["belanja_anggaran"], lang), "belanja_real": _money(r["belanja_realisasi"], lang),
             "persen": _num(r["persen_belanja"], lang), "dana_desa": _money(r["dana_desa"], lang)}
            for r in shown.iter_rows(named=True)]
    detail = None
    if desa:
        own = totals.filter(pl.col("kode_desa") == desa).row(0, named=True)
        detail = {"nama": own["nama_desa"], "kecamatan": own["nama_kecamatan"], "tanggal": str(own["tanggal_laporan"]),
                  "lines": [{"jenis": r["jenis"], "kode": r["kode_rekening"], "uraian": r["uraian"],
                             "anggaran": _money(r["anggaran"], lang), "realisasi": _money(r["realisasi"], lang),
                             "persen": _num(r["persen_realisasi"], lang)}
                            for r in lines.filter(pl.col("kode_desa") == desa).iter_rows(named=True)],
                  "chart": json.dumps({"names": [r["uraian"].split()[0] for r in lines.filter(
                      (pl.col("kode_desa") == desa) & (pl.col("jenis") == "BELANJA")).iter_rows(named=True)],
                      "budget": lines.filter((pl.col("kode_desa") == desa) & (pl.col("jenis") == "BELANJA"))["anggaran"].to_list(),
                      "spent": lines.filter((pl.col("kode_desa") == desa) & (pl.col("jenis") == "BELANJA"))["realisasi"].to_list(),
                      "labels": {"budget": t("portal.budgeted", lang), "spent": t("portal.realized", lang)}})}
    return _page(request, "portal_villages.html", p, choices=choices, kecamatan=kecamatan, desa=desa, rows=rows,
                 detail=detail, year=totals["tahun"].max() if not totals.is_empty() else None)


@router.get("/publik/layanan", response_class=HTMLResponse)
def portal_services(request: Request, pesan: str | None = None):
    p = _published(request)
    if p is None:
        return _page(request, "portal_services.html", None)
    lang = lang_of(request)
    services = p.resource(SERVICES, "kinerja_layanan")
    complaints = p.resource(COMPLAINTS, "pengaduan_per_opd")
    rows = [{"opd": r["opd"], "layanan": r["layanan"], "permohonan": _num(r["permohonan"], lang, 0),
             "standar": _num(r.get("standar_hari"), lang, 0), "median": _num(r.get("median_hari"), lang, 0),
             "p90": _num(r.get("p90_hari"), lang, 0), "proses": _num(r["masih_diproses"], lang, 0),
             "sla": _num(r["persen_sesuai_standar"], lang), "ikm": _num(r["ikm"], lang, 2),
             "mutu": r.get("mutu_ikm") or "", "kinerja": _grade_label(r.get("mutu_ikm"), lang),
             "disensor": r["disensor"]}
            for r in services.iter_rows(named=True)]
    complaint_rows = [{"opd": r["opd_tujuan"], "masuk": _num(r["pengaduan_masuk"], lang, 0),
                       "tindak": _num(r["persen_ditindaklanjuti"], lang),
                       "lewat": _num(r.get("melewati_batas"), lang, 0), "disensor": r["disensor"]}
                      for r in complaints.iter_rows(named=True)]
    # the indicator's backlog (pengaduan_melewati_batas) of the latest month: open on the latest date in the data
    overdue_on = complaints["posisi"].max() if "posisi" in complaints.columns and not complaints.is_empty() else None
    rated = services.filter(pl.col("ikm").is_not_null())
    answers = rated["responden_survei"].sum() if not rated.is_empty() else 0
    overall = float((rated["ikm"] * rated["responden_survei"]).sum() / answers) if answers else None
    grade = _grade(overall)
    return _page(request, "portal_services.html", p, rows=rows, complaint_rows=complaint_rows,
                 overdue_on=overdue_on.isoformat() if overdue_on else None,
                 ikm=_num(overall, lang, 2), ikm_grade=grade or "", ikm_label=_grade_label(grade, lang),
                 targets=_targets(p)["layanan"], kind="layanan", approved=_approved(request, "layanan"),
                 message=t("feedback.received", lang) if pesan == "terkirim" else None)


@router.get("/publik/indikator", response_class=HTMLResponse)
def portal_indicators(request: Request):
    p = _published(request)
    if p is None:
        return _page(request, "portal_indicators.html", None)
    lang = lang_of(request)
    columns, table, months = [], {}, {}
    for entry in p.manifest["datasets"]:
        if "indikator" not in entry["metadata"] or "kecamatan" not in entry["tags"]:
            continue
        frame = p.resource(entry["name"], "data").filter(pl.col("tingkat").is_in(["kabupaten", "kecamatan"]))
        if frame.is_empty():
            continue
        month = frame["bulan"].max()
        months[entry["name"]] = month
        columns.append({"name": entry["name"], "title": entry["title"][lang] if lang in entry["title"] else entry["title"]["id"],
                        "unit": entry["metadata"].get("satuan", ""), "month": month})
        for r in frame.filter(pl.col("bulan") == month).iter_rows(named=True):
            row = table.setdefault(r["kode_wilayah"], {"code": r["kode_wilayah"], "name": r["nama_wilayah"],
                                                       "level": r["tingkat"], "values": {}})
            row["values"][entry["name"]] = _num(r["nilai"], lang)
    rows = sorted(table.values(), key=lambda r: (r["level"] != "kabupaten", r["code"]))
    quality = p.resource(QUALITY, "skor_per_desa").filter(~pl.col("disensor") & pl.col("nama_desa").is_not_null())
    if not quality.is_empty():
        quality = quality.filter(pl.col("bulan") == quality["bulan"].max()).sort("peringkat", nulls_last=True).head(15)
    return _page(request, "portal_indicators.html", p, columns=columns, rows=rows,
                 quality=[{**r, "skor": _num(r["skor"], lang)} for r in quality.iter_rows(named=True)])


@router.post("/publik/tanggapan", response_class=HTMLResponse)
def portal_feedback(request: Request, jenis: str = Form(""), tentang: str = Form(""), isi: str = Form("")):
    lang = lang_of(request)
    back = "/publik/layanan" if jenis == "layanan" else "/publik/anggaran"
    limiter = getattr(request.app.state, "feedback_limiter", None)
    if limiter is None:
        limiter = request.app.state.feedback_limiter = RateLimiter(limit=5, window=600)
    p = _published(request)
    if p is None:
        raise HTTPException(404, t("portal.nothing", lang))
    status, error = 200, None
    if not limiter.allow(request.client.host if request.client else "?"):
        status, error = 429, t("feedback.flood", lang)
    else:
        try:
            feedback.submit(request.app.state.engine, jenis, tentang, isi, set(_targets(p).get(jenis, [])), p.number, lang)
        except UserError as exc:
            status, error = 400, str(exc)
    if error is None:
        return RedirectResponse(f"{back}?pesan=terkirim", status_code=303)
    page = portal_budget(request) if jenis != "layanan" else portal_services(request)
    context = dict(page.context)
    context.update(error=error, typed=isi, chosen=tentang)
    return render(request, page.template.name, status_code=status,
                  **{k: v for k, v in context.items() if k not in ("request", "lang", "tr", "fmt", "deployment",
                                                                    "principal", "csrf_token")})
