"""The scan reader's settings (extract/scan/data/scan.yaml): defined, checked and loaded with the
parser's in `reja.extract.settings` (one settings object); named here for the scan modules."""

from reja.extract.settings import (
    REFERENCE_DPI,
    ScanSettings,
    SettingsError,
    load_settings,
    scan_settings_from,
)

__all__ = ["REFERENCE_DPI", "ScanSettings", "SettingsError", "load_settings", "scan_settings_from"]
