"""Pure domain rules: functions of their inputs (and ``now``), no I/O, no database."""
