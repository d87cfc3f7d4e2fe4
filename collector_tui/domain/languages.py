"""The guarantor's preferred language: its name, and whether a call needs an interpreter.

The placement file gives a code (``en``, ``es``, ``vi``, ``zh-TW``; lower-cased on import); a
code not named here is shown as it came. Anything but English flags an interpreter (the office
books one before it calls; a hospital's language-access duty: 45 CFR 92.201).
"""

from __future__ import annotations

NAMES = {
    "en": "English",
    "es": "Spanish",
    "vi": "Vietnamese",
    "zh": "Chinese",
    "tl": "Tagalog",
    "ko": "Korean",
    "ar": "Arabic",
    "ru": "Russian",
    "fr": "French",
    "ht": "Haitian Creole",
    "pt": "Portuguese",
    "de": "German",
    "pl": "Polish",
    "ja": "Japanese",
    "so": "Somali",
    "hmn": "Hmong",
    "asl": "American Sign Language",
}


def _base(code: str) -> str:
    return code.strip().lower().replace("_", "-").split("-")[0]


def language_name(code: str | None) -> str:
    """``es`` -> ``Spanish``, ``zh-TW`` -> ``Chinese (zh-TW)``; empty or None: English."""
    if not code or not code.strip():
        return NAMES["en"]
    base = _base(code)
    name = NAMES.get(base)
    if name is None:
        return code.strip()
    return name if base == code.strip().lower() else f"{name} ({code.strip()})"


def needs_interpreter(code: str | None) -> bool:
    """Any preferred language but English (none given is English)."""
    return bool(code and code.strip()) and _base(code or "") != "en"


__all__ = ["NAMES", "language_name", "needs_interpreter"]
