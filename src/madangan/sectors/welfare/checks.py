"""Welfare verval: Kemensos exclusion categories and targeting errors on the recipient lists.

Program eligibility (which deciles, PKH components, BLT Dana Desa only in desa),
exclusions and the exclusive-program pairs come from the program rule file
(sectors/welfare/rules.py): one source of truth with targeting.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from madangan.sectors.welfare import rules
from madangan.sectors.welfare.eligibility import family_eligible
from madangan.sectors.welfare.rules import Version
from madangan.verval import Check, CheckContext, Tables

DINSOS = "Dinas Sosial"


def _version(ctx: CheckContext) -> Version:
    """The program rules (sectors/welfare/programs.toml or the deployment's own file) valid today."""
    return rules.load(ctx.params).for_day(ctx.today)


def _recipients(tables: Tables) -> ir.Table:
    t = tables["penerima_bansos"]
    return t.mutate(record_key=t.id_penerima)


def _pegawai_families(tables: Tables) -> ir.Table:
    """KK numbers with a member in the civil-service registry (ASN, TNI, Polri, village officials)."""
    p, peg = tables["penduduk"], tables["pegawai"]
    return p.semi_join(peg, p.nik == peg.nik).select("no_kk").distinct()


def _deceased(tables: Tables, ctx: CheckContext) -> ir.Table:
    r, dead = _recipients(tables), tables["kematian"]
    dead = dead.select(nik_mati=dead.nik, tanggal_kematian=dead.tanggal_kematian)
    j = r.inner_join(dead, r.nik == dead.nik_mati)
    return j.select("record_key", "kode_desa", "program", "nik", "nama", tanggal_kematian=j.tanggal_kematian.cast("string"))


def _employee(tables: Tables, ctx: CheckContext) -> ir.Table:
    r, peg = _recipients(tables), tables["pegawai"]
    peg = peg.select(nik_pegawai=peg.nik, jenis_pegawai=peg.jenis_pegawai, instansi=peg.instansi)
    j = r.inner_join(peg, r.nik == peg.nik_pegawai)
    return j.select("record_key", "kode_desa", "program", "nik", "nama", "jenis_pegawai", "instansi")


def _employee_family(tables: Tables, ctx: CheckContext) -> ir.Table:
    r, peg = _recipients(tables), tables["pegawai"]
    own = r.anti_join(peg, r.nik == peg.nik)
    j = own.semi_join(_pegawai_families(tables), "no_kk")
    return j.select("record_key", "kode_desa", "program", "nik", "nama", "no_kk")


def _family_eligible(program: ir.StringValue, t: ir.Table, ctx: CheckContext) -> ir.BooleanValue:
    """The program's rule on a family's DTSEN row (desil, flags) and its desa (BLT DD not in a kelurahan)."""
    return family_eligible(_version(ctx), program, t)


def _ineligible(tables: Tables, ctx: CheckContext) -> ir.Table:
    r, d = _recipients(tables), tables["desil"]
    j = r.left_join(d.select("no_kk", "desil", *rules.COMPONENTS), "no_kk")
    bad = j.filter(~_family_eligible(j.program, j, ctx))
    let_in = _local_tier(tables, ctx)
    if let_in is not None:  # the local-criteria tier's turn has come in that desa (as targeting counts it)
        bad = bad.anti_join(let_in, (bad.record_key == let_in.id_lt) & (bad.periode == let_in.periode_lt))
    return bad.select("record_key", "kode_desa", "program", "nik", "nama",
                      desil=bad.desil.cast("string").fill_null("tidak terdaftar di DTSEN"))


def _local_tier(tables: Tables, ctx: CheckContext) -> ir.Table | None:
    """Rows a program's local-criteria tier lets in (targeting._local_tier_rows), or None when there are none."""
    import polars as pl

    from madangan.sectors.welfare import targeting

    version = _version(ctx)
    local = [(name, rule) for name, rule in version.program.items() if rule.desil_kriteria_lokal]
    if not local:
        return None
    present = {name: tables[name] for name in ("desil", "penerima_bansos", "penduduk", "pegawai")
               if name in tables}
    inputs = targeting.Inputs(present, pl.DataFrame(schema={"no_kk": pl.String, "kode_desa": pl.String,
                                                            "outcome": pl.String}))
    r = tables["penerima_bansos"]
    every = r.filter(r.status.fill_null("AKTIF") == "AKTIF")
    found = pl.concat([targeting._local_tier_rows(inputs, version, name, rule, every, None, None)
                       for name, rule in local])
    if not found.height:
        return None
    return ibis.memtable(found.rename({"id_penerima": "id_lt", "periode": "periode_lt"}).to_arrow())


def _excluded(tables: Tables, ctx: CheckContext) -> ir.Table:
    """Eligible families (not a pegawai family) missing from an entitlement program (not the BLT DD quota)."""
    d, r = tables["desil"], tables["penerima_bansos"]
    families = d.anti_join(_pegawai_families(tables), "no_kk")
    received = r.select("no_kk", "program").distinct()
    version = _version(ctx)
    parts = []
    for program in (p for p, rule in version.program.items() if not rule.berkuota):
        f = families.filter(_family_eligible(ibis.literal(program), families, ctx))
        for first, other in version.saling_eksklusif:  # a family on `other` may not receive `first`
            if first == program:
                f = f.anti_join(received.filter(received.program == other), "no_kk")
        missing = f.anti_join(received.filter(received.program == program), "no_kk")
        parts.append(missing.select("no_kk", "kode_desa", "desil", program=ibis.literal(program)))
    rows = ibis.union(*parts)
    grouped = rows.group_by("no_kk", "kode_desa", "desil").agg(program=rows.program.collect().sort().join(", "))
    return grouped.select(record_key=grouped.no_kk, kode_desa=grouped.kode_desa, no_kk=grouped.no_kk,
                          desil=grouped.desil.cast("string"), program=grouped.program)


def _exclusive(tables: Tables, ctx: CheckContext) -> ir.Table:
    r = _recipients(tables)
    pairs = _version(ctx).saling_eksklusif
    parts = []
    for a, b in pairs:
        first, other = r.filter(r.program == a), r.filter(r.program == b).select(kk_lain="no_kk", program_lain="program")
        j = first.inner_join(other, first.no_kk == other.kk_lain).select(
            "record_key", "kode_desa", "program", "nik", "no_kk", "program_lain")
        parts.append(j.distinct(on="record_key", keep="first"))
    return ibis.union(*parts) if parts else r.limit(0).select("record_key", "kode_desa")


def _duplicate(tables: Tables, ctx: CheckContext) -> ir.Table:
    """Every row after the first of the same NIK in one program and period."""
    r = _recipients(tables)
    w = ibis.window(group_by=[r.program, r.periode, r.nik], order_by=r.id_penerima)
    ranked = r.mutate(urutan=ibis.row_number().over(w), pertama=r.id_penerima.first().over(w))
    dup = ranked.filter(ranked.urutan > 0)  # row_number counts from 0 in Ibis
    return dup.select("record_key", "kode_desa", "program", "periode", "nik", "nama", id_pertama=dup.pertama)


def _check(rule, severity, title, message, find, needs=(), source="penerima_bansos"):
    return Check(rule=rule, source=source, severity=severity, title=title, message=message, find=find,
                 needs=needs, agency=DINSOS)


CHECKS = (
    _check("penerima_meninggal", "error",
           {"id": "Penerima sudah meninggal", "en": "Recipient deceased"},
           {"id": "{nama} ({nik}) penerima {program} tercatat meninggal {tanggal_kematian}. Hentikan penyaluran dan usulkan penggantian.",
            "en": "{nama} ({nik}), a {program} recipient, died on {tanggal_kematian}. Stop payment and propose a replacement."},
           _deceased, ("kematian",)),
    _check("penerima_pegawai", "error",
           {"id": "Penerima adalah ASN/TNI/Polri/perangkat desa", "en": "Recipient is a civil servant/officer"},
           {"id": "{nama} ({nik}) penerima {program} adalah {jenis_pegawai} di {instansi}; termasuk kategori pengecualian Kemensos. Hentikan dan verifikasi.",
            "en": "{nama} ({nik}), a {program} recipient, is {jenis_pegawai} at {instansi}, an exclusion category. Stop and verify."},
           _employee, ("pegawai",)),
    _check("penerima_keluarga_pegawai", "warning",
           {"id": "Penerima sekeluarga dengan pegawai", "en": "Recipient's family has a civil servant"},
           {"id": "{nama} ({nik}) penerima {program} satu KK dengan ASN/TNI/Polri/perangkat desa. Verifikasi kelayakan keluarga ini.",
            "en": "{nama} ({nik}), a {program} recipient, shares a family card with a civil servant or officer. Verify the family's eligibility."},
           _employee_family, ("pegawai", "penduduk")),
    _check("penerima_tidak_layak", "error",
           {"id": "Penerima di luar kriteria program", "en": "Recipient outside the program's criteria"},
           {"id": "{nama} ({nik}) menerima {program} padahal desil keluarganya {desil} atau tidak memenuhi syarat program (inclusion error). Verifikasi di musyawarah desa.",
            "en": "{nama} ({nik}) receives {program} but the family's desil is {desil} or it fails the program's criteria (inclusion error). Verify at the village meeting."},
           _ineligible, ("desil",)),
    _check("layak_tidak_menerima", "warning",
           {"id": "Keluarga layak belum menerima", "en": "Eligible family not receiving"},
           {"id": "Keluarga KK {no_kk} (desil {desil}) layak tetapi belum menerima {program} (exclusion error). Usulkan melalui musyawarah desa.",
            "en": "Family {no_kk} (desil {desil}) is eligible for {program} but does not receive it (exclusion error). Propose it at the village meeting."},
           _excluded, ("penerima_bansos", "pegawai", "penduduk"), source="desil"),
    _check("program_saling_eksklusif", "warning",
           {"id": "Menerima program yang saling meniadakan", "en": "Receives mutually exclusive programs"},
           {"id": "KK {no_kk} menerima {program} sekaligus {program_lain}, yang tidak boleh bersamaan. Pilih satu program.",
            "en": "Family {no_kk} receives {program} and {program_lain}, which exclude each other. Keep one."},
           _exclusive),
    _check("penerima_ganda", "error",
           {"id": "Penerima ganda dalam satu program", "en": "Duplicate recipient in a program"},
           {"id": "{nama} ({nik}) tercatat lebih dari sekali di {program} periode {periode} (pertama: {id_pertama}). Hapus baris ganda.",
            "en": "{nama} ({nik}) appears more than once in {program} for {periode} (first: {id_pertama}). Remove the duplicate row."},
           _duplicate),
)


MIN_RECORDS_TO_TRAIN = 200  # fewer unknown NIKs than this: the model is trained on the registry instead


def _linked_to_registry(tables: Tables, ctx: CheckContext) -> ir.Table:
    """Recipients whose NIK the registry does not know, linked (Splink) to the registry person they probably are."""
    import polars as pl

    from madangan.linkage import PersonColumns, explain_pair, link_to_registry, train_person_model

    r, people = tables["penerima_bansos"], tables["penduduk"]
    backend = ibis.get_backend(r)
    outside = backend.to_pyarrow(r.anti_join(people, r.nik == people.nik).count()).as_py()
    columns = ["record_key", "kode_desa", "nik", "nama", "program", "nik_registri", "peluang", "penjelasan", "penjelasan_en"]
    if outside == 0:
        return ibis.memtable(pl.DataFrame(schema={c: pl.String for c in columns}))
    model = None if outside >= MIN_RECORDS_TO_TRAIN else train_person_model(backend.con, "penduduk")
    listed = PersonColumns(nik="nik", nama="nama", jenis_kelamin=None, tanggal_lahir=None, tempat_lahir=None,
                           no_kk="no_kk", kode_desa="kode_desa")
    links = link_to_registry(backend.con, "penerima_bansos", "penduduk", records_columns=listed,
                             records_key="id_penerima", model=model)
    found = backend.to_polars(r.filter(r.id_penerima.isin(links["record_key"].to_list()))
                              .select("id_penerima", "kode_desa", "nama", "program"))
    info = {row[0]: row[1:] for row in found.iter_rows()}
    rows = []
    for link in links.iter_rows(named=True):
        desa, nama, program = info[link["record_key"]]
        text = explain_pair(link)
        rows.append([link["record_key"], desa, link["nik_l"], nama, program, link["nik_r"],
                     f"{link['match_probability']:.4f}", text["id"], text["en"]])
    return ibis.memtable(pl.DataFrame(rows, schema={c: pl.String for c in columns}, orient="row"))


LINKED = Check(
    rule="nik_beda_registri", source="penerima_bansos", severity="warning",
    title={"id": "NIK penerima berbeda dengan data kependudukan", "en": "Recipient's NIK differs from the registry"},
    message={"id": "NIK {nik} ({nama}, {program}) tidak ada di data kependudukan; kemungkinan orang ini adalah NIK "
                   "{nik_registri}. {penjelasan} Cocokkan dengan KTP/KK lalu perbaiki NIK di daftar penerima.",
             "en": "NIK {nik} ({nama}, {program}) is not in the population registry; this is probably NIK {nik_registri}. "
                   "{penjelasan_en} Check the ID/family card, then fix the NIK on the recipient list."},
    find=_linked_to_registry, needs=("penduduk",), agency=DINSOS, dpia="linkage",
)
CHECKS = (*CHECKS, LINKED)
