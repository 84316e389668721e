"""Reads a .msg file with extract-msg and olefile and prints what they see
as JSON, for crates/oxpim-msg/tests/interop.rs.

usage: read_msg.py FILE.msg NAMED.json
NAMED.json lists the named properties to ask for: [[name_or_hex_lid, "{GUID}"], ...].
Exit 3 when extract-msg or olefile is not installed.
"""
import datetime
import json
import sys

try:
    import extract_msg
    import olefile
except ImportError as e:  # the Rust test turns this into a clear skip
    print(f"missing python package: {e}", file=sys.stderr)
    sys.exit(3)


def plain(v):
    if isinstance(v, datetime.datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=datetime.timezone.utc)
        return v.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(v, bytes):
        return v.hex()
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    return str(v)


def main():
    path, named_path = sys.argv[1], sys.argv[2]
    with open(named_path) as f:
        wanted = json.load(f)
    out = {}
    ole = olefile.OleFileIO(path)
    out["ole_root_clsid"] = ole.root.clsid
    out["ole_streams"] = sorted("/".join(p) for p in ole.listdir(streams=True, storages=False))
    ole.close()
    m = extract_msg.openMsg(path)
    out["class"] = m.classType
    out["subject"] = m.subject
    out["body"] = m.body
    out["unicode"] = m.areStringsUnicode
    out["times"] = {
        tag: plain(m.getPropertyVal(tag))
        for tag in ["30070040", "30080040", "00390040"]
    }
    out["named"] = [plain(m.getNamedProp(n, g)) for n, g in wanted]
    out["recipients"] = [
        {"name": r.name, "email": r.email, "type": int(r.type)} for r in m.recipients
    ]
    atts = []
    for a in m.attachments:
        d = a.data
        if isinstance(d, bytes):
            atts.append({"name": a.longFilename, "data": d.hex()})
        else:
            atts.append({"name": a.longFilename, "embedded_subject": getattr(d, "subject", None),
                         "embedded_class": getattr(d, "classType", None)})
    out["attachments"] = atts
    m.close()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
