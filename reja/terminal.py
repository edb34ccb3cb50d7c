"""Text from outside (file names, causes quoting them) made safe to print on a terminal.

A file name may hold a newline (it would print a forged `ok … — 48 items` line), an escape sequence
(clear the screen, set the window title) or a right-to-left override (show `exe.docx` as `xcod.exe`).
Every such character is shown as a Python escape (`\\n`, `\\x1b`, `\\u202e`), so what is printed is
one line that says exactly what the name holds.
"""

from __future__ import annotations

import unicodedata

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """`text` with control and format characters (Unicode categories Cc, Cf, Zl, Zp) escaped."""
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if ch.isprintable() or ch == " ":
            out.append(ch)
        elif unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"):
            out.append(_NAMED.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else
                                         f"\\u{ord(ch):04x}" if ord(ch) < 0x10000 else f"\\U{ord(ch):08x}"))
        else:  # other spaces (NBSP, thin space) are harmless
            out.append(ch)
    return "".join(out)
