"""The letters' templates (``templates/*.typ``): data shipped in the wheel, no code.

Typst source files, one per letter and language, each opening with a comment naming the template,
its version and the rules it follows, so that a compliance officer can read exactly what is sent.
The rendering is in ``collector_tui/services/letters/render.py``.
"""
