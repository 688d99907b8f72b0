"""Reads one message from stdin with Python's email package under its *strict* policy (defects raise) and
prints, as JSON, each part's content type, disposition, file name, the raw name parameter and any header
defects. Usage: strict_mime.py < message.eml
"""
import email
import json
import sys
from email import policy

message = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.strict)
parts = []
for part in message.walk():
    defects = [type(d).__name__ for d in part.defects]
    for name in ("content-type", "content-disposition"):
        header = part.get(name)
        if header is not None:
            defects += [type(d).__name__ for d in header.defects]
    parts.append({
        "type": part.get_content_type(),
        "disposition": part.get_content_disposition(),
        "filename": part.get_filename(),
        "name": part.get_param("name"),
        "rawContentType": str(part.get("content-type", "")),
        "defects": defects,
    })
print(json.dumps({"defects": [type(d).__name__ for d in message.defects], "parts": parts}))
