"""The Textual UI: screens only show and collect; database work runs in thread workers.

Every module here is one of four kinds, and imports only kinds below its own (import-linter
contracts in ``pyproject.toml`` check it):

- ``app``: the App. It alone imports the screens: it opens the one a screen asks for.
- The screens, each a place the collector goes: ``queue``, ``account_panel`` (the account
  workspace), ``team``, ``approvals`` and ``reassign`` (moving accounts, a modal of its own that
  the team screen asks for). None imports another: a screen posts a message from ``navigation``
  (``OpenAccount``, ``ShowTeam``, ``ShowQueue``, ``ShowApprovals``, ``MoveAccounts``) and the App
  pushes the screen. A modal that belongs to one screen alone lives in that screen's module (the
  approval list's ``RejectReason``).
- The account workspace's forms: ``workspace_forms`` (contact, note, callback, promise, payment,
  hold, phone, and the leave question), ``consumer_requests`` and ``plan_calculator``. They are
  parts of the workspace, not places: only ``account_panel`` opens them, with the account it shows,
  and takes their result back in a callback (the account reloads; the disposition's next form
  opens). They share ``forms.ActionForm`` and none imports another.
- Shared modules any of the above may import, which import no screen: ``forms`` (the entry form),
  ``base`` (``CollectorScreen``, ``CollectorModal``: the app's context, the worker-failure notice,
  the keys every form has), ``navigation``, ``account_render``, ``keymap`` and ``messages``.
"""
