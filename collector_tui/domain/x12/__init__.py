"""X12 EDI, read from the specification: the envelopes (``envelope``) and the 835 remittance
advice (``remittance``, 005010X221A1). Pure: text in, frozen values out; no file or network I/O.
"""
