"""Device telemetry over MQTT: one topic per source (`<prefix>/<source>`), JSON object or array per message.

Messages are buffered per source and sent through the same ingest as files and
API pushes. A reading is sent as soon as the previous batch is done (after lingering
`flush_seconds` for company, or at once when a buffer fills): readings that arrive
while a batch is being written wait and make the next batch together ("group commit").
Up to `senders` batches are written at once (2 by default), so an urgent reading does
not wait behind a batch still in its after-commit work (verval, indicators). So a lone
urgent reading is judged within a fraction of a second, and a thousand watches at once
still make a few large batches, not a batch per reading. The
broker's own ACL decides who may publish; nothing personal is logged.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import defaultdict
from urllib.parse import urlparse

import paho.mqtt.client as mqtt

from madangan.errors import UserError
from madangan.plugins import contracts

log = logging.getLogger("madangan.mqtt")


class MqttIngest:
    def __init__(self, settings, regency_code: str, url: str, prefix: str = "madangan",
                 flush_seconds: float = 0.05, max_buffer: int = 5000, after_flush=None, senders: int = 2):
        parsed = urlparse(url)
        if parsed.scheme not in ("mqtt", "tcp") or not parsed.hostname:
            raise UserError(f"MADANGAN_MQTT_URL tidak valid: '{url}' (contoh: mqtt://127.0.0.1:1883).")
        self.host, self.port = parsed.hostname, parsed.port or 1883
        self.username, self.password = parsed.username, parsed.password
        self.settings, self.regency_code, self.prefix = settings, regency_code, prefix.strip("/")
        self.flush_seconds, self.max_buffer, self.after_flush = flush_seconds, max_buffer, after_flush
        self.buffers: dict[str, list[dict]] = defaultdict(list)
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.arrived = threading.Event()  # a reading is waiting in a buffer
        self.senders = max(1, senders)
        self.free = threading.Semaphore(self.senders)  # batches that may be written at once
        self.results: list = []  # the last flushes' IngestResults, for status pages and tests
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"madangan-{regency_code}")
        if self.username:
            self.client.username_pw_set(self.username, self.password)
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.flusher = threading.Thread(target=self._flush_loop, name="mqtt-flush", daemon=True)

    def start(self) -> None:
        try:
            self.client.connect(self.host, self.port, keepalive=30)
        except OSError as exc:
            raise UserError(f"Broker MQTT {self.host}:{self.port} tidak bisa dihubungi ({exc}). "
                            "Periksa MADANGAN_MQTT_URL dan bahwa broker berjalan.") from None
        self.client.loop_start()
        self.flusher.start()

    def stop(self) -> None:
        self.stopping.set()
        self.flusher.join(timeout=10)
        self.client.loop_stop()
        self.client.disconnect()
        self.flush()

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        client.subscribe(f"{self.prefix}/+", qos=1)  # re-subscribes after a reconnect on a patchy network

    def _on_message(self, client, userdata, message) -> None:
        source = message.topic.rsplit("/", 1)[-1]
        if source not in contracts():
            log.warning("MQTT: topik %s bukan sumber yang dikenal; pesan diabaikan", message.topic)
            return
        try:
            payload = json.loads(message.payload)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            log.warning("MQTT: pesan di %s bukan JSON (%s); diabaikan", message.topic, exc.msg if hasattr(exc, "msg") else exc)
            return
        records = payload if isinstance(payload, list) else [payload]
        records = [r for r in records if isinstance(r, dict)]
        with self.lock:
            self.buffers[source].extend(records)
            full = len(self.buffers[source]) >= self.max_buffer
        if full:
            self.flush()
        else:
            self.arrived.set()

    def _flush_loop(self) -> None:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(self.senders, thread_name_prefix="mqtt-batch") as pool:
            while not self.stopping.is_set():
                if not self.arrived.wait(0.5):
                    continue
                while not self.free.acquire(timeout=0.5):  # every sender busy: readings keep gathering
                    if self.stopping.is_set():
                        return
                if self.flush_seconds:
                    self.stopping.wait(self.flush_seconds)  # linger: let the readings sent with it join the batch
                self.arrived.clear()
                pool.submit(self._flush_and_free)

    def _flush_and_free(self) -> None:
        try:
            self.flush()
        except Exception:  # noqa: BLE001 - the flusher keeps going; ingest has logged or quarantined what failed
            log.exception("MQTT: batch failed")
        finally:
            self.free.release()

    def flush(self) -> None:
        from madangan.ingest.pipeline import ingest_records

        with self.lock:
            pending, self.buffers = self.buffers, defaultdict(list)
        for source, records in pending.items():
            if not records:
                continue
            try:
                result = ingest_records(self.settings, self.regency_code, source, records,
                                        submitted_by=f"mqtt:{self.prefix}/{source}", channel="mqtt")
            except UserError as exc:
                log.warning("MQTT: %d rekaman %s ditolak: %s", len(records), source, exc)
                continue
            self.results = (self.results + [result])[-100:]
        flushed = [source for source, records in pending.items() if records]
        if flushed and self.after_flush is not None:
            self.after_flush(flushed)
