"""Verval's user-facing messages (Bahasa Indonesia first)."""

from madangan.i18n import add_messages

add_messages({
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
    "verval.skipped": {
        "id": "Dilewati (sumber belum dimuat): {items}",
        "en": "Skipped (sources not loaded): {items}",
    },
})
