"""Health sector (Dinas Kesehatan): children under five, posyandu measurements, pregnancies, ANC."""

from __future__ import annotations

from madangan.contracts import Column, Contract, Processing
from madangan.hookspecs import hookimpl
from madangan.sector import DesaCount, Sector, rows_per_desa

OWNER = "Dinas Kesehatan"

#: KSPR (Kartu Skor Poedji Rochjati) risk factors: label as written on the card, score.
#: The card starts at 2; KRR = 2, KRT = 6–10, KRST ≥ 12.
KSPR_FACTORS: dict[str, int] = {
    "TERLALU MUDA HAMIL I (<=16 TH)": 4,
    "TERLALU LAMBAT HAMIL I (KAWIN >=4 TH)": 4,
    "TERLALU TUA HAMIL I (>=35 TH)": 4,
    "TERLALU CEPAT HAMIL LAGI (<2 TH)": 4,
    "TERLALU LAMA HAMIL LAGI (>=10 TH)": 4,
    "TERLALU BANYAK ANAK (>=4)": 4,
    "TERLALU TUA (>=35 TH)": 4,
    "TERLALU PENDEK (<=145 CM)": 4,
    "PERNAH GAGAL KEHAMILAN": 4,
    "PERNAH MELAHIRKAN DENGAN TARIKAN TANG/VAKUM": 4,
    "PERNAH MELAHIRKAN DENGAN URI DIROGOH": 4,
    "PERNAH MELAHIRKAN DENGAN INFUS/TRANSFUSI": 4,
    "PERNAH OPERASI SESAR": 8,
    "KURANG DARAH": 4,
    "MALARIA": 4,
    "TBC PARU": 4,
    "PAYAH JANTUNG": 4,
    "KENCING MANIS (DIABETES)": 4,
    "PENYAKIT MENULAR SEKSUAL": 4,
    "BENGKAK PADA MUKA/TUNGKAI DAN TEKANAN DARAH TINGGI": 4,
    "HAMIL KEMBAR": 4,
    "HIDRAMNION": 4,
    "BAYI MATI DALAM KANDUNGAN": 4,
    "KEHAMILAN LEBIH BULAN": 4,
    "LETAK SUNGSANG": 8,
    "LETAK LINTANG": 8,
    "PERDARAHAN DALAM KEHAMILAN INI": 8,
    "PREEKLAMPSIA BERAT/KEJANG-KEJANG": 8,
}
KSPR_START = 2
KSPR_CATEGORIES = ("KRR", "KRT", "KRST")


def kspr_category(score: int) -> str:
    """KRR (low, 2), KRT (high, 6–10) or KRST (very high risk, ≥ 12) for a KSPR score."""
    return "KRR" if score <= 2 else ("KRT" if score < 12 else "KRST")


BALITA = Contract(
    name="balita",
    sector="health",
    title={"id": "Data balita (e-PPGBM)", "en": "Children under five (e-PPGBM)"},
    owner=OWNER,
    columns=(
        Column("nik_anak", "NIK Anak", personal=True),
        Column("nama_anak", "Nama Anak", personal=True),
        Column("jenis_kelamin", "Jenis Kelamin", allowed=("L", "P"),
               synonyms={"LAKI-LAKI": "L", "LAKI LAKI": "L", "LAKI": "L", "PRIA": "L",
                         "PEREMPUAN": "P", "WANITA": "P"}),
        Column("tanggal_lahir", "Tanggal Lahir", "date", personal=True),
        Column("nik_ibu", "NIK Ibu", required=False, personal=True),
        Column("nama_ibu", "Nama Ibu", required=False, personal=True),
        Column("kode_desa", "Kode Desa"),
        Column("posyandu", "Posyandu"),
        Column("berat_lahir_kg", "Berat Lahir (kg)", "float", personal=True),
        Column("panjang_lahir_cm", "Panjang Lahir (cm)", "float", personal=True),
    ),
    processing=Processing("Pemantauan pertumbuhan balita dan percepatan penurunan stunting", "UU 17/2023 tentang Kesehatan; Perpres 72/2021 tentang Percepatan Penurunan Stunting", specific=True),
    key=("nik_anak",),
    nik_column="nik_anak",
    region_column="kode_desa",
    aliases={"NIK": "nik_anak", "Nama Balita": "nama_anak", "JK": "jenis_kelamin", "Tgl Lahir": "tanggal_lahir",
             "BB Lahir": "berat_lahir_kg", "TB Lahir": "panjang_lahir_cm", "PB Lahir": "panjang_lahir_cm"},
)

POSYANDU = Contract(
    name="posyandu",
    sector="health",
    title={"id": "Pengukuran balita di posyandu", "en": "Posyandu child measurements"},
    owner=OWNER,
    columns=(
        Column("id_pengukuran", "ID Pengukuran"),
        Column("nik_anak", "NIK Anak", personal=True),
        Column("tanggal_ukur", "Tanggal Pengukuran", "date"),
        Column("umur_bulan", "Umur (bulan)", "int"),
        Column("berat_kg", "Berat Badan (kg)", "float", personal=True),
        Column("tinggi_cm", "Tinggi/Panjang Badan (cm)", "float", personal=True),
        Column("cara_ukur", "Cara Ukur", allowed=("TERLENTANG", "BERDIRI"),
               synonyms={"TELENTANG": "TERLENTANG", "BERBARING": "TERLENTANG"},
               description="TERLENTANG = panjang badan (umur < 24 bulan), BERDIRI = tinggi badan"),
        Column("edema", "Edema", allowed=("YA", "TIDAK"), personal=True,
               synonyms={"Y": "YA", "ADA": "YA", "T": "TIDAK", "TIDAK ADA": "TIDAK", "TDK": "TIDAK"}),
        Column("posyandu", "Posyandu"),
        Column("kode_desa", "Kode Desa"),
    ),
    processing=Processing("Pemantauan pertumbuhan balita dan percepatan penurunan stunting", "UU 17/2023 tentang Kesehatan; Perpres 72/2021 tentang Percepatan Penurunan Stunting", retention_years=5, retention_column="tanggal_ukur", specific=True),
    key=("id_pengukuran",),
    nik_column="nik_anak",
    region_column="kode_desa",
    aliases={"NIK": "nik_anak", "Tgl Ukur": "tanggal_ukur", "BB": "berat_kg", "BB (kg)": "berat_kg",
             "TB": "tinggi_cm", "TB/PB (cm)": "tinggi_cm", "Usia (bulan)": "umur_bulan"},
)

KEHAMILAN = Contract(
    name="kehamilan",
    sector="health",
    title={"id": "Register ibu hamil", "en": "Pregnancy register"},
    owner=OWNER,
    columns=(
        Column("id_kehamilan", "ID Kehamilan"),
        Column("nik_ibu", "NIK Ibu", personal=True),
        Column("nama_ibu", "Nama Ibu", personal=True),
        Column("tanggal_lahir_ibu", "Tanggal Lahir Ibu", "date", personal=True),
        Column("kode_desa", "Kode Desa"),
        Column("hpht", "HPHT", "date", personal=True, description="Hari pertama haid terakhir"),
        Column("hpl", "HPL", "date", personal=True, description="Hari perkiraan lahir = HPHT + 280 hari"),
        Column("tanggal_daftar", "Tanggal K1", "date", personal=True),
        Column("gravida", "Gravida (G)", "int", personal=True),
        Column("paritas", "Paritas (P)", "int", personal=True),
        Column("abortus", "Abortus (A)", "int", personal=True),
        Column("tinggi_badan_cm", "Tinggi Badan Ibu (cm)", "float", personal=True),
        Column("faktor_risiko", "Faktor Risiko KSPR", required=False, personal=True,
               description="Faktor risiko Kartu Skor Poedji Rochjati, dipisah titik koma"),
        Column("skor_kspr", "Skor KSPR", "int", personal=True),
        Column("kategori_kspr", "Kategori Risiko", allowed=KSPR_CATEGORIES, personal=True),
        Column("rencana_persalinan", "Rencana Tempat Persalinan",
               allowed=("RUMAH SAKIT", "PUSKESMAS", "PRAKTIK MANDIRI BIDAN", "RUMAH"),
               synonyms={"RS": "RUMAH SAKIT", "PKM": "PUSKESMAS", "PMB": "PRAKTIK MANDIRI BIDAN",
                         "BPM": "PRAKTIK MANDIRI BIDAN", "PRAKTEK MANDIRI BIDAN": "PRAKTIK MANDIRI BIDAN"}),
        Column("tanggal_persalinan", "Tanggal Persalinan", "date", required=False, personal=True),
        Column("posyandu", "Posyandu", required=False,
               description="Posyandu yang memantau ibu (kader melihat ibu hamil posyandunya)"),
    ),
    processing=Processing("Pemantauan ibu hamil berisiko tinggi", "UU 17/2023 tentang Kesehatan", retention_years=5, retention_column="hpl", specific=True),
    key=("id_kehamilan",),
    nik_column="nik_ibu",
    region_column="kode_desa",
    export_format="xlsx",
    aliases={"NIK": "nik_ibu", "Nama": "nama_ibu", "Taksiran Persalinan": "hpl", "TP": "hpl", "Skor KSPR Total": "skor_kspr"},
)

ANC = Contract(
    name="anc",
    sector="health",
    title={"id": "Kunjungan antenatal (ANC)", "en": "Antenatal care visits"},
    owner=OWNER,
    columns=(
        Column("id_kunjungan", "ID Kunjungan"),
        Column("id_kehamilan", "ID Kehamilan"),
        Column("tanggal_kunjungan", "Tanggal Kunjungan", "date", personal=True),
        Column("kunjungan_ke", "Kunjungan Ke", allowed=("K1", "K2", "K3", "K4", "K5", "K6"),
               synonyms={str(n): f"K{n}" for n in range(1, 7)}),
        Column("tekanan_darah_sistolik", "TD Sistolik (mmHg)", "int", personal=True),
        Column("tekanan_darah_diastolik", "TD Diastolik (mmHg)", "int", personal=True),
        Column("berat_kg", "Berat Badan (kg)", "float", personal=True),
        Column("hb", "Hb (g/dL)", "float", personal=True),
        Column("faktor_risiko_baru", "Faktor Risiko Baru (KSPR)", required=False, personal=True,
               description="Faktor risiko KSPR yang ditemukan pada kunjungan ini, dipisah titik koma; skor KSPR "
                           "dihitung ulang sejak tanggal kunjungan"),
        Column("fasilitas", "Fasilitas Kesehatan",
               allowed=("PUSKESMAS", "PRAKTIK MANDIRI BIDAN", "POSKESDES/POLINDES", "KLINIK", "RUMAH SAKIT"),
               synonyms={"PKM": "PUSKESMAS", "PMB": "PRAKTIK MANDIRI BIDAN", "BPM": "PRAKTIK MANDIRI BIDAN",
                         "PRAKTEK MANDIRI BIDAN": "PRAKTIK MANDIRI BIDAN", "POSKESDES": "POSKESDES/POLINDES",
                         "POLINDES": "POSKESDES/POLINDES", "RS": "RUMAH SAKIT"}),
    ),
    processing=Processing("Pemantauan ibu hamil berisiko tinggi", "UU 17/2023 tentang Kesehatan", retention_years=5, retention_column="tanggal_kunjungan", specific=True),
    key=("id_kunjungan",),
    region_column=None,
    export_format="xlsx",
    aliases={"Sistolik": "tekanan_darah_sistolik", "Diastolik": "tekanan_darah_diastolik", "BB": "berat_kg",
             "Kadar Hb": "hb"},
)


TELEMETRI = Contract(
    name="telemetri",
    sector="health",
    title={"id": "Telemetri jam pintar ibu hamil", "en": "Pregnant women's smartwatch telemetry"},
    owner=OWNER,
    columns=(
        Column("id_perangkat", "ID Perangkat"),
        Column("waktu", "Waktu", "datetime", description="Waktu bacaan (UTC)"),
        Column("nik_ibu", "NIK Ibu", personal=True),
        Column("kode_desa", "Kode Desa"),
        Column("detak_jantung", "Detak Jantung (bpm)", "int", personal=True),
        Column("sistolik", "TD Sistolik (mmHg)", "int", required=False, personal=True),
        Column("diastolik", "TD Diastolik (mmHg)", "int", required=False, personal=True),
        Column("spo2", "SpO2 (%)", "int", personal=True),
    ),
    processing=Processing("Peringatan dini kegawatan ibu hamil dari jam pintar", "UU 17/2023 tentang Kesehatan; persetujuan ibu hamil", retention_years=1, retention_column="waktu", specific=True),
    key=("id_perangkat", "waktu"),
    nik_column="nik_ibu",
    region_column="kode_desa",
    aliases={"device_id": "id_perangkat", "timestamp": "waktu", "heart_rate": "detak_jantung",
             "systolic": "sistolik", "diastolic": "diastolik", "nik": "nik_ibu", "desa": "kode_desa"},
)


@hookimpl
def madangan_sectors():
    from madangan.sectors.health.alerts import ALERT_RULES
    from madangan.sectors.health.checks import CHECKS
    from madangan.sectors.health.indicators import INDICATORS
    from madangan.sectors.health.pages import PAGES
    from madangan.sectors.health.synth import synthesize

    return [
        Sector(
            name="health",
            title={"id": "Kesehatan", "en": "Health"},
            contracts=(BALITA, POSYANDU, KEHAMILAN, ANC, TELEMETRI),
            synthesize=synthesize,
            requires=("population",),
            desa_counts=(DesaCount("balita", {"id": "Balita", "en": "Children under five"}, rows_per_desa("balita"), ("balita",)),),
            checks=CHECKS,
            indicators=INDICATORS,
            pages=PAGES,
            alert_rules=ALERT_RULES,
        )
    ]
