"""The start page after logging in: each role's work, counted over what the user may see.

It sits above the domains (it reads stories, transcripts, packs and rondes), so it is not part
of ``core``, which knows no domain."""
