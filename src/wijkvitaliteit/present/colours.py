"""The colours of maps and charts, shared by the web and the reports.

ColorBrewer's PuOr scheme (purple = strong, orange = weak) stays readable for the common forms of colour
blindness; every value is also given in text wherever a colour is shown."""

CATEGORY_COLOURS = {"hoog": "#542788", "gemiddeld": "#b2abd2", "kwetsbaar": "#fdb863", "laag": "#b35806"}
POINT_COLOURS = {1: "#542788", 2: "#d8daeb", 3: "#e08214"}
#: five classes from weak (orange) to strong (purple), for continuous values where higher is better
SEQUENTIAL = ["#b35806", "#f1a340", "#f7f7f7", "#998ec3", "#542788"]
NO_DATA_FILL = "#e0e0e0"
