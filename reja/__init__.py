"""reja: district AKM work plans (ish rejasi) into one dataset."""
__version__ = "0.1.0"
