"""Rendering a letter: its template (Typst source) and its inputs into a PDF, with the PDF's own
text as the preview.

The preview is pypdf's extraction of the rendered PDF, never a second rendering of the inputs, so
what a collector reads in the terminal is what the page says. Rendering is deterministic: the
templates set no document date, system fonts are ignored (only the fonts embedded in typst, the
same on every machine) and typst writes the same bytes for the same source and inputs, so the same
inputs give the same PDF and the same ``pdf_sha256``; with the template's name and version and the
hash of the inputs, a letter can later be re-rendered and compared (``collector letters verify``).

Templates ship in ``collector_tui/letters/templates``; an office's folder (``[letters] templates``
in the config file) may hold its own version of any of them. Each template names itself and its
version in its opening comment (``// Template: NAME`` and ``// Version: V``); one that does not is
refused, since a letter sent must say which wording it was.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pypdf
import typst

from collector_tui.services.errors import ServiceError

# kind -> the languages it is written in.
LETTERS: dict[str, tuple[str, ...]] = {
    "validation_notice": ("en", "es"),
    "itemized_statement": ("en",),
}
_HEADER_LINES = 5
_NAME = re.compile(r"^//\s*Template:\s*(\S+)\s*$", re.MULTILINE)
_VERSION = re.compile(r"^//\s*Version:\s*(\S+)\s*$", re.MULTILINE)


class LetterRenderError(ServiceError):
    """The letter cannot be rendered: no such letter or language, or a template that cannot be used."""


@dataclass(frozen=True, slots=True)
class RenderedLetter:
    pdf: bytes
    text: str  # the PDF's text, page after page
    template: str  # its file name, e.g. validation_notice.en.typ
    template_version: str
    input_sha256: str
    pages: int

    @property
    def pdf_sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()


def template_name(kind: str, language: str) -> str:
    """The template's file name for ``kind`` in ``language``, or a refusal naming what there is."""
    languages = LETTERS.get(kind)
    if languages is None:
        raise LetterRenderError(f"no letter {kind!r}: use one of {', '.join(LETTERS)}")
    if language not in languages:
        raise LetterRenderError(f"the {kind} is written in {', '.join(languages)} only, not {language!r}")
    return f"{kind}.{language}.typ"


def input_sha256(inputs: Mapping[str, str]) -> str:
    """SHA-256 of the inputs' canonical JSON (sorted keys, no spaces, UTF-8): the same inputs give
    the same hash wherever and whenever they are hashed."""
    canonical = json.dumps(dict(inputs), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _shipped(name: str) -> bytes:
    return resources.files("collector_tui.letters").joinpath("templates", name).read_bytes()


def template_source(name: str, override_folder: Path | None = None) -> tuple[bytes, str]:
    """The template's source (the office's, when its folder has one by that name) and its version."""
    source: bytes | None = None
    where = "the shipped template"
    if override_folder is not None:
        candidate = override_folder / name
        if candidate.is_file():
            try:
                source = candidate.read_bytes()
            except OSError as exc:
                raise LetterRenderError(f"{candidate}: cannot be read ({exc.strerror})") from None
            where = str(candidate)
    if source is None:
        source = _shipped(name)
    try:
        header = "\n".join(source.decode("utf-8").splitlines()[:_HEADER_LINES])
    except UnicodeDecodeError:
        raise LetterRenderError(f"{where} {name}: not UTF-8 text") from None
    named, version = _NAME.search(header), _VERSION.search(header)
    if named is None or named.group(1) != name or version is None:
        raise LetterRenderError(
            f"{where} {name}: its first lines must say '// Template: {name}' and '// Version: V'"
        )
    return source, version.group(1)


def pdf_text(pdf: bytes) -> tuple[str, int]:
    """The PDF's text, page after page (a form feed between pages), and how many pages it has."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    pages = [page.extract_text() for page in reader.pages]
    return "\n\f".join(pages), len(pages)


def render_letter(
    kind: str, language: str, inputs: Mapping[str, str], *, override_folder: Path | None = None
) -> RenderedLetter:
    """The letter ``kind`` in ``language`` rendered with ``inputs`` (strings, as the domain's
    ``*_inputs`` functions make them)."""
    name = template_name(kind, language)
    source, version = template_source(name, override_folder)
    values = {key: str(value) for key, value in inputs.items()}
    try:
        pdf = typst.compile(source, format="pdf", sys_inputs=values, ignore_system_fonts=True)
    except typst.TypstError:
        # typst's message quotes the source and may quote an input value: never shown, since the
        # inputs hold a patient's name and address.
        raise LetterRenderError(
            f"{name} (version {version}) cannot be rendered: check the template with the typst "
            "compiler and the inputs its comment lists"
        ) from None
    if not isinstance(pdf, bytes):  # typst returns a list of pages only for images
        raise LetterRenderError(f"{name}: typst returned no PDF")
    text, pages = pdf_text(pdf)
    return RenderedLetter(
        pdf=pdf,
        text=text,
        template=name,
        template_version=version,
        input_sha256=input_sha256(values),
        pages=pages,
    )


__all__ = ["LETTERS", "LetterRenderError", "RenderedLetter", "input_sha256", "render_letter", "template_name"]
