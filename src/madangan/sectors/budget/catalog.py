"""The regency's budget structure: agencies (SKPD) and the program → kegiatan → sub kegiatan tree.

Codes follow the Permendagri 90/2019 layout (urusan.bidang.program.kegiatan.sub
kegiatan, e.g. 1.02.02.2.02.0001; organisation codes x.xx.x.xx.x.xx.xx.xxxx with
the last four digits for a sub-unit such as a puskesmas). Program names are the
regulation's; kegiatan and sub kegiatan names follow it closely but the serial
numbers below program level are illustrative, not an authoritative code list.

Nomenclature lines:  P <program code> <name>  ·  K <kegiatan code> <name>  ·
S <serial> <name> [; <kind> <weight> <flags>]. Kind is the economic account
(see ACCOUNTS), weight the relative size within that account, flags:
L = spent in one kecamatan (sometimes), S = tagged for stunting reduction,
U = also run by every puskesmas (Dinkes only).
"""

from __future__ import annotations

from dataclasses import dataclass

#: kind → (account code, account name), Permendagri 90/2019 "jenis belanja"
ACCOUNTS = {
    "pegawai": ("5.1.01", "Belanja Pegawai"),
    "barjas": ("5.1.02", "Belanja Barang dan Jasa"),
    "hibah": ("5.1.05", "Belanja Hibah"),
    "bansos": ("5.1.06", "Belanja Bantuan Sosial"),
    "tanah": ("5.2.01", "Belanja Modal Tanah"),
    "alat": ("5.2.02", "Belanja Modal Peralatan dan Mesin"),
    "gedung": ("5.2.03", "Belanja Modal Gedung dan Bangunan"),
    "jalan": ("5.2.04", "Belanja Modal Jalan, Jaringan, dan Irigasi"),
    "aset": ("5.2.05", "Belanja Modal Aset Tetap Lainnya"),
    "btt": ("5.3.01", "Belanja Tidak Terduga"),
    "bagihasil": ("5.4.01", "Belanja Bagi Hasil"),
    "bankeu": ("5.4.02", "Belanja Bantuan Keuangan"),
}

#: Share of total spending per account, typical of a Javanese kabupaten APBD.
ACCOUNT_SHARE = {
    "pegawai": 0.380, "barjas": 0.287, "hibah": 0.025, "bansos": 0.004,
    "tanah": 0.004, "alat": 0.035, "gedung": 0.040, "jalan": 0.050, "aset": 0.003,
    "btt": 0.004, "bagihasil": 0.008, "bankeu": 0.160,
}

PENUNJANG_PROGRAM = "PROGRAM PENUNJANG URUSAN PEMERINTAHAN DAERAH KABUPATEN/KOTA"


@dataclass(frozen=True)
class Opd:
    short: str  # the name used across sources (services, complaints, budget)
    name: str
    code: str  # organisation code without the sub-unit suffix
    staff: float  # relative payroll size


OPDS = (
    Opd("Disdik", "Dinas Pendidikan", "1.01.0.00.0.00.01", 46.0),
    Opd("Dinkes", "Dinas Kesehatan", "1.02.0.00.0.00.01", 10.0),
    Opd("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang", "1.03.0.00.0.00.01", 2.0),
    Opd("Disperkimtan", "Dinas Perumahan, Kawasan Permukiman dan Pertanahan", "1.04.2.10.0.00.01", 0.8),
    Opd("Satpol PP", "Satuan Polisi Pamong Praja dan Pemadam Kebakaran", "1.05.0.00.0.00.01", 1.5),
    Opd("BPBD", "Badan Penanggulangan Bencana Daerah", "1.05.0.00.0.00.02", 0.5),
    Opd("Dinsos", "Dinas Sosial", "1.06.0.00.0.00.01", 0.6),
    Opd("Disnakertrans", "Dinas Tenaga Kerja dan Transmigrasi", "2.07.3.32.0.00.01", 0.5),
    Opd("DP2KBP3A", "Dinas Pengendalian Penduduk, Keluarga Berencana, Pemberdayaan Perempuan dan "
        "Perlindungan Anak", "2.08.2.14.0.00.01", 1.2),
    Opd("DKP", "Dinas Ketahanan Pangan", "2.09.0.00.0.00.01", 0.5),
    Opd("DLHK", "Dinas Lingkungan Hidup dan Kehutanan", "2.11.0.00.0.00.01", 1.0),
    Opd("Disdukcapil", "Dinas Kependudukan dan Pencatatan Sipil", "2.12.0.00.0.00.01", 0.7),
    Opd("DPMD", "Dinas Pemberdayaan Masyarakat dan Desa", "2.13.0.00.0.00.01", 0.5),
    Opd("Dishub", "Dinas Perhubungan", "2.15.0.00.0.00.01", 0.8),
    Opd("Diskominfosanditik", "Dinas Komunikasi, Informatika, Persandian dan Statistik", "2.16.2.20.2.21.01", 0.6),
    Opd("Diskopukm", "Dinas Koperasi dan Usaha Kecil Menengah", "2.17.0.00.0.00.01", 0.4),
    Opd("DPMPTSP", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "2.18.0.00.0.00.01", 0.5),
    Opd("Disparbudpora", "Dinas Pariwisata, Kebudayaan, Kepemudaan dan Olahraga", "2.19.2.22.3.26.01", 0.6),
    Opd("Disarpus", "Dinas Arsip dan Perpustakaan", "2.23.2.24.0.00.01", 0.4),
    Opd("Diskanak", "Dinas Perikanan dan Peternakan", "3.25.0.00.0.00.01", 0.6),
    Opd("Distan", "Dinas Pertanian", "3.27.0.00.0.00.01", 1.5),
    Opd("Disdagin", "Dinas Perdagangan dan Perindustrian", "3.30.3.31.0.00.01", 0.6),
    Opd("Setda", "Sekretariat Daerah", "4.01.0.00.0.00.01", 2.5),
    Opd("Setwan", "Sekretariat DPRD", "4.02.0.00.0.00.01", 2.0),
    Opd("Bapperida", "Badan Perencanaan Pembangunan, Riset dan Inovasi Daerah", "5.01.5.05.0.00.01", 0.5),
    Opd("BPKAD", "Badan Pengelolaan Keuangan dan Aset Daerah", "5.02.0.00.0.00.01", 0.8),
    Opd("Bapenda", "Badan Pendapatan Daerah", "5.02.0.00.0.00.02", 0.6),
    Opd("BKPSDM", "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", "5.03.5.04.0.00.01", 0.5),
    Opd("Inspektorat", "Inspektorat Daerah", "6.01.0.00.0.00.01", 0.5),
    Opd("Kesbangpol", "Badan Kesatuan Bangsa dan Politik", "8.01.0.00.0.00.01", 0.3),
)
KECAMATAN_CODE = "7.01.0.00.0.00"  # + 2-digit serial per kecamatan
KECAMATAN_STAFF = 0.35

# Every SKPD runs these under <its first bidang>.01 (kegiatan + serial, kind, weight).
PENUNJANG = """
K 2.01 Perencanaan, Penganggaran, dan Evaluasi Kinerja Perangkat Daerah
S 0001 Penyusunan Dokumen Perencanaan Perangkat Daerah ; barjas 0.5
S 0002 Koordinasi dan Penyusunan Dokumen RKA-SKPD ; barjas 0.3
S 0006 Koordinasi dan Penyusunan Laporan Capaian Kinerja dan Ikhtisar Realisasi Kinerja SKPD ; barjas 0.3
S 0007 Evaluasi Kinerja Perangkat Daerah ; barjas 0.3
K 2.02 Administrasi Keuangan Perangkat Daerah
S 0001 Penyediaan Gaji dan Tunjangan ASN ; pegawai 1
S 0002 Penyediaan Administrasi Pelaksanaan Tugas ASN ; barjas 2
S 0005 Koordinasi dan Penyusunan Laporan Keuangan Akhir Tahun SKPD ; barjas 0.3
K 2.05 Administrasi Kepegawaian Perangkat Daerah
S 0009 Pendidikan dan Pelatihan Pegawai Berdasarkan Tugas dan Fungsi ; barjas 0.5
K 2.06 Administrasi Umum Perangkat Daerah
S 0001 Penyediaan Komponen Instalasi Listrik/Penerangan Bangunan Kantor ; barjas 0.3
S 0002 Penyediaan Peralatan dan Perlengkapan Kantor ; barjas 0.6
S 0004 Penyediaan Bahan Logistik Kantor ; barjas 0.8
S 0005 Penyediaan Barang Cetakan dan Penggandaan ; barjas 0.5
S 0009 Penyelenggaraan Rapat Koordinasi dan Konsultasi SKPD ; barjas 2
K 2.07 Pengadaan Barang Milik Daerah Penunjang Urusan Pemerintah Daerah
S 0002 Pengadaan Kendaraan Dinas Operasional atau Lapangan ; alat 1
S 0005 Pengadaan Mebel ; alat 0.3
S 0006 Pengadaan Peralatan dan Mesin Lainnya ; alat 0.6
K 2.08 Penyediaan Jasa Penunjang Urusan Pemerintahan Daerah
S 0001 Penyediaan Jasa Surat Menyurat ; barjas 0.2
S 0002 Penyediaan Jasa Komunikasi, Sumber Daya Air dan Listrik ; barjas 1.5
S 0004 Penyediaan Jasa Pelayanan Umum Kantor ; barjas 3
K 2.09 Pemeliharaan Barang Milik Daerah Penunjang Urusan Pemerintahan Daerah
S 0002 Penyediaan Jasa Pemeliharaan, Biaya Pemeliharaan, dan Pajak Kendaraan Perorangan Dinas atau Kendaraan Dinas Jabatan ; barjas 1
S 0009 Pemeliharaan/Rehabilitasi Gedung Kantor dan Bangunan Lainnya ; gedung 0.5
"""

# BLUD units (RSUD, puskesmas) run their own revenue-funded operations.
BLUD = """
K 2.10 Peningkatan Pelayanan BLUD
S 0001 Pelayanan dan Penunjang Pelayanan BLUD ; barjas 1
"""

PROGRAMS: dict[str, str] = {
    "Disdik": """
P 1.01.02 PROGRAM PENGELOLAAN PENDIDIKAN
K 2.01 Pengelolaan Pendidikan Sekolah Dasar
S 0001 Pembangunan Unit Sekolah Baru (USB) ; gedung 3 L
S 0003 Pembangunan Ruang Kelas Baru ; gedung 6 L
S 0009 Rehabilitasi Sedang/Berat Ruang Kelas Sekolah ; gedung 10 L
S 0019 Pembangunan Sarana, Prasarana dan Utilitas Sekolah ; gedung 4 L
S 0024 Pengadaan Perlengkapan Sekolah ; alat 3
S 0025 Pengadaan Alat Praktik dan Peraga Siswa ; alat 2
S 0036 Pengelolaan Dana BOS Sekolah Dasar ; barjas 450
S 0040 Penyediaan Pendidik dan Tenaga Kependidikan bagi Satuan Pendidikan Sekolah Dasar ; barjas 30
K 2.02 Pengelolaan Pendidikan Sekolah Menengah Pertama
S 0001 Pembangunan Unit Sekolah Baru (USB) ; gedung 2 L
S 0003 Pembangunan Ruang Kelas Baru ; gedung 4 L
S 0009 Rehabilitasi Sedang/Berat Ruang Kelas Sekolah ; gedung 6 L
S 0025 Pengadaan Alat Praktik dan Peraga Siswa ; alat 2
S 0036 Pengelolaan Dana BOS Sekolah Menengah Pertama ; barjas 300
S 0040 Penyediaan Pendidik dan Tenaga Kependidikan bagi Satuan Pendidikan Sekolah Menengah Pertama ; barjas 20
K 2.03 Pengelolaan Pendidikan Anak Usia Dini (PAUD)
S 0003 Pembangunan Ruang Kelas Baru PAUD ; gedung 1 L
S 0013 Pengelolaan Dana BOP PAUD ; barjas 40 S
S 0020 Penyelenggaraan Pendidikan Anak Usia Dini Holistik Integratif ; barjas 2 S
K 2.04 Pengelolaan Pendidikan Nonformal/Kesetaraan
S 0013 Pengelolaan Dana BOP Pendidikan Kesetaraan ; barjas 8
S 0020 Pembinaan Kelembagaan dan Manajemen Pendidikan Kesetaraan ; barjas 0.5
P 1.01.03 PROGRAM PENGEMBANGAN KURIKULUM
K 2.01 Penetapan Kurikulum Muatan Lokal Pendidikan Dasar
S 0001 Penyusunan Kurikulum Muatan Lokal Pendidikan Dasar ; barjas 0.5
K 2.02 Penetapan Kurikulum Muatan Lokal PAUD dan Pendidikan Nonformal
S 0001 Penyusunan Kurikulum Muatan Lokal PAUD dan Pendidikan Nonformal ; barjas 0.3
P 1.01.04 PROGRAM PENDIDIK DAN TENAGA KEPENDIDIKAN
K 2.01 Pemerataan Kuantitas dan Kualitas Pendidik dan Tenaga Kependidikan bagi Satuan Pendidikan Dasar, PAUD, dan Pendidikan Nonformal
S 0001 Perhitungan dan Pemetaan Pendidik dan Tenaga Kependidikan Satuan Pendidikan ; barjas 0.5
S 0002 Penataan Pendistribusian Pendidik dan Tenaga Kependidikan ; barjas 0.5
S 0003 Pengembangan Karir Pendidik dan Tenaga Kependidikan ; barjas 1.5
S 0004 Peningkatan Kompetensi Pendidik dan Tenaga Kependidikan ; barjas 2
K 2.02 Pemberian Tunjangan dan Penghargaan bagi Pendidik
S 0001 Pemberian Insentif bagi Guru Non-ASN ; hibah 20
""",
    "Dinkes": """
P 1.02.02 PROGRAM PEMENUHAN UPAYA KESEHATAN PERORANGAN DAN UPAYA KESEHATAN MASYARAKAT
K 2.01 Penyediaan Fasilitas Pelayanan Kesehatan untuk UKM dan UKP Kewenangan Daerah Kabupaten/Kota
S 0003 Pembangunan Puskesmas ; gedung 8 L
S 0012 Rehabilitasi dan Pemeliharaan Puskesmas ; gedung 4 L
S 0016 Pengadaan Obat, Bahan Habis Pakai, Bahan Medis Habis Pakai, Vaksin, Makanan dan Minuman di Fasilitas Kesehatan ; barjas 25
S 0020 Pengadaan Alat Kesehatan/Alat Penunjang Medik Fasilitas Pelayanan Kesehatan ; alat 12
S 0023 Pengadaan Alat Antropometri Terstandar untuk Posyandu ; alat 1.5 S
S 0029 Distribusi Alat Kesehatan, Obat, Vaksin, Bahan Medis Habis Pakai, Makanan dan Minuman ke Fasilitas Kesehatan ; barjas 1
K 2.02 Penyediaan Layanan Kesehatan untuk UKM dan UKP Rujukan Tingkat Daerah Kabupaten/Kota
S 0001 Pengelolaan Pelayanan Kesehatan Ibu Hamil ; barjas 2 SU
S 0002 Pengelolaan Pelayanan Kesehatan Ibu Bersalin ; barjas 2 U
S 0003 Pengelolaan Pelayanan Kesehatan Bayi Baru Lahir ; barjas 1 SU
S 0004 Pengelolaan Pelayanan Kesehatan Balita ; barjas 2 SU
S 0005 Pengelolaan Pelayanan Kesehatan pada Usia Pendidikan Dasar ; barjas 1 U
S 0006 Pengelolaan Pelayanan Kesehatan pada Usia Produktif ; barjas 1 U
S 0007 Pengelolaan Pelayanan Kesehatan pada Usia Lanjut ; barjas 1 U
S 0008 Pengelolaan Pelayanan Kesehatan Penderita Hipertensi ; barjas 1 U
S 0009 Pengelolaan Pelayanan Kesehatan Penderita Diabetes Melitus ; barjas 1 U
S 0010 Pengelolaan Pelayanan Kesehatan Orang dengan Gangguan Jiwa Berat ; barjas 1
S 0011 Pengelolaan Pelayanan Kesehatan Orang Terduga Tuberkulosis ; barjas 1 U
S 0012 Pengelolaan Pelayanan Kesehatan Orang dengan Risiko Terinfeksi HIV ; barjas 1
S 0015 Pengelolaan Pelayanan Kesehatan Lingkungan ; barjas 1 SU
S 0016 Pengelolaan Pelayanan Promosi Kesehatan ; barjas 1 U
S 0020 Pengelolaan Surveilans Kesehatan ; barjas 1 U
S 0024 Pengelolaan Pelayanan Kesehatan Gizi Masyarakat ; barjas 3 SU
S 0025 Penurunan Stunting: Pemberian Makanan Tambahan Lokal bagi Balita Gizi Kurang dan Ibu Hamil KEK ; barjas 6 S
S 0026 Penurunan Stunting: Pemberian Tablet Tambah Darah bagi Remaja Putri dan Ibu Hamil ; barjas 1.5 S
S 0033 Operasional Pelayanan Puskesmas ; barjas 3 U
S 0042 Pengelolaan Jaminan Kesehatan Masyarakat ; barjas 60
K 2.03 Penyelenggaraan Sistem Informasi Kesehatan secara Terintegrasi
S 0001 Pengelolaan Data dan Informasi Kesehatan ; barjas 1 S
P 1.02.03 PROGRAM PENINGKATAN KAPASITAS SUMBER DAYA MANUSIA KESEHATAN
K 2.02 Perencanaan Kebutuhan dan Pendayagunaan Sumber Daya Manusia Kesehatan untuk UKP dan UKM di Wilayah Kabupaten/Kota
S 0001 Pemenuhan Kebutuhan Sumber Daya Manusia Kesehatan ; barjas 4
K 2.03 Pengembangan Mutu dan Peningkatan Kompetensi Teknis Sumber Daya Manusia Kesehatan Tingkat Daerah Kabupaten/Kota
S 0001 Peningkatan Kompetensi dan Kualifikasi Sumber Daya Manusia Kesehatan ; barjas 1
P 1.02.04 PROGRAM SEDIAAN FARMASI, ALAT KESEHATAN DAN MAKANAN MINUMAN
K 2.06 Pemeriksaan dan Tindak Lanjut Hasil Pemeriksaan Post Market pada Produksi dan Produk Makanan Minuman Industri Rumah Tangga
S 0001 Pemeriksaan Post Market pada Produk Makanan-Minuman Industri Rumah Tangga yang Beredar ; barjas 0.5
P 1.02.05 PROGRAM PEMBERDAYAAN MASYARAKAT BIDANG KESEHATAN
K 2.01 Advokasi, Pemberdayaan, Kemitraan, Peningkatan Peran serta Masyarakat dan Lintas Sektor Tingkat Daerah Kabupaten/Kota
S 0001 Peningkatan Upaya Advokasi Kesehatan, Pemberdayaan, Penggalangan Kemitraan, Peran Serta Masyarakat dan Lintas Sektor ; barjas 1
K 2.03 Pengembangan dan Pelaksanaan Upaya Kesehatan Bersumber Daya Masyarakat (UKBM) Tingkat Daerah Kabupaten/Kota
S 0001 Bimbingan Teknis dan Supervisi Posyandu dan Upaya Kesehatan Bersumber Daya Masyarakat (UKBM) ; barjas 3 S
""",
    "DPUPR": """
P 1.03.02 PROGRAM PENGELOLAAN SUMBER DAYA AIR (SDA)
K 2.01 Pengelolaan SDA dan Bangunan Pengaman Pantai pada Wilayah Sungai dalam 1 (Satu) Daerah Kabupaten/Kota
S 0039 Normalisasi/Restorasi Sungai ; jalan 3 L
K 2.02 Pengembangan dan Pengelolaan Sistem Irigasi Primer dan Sekunder pada Daerah Irigasi yang Luasnya dibawah 1000 Ha
S 0001 Pembangunan Jaringan Irigasi Permukaan ; jalan 4 L
S 0010 Rehabilitasi Jaringan Irigasi Permukaan ; jalan 6 L
S 0015 Operasi dan Pemeliharaan Jaringan Irigasi Permukaan ; barjas 4
P 1.03.03 PROGRAM PENGELOLAAN DAN PENGEMBANGAN SISTEM PENYEDIAAN AIR MINUM
K 2.01 Pengelolaan dan Pengembangan Sistem Penyediaan Air Minum (SPAM) di Daerah Kabupaten/Kota
S 0001 Pembangunan SPAM Jaringan Perpipaan di Kawasan Perkotaan ; jalan 3 LS
S 0002 Pembangunan SPAM Jaringan Perpipaan di Kawasan Perdesaan ; jalan 3 LS
P 1.03.05 PROGRAM PENGELOLAAN DAN PENGEMBANGAN SISTEM AIR LIMBAH
K 2.01 Pengelolaan dan Pengembangan Sistem Air Limbah Domestik dalam Daerah Kabupaten/Kota
S 0003 Pembangunan Sistem Pengelolaan Air Limbah Domestik Setempat ; jalan 2 LS
P 1.03.06 PROGRAM PENGELOLAAN DAN PENGEMBANGAN SISTEM DRAINASE
K 2.01 Pengelolaan dan Pengembangan Sistem Drainase yang Terhubung Langsung dengan Sungai dalam Daerah Kabupaten/Kota
S 0005 Pembangunan Sistem Drainase Perkotaan ; jalan 3 L
S 0006 Pemeliharaan Sistem Drainase Perkotaan ; barjas 1
P 1.03.08 PROGRAM PENATAAN BANGUNAN GEDUNG
K 2.01 Penyelenggaraan Bangunan Gedung di Wilayah Daerah Kabupaten/Kota
S 0005 Pembangunan Bangunan Gedung untuk Kepentingan Strategis Daerah Kabupaten/Kota ; gedung 6
P 1.03.10 PROGRAM PENYELENGGARAAN JALAN
K 2.01 Penyelenggaraan Jalan Kabupaten/Kota
S 0001 Pembangunan Jalan ; jalan 12 L
S 0011 Rekonstruksi Jalan ; jalan 10 L
S 0012 Rehabilitasi Jalan ; jalan 14 L
S 0015 Pemeliharaan Berkala Jalan ; jalan 8 L
S 0016 Pemeliharaan Rutin Jalan ; barjas 6
S 0027 Pembangunan Jembatan ; jalan 6 L
S 0029 Rehabilitasi Jembatan ; jalan 4 L
S 0042 Survei Kondisi Jalan/Jembatan ; barjas 0.5
P 1.03.11 PROGRAM PENGEMBANGAN JASA KONSTRUKSI
K 2.01 Penyelenggaraan Pelatihan Tenaga Terampil Konstruksi
S 0001 Pelatihan Tenaga Terampil Konstruksi ; barjas 0.3
P 1.03.12 PROGRAM PENYELENGGARAAN PENATAAN RUANG
K 2.01 Penetapan Rencana Tata Ruang Wilayah (RTRW) dan Rencana Rinci Tata Ruang (RRTR) Kabupaten/Kota
S 0002 Penyusunan Rencana Detail Tata Ruang Kabupaten/Kota ; barjas 1.5
""",
    "Disperkimtan": """
P 1.04.02 PROGRAM PENGEMBANGAN PERUMAHAN
K 2.03 Pembangunan dan Rehabilitasi Rumah Korban Bencana atau Relokasi Program Kabupaten/Kota
S 0001 Rehabilitasi Rumah bagi Korban Bencana ; barjas 2 L
K 2.05 Fasilitasi Penyediaan Rumah Layak Huni bagi Masyarakat Berpenghasilan Rendah
S 0002 Perbaikan Rumah Tidak Layak Huni (Rutilahu) ; barjas 12 S
P 1.04.03 PROGRAM KAWASAN PERMUKIMAN
K 2.02 Peningkatan Kualitas Kawasan Permukiman Kumuh dengan Luas di Bawah 10 (Sepuluh) Ha
S 0002 Perbaikan Prasarana, Sarana dan Utilitas Umum di Kawasan Kumuh ; jalan 4 LS
P 1.04.05 PROGRAM PENINGKATAN PRASARANA, SARANA DAN UTILITAS UMUM (PSU)
K 2.01 Urusan Penyelenggaraan PSU Perumahan
S 0001 Penyediaan Prasarana, Sarana dan Utilitas Umum di Perumahan ; jalan 5 L
S 0005 Pemasangan Penerangan Jalan Lingkungan Permukiman ; jalan 1.5 L
P 2.10.05 PROGRAM PENGADAAN TANAH UNTUK KEPENTINGAN UMUM
K 2.01 Pengadaan Tanah untuk Kepentingan Umum
S 0001 Pelaksanaan Pengadaan Tanah untuk Kepentingan Umum ; tanah 10 L
""",
    "Satpol PP": """
P 1.05.02 PROGRAM PENINGKATAN KETENTERAMAN DAN KETERTIBAN UMUM
K 2.01 Penanganan Gangguan Ketenteraman dan Ketertiban Umum dalam 1 (Satu) Daerah Kabupaten/Kota
S 0001 Penanganan Gangguan Ketenteraman dan Ketertiban Umum ; barjas 3
S 0003 Operasi Penegakan Peraturan Daerah dan Peraturan Kepala Daerah ; barjas 2
P 1.05.04 PROGRAM PENCEGAHAN, PENANGGULANGAN, PENYELAMATAN KEBAKARAN DAN PENYELAMATAN NON KEBAKARAN
K 2.01 Pencegahan, Pengendalian, Pemadaman, Penyelamatan, dan Penanganan Bahan Berbahaya dan Beracun Kebakaran
S 0002 Pengadaan Sarana dan Prasarana Pemadam Kebakaran ; alat 5
S 0004 Pemberdayaan Masyarakat dalam Pencegahan Kebakaran ; barjas 0.5
""",
    "BPBD": """
P 1.05.03 PROGRAM PENANGGULANGAN BENCANA
K 2.01 Pelayanan Informasi Rawan Bencana Kabupaten/Kota
S 0001 Penyusunan Kajian Risiko Bencana ; barjas 0.5
K 2.02 Pelayanan Pencegahan dan Kesiapsiagaan terhadap Bencana
S 0001 Sosialisasi, Komunikasi, Informasi dan Edukasi (KIE) Rawan Bencana ; barjas 1
S 0005 Pengadaan Peralatan Kesiapsiagaan Bencana ; alat 1.5
K 2.03 Pelayanan Penyelamatan dan Evakuasi Korban Bencana
S 0001 Respon Cepat Darurat Bencana ; barjas 2
S 0003 Penyediaan Logistik Penyelamatan dan Evakuasi Korban Bencana ; barjas 1
""",
    "Dinsos": """
P 1.06.04 PROGRAM REHABILITASI SOSIAL
K 2.01 Rehabilitasi Sosial Dasar Penyandang Disabilitas Terlantar, Anak Terlantar, Lanjut Usia Terlantar serta Gelandangan Pengemis di Luar Panti Sosial
S 0001 Penyediaan Permakanan ; barjas 3
S 0002 Pemberian Bantuan Sosial bagi Penyandang Masalah Kesejahteraan Sosial ; bansos 8
S 0005 Pemberian Alat Bantu Penyandang Disabilitas ; barjas 1
P 1.06.05 PROGRAM PERLINDUNGAN DAN JAMINAN SOSIAL
K 2.01 Pemeliharaan Anak-Anak Terlantar
S 0001 Pengelolaan Data Fakir Miskin Cakupan Daerah Kabupaten/Kota (DTSEN) ; barjas 2
S 0002 Fasilitasi Verifikasi dan Validasi Data Penerima Bantuan Sosial ; barjas 2 S
P 1.06.06 PROGRAM PENANGANAN BENCANA
K 2.01 Perlindungan Sosial Korban Bencana Alam dan Sosial Kabupaten/Kota
S 0001 Penyediaan Makanan bagi Korban Bencana ; barjas 1
S 0003 Pemberian Bantuan Sosial bagi Korban Bencana ; bansos 5
P 1.06.07 PROGRAM PENGELOLAAN TAMAN MAKAM PAHLAWAN
K 2.01 Pemeliharaan Taman Makam Pahlawan Nasional Kabupaten/Kota
S 0001 Pemeliharaan Taman Makam Pahlawan ; barjas 0.3
""",
    "Disnakertrans": """
P 2.07.03 PROGRAM PELATIHAN KERJA DAN PRODUKTIVITAS TENAGA KERJA
K 2.01 Pelaksanaan Pelatihan berdasarkan Unit Kompetensi
S 0001 Proses Pelaksanaan Pendidikan dan Pelatihan Keterampilan bagi Pencari Kerja ; barjas 2
P 2.07.04 PROGRAM PENEMPATAN TENAGA KERJA
K 2.01 Pelayanan Antarkerja di Daerah Kabupaten/Kota
S 0001 Penyusunan Rencana dan Pelaksanaan Penempatan Tenaga Kerja ; barjas 0.8
S 0004 Pelayanan Kartu Pencari Kerja ; barjas 0.3
P 2.07.05 PROGRAM HUBUNGAN INDUSTRIAL
K 2.01 Pengesahan Peraturan Perusahaan dan Pendaftaran Perjanjian Kerja Bersama
S 0001 Pembinaan Hubungan Industrial ; barjas 0.5
P 3.32.02 PROGRAM PENGEMBANGAN KAWASAN TRANSMIGRASI
K 2.01 Penataan Persebaran Penduduk yang Berasal dari 1 (Satu) Daerah Kabupaten/Kota
S 0001 Sosialisasi dan Seleksi Calon Transmigran ; barjas 0.3
""",
    "DP2KBP3A": """
P 2.08.02 PROGRAM PENGARUSUTAMAAN GENDER DAN PEMBERDAYAAN PEREMPUAN
K 2.01 Pelembagaan Pengarusutamaan Gender (PUG) pada Lembaga Pemerintah Kewenangan Kabupaten/Kota
S 0001 Koordinasi dan Sinkronisasi Perumusan Kebijakan Pelaksanaan PUG ; barjas 0.5
P 2.08.05 PROGRAM PEMENUHAN HAK ANAK (PHA)
K 2.01 Pelembagaan PHA pada Lembaga Pemerintah, Nonpemerintah, dan Dunia Usaha Kewenangan Kabupaten/Kota
S 0001 Penguatan Kabupaten/Kota Layak Anak ; barjas 1
P 2.08.06 PROGRAM PERLINDUNGAN KHUSUS ANAK
K 2.01 Pencegahan Kekerasan terhadap Anak
S 0001 Pendampingan dan Penanganan Anak Korban Kekerasan ; barjas 1
K 2.02 Pencegahan Perkawinan Anak
S 0001 Sosialisasi dan Advokasi Pencegahan Perkawinan Anak ; barjas 0.8 S
P 2.14.02 PROGRAM PENGENDALIAN PENDUDUK
K 2.02 Pemaduan dan Sinkronisasi Kebijakan Pemerintah Daerah Provinsi dengan Pemerintah Daerah Kabupaten/Kota dalam Rangka Pengendalian Kuantitas Penduduk
S 0001 Pengelolaan Data Keluarga (Pendataan Keluarga) ; barjas 1.5 S
P 2.14.03 PROGRAM PEMBINAAN KELUARGA BERENCANA (KB)
K 2.01 Pelaksanaan Advokasi, Komunikasi, Informasi dan Edukasi (KIE) Pengendalian Penduduk dan KB
S 0001 Penyediaan Biaya Operasional Penyuluh dan Kader KB ; barjas 3
K 2.02 Pendayagunaan Tenaga Penyuluh KB/Petugas Lapangan KB (PKB/PLKB)
S 0002 Operasional Balai Penyuluhan KB ; barjas 2 L
K 2.03 Pengendalian dan Pendistribusian Kebutuhan Alat dan Obat Kontrasepsi
S 0001 Penyediaan Alat dan Obat Kontrasepsi ; barjas 1.5
P 2.14.04 PROGRAM PEMBERDAYAAN DAN PENINGKATAN KELUARGA SEJAHTERA (KS)
K 2.01 Pelaksanaan Pembangunan Keluarga melalui Pembinaan Ketahanan dan Kesejahteraan Keluarga
S 0001 Penurunan Stunting: Pendampingan Keluarga Berisiko Stunting oleh Tim Pendamping Keluarga ; barjas 6 S
S 0002 Penurunan Stunting: Pembinaan Bina Keluarga Balita dan Dapur Sehat Atasi Stunting (DASHAT) ; barjas 2 S
S 0003 Pelaksanaan Audit Kasus Stunting ; barjas 0.8 S
S 0004 Pendampingan Calon Pengantin dan Pemeriksaan Kesehatan Pranikah ; barjas 1 S
""",
    "DKP": """
P 2.09.02 PROGRAM PENGELOLAAN SUMBER DAYA EKONOMI UNTUK KEDAULATAN DAN KEMANDIRIAN PANGAN
K 2.01 Penyediaan Infrastruktur dan Seluruh Pendukung Kemandirian Pangan
S 0003 Pemberdayaan Pekarangan Pangan Lestari ; barjas 1.5 S
P 2.09.03 PROGRAM PENINGKATAN DIVERSIFIKASI DAN KETAHANAN PANGAN MASYARAKAT
K 2.01 Pelaksanaan Pencapaian Target Konsumsi Pangan Perkapita/Tahun
S 0001 Penyediaan dan Penyaluran Pangan Pokok bagi Masyarakat Rawan Pangan ; barjas 2 S
S 0002 Promosi Penganekaragaman Konsumsi Pangan Beragam, Bergizi Seimbang dan Aman ; barjas 0.8 S
P 2.09.05 PROGRAM PENGAWASAN KEAMANAN PANGAN
K 2.01 Pelaksanaan Pengawasan Keamanan Pangan Segar Daerah Kabupaten/Kota
S 0001 Pengawasan Keamanan Pangan Segar ; barjas 0.5
""",
    "DLHK": """
P 2.11.02 PROGRAM PERENCANAAN LINGKUNGAN HIDUP
K 2.01 Rencana Perlindungan dan Pengelolaan Lingkungan Hidup (RPPLH) Kabupaten/Kota
S 0001 Penyusunan Dokumen Kajian Lingkungan Hidup Strategis ; barjas 0.5
P 2.11.03 PROGRAM PENGENDALIAN PENCEMARAN DAN/ATAU KERUSAKAN LINGKUNGAN HIDUP
K 2.01 Pencegahan Pencemaran dan/atau Kerusakan Lingkungan Hidup
S 0001 Pemantauan Kualitas Air, Udara dan Tanah ; barjas 1
P 2.11.11 PROGRAM PENGELOLAAN PERSAMPAHAN
K 2.01 Pengelolaan Sampah
S 0001 Penanganan Sampah dengan Pengangkutan ke TPA ; barjas 10
S 0002 Pengadaan Armada Pengangkut Sampah ; alat 4
S 0003 Pembangunan dan Pengembangan TPS3R dan Tempat Pemrosesan Akhir ; gedung 3 L
S 0004 Operasional dan Pemeliharaan TPA ; barjas 3
P 2.11.09 PROGRAM PENGHARGAAN LINGKUNGAN HIDUP UNTUK MASYARAKAT
K 2.01 Pemberian Penghargaan Lingkungan Hidup
S 0001 Penilaian Sekolah Adiwiyata dan Kampung Iklim ; barjas 0.5
""",
    "Disdukcapil": """
P 2.12.02 PROGRAM PENDAFTARAN PENDUDUK
K 2.01 Pelayanan Pendaftaran Penduduk
S 0001 Pelayanan Perekaman dan Pencetakan KTP-el ; barjas 2
S 0002 Pelayanan Kartu Keluarga dan Pendaftaran Pindah Datang ; barjas 1.5
S 0004 Jemput Bola Pelayanan Administrasi Kependudukan di Desa ; barjas 1 L
P 2.12.03 PROGRAM PENCATATAN SIPIL
K 2.01 Pelayanan Pencatatan Sipil
S 0001 Pelayanan Akta Kelahiran, Akta Kematian dan Kartu Identitas Anak ; barjas 1.5 S
P 2.12.04 PROGRAM PENGELOLAAN INFORMASI ADMINISTRASI KEPENDUDUKAN
K 2.01 Pengumpulan Data Kependudukan dan Pemanfaatan dan Penyajian Database Kependudukan
S 0001 Pengelolaan Database Kependudukan dan Pemanfaatan Data oleh OPD ; barjas 1.5
S 0002 Pengadaan Perangkat Keras Sistem Informasi Administrasi Kependudukan ; alat 2
""",
    "DPMD": """
P 2.13.02 PROGRAM PENATAAN DESA
K 2.01 Penyelenggaraan Penataan Desa
S 0002 Fasilitasi Penataan dan Penegasan Batas Desa ; barjas 0.5
P 2.13.04 PROGRAM ADMINISTRASI PEMERINTAHAN DESA
K 2.01 Pembinaan dan Pengawasan Penyelenggaraan Administrasi Pemerintahan Desa
S 0001 Fasilitasi Pengelolaan Keuangan Desa dan Siskeudes ; barjas 1
S 0004 Peningkatan Kapasitas Aparatur Pemerintah Desa ; barjas 2
P 2.13.05 PROGRAM PEMBERDAYAAN LEMBAGA KEMASYARAKATAN, LEMBAGA ADAT DAN MASYARAKAT HUKUM ADAT
K 2.01 Pemberdayaan Lembaga Kemasyarakatan yang Bergerak di Bidang Pemberdayaan Desa dan Lembaga Adat Tingkat Daerah Kabupaten/Kota
S 0001 Peningkatan Kapasitas Kader Pemberdayaan Masyarakat dan Kader Pembangunan Manusia (KPM) ; barjas 2 S
S 0002 Fasilitasi Tim Penggerak PKK dalam Penyelenggaraan Gerakan Pemberdayaan Masyarakat dan Kesejahteraan Keluarga ; hibah 3 S
S 0003 Pembinaan Badan Usaha Milik Desa (BUMDes) ; barjas 0.8
""",
    "Dishub": """
P 2.15.02 PROGRAM PENYELENGGARAAN LALU LINTAS DAN ANGKUTAN JALAN (LLAJ)
K 2.01 Penetapan Rencana Induk Jaringan LLAJ Kabupaten/Kota
S 0001 Penyusunan Dokumen Rencana Induk Jaringan LLAJ ; barjas 0.5
K 2.02 Penyediaan Perlengkapan Jalan di Jalan Kabupaten/Kota
S 0001 Pengadaan dan Pemasangan Rambu, Marka dan Alat Penerangan Jalan ; jalan 4 L
S 0005 Pemeliharaan Penerangan Jalan Umum ; barjas 5
K 2.05 Pengujian Berkala Kendaraan Bermotor
S 0001 Pelaksanaan Uji Berkala Kendaraan Bermotor ; barjas 1
K 2.07 Pengelolaan Terminal Penumpang Tipe C
S 0002 Pemeliharaan dan Rehabilitasi Terminal Tipe C ; gedung 1.5 L
""",
    "Diskominfosanditik": """
P 2.16.02 PROGRAM INFORMASI DAN KOMUNIKASI PUBLIK
K 2.01 Pengelolaan Informasi dan Komunikasi Publik Pemerintah Daerah Kabupaten/Kota
S 0002 Pengelolaan Konten dan Perencanaan Media Komunikasi Publik ; barjas 2
S 0005 Layanan Pengaduan Masyarakat (SP4N-LAPOR!) dan Layanan Informasi Publik ; barjas 0.8
P 2.16.03 PROGRAM APLIKASI INFORMATIKA
K 2.01 Pengelolaan Nama Domain yang telah Ditetapkan oleh Pemerintah Pusat dan Sub Domain di Lingkup Pemerintah Daerah Kabupaten/Kota
S 0001 Pengelolaan Nama Domain dan Sub Domain ; barjas 0.2
K 2.02 Pengelolaan e-Government di Lingkup Pemerintah Daerah Kabupaten/Kota
S 0001 Pengelolaan Pusat Data dan Jaringan Intra Pemerintah Daerah ; barjas 4
S 0002 Pengembangan Aplikasi dan Integrasi Layanan SPBE ; barjas 3
S 0004 Pengelolaan Command Center dan Satu Data Kabupaten ; barjas 2
S 0005 Pengadaan Perangkat Jaringan dan Pusat Data ; alat 4
P 2.20.02 PROGRAM PENYELENGGARAAN STATISTIK SEKTORAL
K 2.01 Penyelenggaraan Statistik Sektoral di Lingkup Daerah Kabupaten/Kota
S 0001 Penyelenggaraan Satu Data Indonesia Tingkat Kabupaten/Kota ; barjas 1 S
P 2.21.02 PROGRAM PENYELENGGARAAN PERSANDIAN UNTUK PENGAMANAN INFORMASI
K 2.01 Penyelenggaraan Persandian untuk Pengamanan Informasi Pemerintah Daerah Kabupaten/Kota
S 0001 Pelaksanaan Keamanan Informasi Pemerintahan Daerah Kabupaten/Kota ; barjas 1
""",
    "Diskopukm": """
P 2.17.05 PROGRAM PENDIDIKAN DAN LATIHAN PERKOPERASIAN
K 2.01 Pendidikan dan Latihan Perkoperasian bagi Koperasi yang Wilayah Keanggotaan dalam Daerah Kabupaten/Kota
S 0001 Peningkatan Kapasitas Pengurus dan Anggota Koperasi ; barjas 0.8
P 2.17.08 PROGRAM PEMBERDAYAAN USAHA MENENGAH, USAHA KECIL, DAN USAHA MIKRO (UMKM)
K 2.01 Pemberdayaan Usaha Mikro yang Dilakukan melalui Pendataan, Kemitraan, Kemudahan Perizinan, Penguatan Kelembagaan dan Koordinasi dengan Para Pemangku Kepentingan
S 0001 Fasilitasi Pemberdayaan, Kemitraan dan Pemasaran Produk Usaha Mikro ; barjas 2
S 0002 Pendataan Potensi dan Pengembangan Usaha Mikro ; barjas 0.6
""",
    "DPMPTSP": """
P 2.18.02 PROGRAM PENGEMBANGAN IKLIM PENANAMAN MODAL
K 2.01 Penetapan Pemberian Fasilitas/Insentif di Bidang Penanaman Modal
S 0001 Penyusunan Kebijakan Insentif dan Kemudahan Berusaha ; barjas 0.5
P 2.18.03 PROGRAM PROMOSI PENANAMAN MODAL
K 2.01 Penyelenggaraan Promosi Penanaman Modal
S 0001 Pelaksanaan Kegiatan Promosi Penanaman Modal ; barjas 1
P 2.18.04 PROGRAM PELAYANAN PENANAMAN MODAL
K 2.01 Pelayanan Perizinan dan Nonperizinan secara Terpadu Satu Pintu
S 0001 Pelayanan Perizinan Berusaha melalui OSS dan Mal Pelayanan Publik ; barjas 2
S 0004 Pengadaan Sarana Mal Pelayanan Publik ; alat 1
P 2.18.05 PROGRAM PENGENDALIAN PELAKSANAAN PENANAMAN MODAL
K 2.01 Pengendalian Pelaksanaan Penanaman Modal yang Menjadi Kewenangan Daerah Kabupaten/Kota
S 0001 Pemantauan Laporan Kegiatan Penanaman Modal (LKPM) ; barjas 0.5
""",
    "Disparbudpora": """
P 2.19.02 PROGRAM PENGEMBANGAN KAPASITAS DAYA SAING KEPEMUDAAN
K 2.01 Penyadaran, Pemberdayaan, dan Pengembangan Pemuda dan Kepemudaan Kabupaten/Kota
S 0001 Pelatihan Kepemimpinan dan Kewirausahaan Pemuda ; barjas 1
P 2.19.03 PROGRAM PENGEMBANGAN DAYA SAING KEOLAHRAGAAN
K 2.01 Pembinaan dan Pengembangan Olahraga Prestasi Tingkat Daerah Kabupaten/Kota
S 0001 Fasilitasi Komite Olahraga Nasional Indonesia Kabupaten ; hibah 6
S 0004 Pemeliharaan dan Rehabilitasi Sarana Olahraga ; gedung 2 L
P 2.22.02 PROGRAM PENGEMBANGAN KEBUDAYAAN
K 2.01 Pengelolaan Kebudayaan yang Masyarakat Pelakunya dalam Daerah Kabupaten/Kota
S 0001 Penyelenggaraan Festival Kebudayaan Daerah ; barjas 2
P 3.26.02 PROGRAM PENINGKATAN DAYA TARIK DESTINASI PARIWISATA
K 2.01 Pengelolaan Daya Tarik Wisata Kabupaten/Kota
S 0002 Pembangunan dan Penataan Destinasi Wisata ; gedung 3 L
P 3.26.03 PROGRAM PEMASARAN PARIWISATA
K 2.01 Pemasaran Pariwisata Dalam dan Luar Negeri Daya Tarik, Destinasi dan Kawasan Strategis Pariwisata Kabupaten/Kota
S 0001 Penyelenggaraan Promosi dan Event Pariwisata ; barjas 1.5
""",
    "Disarpus": """
P 2.23.02 PROGRAM PEMBINAAN PERPUSTAKAAN
K 2.01 Pengelolaan Perpustakaan Tingkat Daerah Kabupaten/Kota
S 0001 Pengembangan Koleksi dan Layanan Perpustakaan Keliling ; barjas 1
S 0002 Pengadaan Buku Koleksi Perpustakaan ; aset 1
S 0004 Pembinaan Perpustakaan Desa dan Sekolah ; barjas 0.6
P 2.24.02 PROGRAM PENGELOLAAN ARSIP
K 2.01 Pengelolaan Arsip Dinamis Pemerintah Daerah Kabupaten/Kota
S 0001 Pengelolaan Arsip Dinamis dan Alih Media Arsip ; barjas 0.8
""",
    "Diskanak": """
P 3.25.03 PROGRAM PENGELOLAAN PERIKANAN BUDIDAYA
K 2.01 Pemberdayaan Pembudi Daya Ikan Kecil
S 0001 Pemberian Benih Ikan dan Sarana Budidaya bagi Pembudi Daya Ikan Kecil ; barjas 2 S
P 3.27.05 PROGRAM PENGENDALIAN KESEHATAN HEWAN DAN KESEHATAN MASYARAKAT VETERINER
K 2.01 Penjaminan Kesehatan Hewan, Penutupan dan Pembukaan Daerah Wabah Penyakit Hewan Menular
S 0001 Vaksinasi dan Pengendalian Penyakit Hewan Menular ; barjas 1.5
K 2.02 Pengawasan Pemasukan dan Pengeluaran Hewan dan Produk Hewan ke dan dari Daerah Kabupaten/Kota
S 0001 Pengelolaan Rumah Potong Hewan ; barjas 0.6
""",
    "Distan": """
P 3.27.02 PROGRAM PENYEDIAAN DAN PENGEMBANGAN SARANA PERTANIAN
K 2.01 Pengawasan Penggunaan Sarana Pendukung Pertanian sesuai dengan Komoditas, Teknologi dan Spesifik Lokasi
S 0001 Pengawasan Distribusi Pupuk Bersubsidi dan Pestisida ; barjas 1
K 2.02 Pengelolaan Sumber Daya Genetik Hewan, Tumbuhan dan Mikro Organisme
S 0003 Penyediaan Benih/Bibit Tanaman Pangan dan Hortikultura ; barjas 4
P 3.27.03 PROGRAM PENYEDIAAN DAN PENGEMBANGAN PRASARANA PERTANIAN
K 2.01 Pembangunan Prasarana Pertanian
S 0001 Pembangunan Jaringan Irigasi Tersier dan Jalan Usaha Tani ; jalan 5 L
S 0004 Pengadaan Alat dan Mesin Pertanian ; alat 4
P 3.27.07 PROGRAM PENYULUHAN PERTANIAN
K 2.01 Pelaksanaan Penyuluhan Pertanian
S 0001 Operasional Balai Penyuluhan Pertanian ; barjas 2 L
S 0002 Pelatihan dan Pendampingan Kelompok Tani ; barjas 1.5
""",
    "Disdagin": """
P 3.30.03 PROGRAM PENINGKATAN SARANA DISTRIBUSI PERDAGANGAN
K 2.01 Pembangunan dan Pengelolaan Sarana Distribusi Perdagangan
S 0001 Revitalisasi Pasar Rakyat ; gedung 5 L
S 0003 Pengelolaan dan Pemeliharaan Pasar Rakyat ; barjas 2
P 3.30.04 PROGRAM STABILISASI HARGA BARANG KEBUTUHAN POKOK DAN BARANG PENTING
K 2.01 Menjamin Ketersediaan, Stabilitas Harga, dan Pasokan Barang Kebutuhan Pokok dan Barang Penting di Tingkat Daerah Kabupaten/Kota
S 0001 Operasi Pasar dan Pemantauan Harga Barang Kebutuhan Pokok ; barjas 1.5
P 3.31.04 PROGRAM PENGENDALIAN IZIN USAHA INDUSTRI KABUPATEN/KOTA
K 2.01 Pengembangan Industri Kecil dan Menengah
S 0001 Pembinaan dan Pendampingan Industri Kecil dan Menengah (Tahu dan Olahan Pangan) ; barjas 1
""",
    "Setda": """
P 4.01.02 PROGRAM PEMERINTAHAN DAN KESEJAHTERAAN RAKYAT
K 2.01 Pelaksanaan Kebijakan Pemerintahan
S 0001 Fasilitasi Kerja Sama Daerah dan Otonomi Daerah ; barjas 1
K 2.02 Pelaksanaan Kebijakan Kesejahteraan Rakyat
S 0001 Fasilitasi Pengembangan Keagamaan dan Hibah Lembaga Keagamaan ; hibah 5
S 0003 Fasilitasi Penyelenggaraan Musabaqah Tilawatil Quran ; barjas 1
P 4.01.03 PROGRAM PEREKONOMIAN DAN PEMBANGUNAN
K 2.01 Pelaksanaan Administrasi Pengadaan Barang dan Jasa
S 0001 Pengelolaan Layanan Pengadaan Secara Elektronik (LPSE) ; barjas 1
K 2.02 Pengendalian Pelaksanaan Kebijakan BUMD dan BLUD
S 0001 Pembinaan dan Evaluasi Kinerja BUMD ; barjas 0.5
P 4.01.04 PROGRAM PEMERINTAHAN UMUM, HUKUM DAN ORGANISASI
K 2.01 Fasilitasi Penyusunan Produk Hukum Daerah
S 0001 Penyusunan Peraturan Daerah dan Peraturan Kepala Daerah ; barjas 1.5
K 2.02 Pelaksanaan Reformasi Birokrasi dan Pelayanan Publik
S 0001 Evaluasi Standar Pelayanan, Survei Kepuasan Masyarakat dan Mal Pelayanan Publik ; barjas 1
S 0002 Fasilitasi Pelaksanaan SAKIP dan Reformasi Birokrasi ; barjas 0.8
K 2.03 Pelayanan Rumah Tangga dan Protokol Kepala Daerah
S 0001 Penyediaan Kebutuhan Rumah Tangga Kepala Daerah dan Wakil Kepala Daerah ; barjas 4
S 0002 Pelaksanaan Keprotokolan dan Komunikasi Pimpinan ; barjas 2
""",
    "Setwan": """
P 4.02.02 PROGRAM DUKUNGAN PELAKSANAAN TUGAS DAN FUNGSI DPRD
K 2.01 Pembentukan Peraturan Daerah dan Peraturan DPRD
S 0001 Penyusunan dan Pembahasan Program Pembentukan Peraturan Daerah ; barjas 4
K 2.02 Pembahasan Kebijakan Anggaran
S 0001 Pembahasan KUA-PPAS, APBD dan Pertanggungjawaban APBD ; barjas 5
K 2.03 Pengawasan Penyelenggaraan Pemerintahan
S 0001 Rapat-Rapat Alat Kelengkapan Dewan dan Kunjungan Kerja ; barjas 12
K 2.04 Peningkatan Kapasitas DPRD
S 0001 Pendidikan dan Pelatihan Pimpinan dan Anggota DPRD ; barjas 3
K 2.05 Penyerapan dan Penghimpunan Aspirasi Masyarakat
S 0001 Pelaksanaan Reses ; barjas 8
K 2.06 Pelaksanaan dan Pengawasan Kode Etik DPRD
S 0001 Penyelenggaraan Administrasi Keuangan DPRD ; pegawai 0.5
""",
    "Bapperida": """
P 5.01.02 PROGRAM PERENCANAAN, PENGENDALIAN DAN EVALUASI PEMBANGUNAN DAERAH
K 2.01 Penyusunan Perencanaan dan Pendanaan
S 0001 Penyusunan RKPD dan Musrenbang Kabupaten ; barjas 1.5
K 2.02 Analisis Data dan Informasi Perencanaan Pembangunan Daerah
S 0001 Pengelolaan Data dan Informasi Pembangunan Daerah ; barjas 0.6
K 2.03 Pengendalian, Evaluasi dan Pelaporan Pembangunan Daerah
S 0001 Evaluasi dan Pelaporan Kinerja Pembangunan Daerah ; barjas 0.6
P 5.01.03 PROGRAM KOORDINASI DAN SINKRONISASI PERENCANAAN PEMBANGUNAN DAERAH
K 2.01 Koordinasi Perencanaan Bidang Pemerintahan dan Pembangunan Manusia
S 0001 Koordinasi Konvergensi Percepatan Penurunan Stunting (Rembuk Stunting dan Aksi Konvergensi) ; barjas 1.5 S
S 0002 Koordinasi Penanggulangan Kemiskinan Daerah ; barjas 0.8
P 5.05.02 PROGRAM RISET DAN INOVASI DAERAH
K 2.01 Penelitian dan Pengembangan Daerah
S 0001 Pengelolaan Inovasi Daerah dan Kompetisi Inovasi Pelayanan Publik ; barjas 1
""",
    "BPKAD": """
P 5.02.02 PROGRAM PENGELOLAAN KEUANGAN DAERAH
K 2.01 Koordinasi dan Penyusunan Rencana Anggaran Daerah
S 0001 Koordinasi, Penyusunan dan Verifikasi RKA-SKPD dan DPA-SKPD ; barjas 1
K 2.02 Koordinasi dan Pengelolaan Perbendaharaan Daerah
S 0001 Koordinasi dan Pengelolaan Kas Daerah ; barjas 1
K 2.03 Koordinasi dan Pelaksanaan Akuntansi dan Pelaporan Keuangan Daerah
S 0001 Penyusunan Laporan Keuangan Pemerintah Daerah ; barjas 1
K 2.04 Penunjang Urusan Kewenangan Pengelolaan Keuangan Daerah
S 0001 Pengelolaan Dana Darurat dan Mendesak (Belanja Tidak Terduga) ; btt 1
S 0002 Penyaluran Hibah kepada Badan, Lembaga dan Organisasi Kemasyarakatan ; hibah 40
S 0003 Penyaluran Bantuan Sosial kepada Individu dan Keluarga ; bansos 6
S 0004 Penyaluran Bagi Hasil Pajak dan Retribusi Daerah kepada Pemerintah Desa ; bagihasil 1
S 0005 Penyaluran Dana Desa ; bankeu 55
S 0006 Penyaluran Alokasi Dana Desa ; bankeu 32
S 0007 Penyaluran Bantuan Keuangan Khusus kepada Pemerintah Desa ; bankeu 12
S 0008 Penyaluran Bantuan Keuangan kepada Partai Politik ; bankeu 0.3
P 5.02.03 PROGRAM PENGELOLAAN BARANG MILIK DAERAH
K 2.01 Pengelolaan Barang Milik Daerah
S 0001 Penatausahaan dan Inventarisasi Barang Milik Daerah ; barjas 1
S 0003 Pengamanan dan Sertifikasi Barang Milik Daerah ; barjas 0.8
""",
    "Bapenda": """
P 5.02.04 PROGRAM PENGELOLAAN PENDAPATAN DAERAH
K 2.01 Pengelolaan Pendapatan Daerah
S 0001 Pendataan dan Pendaftaran Objek Pajak Daerah ; barjas 1.5
S 0002 Penetapan Wajib Pajak Daerah dan Pemutakhiran Data PBB-P2 ; barjas 1.5
S 0004 Pelayanan dan Penagihan Pajak Daerah ; barjas 2
S 0005 Pengembangan Sistem Pajak Daerah Online ; barjas 1
""",
    "BKPSDM": """
P 5.03.02 PROGRAM KEPEGAWAIAN DAERAH
K 2.01 Pengadaan, Pemberhentian dan Informasi Kepegawaian ASN
S 0001 Pengadaan ASN dan PPPK ; barjas 1.5
S 0003 Pengelolaan Sistem Informasi Kepegawaian ; barjas 0.6
K 2.02 Mutasi dan Promosi ASN
S 0001 Pengelolaan Manajemen Talenta dan Sistem Merit ; barjas 0.6
K 2.04 Pengembangan Kompetensi ASN
S 0001 Penyelenggaraan Pelatihan Kepemimpinan dan Teknis ASN ; barjas 2
K 2.05 Penilaian dan Evaluasi Kinerja Aparatur
S 0001 Pengelolaan Penilaian Kinerja ASN ; barjas 0.5
""",
    "Inspektorat": """
P 6.01.02 PROGRAM PENYELENGGARAAN PENGAWASAN
K 2.01 Penyelenggaraan Pengawasan Internal
S 0001 Pengawasan Kinerja dan Keuangan Perangkat Daerah ; barjas 2
S 0002 Pengawasan Pengelolaan Keuangan Desa ; barjas 1
K 2.02 Penyelenggaraan Pengawasan dengan Tujuan Tertentu
S 0001 Pemeriksaan Khusus dan Penanganan Pengaduan Masyarakat ; barjas 0.6
P 6.01.03 PROGRAM PERUMUSAN KEBIJAKAN, PENDAMPINGAN DAN ASISTENSI
K 2.01 Pendampingan dan Asistensi
S 0001 Reviu Laporan Keuangan dan Pendampingan Pemeriksaan BPK ; barjas 0.8
""",
    "Kesbangpol": """
P 8.01.02 PROGRAM PENGUATAN IDEOLOGI PANCASILA DAN KARAKTER KEBANGSAAN
K 2.01 Perumusan Kebijakan Teknis dan Pelaksanaan Pemantapan Pembinaan Ideologi Pancasila
S 0001 Penguatan Wawasan Kebangsaan ; barjas 0.6
P 8.01.04 PROGRAM PEMBERDAYAAN DAN PENGAWASAN ORGANISASI KEMASYARAKATAN
K 2.01 Pelaksanaan Kebijakan di Bidang Pemberdayaan dan Pengawasan Organisasi Kemasyarakatan
S 0001 Pembinaan Organisasi Kemasyarakatan ; barjas 0.5
P 8.01.06 PROGRAM PEMBINAAN DAN PENGEMBANGAN KETAHANAN EKONOMI, SOSIAL, DAN BUDAYA
K 2.01 Pelaksanaan Kebijakan di Bidang Ketahanan Ekonomi, Sosial dan Budaya
S 0001 Forum Kewaspadaan Dini Masyarakat dan Forum Kerukunan Umat Beragama ; barjas 0.6
""",
}

# The regional hospital (a BLUD sub-unit of Dinkes) besides the common SKPD block and BLUD.
RSUD = """
P 1.02.02 PROGRAM PEMENUHAN UPAYA KESEHATAN PERORANGAN DAN UPAYA KESEHATAN MASYARAKAT
K 2.01 Penyediaan Fasilitas Pelayanan Kesehatan untuk UKM dan UKP Kewenangan Daerah Kabupaten/Kota
S 0010 Rehabilitasi dan Pemeliharaan Rumah Sakit ; gedung 3
S 0020 Pengadaan Alat Kesehatan/Alat Penunjang Medik Fasilitas Pelayanan Kesehatan ; alat 8
"""

# Every kecamatan (7.01); its kelurahan (sub-units) run the KELURAHAN block.
KECAMATAN = """
P 7.01.02 PROGRAM PENYELENGGARAAN PEMERINTAHAN DAN PELAYANAN PUBLIK
K 2.01 Koordinasi Penyelenggaraan Kegiatan Pemerintahan di Tingkat Kecamatan
S 0001 Koordinasi/Sinergi Perencanaan dan Pelaksanaan Kegiatan Pemerintahan dengan Perangkat Daerah dan Instansi Vertikal ; barjas 0.5
K 2.02 Penyelenggaraan Pelayanan Administrasi Terpadu Kecamatan
S 0001 Pelayanan Administrasi Terpadu Kecamatan (PATEN) ; barjas 0.6
P 7.01.03 PROGRAM PEMBERDAYAAN MASYARAKAT DESA DAN KELURAHAN
K 2.01 Koordinasi Pemberdayaan Desa
S 0001 Fasilitasi Musyawarah Perencanaan Pembangunan Kecamatan ; barjas 0.5
S 0002 Fasilitasi Percepatan Penurunan Stunting di Desa ; barjas 0.4 S
P 7.01.04 PROGRAM KOORDINASI KETENTERAMAN DAN KETERTIBAN UMUM
K 2.01 Koordinasi Upaya Penyelenggaraan Ketenteraman dan Ketertiban Umum
S 0001 Sinergi dengan Kepolisian, TNI dan Instansi Vertikal dalam Ketenteraman dan Ketertiban ; barjas 0.4
P 7.01.05 PROGRAM PENYELENGGARAAN URUSAN PEMERINTAHAN UMUM
K 2.01 Koordinasi Penerapan dan Penegakan Peraturan Daerah dan Peraturan Kepala Daerah
S 0001 Koordinasi Penerapan dan Penegakan Perda dan Perkada ; barjas 0.3
P 7.01.06 PROGRAM PEMBINAAN DAN PENGAWASAN PENYELENGGARAAN PEMERINTAHAN DESA
K 2.01 Fasilitasi, Rekomendasi dan Koordinasi Pembinaan dan Pengawasan Pemerintahan Desa
S 0001 Fasilitasi Penyusunan Perencanaan dan Pengelolaan Keuangan Desa ; barjas 0.5
S 0002 Evaluasi Penyelenggaraan Pemerintahan Desa dan Pembinaan Administrasi Desa ; barjas 0.4
"""

KELURAHAN = """
P 7.01.03 PROGRAM PEMBERDAYAAN MASYARAKAT DESA DAN KELURAHAN
K 2.02 Peningkatan Pembangunan Sarana dan Prasarana Kelurahan
S 0001 Pembangunan Sarana dan Prasarana Kelurahan ; jalan 0.12
S 0002 Pemeliharaan/Rehabilitasi Sarana dan Prasarana Kelurahan ; barjas 0.4
S 0003 Pemberdayaan Masyarakat di Kelurahan ; barjas 0.3 S
"""


@dataclass(frozen=True)
class Line:
    program_code: str
    program: str
    kegiatan: str
    code: str  # full sub kegiatan code
    name: str
    kind: str
    weight: float
    located: bool
    stunting: bool
    puskesmas: bool


def parse(text: str, program_code: str = "", program: str = "") -> list[Line]:
    """Read the nomenclature lines (see module docstring)."""
    lines, kegiatan_code, kegiatan = [], "", ""
    for raw in text.strip().splitlines():
        tag, code, rest = raw.split(" ", 2)
        if tag == "P":
            program_code, program = code, rest
        elif tag == "K":
            kegiatan_code, kegiatan = code, rest
        else:
            name, _, spec = rest.partition(" ; ")
            kind, weight, flags = (*spec.split(), "", "", "")[:3]
            lines.append(
                Line(program_code, program, kegiatan, f"{program_code}.{kegiatan_code}.{code}", name.strip(),
                     kind or "barjas", float(weight or 1), "L" in flags, "S" in flags, "U" in flags)
            )
    return lines


# Revenue objects (code, name, collecting agency, share of total revenue, share realised by
# the end of October and its spread). Codes follow Permendagri 90/2019 with UU 1/2022 (HKPD)
# tax names (PBJT, opsen); serials at the last level are illustrative.
REVENUE = (
    ("4.1.01.06", "Pajak Reklame", "Bapenda", 0.0012, 0.75, 0.10),
    ("4.1.01.09", "Pajak Air Tanah", "Bapenda", 0.0005, 0.80, 0.08),
    ("4.1.01.11", "Pajak Mineral Bukan Logam dan Batuan", "Bapenda", 0.0020, 0.70, 0.15),
    ("4.1.01.12", "Pajak Bumi dan Bangunan Perdesaan dan Perkotaan (PBB-P2)", "Bapenda", 0.0120, 0.82, 0.08),
    ("4.1.01.13", "Bea Perolehan Hak atas Tanah dan Bangunan (BPHTB)", "Bapenda", 0.0180, 0.85, 0.20),
    ("4.1.01.19", "Pajak Barang dan Jasa Tertentu (PBJT) atas Makanan dan/atau Minuman", "Bapenda", 0.0100, 0.80, 0.08),
    ("4.1.01.20", "PBJT atas Tenaga Listrik", "Bapenda", 0.0120, 0.83, 0.04),
    ("4.1.01.21", "PBJT atas Jasa Perhotelan", "Bapenda", 0.0015, 0.78, 0.10),
    ("4.1.01.22", "PBJT atas Jasa Parkir", "Bapenda", 0.0005, 0.75, 0.10),
    ("4.1.01.23", "PBJT atas Jasa Kesenian dan Hiburan", "Bapenda", 0.0005, 0.70, 0.15),
    ("4.1.01.24", "Opsen Pajak Kendaraan Bermotor", "Bapenda", 0.0250, 0.82, 0.05),
    ("4.1.01.25", "Opsen Bea Balik Nama Kendaraan Bermotor", "Bapenda", 0.0120, 0.80, 0.08),
    ("4.1.02.01", "Retribusi Pelayanan Persampahan/Kebersihan", "DLHK", 0.0006, 0.72, 0.10),
    ("4.1.02.02", "Retribusi Pelayanan Pasar", "Disdagin", 0.0010, 0.70, 0.10),
    ("4.1.02.03", "Retribusi Pelayanan Parkir di Tepi Jalan Umum", "Dishub", 0.0003, 0.65, 0.12),
    ("4.1.02.04", "Retribusi Persetujuan Bangunan Gedung", "DPMPTSP", 0.0015, 0.75, 0.20),
    ("4.1.02.05", "Retribusi Pemakaian Kekayaan Daerah", "BPKAD", 0.0008, 0.75, 0.10),
    ("4.1.02.06", "Retribusi Tempat Rekreasi dan Olahraga", "Disparbudpora", 0.0004, 0.80, 0.15),
    ("4.1.03.01", "Bagian Laba atas Penyertaan Modal pada BUMD", "BPKAD", 0.0050, 1.00, 0.02),
    ("4.1.04.01", "Jasa Giro dan Pendapatan Bunga Deposito", "BPKAD", 0.0030, 0.85, 0.10),
    ("4.1.04.02", "Pendapatan Denda Pajak Daerah", "Bapenda", 0.0005, 0.90, 0.20),
    ("4.1.04.16", "Pendapatan BLUD Rumah Sakit Umum Daerah", "Dinkes", 0.0750, 0.80, 0.06),
    ("4.1.04.17", "Pendapatan BLUD Puskesmas (Kapitasi JKN dan Non Kapitasi)", "Dinkes", 0.0300, 0.82, 0.04),
    ("4.2.01.01", "Dana Alokasi Umum (DAU)", "BPKAD", 0.4000, 0.833, 0.005),
    ("4.2.01.02", "Dana Alokasi Khusus (DAK) Fisik", "BPKAD", 0.0300, 0.45, 0.10),
    ("4.2.01.03", "Dana Alokasi Khusus (DAK) Non Fisik", "BPKAD", 0.1000, 0.70, 0.05),
    ("4.2.01.04", "Dana Bagi Hasil (DBH) Pajak", "BPKAD", 0.0150, 0.60, 0.08),
    ("4.2.01.05", "Dana Bagi Hasil (DBH) Sumber Daya Alam", "BPKAD", 0.0040, 0.55, 0.10),
    ("4.2.01.06", "Dana Bagi Hasil Cukai Hasil Tembakau (DBHCHT)", "BPKAD", 0.0120, 0.60, 0.08),
    ("4.2.01.07", "Dana Desa", "BPKAD", 0.0880, 0.80, 0.05),
    ("4.2.01.08", "Dana Insentif Fiskal", "BPKAD", 0.0040, 0.50, 0.15),
    ("4.2.02.01", "Pendapatan Bagi Hasil Pajak dari Pemerintah Provinsi", "BPKAD", 0.0500, 0.72, 0.06),
    ("4.2.02.02", "Bantuan Keuangan dari Pemerintah Provinsi", "BPKAD", 0.0500, 0.40, 0.15),
    ("4.3.01.01", "Pendapatan Hibah", "BPKAD", 0.0030, 0.50, 0.20),
)
REVENUE_GROUPS = {
    "4.1": "PENDAPATAN ASLI DAERAH",
    "4.2": "PENDAPATAN TRANSFER",
    "4.3": "LAIN-LAIN PENDAPATAN DAERAH YANG SAH",
}
