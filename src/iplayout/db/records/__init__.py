"""Record-level IP data (patents, trademarks, copyright and plant-variety registrations) in the integrated database.

Import layer (issue 11): ``schema`` (DDL), ``mappings`` (per-source column mappings), ``reading`` (encodings,
XLSX → CSV, DuckDB staging), ``gazetteer`` + ``placement`` (address / region field → GB/T 2260 code),
``importer`` (validate → diff → write → record), ``generator`` (seeded demo exports), ``cli``.
See docs/records.md.
"""
