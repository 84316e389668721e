"""Reads .msg appointments with extract-msg and prints what it sees as JSON,
for crates/oxpim/tests/interop_calendar.rs.

usage: read_appointment.py FILE.msg...
Exit 3 when extract-msg is not installed.
"""
import datetime
import json
import sys

try:
    import extract_msg
except ImportError as e:  # the Rust test turns this into a clear skip
    print(f"missing python package: {e}", file=sys.stderr)
    sys.exit(3)


def utc(v):
    if not isinstance(v, datetime.datetime):
        return None
    if v.tzinfo is None:
        v = v.replace(tzinfo=datetime.timezone.utc)
    return v.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def html(m):
    """extract-msg's HTML body (PidTagHtml, or HTML de-encapsulated from the
    RTF body by RTFDE), as text; None when it has none or cannot make one."""
    try:
        h = m.htmlBody
    except Exception:  # noqa: BLE001 - a reader failure is "no HTML"
        return None
    if isinstance(h, bytes):
        return h.decode("utf-8", "replace")
    return h


def main():
    out = []
    for path in sys.argv[1:]:
        m = extract_msg.openMsg(path)
        out.append({
            "class": m.classType,
            "subject": m.subject,
            "location": m.location,
            "start": utc(m.appointmentStartWhole),
            "end": utc(m.appointmentEndWhole),
            "organizer": m.organizer,
            "required": m.requiredAttendees,
            "optional": m.optionalAttendees,
            "recipients": [
                {"name": r.name, "email": r.email, "type": int(r.type)} for r in m.recipients
            ],
            "body": m.body,
            "html": html(m),
            "recurring": bool(m.isRecurring),
            "attachments": len(m.attachments),
        })
        m.close()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
