"""collector-tui: a keyboard-driven terminal workstation for medical collection specialists."""

__version__ = "0.1.0"
