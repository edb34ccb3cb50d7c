import pandas as pd
import pytest


@pytest.fixture
def items():
    """Three rows as the store would hold them (values written by hand for these tests)."""
    return pd.DataFrame([
        dict(row_key="k-ok", document_id="d1", source_file="izboskan_2025.docx", district="Izboskan tumani",
             year=2025, page=None, section_no="IV", item_no="11", text="Axborot-kutubxona resurslarini tasniflash",
             section_id=None, indicator_id=None, unit_id=None, unit="Dona", fact_value=373.0, plan_value=750.0,
             deadline="2025-yil davomida", responsible="Direktor", flags="", status="ok", match_candidates=None),
        dict(row_key="k-12", document_id="d1", source_file="izboskan_2025.docx", district="Izboskan tumani",
             year=2025, page=None, section_no="IV", item_no="12", text="Bibliografik yozuvlar bilan ishlash",
             section_id=None, indicator_id=None, unit_id=None, unit="Bibliografik yozuv", fact_value=None,
             plan_value=None, deadline="2025-yil davomida", responsible="Direktor",
             flags="stacked_values: 134 4010", status="flagged", match_candidates=None),
        dict(row_key="k-30", document_id="d1", source_file="izboskan_2025.docx", district="Izboskan tumani",
             year=2025, page=None, section_no="VII", item_no="30", text="Faoliyatini yoritib borish",
             section_id=None, indicator_id=None, unit_id=None, unit="Maro-taba", fact_value=7.0, plan_value=10.0,
             deadline="2025-yil davomida", responsible="Direktor", flags="unit_unmatched: Maro-taba",
             status="flagged", match_candidates=None),
    ])
