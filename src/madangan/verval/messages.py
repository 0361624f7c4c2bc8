"""Verval's user-facing messages (Bahasa Indonesia first)."""

from madangan.i18n import add_messages

add_messages({
    "ui.findings.title": {"id": "Daftar kerja verval", "en": "Verval worklist"},
    "ui.findings.nav": {"id": "Temuan", "en": "Findings"},
    "ui.findings.lead": {
        "id": "Data yang perlu dicek atau diperbaiki di wilayah Anda. Buka satu temuan, periksa di lapangan, lalu catat hasilnya.",
        "en": "Records in your area that need checking or fixing. Open one, check it in the field, then record the outcome.",
    },
    "ui.findings.desa": {"id": "Kode desa/kecamatan", "en": "Desa/kecamatan code"},
    "ui.findings.rule": {"id": "Masalah", "en": "Problem"},
    "ui.findings.all_rules": {"id": "Semua masalah", "en": "All problems"},
    "ui.findings.status": {"id": "Status", "en": "Status"},
    "ui.findings.active": {"id": "Perlu ditindak", "en": "Needs work"},
    "ui.findings.every_status": {"id": "Semua status", "en": "Every status"},
    "ui.findings.show": {"id": "Tampilkan", "en": "Show"},
    "ui.findings.export": {"id": "Unduh XLSX", "en": "Download XLSX"},
    "ui.findings.count": {"id": "{count} temuan", "en": "{count} findings"},
    "ui.findings.prev": {"id": "sebelumnya", "en": "previous"},
    "ui.findings.next": {"id": "berikutnya", "en": "next"},
    "ui.findings.record": {"id": "Record", "en": "Record"},
    "ui.findings.outcome": {"id": "Catat hasil verifikasi lapangan", "en": "Record the field-verification outcome"},
    "ui.findings.reason": {"id": "Alasan / catatan", "en": "Reason / notes"},
    "ui.findings.reason_hint": {
        "id": "Apa yang ditemukan di lapangan (wajib untuk 'sudah diperbaiki' dan 'ditolak')",
        "en": "What was found in the field (required for 'corrected' and 'dismissed')",
    },
    "ui.findings.save": {"id": "Simpan", "en": "Save"},
    "ui.findings.history": {"id": "Riwayat", "en": "History"},
    "ui.findings.when": {"id": "Waktu", "en": "When"},
    "ui.findings.by": {"id": "Oleh", "en": "By"},
    "step.verify": {"id": "Verval: memeriksa semua sumber", "en": "Verval: checking every source"},
    "verval.unknown_status": {
        "id": "Status '{status}' tidak dikenal. Pilihan: {allowed}.",
        "en": "Unknown status '{status}'. Choose one of: {allowed}.",
    },
    "verval.reason_required": {
        "id": "Status '{status}' perlu alasan (isi 'alasan'/--reason): apa yang ditemukan di lapangan.",
        "en": "Status '{status}' needs a reason (give 'reason'/--reason): what was found in the field.",
    },
    "verval.unknown_finding": {"id": "Temuan '{id}' tidak ada.", "en": "Finding '{id}' does not exist."},
    "verval.bad_transition": {
        "id": "Temuan {id} berstatus '{old}' dan tidak bisa menjadi '{new}'. Dari '{old}' hanya bisa ke: {allowed}.",
        "en": "Finding {id} is '{old}' and cannot become '{new}'. From '{old}' it can only go to: {allowed}.",
    },
    "verval.unknown_rule": {
        "id": "Aturan '{rule}' tidak dikenal. Aturan yang ada: {allowed}.",
        "en": "Unknown rule '{rule}'. Known rules: {allowed}.",
    },
    "verval.unknown_source": {
        "id": "Sumber '{source}' tidak dikenal. Sumber yang ada: {allowed}.",
        "en": "Unknown source '{source}'. Known sources: {allowed}.",
    },
    "verval.desa_outside": {
        "id": "Wilayah '{code}' bukan bagian dari {region}.",
        "en": "Region '{code}' is not part of {region}.",
    },
    "verval.not_in_scope": {
        "id": "Wilayah '{code}' di luar wilayah akses Anda ({scope}).",
        "en": "Region '{code}' is outside your scope ({scope}).",
    },
    "verval.no_findings": {"id": "Tidak ada temuan yang cocok.", "en": "No findings match."},
    "verval.exported": {"id": "{count} temuan ditulis ke {path}", "en": "{count} findings written to {path}"},
    "verval.done": {
        "id": "Verval selesai dalam {seconds} detik: {open} temuan aktif, {new} baru, {closed} selesai sejak proses sebelumnya.",
        "en": "Verval finished in {seconds} s: {open} active findings, {new} new, {closed} closed since the previous run.",
    },
    "verval.skipped": {"id": "Dilewati: {items}", "en": "Skipped: {items}"},
    "verval.skip.missing": {"id": "sumber belum dimuat: {sources}", "en": "sources not loaded: {sources}"},
    "verval.skip.dpia": {
        "id": "perlu penilaian dampak (DPIA) '{processing}' atas {source}: madangan pdp dpia add --processing {processing} --sources {source} --summary … --approved-by …",
        "en": "needs an impact assessment (DPIA) '{processing}' of {source}: madangan pdp dpia add --processing {processing} --sources {source} --summary … --approved-by …",
    },
})
