"""The Textual UI: screens only show and collect; database work runs in thread workers."""
