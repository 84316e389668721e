"""Reads .msg contacts with extract-msg and prints what it sees as JSON,
for crates/oxpim/tests/interop_contact.rs.

usage: read_contact.py FILE.msg...
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


def day(v):
    if not isinstance(v, datetime.datetime):
        return None
    if v.tzinfo is None:
        v = v.replace(tzinfo=datetime.timezone.utc)
    return v.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M")


FIELDS = [
    "displayName", "surname", "givenName", "middleName", "displayNamePrefix",
    "generation", "companyName", "departmentName", "jobTitle", "fileUnder",
    "email1EmailAddress", "email1AddressType", "email1DisplayName",
    "email2EmailAddress", "email3EmailAddress",
    "businessTelephoneNumber", "homeTelephoneNumber", "mobileTelephoneNumber",
    "businessFaxNumber", "businessFaxAddressType", "businessFaxEmailAddress",
    "workAddressStreet", "workAddressLocality", "workAddressPostalCode",
    "workAddressCountry", "homeAddressStreet", "homeAddressLocality",
    "mailAddressStreet", "postalAddressID", "businessHomePage",
    "instantMessagingAddress", "hasPicture",
]


def main():
    out = []
    for path in sys.argv[1:]:
        m = extract_msg.openMsg(path)
        row = {"class": m.classType}
        for f in FIELDS:
            v = getattr(m, f, None)
            row[f] = v if isinstance(v, (str, int, bool)) or v is None else str(v)
        row["birthday"] = day(m.birthday)
        row["birthdayLocal"] = day(m.birthdayLocal)
        photo = m.contactPhoto
        row["photo"] = len(photo) if photo else 0
        out.append(row)
        m.close()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
