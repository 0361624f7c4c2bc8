"""`madangan alerts …`: evaluate the rules, list and act on alerts, check the rules file, send notifications."""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from madangan.i18n import current_language, t

console = Console(width=None if sys.stdout.isatty() else 160)


def _h(id_text: str, en_text: str) -> str:
    return en_text if current_language() == "en" else id_text


app = typer.Typer(help=_h("Peringatan dini: evaluasi aturan, daftar, tindakan, notifikasi.",
                          "Early warning: evaluate rules, list, act, notify."), no_args_is_help=True)


def _open():
    from madangan import deploy
    from madangan.alerts import messages  # noqa: F401
    from madangan.config import load_settings

    settings = load_settings()
    engine, deployment = deploy.open_deployment(settings)
    return settings, engine, deployment


def _cli_principal(deployment):
    from madangan.access import Principal, Role

    return Principal(Role.ADMIN, deployment.region_code, username="cli")


@app.command()
def evaluate(today: Annotated[Optional[str], typer.Option("--today", help=_h("Tanggal acuan YYYY-MM-DD (bawaan: hari ini)", "Reference date YYYY-MM-DD (default: today)"))] = None,
             rule: Annotated[Optional[list[str]], typer.Option("--rule", help=_h("Hanya aturan ini", "Only this rule"))] = None):
    """Evaluasi semua aturan atas gudang data (Evaluate every rule over the warehouse)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from madangan.alerts import rules as rules_module
    from madangan.alerts.evaluate import evaluate as run

    settings, engine, _ = _open()
    ruleset = rules_module.load(settings)
    chosen = [r for r in ruleset.rules.values() if r.enabled and (not rule or r.id in rule)]
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True)) as progress:
        task = progress.add_task(_h("Mengevaluasi aturan", "Evaluating rules"), total=len(chosen))

        def step(rule_id: str) -> None:
            progress.update(task, description=rule_id, advance=0 if progress.tasks[0].completed == 0 and rule_id == chosen[0].id else 1)

        result = run(settings, engine, ruleset, only=[r.id for r in chosen],
                     today=date.fromisoformat(today) if today else None, step=step, actor="cli")
        progress.update(task, completed=len(chosen))
    table = Table(_h("aturan", "rule"), _h("kesehatan", "health"), _h("cocok", "matches"), _h("detik", "seconds"))
    for o in result.outcomes:
        table.add_row(o.rule, o.health + (f" ({escape(o.message)})" if o.message else ""), str(o.matches), f"{o.seconds:.2f}")
    console.print(table)
    console.print(t("alerts.evaluated", rules=len(result.outcomes), seconds=f"{result.seconds:.1f}",
                    firing=result.count("firing"), resolved=result.count("resolved"), events=len(result.events)))


@app.command("list")
def list_alerts(state: Annotated[Optional[str], typer.Option("--state", help="open, firing, resolved, all, …")] = None,
                severity: Annotated[Optional[str], typer.Option("--severity")] = None,
                region: Annotated[Optional[str], typer.Option("--region")] = None,
                rule: Annotated[Optional[str], typer.Option("--rule")] = None,
                limit: int = 50):
    """Daftar peringatan (List alerts)."""
    from madangan.alerts.store import AlertFilter, search

    _, engine, deployment = _open()
    states = None if not state or state == "open" else [state]
    items, total = search(engine, _cli_principal(deployment),
                          AlertFilter(state=states, severity=severity, region=region, rule=rule), limit=limit)
    table = Table("#", _h("aturan", "rule"), _h("keparahan", "severity"), _h("status", "state"), _h("wilayah", "region"),
                  _h("pesan", "message"))
    lang = current_language()
    for a in items:
        table.add_row(str(a.id), a.rule_id, a.severity, a.state, a.kode_wilayah or "-",
                      escape(a.message_id if lang == "id" else a.message_en))
    console.print(table)
    console.print(t("alerts.count", count=total))


def _act(action: str, alert_id: int, text: str) -> None:
    from madangan.alerts import notify, rules, store

    settings, engine, deployment = _open()
    who = _cli_principal(deployment)
    fn = {"ack": store.acknowledge, "assign": store.assign, "resolve": store.resolve, "reopen": store.reopen}[action]
    changes = fn(engine, alert_id, who, text)
    notify.enqueue(engine, rules.load(settings), changes)
    alert = store.get(engine, alert_id, who)
    console.print(f"#{alert_id}: {alert.state}" + (f" · ✓ {alert.acknowledged_by}" if alert.acknowledged_by else "")
                  + (f" · → {alert.assignee}" if alert.assignee else ""))


@app.command()
def ack(alert_id: int, comment: Annotated[str, typer.Option("--comment", "-m")] = ""):
    """Akui peringatan (Acknowledge an alert)."""
    _act("ack", alert_id, comment)


@app.command()
def assign(alert_id: int, assignee: str):
    """Tugaskan ke OPD atau orang (Assign to an agency or person)."""
    _act("assign", alert_id, assignee)


@app.command()
def resolve(alert_id: int, reason: Annotated[str, typer.Option("--reason", "-m")]):
    """Selesaikan dengan alasan (Resolve with a reason)."""
    _act("resolve", alert_id, reason)


@app.command()
def reopen(alert_id: int, reason: Annotated[str, typer.Option("--reason", "-m")]):
    """Buka kembali (Reopen)."""
    _act("reopen", alert_id, reason)


@app.command()
def silence(hours: float, reason: Annotated[str, typer.Option("--reason", "-m")],
            rule: Annotated[Optional[str], typer.Option("--rule")] = None,
            region: Annotated[Optional[str], typer.Option("--region")] = None):
    """Bisukan notifikasi untuk sementara (Silence notifications for a while)."""
    from madangan.alerts import store

    _, engine, deployment = _open()
    silence_id = store.add_silence(engine, _cli_principal(deployment), hours, reason, rule, region)
    console.print(_h(f"Bisu #{silence_id} aktif {hours} jam.", f"Silence #{silence_id} active for {hours} h."))


@app.command()
def rules(path: Annotated[Optional[Path], typer.Argument(help=_h("Berkas aturan (bawaan: peringatan.toml deployment)", "Rules file (default: the deployment's peringatan.toml)"))] = None):
    """Periksa berkas aturan dan tampilkan ambang yang berlaku (Check the rules file and show thresholds)."""
    from madangan.alerts import messages  # noqa: F401
    from madangan.alerts import rules as rules_module
    from madangan.config import load_settings

    settings = load_settings()
    ruleset = rules_module.load(settings, path)
    lang = current_language()
    table = Table("id", _h("jenis", "kind"), _h("keparahan", "severity"), _h("aktif", "on"), _h("ambang", "thresholds"),
                  _h("judul", "title"))
    for r in ruleset.rules.values():
        params = ", ".join(f"{k}={v}" for k, v in r.params.items())
        table.add_row(r.id, r.rule.kind, r.severity, "✓" if r.enabled else "—", escape(params), r.rule.title[lang])
    console.print(table)
    console.print(t("alerts.rules_ok", path=ruleset.path or "-", rules=len(ruleset.rules), routes=len(ruleset.routes)))


@app.command()
def preview(rule: str, region: Annotated[Optional[str], typer.Option("--region")] = None):
    """Siapa yang akan diberi tahu bila aturan menyala (Who will be notified if the rule fires)."""
    from madangan.alerts import notify
    from madangan.alerts import rules as rules_module

    settings, engine, _ = _open()
    ruleset = rules_module.load(settings)
    if rule not in ruleset.rules:
        from madangan.errors import UserError

        raise UserError(_h(f"Aturan '{rule}' tidak dikenal.", f"Unknown rule '{rule}'."))
    lang = current_language()
    for level in notify.preview(ruleset, rule, region, engine):
        targets = [f"{x['channel']}:{x['route']}" + (f" <{x['target']}>" if x["channel"] == "email" else "")
                   for x in level["targets"]] + [u["username"] for u in level["accounts"]]
        console.print(f"[bold]{level['label'][lang]}[/] (+{level['after_hours']:g} h): {', '.join(targets) or '—'}")
    inhibition = notify.inhibition_preview(ruleset, rule, region, engine)
    console.print(_h("Label: ", "Labels: ") + " ".join(f"{k}={'|'.join(v)}" for k, v in inhibition["labels"].items()))
    for h in inhibition["rules"]:
        console.print(_h(f"Dapat dihambat oleh aturan '{h['name']}'", f"Can be inhibited by '{h['name']}'")
                      + f" ({', '.join(f'{k}={v}' for k, v in h['source'].items())}; sama={','.join(h['equal'])})")
    for i in inhibition["inhibited_by"]:
        console.print(_h(f"Saat ini dihambat oleh peringatan #{i['alert_id']} ({i['rule']}): tidak ada yang diberi tahu.",
                         f"Inhibited now by alert #{i['alert_id']} ({i['rule']}): nobody is notified."))


@app.command()
def deliver(loop: Annotated[bool, typer.Option("--loop", help=_h("Terus berjalan", "Keep running"))] = False):
    """Kirim notifikasi yang jatuh tempo dan eskalasikan yang lewat SLA (Send due notifications, escalate overdue)."""
    from madangan.alerts import notify, stream
    from madangan.alerts import rules as rules_module
    from madangan.alerts.store import escalate_due

    settings, engine, _ = _open()
    while True:
        ruleset = rules_module.load(settings)
        changes = escalate_due(engine, ruleset)
        notify.enqueue(engine, ruleset, changes)
        if changes.events:
            stream.announce()
        sent, failed = notify.deliver_due(engine, ruleset)
        console.print(_h(f"{sent} terkirim, {failed} gagal (dicoba lagi), {len(changes.events)} eskalasi.",
                         f"{sent} sent, {failed} failed (will retry), {len(changes.events)} escalations."))
        if not loop:
            return
        time.sleep(1.0)


@app.command()
def deliveries(status: Annotated[Optional[str], typer.Option("--status", help="pending, sent, failed")] = None):
    """Log pengiriman notifikasi (Notification delivery log)."""
    from madangan.alerts import notify

    _, engine, _ = _open()
    table = Table("#", _h("peringatan", "alert"), _h("rute", "route"), _h("kanal", "channel"), "status",
                  _h("percobaan", "attempts"), _h("galat terakhir", "last error"))
    for d in notify.deliveries(engine, status):
        table.add_row(str(d.id), str(d.alert_id), d.route, d.channel, d.status, str(d.attempts), escape(d.last_error or ""))
    console.print(table)
