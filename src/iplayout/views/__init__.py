"""Notebook-facing views: stage tables → styled tables, charts and Chinese sentences (one call per cell).

One module per stage (:mod:`.survey`, :mod:`.evaluation`) plus :mod:`.common` (territory overview, industry
report, data notes) and :mod:`.programme` (the progress report of the pilot's schedule). Views sit above ``stages`` and ``plots``: they may draw, but never compute statistics and
never run reports; nothing below imports them, so computing a stage never imports drawing code and editing a
chart never invalidates a stage cache.
"""
