"""The welfare sector's user-facing messages (Bahasa Indonesia first)."""

from madangan.i18n import add_messages

add_messages({
    "welfare.rules_invalid": {
        "id": "Berkas aturan program {file} tidak valid: {field}: {reason}",
        "en": "Program rule file {file} is invalid: {field}: {reason}",
    },
    "welfare.unknown_field": {"id": "kolom tidak dikenal", "en": "unknown field"},
    "welfare.rules_missing": {
        "id": "Berkas aturan program {file} tidak ada. Periksa [verval] aturan_program di madangan.toml.",
        "en": "Program rule file {file} does not exist. Check [verval] aturan_program in madangan.toml.",
    },
    "welfare.no_rules_for": {
        "id": "Tidak ada versi aturan program yang berlaku pada {day} (versi: {versions}).",
        "en": "No program rule version is valid on {day} (versions: {versions}).",
    },
    "welfare.bad_period": {
        "id": "Periode '{period}' tidak valid: gunakan YYYY-MM, mis. 2026-10.",
        "en": "Period '{period}' is invalid: use YYYY-MM, e.g. 2026-10.",
    },
    "welfare.unknown_program": {
        "id": "Program '{program}' tidak dikenal. Pilihan: {allowed}.",
        "en": "Unknown program '{program}'. Choose one of: {allowed}.",
    },
    "welfare.not_quota": {
        "id": "Program {program} tidak berkuota per desa; simulasi kuota hanya untuk: {allowed}.",
        "en": "Program {program} has no quota per desa; the quota what-if works for: {allowed}.",
    },
    "welfare.need_desa": {
        "id": "Sebutkan satu desa dengan --desa KODE (mis. 32.11.01.2001).",
        "en": "Name one desa with --desa CODE (e.g. 32.11.01.2001).",
    },
    "welfare.not_desa": {
        "id": "'{code}' bukan desa/kelurahan di deployment ini.",
        "en": "'{code}' is not a desa/kelurahan of this deployment.",
    },
    "welfare.missing_sources": {
        "id": "Data belum lengkap untuk penargetan: sumber {sources} belum dimuat. Jalankan 'madangan ingest'.",
        "en": "Targeting needs sources that are not loaded yet: {sources}. Run 'madangan ingest'.",
    },
    "welfare.unknown_family": {
        "id": "Keluarga dengan No. KK itu tidak ditemukan di wilayah Anda.",
        "en": "No family with that KK number in your area.",
    },
    "welfare.unknown_outcome": {
        "id": "Hasil verifikasi '{outcome}' tidak dikenal. Pilihan: {allowed}.",
        "en": "Unknown verification outcome '{outcome}'. Choose one of: {allowed}.",
    },
    "welfare.bad_number": {
        "id": "{field} harus 16 digit angka.",
        "en": "{field} must be 16 digits.",
    },
    "welfare.status_found": {
        "id": "Keluarga Anda terdaftar di DTSEN.",
        "en": "Your family is registered in DTSEN.",
    },
    "welfare.status_not_found": {
        "id": "Data tidak ditemukan atau tanggal lahir tidak cocok. Jika keluarga Anda belum terdaftar, laporkan melalui formulir usulan.",
        "en": "No match, or the birth date does not match. If your family is not registered, report it through the self-report form.",
    },
    "welfare.too_many": {
        "id": "Terlalu banyak permintaan dari alamat Anda. Coba lagi dalam satu menit.",
        "en": "Too many requests from your address. Try again in a minute.",
    },
    "welfare.report_received": {
        "id": "Usulan diterima dengan nomor {id}. Petugas desa akan memverifikasi keluarga Anda.",
        "en": "Report received as number {id}. A village officer will verify your family.",
    },
    "welfare.bad_retention": {
        "id": "{field} harus bilangan bulat hari ≥ 1, bukan {value!r}.",
        "en": "{field} must be a whole number of days ≥ 1, not {value!r}.",
    },
    "welfare.quota_unreadable": {"id": "Berkas kuota {file} tidak bisa dibaca sebagai XLSX.", "en": "Quota file {file} cannot be read as XLSX."},
    "welfare.quota_format": {"id": "Berkas kuota {file}: gunakan .xlsx atau .csv.", "en": "Quota file {file}: use .xlsx or .csv."},
    "welfare.quota_columns": {
        "id": "Berkas kuota {file}: kolom {missing} tidak ditemukan. Judul kolom yang diperlukan: Kode Desa, Program, Kuota.",
        "en": "Quota file {file}: column(s) {missing} not found. Needed headers: Kode Desa, Program, Kuota.",
    },
    "welfare.quota_bad_row": {"id": "baris {row}, kolom {field}: {reason}", "en": "row {row}, column {field}: {reason}"},
    "welfare.quota_not_desa_code": {"id": "'{value}' bukan kode desa (mis. 32.11.01.2001)", "en": "'{value}' is not a desa code (e.g. 32.11.01.2001)"},
    "welfare.quota_outside": {"id": "desa {value} tidak ada di {region}", "en": "desa {value} is not in {region}"},
    "welfare.quota_out_of_scope": {"id": "desa {value} di luar wilayah Anda", "en": "desa {value} is outside your area"},
    "welfare.quota_unknown_program": {"id": "program '{value}' tidak dikenal; pilihan: {allowed}", "en": "unknown program '{value}'; choose: {allowed}"},
    "welfare.quota_no_quota": {"id": "program {value} tidak berkuota per desa; pilihan: {allowed}", "en": "program {value} has no quota per desa; choose: {allowed}"},
    "welfare.quota_kelurahan": {"id": "{value} kelurahan, {program} hanya untuk desa", "en": "{value} is a kelurahan; {program} is for desa only"},
    "welfare.quota_not_number": {"id": "'{value}' bukan bilangan bulat ≥ 0", "en": "'{value}' is not a whole number ≥ 0"},
    "welfare.quota_duplicate": {"id": "{value} {program} sudah ada di baris {row}", "en": "{value} {program} is already on row {row}"},
    "welfare.quota_more": {"id": "; dan {n} lagi", "en": "; and {n} more"},
    "welfare.quota_invalid": {
        "id": "Berkas kuota {file} tidak diproses ({count} masalah; tidak ada yang dihitung): {problems}",
        "en": "Quota file {file} was not processed ({count} problems; nothing computed): {problems}",
    },
    "welfare.quota_too_big": {"id": "Berkas kuota maksimal {limit}.", "en": "A quota file may be at most {limit}."},
    "welfare.quota_empty": {"id": "Berkas kuota {file} tidak berisi baris kuota.", "en": "Quota file {file} has no quota rows."},
    "welfare.quota_too_long": {"id": "Berkas kuota {file} melebihi {limit} baris.", "en": "Quota file {file} has more than {limit} rows."},
    "ui.targeting.quota_file": {"id": "Simulasi kuota se-kabupaten (berkas)", "en": "Regency-wide quota what-if (file)"},
    "ui.targeting.quota_file_lead": {
        "id": "Unggah XLSX atau CSV dengan kolom Kode Desa, Program, Kuota. Desa yang tidak tercantum tetap seperti sekarang. Tidak ada data yang diubah.",
        "en": "Upload an XLSX or CSV with columns Kode Desa, Program, Kuota. Desa not listed stay as they are. No data is changed.",
    },
    "ui.targeting.file": {"id": "Berkas", "en": "File"},
    "ui.targeting.total": {"id": "Jumlah", "en": "Total"},
    "ui.targeting.quota_now": {"id": "Kuota sekarang", "en": "Quota now"},
    "ui.targeting.quota_new": {"id": "Kuota baru", "en": "New quota"},
    "ui.targeting.new_in": {"id": "Masuk", "en": "In"},
    "ui.targeting.going_out": {"id": "Keluar", "en": "Out"},
    "welfare.exported": {"id": "{count} baris ditulis ke {path}.", "en": "{count} rows written to {path}."},
    "ui.targeting.nav": {"id": "Penargetan", "en": "Targeting"},
    "ui.targeting.title": {"id": "Ketepatan sasaran bantuan sosial", "en": "Social-assistance targeting"},
    "ui.targeting.lead": {
        "id": "Per program dan wilayah: penerima, keluarga layak, salah inklusi (penerima tidak layak), salah eksklusi (layak belum menerima) dan uang yang salah sasaran. Angka di balik setiap persentase ditampilkan.",
        "en": "Per program and region: recipients, eligible families, inclusion errors (ineligible recipients), exclusion errors (eligible non-recipients) and the money going astray, with the counts behind every rate.",
    },
    "ui.targeting.region": {"id": "Kode desa/kecamatan", "en": "Desa/kecamatan code"},
    "ui.targeting.program": {"id": "Program", "en": "Program"},
    "ui.targeting.all_programs": {"id": "Semua program", "en": "All programs"},
    "ui.targeting.level": {"id": "Tingkat", "en": "Level"},
    "ui.targeting.show": {"id": "Tampilkan", "en": "Show"},
    "ui.targeting.recipients": {"id": "Penerima", "en": "Recipients"},
    "ui.targeting.inclusion": {"id": "Salah inklusi", "en": "Inclusion errors"},
    "ui.targeting.eligible": {"id": "Keluarga layak", "en": "Eligible families"},
    "ui.targeting.exclusion": {"id": "Salah eksklusi", "en": "Exclusion errors"},
    "ui.targeting.coverage": {"id": "Cakupan", "en": "Coverage"},
    "ui.targeting.leakage": {"id": "Salah sasaran (Rp/bulan)", "en": "Leakage (Rp/month)"},
    "ui.targeting.lists": {"id": "Daftar untuk musyawarah desa", "en": "Lists for the village meeting"},
    "ui.targeting.desa_title": {"id": "Bahan musyawarah desa: {name}", "en": "Village meeting lists: {name}"},
    "ui.targeting.candidates": {"id": "Usulan penerima baru ({count})", "en": "Candidates to add ({count})"},
    "ui.targeting.candidates_lead": {
        "id": "Keluarga layak yang belum menerima, berurutan: prioritas program (BLT Dana Desa: desil 1, desil 2–4, lalu keluarga desil lain yang memenuhi kriteria lokal), desil, hasil verifikasi, kriteria lokal, lalu kerentanan lintas sektor (balita stunting, ibu hamil risiko tinggi, lansia sendiri, disabilitas). Kolom Prioritas menyebut mengapa keluarga ada di daftar.",
        "en": "Eligible families not receiving, in order: program priority (BLT Dana Desa: decile 1, deciles 2–4, then families of other deciles meeting local criteria), decile, field confirmation, local criteria, then cross-sector vulnerability (stunted child, high-risk pregnancy, elderly alone, disability). The Priority column says why a family is listed.",
    },
    "ui.targeting.review": {"id": "Penerima yang perlu ditinjau ({count})", "en": "Recipients to review ({count})"},
    "ui.targeting.head": {"id": "Kepala keluarga", "en": "Head of family"},
    "ui.targeting.name": {"id": "Nama", "en": "Name"},
    "ui.targeting.vulnerability": {"id": "Kerentanan", "en": "Vulnerability"},
    "ui.targeting.why": {"id": "Alasan", "en": "Why"},
    "ui.targeting.verified": {"id": "Hasil verifikasi", "en": "Field outcome"},
    "ui.targeting.record": {"id": "Catat", "en": "Record"},
    "ui.targeting.download": {"id": "Unduh XLSX musyawarah", "en": "Download meeting XLSX"},
    "ui.targeting.whatif": {"id": "Simulasi kuota BLT Dana Desa", "en": "BLT Dana Desa quota what-if"},
    "ui.targeting.quota": {"id": "Kuota baru (keluarga)", "en": "New quota (families)"},
    "ui.targeting.simulate": {"id": "Hitung", "en": "Simulate"},
    "ui.targeting.before": {"id": "Sekarang", "en": "Now"},
    "ui.targeting.after": {"id": "Dengan kuota baru", "en": "With the new quota"},
    "ui.targeting.whatif_result": {
        "id": "{new} keluarga baru masuk, {out} penerima sekarang keluar.",
        "en": "{new} families come in, {out} current recipients leave.",
    },
    "ui.targeting.priority": {"id": "Prioritas", "en": "Priority"},
    "ui.targeting.tier_decile": {"id": "Prioritas {tier}: desil {deciles}", "en": "Priority {tier}: decile {deciles}"},
    "ui.targeting.tier_local": {"id": "Prioritas {tier}: kriteria lokal ({criteria})", "en": "Priority {tier}: local criteria ({criteria})"},
    "ui.targeting.more": {"id": "Ditampilkan {shown} dari {total}; semua ada di XLSX.", "en": "Showing {shown} of {total}; all are in the XLSX."},
    "welfare.outcome_saved": {
        "id": "Hasil verifikasi dicatat: {outcome}.",
        "en": "Verification outcome recorded: {outcome}.",
    },
})

#: Field-verification outcomes per family (P3KE/DTKS verval categories).
OUTCOME_LABELS = {
    "layak": {"id": "terkonfirmasi layak", "en": "confirmed eligible"},
    "tidak_layak": {"id": "tidak layak", "en": "not eligible"},
    "pindah": {"id": "pindah", "en": "moved"},
    "meninggal": {"id": "meninggal", "en": "deceased"},
    "tidak_ditemukan": {"id": "tidak ditemukan", "en": "not found"},
}

#: Why a recipient row is an inclusion error.
REASON_LABELS = {
    "tidak_layak": {"id": "di luar kriteria program (desil/komponen/wilayah)", "en": "outside the program's criteria"},
    "meninggal": {"id": "penerima sudah meninggal", "en": "recipient deceased"},
    "pegawai": {"id": "penerima ASN/TNI/Polri/perangkat desa", "en": "recipient is a civil servant/officer"},
    "keluarga_pegawai": {"id": "sekeluarga dengan ASN/TNI/Polri/perangkat desa", "en": "family of a civil servant/officer"},
    "verifikasi": {"id": "hasil verifikasi lapangan", "en": "field-verification outcome"},
}

#: Local criteria (BLT Dana Desa, PMK 201/2022 Pasal 36).
LOCAL_LABELS = {
    "kehilangan_mata_pencaharian": {"id": "kehilangan mata pencaharian", "en": "lost livelihood"},
    "punya_disabilitas": {"id": "anggota keluarga sakit kronis/disabilitas", "en": "chronic illness or disability in the family"},
    "tidak_menerima_pkh": {"id": "tidak menerima PKH", "en": "not receiving PKH"},
    "lansia_sendiri": {"id": "rumah tangga lansia tunggal", "en": "single elderly household"},
}
VULNERABILITY_LABELS = {
    "balita_stunting": {"id": "balita stunting", "en": "stunted child"},
    "ibu_hamil_risiko_tinggi": {"id": "ibu hamil risiko tinggi", "en": "high-risk pregnancy"},
    "lansia_sendiri": {"id": "lansia tinggal sendiri", "en": "elderly living alone"},
    "disabilitas": {"id": "penyandang disabilitas", "en": "disability"},
}
