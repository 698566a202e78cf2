"""wijkvitaliteit: the vitaliteitsscore for every buurt from open data and a corporation's own records."""

__version__ = "0.1.0"
