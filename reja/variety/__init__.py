"""The variety corpus: plan documents drawn from seeds, as other districts lay them out and word them.

    spec.py          seed + family → spec (title block, columns, sections, items; the ground truth)
    layout.py        spec → blocks (tables of rows, paragraphs between them), shared by all renderers
    renderers/       docx.py, xlsx.py, office.py (LibreOffice: DOC/ODT/RTF/PDF/XLS/ODS), images.py (scans, photos)
    corpus.py        which documents exist (DEV / HELD-OUT seed ranges, the CI subset) and the cache
    evaluate.py      score reja per family and per format (item matching reused from reja.evaluate)
    data/            bank.yaml (paraphrases labelled with indicators), wording.yaml, families.yaml, floors.yaml

A new layout family is a few lines in data/families.yaml; `python -m reja.variety eval` scores it.
"""
