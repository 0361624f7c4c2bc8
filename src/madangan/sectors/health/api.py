"""Health persons over the API and on a page: the children behind a rate (scoped, masked, audited).

    GET /api/v1/kesehatan/balita?indikator=prevalensi_stunting&wilayah=32.11.01.2001&posyandu=…&bulan=2026-10
    GET /kesehatan/balita?…                                       the same list as a page
    GET /api/v1/kesehatan/ibu-hamil?daftar=krst_dekat_hpl&wilayah=…&tanggal=2026-10-31
    GET /kesehatan/ibu-hamil?…                                    pregnant women: near-term KRST without a
                                                                  facility birth planned, or KSPR ≥ 6

Every read is written to the audit log with the list, region, month and the number of rows — never a NIK or
a name.
"""

from __future__ import annotations

from datetime import date

from importlib import resources
from typing import Literal

import jinja2
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from madangan import warehouse
from madangan.access import Permission, Principal
from madangan.access import store as audit_store
from madangan.access.web import principal, require
from madangan.errors import NotFound, OutOfScope, UserError
from madangan.i18n import LANGUAGES, add_messages, t
from madangan.regions import regions
from madangan.sectors.health import persons
from madangan.web import readmodel
from madangan.web.deps import actor_of, client_of, error_responses, http_errors, lang_of

router = APIRouter(prefix="/api/v1/kesehatan", tags=["kesehatan"], responses=error_responses(400, 401, 403, 404))
pages = APIRouter(include_in_schema=False)

REGION_CODE = r"^[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?$"
MONTH = r"^(19|20)\d{2}-(0[1-9]|1[0-2])$"
ChildList = Literal[tuple(persons.CHILD_LISTS)]  # type: ignore[valid-type]
PregnancyList = Literal[persons.PREGNANCY_LISTS]  # type: ignore[valid-type]
Tanggal = Query(None, description="Per tanggal YYYY-MM-DD; bawaan: tanggal data terakhir")  # a real date: 02-30 → 422
Wilayah = Query(None, pattern=REGION_CODE, description="Kode wilayah Kemendagri; bawaan: wilayah akun Anda")
Bulan = Query(None, pattern=MONTH, description="Bulan YYYY-MM; bawaan: bulan pengukuran terakhir")
Posyandu = Query(None, max_length=120, description="Nama posyandu (opsional)")

add_messages({f"health.ui.{k}": {"id": i, "en": e} for k, (i, e) in {
    "title": ("Balita di balik angka", "Children behind the figures"),
    "list": ("Daftar", "List"),
    "region": ("Wilayah", "Region"),
    "month": ("Bulan", "Month"),
    "show": ("Tampilkan", "Show"),
    "count": ("{n} balita", "{n} children"),
    "none": ("Tidak ada balita pada daftar ini.", "No child on this list."),
    "nik": ("NIK", "NIK"), "name": ("Nama", "Name"), "sex": ("JK", "Sex"), "age": ("Umur (bln)", "Age (mo)"),
    "desa": ("Desa", "Village"), "date": ("Tgl ukur", "Measured"), "weight": ("BB (kg)", "Weight (kg)"),
    "height": ("TB/PB (cm)", "Height (cm)"), "audited": ("Setiap pembukaan daftar ini dicatat di log audit.",
                                                       "Every opening of this list is written to the audit log."),
    "prevalensi_stunting": ("Stunting (TB/U < −2 SD)", "Stunted (HAZ < −2)"),
    "prevalensi_stunting_berat": ("Sangat pendek (TB/U < −3 SD)", "Severely stunted (HAZ < −3)"),
    "prevalensi_wasting": ("Wasting (BB/TB < −2 SD atau edema)", "Wasted (WHZ < −2 or oedema)"),
    "prevalensi_underweight": ("Berat badan kurang (BB/U < −2 SD atau edema)", "Underweight (WAZ < −2 or oedema)"),
    "prevalensi_gizi_lebih": ("Gizi lebih (BB/TB > +2 SD)", "Overweight (WHZ > +2)"),
    "balita_2t": ("2T: tidak naik dua bulan berturut-turut", "2T: no weight gain two months running"),
    "mothers_title": ("Ibu hamil di balik angka", "Pregnant women behind the figures"),
    "krst_dekat_hpl": ("KRST, HPL ≤ 28 hari lagi, tanpa rencana bersalin di fasilitas kesehatan",
                       "KRST, due within 28 days, no facility birth planned"),
    "risiko_tinggi": ("Risiko tinggi (skor KSPR ≥ 6), sedang hamil", "High risk (KSPR ≥ 6), pregnant now"),
    "as_of": ("Per tanggal", "As of"),
    "mothers_count": ("{n} ibu hamil", "{n} pregnant women"),
    "mother_name": ("Nama ibu", "Mother's name"),
    "due": ("HPL", "Due date"), "days_left": ("Hari ke HPL", "Days to due date"),
    "weeks": ("Usia hamil (mgg)", "Weeks pregnant"), "score": ("Skor KSPR", "KSPR score"),
    "by_trimester": ("Skor per trimester (I/II/III)", "Score by trimester (I/II/III)"),
    "plan": ("Rencana persalinan", "Planned birth place"), "factors": ("Faktor risiko", "Risk factors"),
    "no_plan": ("belum ada", "none"),
    "mothers_none": ("Tidak ada ibu hamil pada daftar ini.", "No pregnant woman on this list."),
}.items()})


def _children(request: Request, who: Principal, indikator: str, wilayah: str | None, posyandu: str | None,
              bulan: str | None) -> tuple[list[dict], str]:
    deployment = request.app.state.deployment.region_code
    con = warehouse.connect(request.app.state.settings.warehouse)
    try:
        rows, month = persons.children(con, who, deployment, indikator=indikator, wilayah=wilayah,
                                       posyandu=posyandu, bulan=bulan)
    finally:
        con.disconnect()
    target = f"health:balita:indikator={indikator},wilayah={wilayah or who.region_code}" + (
        f",bulan={month}" if month else "")
    audit_store.audit(request.app.state.engine, "health.children", actor_of(who), target=target,
                      region_code=who.region_code, client=client_of(request),
                      detail=f"rows={len(rows)}" + (",posyandu=1" if posyandu else ""))
    return rows, month


@router.get("/balita", dependencies=[require(Permission.PERSONS)],
            summary="Balita di balik angka: anak yang dihitung pada pembilang indikator, per wilayah dan bulan")
def children_api(request: Request, indikator: ChildList = "prevalensi_stunting", wilayah: str | None = Wilayah,
                 posyandu: str | None = Posyandu, bulan: str | None = Bulan,
                 who: Principal = Depends(principal)) -> dict:
    """The children counted in the indicator's numerator in the region (and posyandu) and month: name, NIK
    (masked unless your role may see it in full), age, posyandu, measurement and z-scores. Only children of
    your own region (a cadre: posyandu) are ever returned; each read is audited."""
    with http_errors():
        rows, month = _children(request, who, indikator, wilayah, posyandu, bulan)
    return {"indikator": indikator, "wilayah": wilayah or who.region_code, "bulan": month or None,
            "total": len(rows), "items": rows}


def _pregnancies(request: Request, who: Principal, daftar: str, wilayah: str | None,
                 tanggal: str | None) -> tuple[list[dict], str]:
    con = warehouse.connect(request.app.state.settings.warehouse)
    try:
        rows, day = persons.pregnancies(con, who, request.app.state.deployment.region_code, daftar=daftar,
                                        wilayah=wilayah, tanggal=tanggal)
    finally:
        con.disconnect()
    target = f"health:ibu_hamil:daftar={daftar},wilayah={wilayah or who.region_code}" + (f",tanggal={day}" if day else "")
    audit_store.audit(request.app.state.engine, "health.pregnancies", actor_of(who), target=target,
                      region_code=who.region_code, client=client_of(request), detail=f"rows={len(rows)}")
    return rows, day


@router.get("/ibu-hamil", dependencies=[require(Permission.PERSONS)],
            summary="Ibu hamil di balik angka: KRST menjelang HPL tanpa rencana faskes, atau risiko tinggi")
def pregnancies_api(request: Request, daftar: PregnancyList = "krst_dekat_hpl", wilayah: str | None = Wilayah,
                    tanggal: date | None = Tanggal, who: Principal = Depends(principal)) -> dict:
    """Pregnant women of your region on the list, as of the date: name, NIK (masked unless your role may see it
    in full), HPL and days to it, weeks pregnant, KSPR score as of the date and per trimester, planned birth
    place, risk factors. Each read is audited; a posyandu cadre gets an empty list (their scope is their posyandu's children)."""
    with http_errors():
        rows, day = _pregnancies(request, who, daftar, wilayah, tanggal.isoformat() if tanggal else None)
    return {"daftar": daftar, "wilayah": wilayah or who.region_code, "tanggal": day or None, "total": len(rows),
            "items": rows}


_templates: Jinja2Templates | None = None


def _render(request: Request, name: str, status_code: int = 200, **context) -> HTMLResponse:
    """As madangan.web.deps.render, with this sector's templates first (base.html comes from the platform)."""
    global _templates
    if _templates is None:
        loader = jinja2.ChoiceLoader([
            jinja2.FileSystemLoader(str(resources.files("madangan.sectors.health") / "templates")),
            jinja2.FileSystemLoader(str(resources.files("madangan.web") / "templates")),
        ])
        _templates = Jinja2Templates(env=jinja2.Environment(loader=loader, autoescape=True))
        _templates.env.globals.update(request.app.state.templates.env.globals)
    lang = lang_of(request)
    response = _templates.TemplateResponse(
        request, name,
        {"lang": lang, "tr": lambda key, **kw: t(key, lang, **kw), "deployment": request.app.state.deployment,
         "principal": getattr(request.state, "principal", None), "csrf_token": getattr(request.state, "csrf", None),
         **context},
        status_code=status_code,
    )
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie("lang", lang, max_age=365 * 86400, httponly=True, samesite="lax")
    return response


@pages.get("/kesehatan/balita", response_class=HTMLResponse, dependencies=[require(Permission.PERSONS)])
def children_page(request: Request, indikator: str = "prevalensi_stunting", wilayah: str | None = None,
                  posyandu: str | None = None, bulan: str | None = None, who: Principal = Depends(principal)):
    rows, month, error, status = _listed(lambda: _children(request, who, indikator, wilayah, posyandu, bulan))
    code = wilayah or who.region_code
    lang = lang_of(request)
    return _render(request, "health_children.html", status_code=status, rows=rows, month=month, error=error,
                   zscore=lambda value: readmodel.number(value, lang, 2),  # −2.1 → "-2,10" (id) / "-2.10" (en)
                   decimal=lambda value: readmodel.number(value, lang, 1),  # 8.8 kg → "8,8" (id) / "8.8" (en)
                   lists=list(persons.CHILD_LISTS), chosen={"indikator": indikator, "wilayah": code,
                                                            "posyandu": posyandu or "", "bulan": bulan or month},
                   region_name=_region_name(code))


@pages.get("/kesehatan/ibu-hamil", response_class=HTMLResponse, dependencies=[require(Permission.PERSONS)])
def pregnancies_page(request: Request, daftar: str = "krst_dekat_hpl", wilayah: str | None = None,
                     tanggal: str | None = None, who: Principal = Depends(principal)):
    rows, day, error, status = _listed(lambda: _pregnancies(request, who, daftar, wilayah, tanggal))
    code = wilayah or who.region_code
    return _render(request, "health_mothers.html", status_code=status, rows=rows, day=day, error=error,
                   lists=list(persons.PREGNANCY_LISTS),
                   chosen={"daftar": daftar, "wilayah": code, "tanggal": tanggal or day},
                   region_name=_region_name(code))


def _listed(fetch) -> tuple[list, str, str | None, int]:
    """(rows, date, error, status) of a list page: a bad filter is shown on the page with its status (404 unknown,
    400 malformed); a region outside the caller's scope is refused outright (403)."""
    try:
        rows, when = fetch()
    except OutOfScope as exc:
        raise HTTPException(403, str(exc)) from None
    except (NotFound, UserError) as exc:
        return [], "", str(exc), 404 if isinstance(exc, NotFound) else 400
    return rows, when, None, 200


def _region_name(code: str) -> str | None:
    return regions().region(code).name if code in regions() else None
