"""Device telemetry over MQTT against the real broker: readings land like any other batch."""

from __future__ import annotations

import json
import os
import socket
import time

import duckdb
import pytest

from madangan import deploy
from madangan.config import Settings
from madangan.ingest.mqtt import MqttIngest

from conftest import missing_service

BROKER = os.environ.get("MADANGAN_TEST_MQTT", "mqtt://127.0.0.1:1883")


@pytest.fixture
def broker():
    host, port = BROKER.split("//")[1].split(":")
    try:
        socket.create_connection((host, int(port)), timeout=2).close()
    except OSError:
        missing_service(f"no MQTT broker at {BROKER} (apt-get install mosquitto)")
    return BROKER


def reading(device: str, hour: int, spo2="97") -> dict:
    return {"device_id": device, "timestamp": f"2026-11-01T{hour:02d}:00:00+07:00", "nik": "3211015506950001",
            "desa": "3211012001", "heart_rate": 88, "systolic": 121, "diastolic": 79, "spo2": spo2}


def test_watch_readings_published_over_mqtt_land_in_the_warehouse(broker, tmp_path):
    import paho.mqtt.client as mqtt

    settings = Settings(data_dir=tmp_path / "data")
    deploy.init(settings, "32.11")
    prefix = f"madangan-test-{os.getpid()}"
    subscriber = MqttIngest(settings, "32.11", broker, prefix, flush_seconds=0.3)
    subscriber.start()
    try:
        time.sleep(0.5)  # let the subscription settle
        publisher = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        host, port = broker.split("//")[1].split(":")
        publisher.connect(host, int(port))
        publisher.loop_start()
        publisher.publish(f"{prefix}/telemetri", json.dumps(reading("SW-1", 8)), qos=1).wait_for_publish()
        batch = [reading("SW-1", 9), reading("SW-2", 9, spo2="sembilan puluh")]
        publisher.publish(f"{prefix}/telemetri", json.dumps(batch), qos=1).wait_for_publish()
        publisher.publish(f"{prefix}/telemetri", b"{not json", qos=1).wait_for_publish()
        publisher.loop_stop()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and sum(r.counts.rows_read for r in subscriber.results) < 3:
            time.sleep(0.2)
    finally:
        subscriber.stop()
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    rows = con.execute("SELECT id_perangkat, waktu, spo2 FROM telemetri ORDER BY waktu").fetchall()
    assert [(r[0], r[1].hour, r[2]) for r in rows] == [("SW-1", 1, 97), ("SW-1", 2, 97)]  # stored in UTC
    refused = con.execute("SELECT code FROM _quarantine_problem WHERE source = 'telemetri'").fetchall()
    assert refused == [("bukan_angka",)]
    channels = {r[0] for r in con.execute("SELECT channel FROM _batch").fetchall()}
    assert channels == {"mqtt"}


def test_serve_subscribes_when_a_broker_is_configured(broker, tmp_path):
    import paho.mqtt.publish as publish
    from fastapi.testclient import TestClient

    from madangan.web.app import create_app

    prefix = f"madangan-serve-{os.getpid()}"
    settings = Settings(data_dir=tmp_path / "data", mqtt_url=broker, mqtt_topic_prefix=prefix)
    deploy.init(settings, "32.11")
    host, port = broker.split("//")[1].split(":")
    with TestClient(create_app(settings)) as client:
        assert client.app.state.mqtt is not None
        time.sleep(0.5)
        publish.single(f"{prefix}/telemetri", json.dumps(reading("SW-9", 10)), qos=1, hostname=host, port=int(port))
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not client.app.state.mqtt.results:
            time.sleep(0.2)
    assert client.app.state.mqtt.results[0].counts.accepted == 1


def test_a_malformed_broker_url_is_a_clear_message(tmp_path):
    from madangan.errors import UserError

    with pytest.raises(UserError, match="MADANGAN_MQTT_URL"):
        MqttIngest(Settings(data_dir=tmp_path), "32.11", "http://broker")
