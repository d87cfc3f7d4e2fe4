"""Use cases: each opens one transaction, applies domain rules, writes its audit event.

Grouped by the office's subjects, so the room for a change is found at once:

- ``desk``: one account at the desk (reading it, the change-one-account unit of work, the
  collector's actions, the consumer's requests, holds, contacts logged elsewhere, drafts, lookups);
- ``money``: movements from the billing system, promises, payment plans, their nightly check;
- ``worklists``: the call queue, stored priority, reassignment, the team's results;
- ``team``: users, who is at the keyboard, permissions, approvals, the access log;
- ``law``: compliance over the database, facilities, the policies in force;
- ``files``: placements applied, exports, every file the program writes, scratch folders.

At the top sit the pieces every subject uses: the database opened for use (``database``,
``schema``), batch writes (``bulk``), audit events (``audit``), the office's settings
(``office_settings``), the errors a service reports (``errors``, ``failures``) and the plain
values screens show (``views``).

One way to the tables: Core statements over :mod:`collector_tui.db.tables` (it says why), no ORM objects.
"""
