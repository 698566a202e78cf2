"""User-facing words in Dutch (default) and English."""

from __future__ import annotations

import os

LANGS = ("nl", "en")

MESSAGES: dict[str, dict[str, str]] = {
    "error": {"nl": "fout", "en": "error"},
    "cli.internal_error": {
        "nl": "onverwachte fout in wijkvitaliteit (foutcode {id}; de details staan in {log}): meld het met dat bestand",
        "en": "unexpected fault in wijkvitaliteit (error id {id}; the details are in {log}): please report it with that file",
    },
    "factor.leefbaarheid": {"nl": "leefbaarheid", "en": "liveability"},
    "factor.organisatiekracht": {"nl": "organisatiekracht", "en": "organising capacity"},
    "factor.veerkracht": {"nl": "veerkracht", "en": "resilience"},
    "points": {"nl": "punten", "en": "points"},
    "unknown": {"nl": "onbekend", "en": "unknown"},
    "incomplete": {"nl": "onvolledig", "en": "incomplete"},
    "attention": {"nl": "aandacht", "en": "attention"},
    "yes": {"nl": "ja", "en": "yes"},
    "no": {"nl": "nee", "en": "no"},
    "undecided": {"nl": "nog niet te zeggen", "en": "cannot tell yet"},
    "vitality": {"nl": "vitaliteitsscore", "en": "vitality score"},
    "category": {"nl": "categorie", "en": "category"},
    "buurt": {"nl": "buurt", "en": "neighbourhood"},
    "wijk": {"nl": "wijk", "en": "district"},
    "gemeente": {"nl": "gemeente", "en": "municipality"},
    "year": {"nl": "jaar", "en": "year"},
    "code": {"nl": "code", "en": "code"},
    "name": {"nl": "naam", "en": "name"},
    "count": {"nl": "aantal", "en": "count"},
    "model": {"nl": "model", "en": "model"},
    "fictitious": {"nl": "FICTIEF", "en": "FICTITIOUS"},
    "summary.title": {"nl": "Vitaliteit per gemeente, {year}", "en": "Vitality per municipality, {year}"},
    "summary.attention_list": {
        "nl": "Aandachtslijst {gemeente} ({n} buurten met score ≥ {threshold})",
        "en": "Attention list {gemeente} ({n} neighbourhoods with score ≥ {threshold})",
    },
    "summary.incomplete": {
        "nl": "{n} buurten onvolledig (een factor onbekend)",
        "en": "{n} neighbourhoods incomplete (a factor unknown)",
    },
    "show.title": {"nl": "{name} ({code}) — {gemeente}, {year}", "en": "{name} ({code}) — {gemeente}, {year}"},
    "show.score": {
        "nl": "Vitaliteitsscore {value} ({category}); aandacht: {attention}",
        "en": "Vitality score {value} ({category}); attention: {attention}",
    },
    "show.score_incomplete": {
        "nl": "Vitaliteitsscore onbekend: tussen {low} en {high} (een factor ontbreekt); aandacht: {attention}",
        "en": "Vitality score unknown: between {low} and {high} (a factor is missing); attention: {attention}",
    },
    "show.indicator": {
        "nl": "{label}: {value} (meting {value_year}{vintage}) → {points} {pts_word}; grenzen {rule}",
        "en": "{label}: {value} (measured {value_year}{vintage}) → {points} {pts_word}; thresholds {rule}",
    },
    "show.missing": {
        "nl": "{label}: geen meting binnen {max_age} jaar vóór {year}",
        "en": "{label}: no measurement within {max_age} years before {year}",
    },
    "show.no_reference": {
        "nl": "{label}: {value}, maar te weinig buurten om mee te vergelijken",
        "en": "{label}: {value}, but too few neighbourhoods to compare with",
    },
    "show.rule_better": {"nl": "≥ {high} → 1, ≥ {low} → 2, lager → 3", "en": "≥ {high} → 1, ≥ {low} → 2, lower → 3"},
    "show.rule_worse": {"nl": "≤ {low} → 1, ≤ {high} → 2, hoger → 3", "en": "≤ {low} → 1, ≤ {high} → 2, higher → 3"},
    "show.reference_all": {"nl": " (kwantielen van {n} buurten in {year})", "en": " (quantiles of {n} neighbourhoods in {year})"},
    "show.reference_all_unnumbered": {
        "nl": " (kwantielen van de buurten in {year}, ook die met verborgen waarden)",
        "en": " (quantiles of the neighbourhoods in {year}, hidden values included)",
    },
    "show.reference_gemeente_unnumbered": {
        "nl": " (kwantielen van de buurten in de gemeente, {year}, ook die met verborgen waarden)",
        "en": " (quantiles of the neighbourhoods in the municipality, {year}, hidden values included)",
    },
    "show.reference_gemeente": {
        "nl": " (kwantielen van {n} buurten in de gemeente, {year})",
        "en": " (quantiles of {n} neighbourhoods in the municipality, {year})",
    },
    "show.combine": {"nl": "samengenomen: {how}", "en": "combined: {how}"},
    "show.trend": {"nl": "Leefbaarometer-trend", "en": "Leefbaarometer trend"},
    "show.percentile": {
        "nl": "{pct:.0f}% van de {n} Nederlandse buurten scoort lager ({year})",
        "en": "{pct:.0f}% of the {n} Dutch neighbourhoods score lower ({year})",
    },
    "show.version_note": {
        "nl": "Let op: deze reeks kruist Leefbaarometer-versies ({versions}); niveaus tussen versies zijn niet "
        "zonder meer vergelijkbaar.",
        "en": "Note: this series crosses Leefbaarometer versions ({versions}); levels across versions are not "
        "directly comparable.",
    },
    "show.no_score": {
        "nl": "Geen score voor {code} in {year}: er is geen meting voor deze buurt.",
        "en": "No score for {code} in {year}: there is no measurement for this neighbourhood.",
    },
    "combine.max": {"nl": "de zwakste indicator telt", "en": "the weakest indicator counts"},
    "combine.min": {"nl": "de sterkste indicator telt", "en": "the strongest indicator counts"},
    "combine.mean": {"nl": "gemiddelde, half naar boven afgerond", "en": "mean, rounded half up"},
    "demo.done": {"nl": "Demo-werkruimte klaar: {path}", "en": "Demo workspace ready: {path}"},
    "imported": {"nl": "{kind} geïmporteerd uit {path}: {detail}", "en": "{kind} imported from {path}: {detail}"},
    "scored": {
        "nl": "Gescoord met model {name} ({hash}): {n} buurt-jaren, jaren {years}",
        "en": "Scored with model {name} ({hash}): {n} neighbourhood-years, years {years}",
    },
    # web
    "web.skip": {"nl": "Naar de inhoud", "en": "Skip to content"},
    "web.nav": {"nl": "Hoofdmenu", "en": "Main menu"},
    "web.netherlands": {"nl": "Nederland", "en": "Netherlands"},
    "web.search": {"nl": "Zoek", "en": "Search"},
    "web.search_label": {"nl": "Zoek een buurt of gemeente", "en": "Find a neighbourhood or municipality"},
    "web.search_results": {"nl": "Zoekresultaten voor '{q}'", "en": "Search results for '{q}'"},
    "web.no_results": {"nl": "Niets gevonden.", "en": "Nothing found."},
    "web.language": {"nl": "Taal", "en": "Language"},
    "web.fictitious_note": {
        "nl": "de corporatiegegevens zijn verzonnen ({name}).",
        "en": "the corporation's records are generated ({name}).",
    },
    "web.data": {"nl": "Gegevens van deze pagina", "en": "Data of this page"},
    "web.layer": {"nl": "Kaartlaag", "en": "Map layer"},
    "web.show": {"nl": "Toon", "en": "Show"},
    "web.legend": {"nl": "Legenda", "en": "Legend"},
    "web.zoom": {"nl": "Zoomen", "en": "Zoom"},
    "web.zoom_in": {"nl": "Inzoomen", "en": "Zoom in"},
    "web.zoom_out": {"nl": "Uitzoomen", "en": "Zoom out"},
    "web.zoom_reset": {"nl": "Hele kaart", "en": "Whole map"},
    "web.map_of": {"nl": "Kaart:", "en": "Map:"},
    "web.not_scored": {"nl": "niet gescoord", "en": "not scored"},
    "web.no_value": {"nl": "geen waarde", "en": "no value"},
    "web.no_corporation": {"nl": "geen corporatiebezit in de werkruimte", "en": "no corporation stock in the workspace"},
    "web.flagged": {"nl": "buurten met aandacht", "en": "neighbourhoods flagged"},
    "web.classes_national": {
        "nl": "klassen: landelijke kwintielen van alle buurten in hetzelfde Leefbaarometer-jaar",
        "en": "classes: national quintiles of all neighbourhoods in the same Leefbaarometer year",
    },
    "web.classes_local": {"nl": "klassen: kwintielen binnen de gemeente", "en": "classes: quintiles within the municipality"},
    "web.layer_no_data": {
        "nl": "deze laag heeft geen waarden in dit jaar (de Leefbaarometer-dimensies bestaan vanaf 2014): kies een ander jaar",
        "en": "this layer has no values in this year (the Leefbaarometer dimensions exist from 2014 on): pick another year",
    },
    "web.national_title": {
        "nl": "Nederland: leefbaarheid en vitaliteit per gemeente",
        "en": "The Netherlands: liveability and vitality per municipality",
    },
    "web.national_lbm_note": {
        "nl": "Kleur: de mediaan van de Leefbaarometer-afwijking (afw) van de buurten van elke gemeente in {year}, "
        "in vijf landelijke klassen. Zoom in voor wijken (ook de mediaan van hun buurten). Klik op een gemeente.",
        "en": "Colour: the median Leefbaarometer deviation (afw) of each municipality's neighbourhoods in {year}, in "
        "five national classes. Zoom in for districts (also the median of their neighbourhoods). Click a municipality.",
    },
    "web.national_vitality_note": {
        "nl": "Kleur: het aandeel volledig gescoorde buurten met aandacht (score ≥ drempel) in {year}, alleen waar de "
        "corporatie bezit heeft. Klik op een gemeente.",
        "en": "Colour: the share of completely scored neighbourhoods flagged for attention in {year}, only where the "
        "corporation owns dwellings. Click a municipality.",
    },
    "web.national_caption": {"nl": "Gemeenten (CBS 2020, gegeneraliseerd)", "en": "Municipalities (CBS 2020, generalised)"},
    "web.corporation_gemeenten": {"nl": "Gemeenten met corporatiebezit", "en": "Municipalities with corporation stock"},
    "web.counts": {"nl": "Aantal buurten per categorie", "en": "Neighbourhoods per category"},
    "web.changes": {"nl": "Veranderingen", "en": "Changes"},
    "web.attention_list": {"nl": "Aandachtslijst", "en": "Attention list"},
    "web.attention_note": {
        "nl": "Buurten met een score van {threshold} of meer (of onvolledig maar al zeker ≥ {threshold}).",
        "en": "Neighbourhoods scoring {threshold} or more (or incomplete but certainly ≥ {threshold}).",
    },
    "web.filter": {"nl": "Filter", "en": "Filter"},
    "web.filter_placeholder": {"nl": "naam of wijk", "en": "name or district"},
    "web.score": {"nl": "score", "en": "score"},
    "web.all_buurten": {"nl": "Alle buurten", "en": "All neighbourhoods"},
    "web.history": {"nl": "Eerdere jaren", "en": "Earlier years"},
    "web.location": {"nl": "Ligging in de gemeente", "en": "Location in the municipality"},
    "web.trend_chart": {
        "nl": "Grafiek van de Leefbaarometer-score per jaar, met de vijf dimensies vanaf 2014",
        "en": "Chart of the Leefbaarometer score per year, with the five dimensions from 2014",
    },
    "web.trend_table": {
        "nl": "Leefbaarometer per jaar (dimensies alleen in versie 3.0-jaren)",
        "en": "Leefbaarometer per year (dimensions only in version 3.0 years)",
    },
    "web.version": {"nl": "versie", "en": "version"},
    "web.dimensions": {"nl": "dimensies", "en": "dimensions"},
    "web.corporation_figures": {"nl": "Cijfers van de corporatie", "en": "The corporation's figures"},
    "web.corp_chart": {
        "nl": "Grafiek van overlast per 100 woningen en het aandeel kwetsbare instroom per jaar",
        "en": "Chart of nuisance per 100 dwellings and the vulnerable share of inflow per year",
    },
    "web.dwellings": {"nl": "woningen", "en": "dwellings"},
    "web.lettings": {"nl": "verhuringen", "en": "lettings"},
    "web.nuisance": {"nl": "overlastmeldingen", "en": "nuisance reports"},
    "web.nuisance_per_100": {"nl": "overlast per 100 woningen", "en": "nuisance per 100 dwellings"},
    "web.vulnerable_pct": {"nl": "kwetsbare instroom (3 jaar)", "en": "vulnerable inflow (3 years)"},
    "web.contact_pct": {"nl": "binnen 6 weken gesproken", "en": "contacted within 6 weeks"},
    "web.comparison": {"nl": "Vergelijking met wijk en gemeente", "en": "Compared with district and municipality"},
    "web.indicator": {"nl": "indicator", "en": "indicator"},
    "web.wijk_median": {"nl": "mediaan wijk", "en": "district median"},
    "web.gemeente_median": {"nl": "mediaan gemeente", "en": "municipality median"},
    "web.from": {"nl": "van", "en": "from"},
    "web.to": {"nl": "tot", "en": "to"},
    "web.show_all": {"nl": "ook buurten zonder verandering", "en": "include unchanged neighbourhoods"},
    "web.changes_summary": {"nl": "{n} buurten veranderden van categorie.", "en": "{n} neighbourhoods changed category."},
    "web.why": {"nl": "waarom", "en": "why"},
    "web.model_title": {"nl": "Het scoremodel", "en": "The scoring model"},
    "web.model_hash": {"nl": "Hash van het model", "en": "Model hash"},
    "web.model_formula": {
        "nl": "Vitaliteit = leefbaarheid × organisatiekracht × veerkracht (aggregatie: {aggregation}); "
        "aandacht vanaf {threshold}.",
        "en": "Vitality = liveability × organising capacity × resilience (aggregation: {aggregation}); "
        "attention from {threshold}.",
    },
    "web.bands": {"nl": "Categorieën", "en": "Categories"},
    "web.up_to": {"nl": "tot en met", "en": "up to and including"},
    "web.rules": {"nl": "Regels per factor", "en": "Rules per factor"},
    "web.factor": {"nl": "factor", "en": "factor"},
    "web.rule": {"nl": "regel", "en": "rule"},
    "web.max_age": {"nl": "max. leeftijd meting (jaar)", "en": "max. age of measurement (years)"},
    "web.combine": {"nl": "samennemen", "en": "combine"},
    "web.rule_quantile": {
        "nl": "kwantielen: beste {low}% → 1, zwakste {high}%-grens → 3, t.o.v. {reference}",
        "en": "quantiles: best {low}% → 1, weakest beyond {high}% → 3, against {reference}",
    },
    "web.rule_thresholds": {"nl": "vaste grenzen {low} en {high}", "en": "fixed limits {low} and {high}"},
    "web.reference_all": {"nl": "alle buurten in hetzelfde jaar", "en": "all neighbourhoods in the same year"},
    "web.reference_gemeente": {"nl": "de buurten van de gemeente", "en": "the municipality's neighbourhoods"},
    "web.higher_is_better": {"nl": "hoger is beter", "en": "higher is better"},
    "web.higher_is_worse": {"nl": "hoger is slechter", "en": "higher is worse"},
    "web.not_found": {"nl": "Niet gevonden", "en": "Not found"},
    "web.bad_parameter": {"nl": "Ongeldige invoer", "en": "Invalid input"},
    "web.server_error": {"nl": "Er ging iets mis", "en": "Something went wrong"},
    "web.server_error_note": {
        "nl": "Dit is een fout in wijkvitaliteit, niet in uw invoer. Meld het met foutcode {id} "
        "(die staat ook in het logboek van de server).",
        "en": "This is a fault in wijkvitaliteit, not in your input. Report it with error id {id} (it is in the server log too).",
    },
    "runs.no_changes": {
        "nl": "Geen buurt veranderde van categorie of aandacht (--all toont alle buurten).",
        "en": "No buurt changed category or attention (--all shows every buurt).",
    },
    "runs.changed": {"nl": "{n} buurten veranderden van categorie", "en": "{n} buurten changed category"},
    "web.runs": {"nl": "Scoreruns", "en": "Score runs"},
    "web.runs_intro": {
        "nl": "Elke scoring bewaart het model en de invoer waarop ze rust (afleidinstellingen en "
        "bronbestanden met hun sha256). Dezelfde invoer met hetzelfde model vervangt een run; een "
        "ander model, een nieuwe import of een nieuwe afleiding maakt een nieuwe run. De nieuwste "
        "run is actief: die tonen alle pagina's.",
        "en": "Every scoring keeps the model and the inputs it rests on (derive settings and source files "
        "with their sha256). The same inputs with the same model replace a run; another model, a new "
        "import or a new derive makes a new run. The latest run is active: every page shows it.",
    },
    "audit.summary": {
        "nl": "{fetched} pagina's en downloads opgehaald, {facts} getallen, {equations} verbanden; {hidden} verborgen "
        "aantallen van 1 tot {threshold}; daarvan teruggerekend: {leaks}",
        "en": "{fetched} pages and downloads fetched, {facts} numbers, {equations} relations; {hidden} hidden counts "
        "from 1 to below {threshold}; recovered: {leaks}",
    },
    "score.mostly_incomplete": {
        "nl": "let op: het model laat {pct}% van de buurten in {year} onvolledig (een factor zonder gegevens); "
        "controleer de indicatoren van het model en wat er is geïmporteerd",
        "en": "note: the model leaves {pct}% of the buurten in {year} incomplete (a factor without data); check the "
        "model's indicators and what was imported",
    },
    "restore.ok": {"nl": "leesbaar", "en": "reads cleanly"},
    "restore.done": {"nl": "{path} teruggezet uit {generation}", "en": "{path} restored from {generation}"},
    "runs.complete": {"nl": "volledig gescoord", "en": "completely scored"},
    "runs.files": {"nl": "bestanden", "en": "files"},
    "web.limits": {"nl": "grenzen", "en": "limits"},
    "web.runs_created": {"nl": "gemaakt", "en": "made"},
    "web.runs_inputs": {"nl": "invoer", "en": "inputs"},
    "web.runs_years": {"nl": "jaren", "en": "years"},
    "web.runs_active": {"nl": "actief", "en": "active"},
    "web.runs_compare_with": {"nl": "vergelijk met de actieve run", "en": "compare with the active run"},
    "web.runs_derive": {"nl": "afleiding", "en": "derive"},
    "web.runs_window": {"nl": "jaar venster", "en": "year window"},
    "web.runs_not_recorded": {"nl": "niet vastgelegd (gescoord vóór schema 3)", "en": "not recorded (scored before schema 3)"},
    "web.runs_same": {"nl": "gelijk", "en": "the same"},
    "web.runs_compare": {"nl": "Run {a} tegenover run {b} in {year}", "en": "Run {a} against run {b} in {year}"},
    "web.runs_compare_intro": {
        "nl": "Welke buurten in run {b} andere punten, een andere categorie of een ander "
        "aandachtssignaal hebben dan in run {a}, en door welke indicatoren.",
        "en": "Which buurten have other points, another category or another attention flag in "
        "run {b} than in run {a}, and through which indicators.",
    },
    "web.download": {"nl": "Downloaden", "en": "Download"},
    "web.report_pdf": {"nl": "rapport (PDF)", "en": "report (PDF)"},
    "web.report_html": {"nl": "rapport (HTML)", "en": "report (HTML)"},
    "web.analyses": {"nl": "Diagnose", "en": "Diagnosis"},
    "web.analysis_resilience": {"nl": "Veerkracht: instroom en overlast", "en": "Resilience: inflow and nuisance"},
    "web.analysis_segregation": {"nl": "Segregatie", "en": "Segregation"},
    "web.analysis_sensitivity": {"nl": "Gevoeligheid van de aandachtsvlag", "en": "Sensitivity of the attention flag"},
    "web.did_you_mean": {"nl": "Bedoelde u", "en": "Did you mean"},
    # analyses
    "allocation.map_now": {"nl": "Nu ({year})", "en": "Now ({year})"},
    "allocation.intro": {
        "nl": "Toewijzingsronde {year}: elk beleid met de optimalisatie (OR-Tools min-cost flow met Lagrange en "
        "reparatie; CP-SAT waar het klein genoeg is), met een gretige toewijzing die dezelfde regels houdt, en "
        "met de huidige praktijk (wachttijd, urgentie, loting). Elke toewijzing is nagerekend door een "
        "onafhankelijke controle.",
        "en": "Allocation round {year}: each policy with the optimiser (OR-Tools min-cost flow with Lagrange and "
        "repair; CP-SAT where small enough), with a greedy allocation keeping the same rules, and with today's "
        "practice (waiting time, urgency, lottery). Every assignment is re-checked by an independent checker.",
    },
    "allocation.maps": {
        "nl": "De kaarten tonen de vitaliteit van {current} met de instroom van deze ronde (alleen het instroomeffect: "
        "overlast en Leefbaarometer blijven zoals ze zijn).",
        "en": "The maps show the vitality of {current} with this round's inflow (the inflow effect only: nuisance and "
        "Leefbaarometer stay as they are).",
    },
    "allocation.title": {
        "nl": "Toewijzing {year}: beleid naast elkaar (aandacht nu = {current})",
        "en": "Allocation {year}: policies side by side (attention now = {current})",
    },
    "allocation.broken": {"nl": "{run}: {n} regel(s) gebroken", "en": "{run}: {n} rule(s) broken"},
    "allocation.binding": {"nl": "{run} — regels zonder ruimte: ", "en": "{run} — rules without room: "},
    "allocation.valid": {
        "nl": "Alle {n} toewijzingen houden zich aan elke regel van beleid '{policy}'.",
        "en": "All {n} lettings keep every rule of policy '{policy}'.",
    },
    "allocation.written": {"nl": "Toewijzing ({n} verhuringen) → {path}", "en": "Assignment ({n} lettings) → {path}"},
    "web.allocation": {"nl": "Toewijzing", "en": "Allocation"},
    "web.partner": {"nl": "Partnerweergave", "en": "Partner view"},
    "web.partner_note": {
        "nl": "alleen totalen; aantallen van 1 tot {threshold} (exclusief) zijn onderdrukt (–), en waar een "
        "totaal ze zou verraden ook het kleinste andere aantal.",
        "en": "aggregates only; counts from 1 to below {threshold} are suppressed (–), and where a "
        "total would give them away, the next smallest count too.",
    },
    "analysis.resilience_intro": {
        "nl": "Gaat meer kwetsbare instroom samen met meer overlast, en waar vangt een buurt dat op? Een panelmodel over "
        "buurt-jaren met vaste buurt- en jaareffecten; de hellingen komen uit veranderingen binnen buurten. Het "
        "toont samenhang, geen bewezen oorzaak.",
        "en": "Does more vulnerable inflow go with more nuisance, and where does a neighbourhood absorb it? A panel model "
        "over neighbourhood-years with neighbourhood and year effects; slopes come from changes within "
        "neighbourhoods. It shows association, not proven cause.",
    },
    "analysis.resilience_buurten": {
        "nl": "Per buurt: waargenomen tegen verwachte overlast",
        "en": "Per neighbourhood: observed against expected nuisance",
    },
    "analysis.segregation_intro": {
        "nl": "Hoe gemengd is de gemeente voor {group} binnen {total}? Ongelijkheid (D), isolatie, blootstelling en "
        "entropie (Theil) per gemeente en jaar, over buurten. Het zegt niets over oorzaken of over mensen.",
        "en": "How mixed is the municipality for {group} within {total}? Dissimilarity (D), isolation, exposure and "
        "entropy (Theil) per municipality and year, over neighbourhoods. It says nothing about causes or people.",
    },
    "analysis.centre_profile": {
        "nl": "Van centrum naar rand (vijf ringen met evenveel buurten)",
        "en": "From centre to edge (five rings of equal numbers of neighbourhoods)",
    },
    "analysis.sensitivity_intro": {
        "nl": "Zou de buurt ook aandacht krijgen met een iets ander model? {draws} trekkingen: grenzen iets verschoven, "
        "andere regels, samennemen en aggregatie. Stabiel = in ≥ 90% (of ≤ 10%) van de trekkingen.",
        "en": "Would the neighbourhood still be flagged under a slightly different model? {draws} draws: limits shifted, "
        "other rules, combine and aggregation. Stable = in ≥ 90% (or ≤ 10%) of the draws.",
    },
    # report
    "report.title": {"nl": "Vitaliteit van de buurten", "en": "Vitality of the neighbourhoods"},
    "report.subtitle": {
        "nl": "Leefbaarheid × organisatiekracht × veerkracht, voor de prestatieafspraken",
        "en": "Liveability × organising capacity × resilience, for the performance agreements",
    },
    "report.corporation": {"nl": "Corporatie", "en": "Housing corporation"},
    "report.generated": {"nl": "Gemaakt op", "en": "Generated"},
    "report.page": {"nl": "pagina", "en": "page"},
    "report.summary": {"nl": "Samenvatting", "en": "Summary"},
    "report.none_flagged": {"nl": "Geen buurt vraagt om extra aandacht.", "en": "No neighbourhood is flagged."},
    "report.changed": {"nl": "Wat veranderde sinds de vorige meting", "en": "What changed since the previous measurement"},
    "report.no_previous": {"nl": "Er is geen eerdere meting.", "en": "There is no earlier measurement."},
    "report.no_changes": {
        "nl": "Geen buurt veranderde van categorie of aandacht sinds {previous}.",
        "en": "No neighbourhood changed category or attention since {previous}.",
    },
    "report.changes_since": {
        "nl": "Buurten die tussen {previous} en {year} van categorie of aandacht veranderden.",
        "en": "Neighbourhoods whose category or attention changed between {previous} and {year}.",
    },
    "report.more_changes": {
        "nl": "… en {n} andere buurten; alle veranderingen staan op /veranderingen/{code}.",
        "en": "… and {n} more neighbourhoods; all changes are on /veranderingen/{code}.",
    },
    "report.diagnosis": {"nl": "Diagnose", "en": "Diagnosis"},
    "report.policy": {"nl": "beleid", "en": "policy"},
    "report.method": {"nl": "methode", "en": "method"},
    "report.lettings": {"nl": "verhuringen", "en": "lettings"},
    "report.preference_fit": {"nl": "voorkeur", "en": "preference fit"},
    "report.vulnerable": {"nl": "kwetsbaar", "en": "vulnerable"},
    "report.rules_broken": {"nl": "regels gebroken", "en": "rules broken"},
    "report.attention_projected": {"nl": "aandacht met instroom", "en": "attention with inflow"},
    "report.vacancies": {"nl": "vrijkomend", "en": "vacancies"},
    "report.more_on_web": {"nl": "buurten meer op /toewijzing", "en": "more buurten on /toewijzing"},
    "report.allocation_buurten": {
        "nl": "Per buurt: kwetsbare huishoudens / verhuringen → vitaliteit met deze instroom",
        "en": "Per buurt: vulnerable households / lettings → vitality with this inflow",
    },
    "report.allocation_cell": {
        "nl": "Vitaliteit met instroom: de score van nu, met het aandeel kwetsbare huishoudens over drie jaar inclusief "
        "deze ronde; overlast, Leefbaarometer en organisatiekracht blijven zoals ze zijn.",
        "en": "Vitality with inflow: today's score with the three-year vulnerable share including this round; "
        "nuisance, Leefbaarometer and organising capacity stay as they are.",
    },
    "report.estimate": {"nl": "schatting", "en": "estimate"},
    "report.group_share": {"nl": "aandeel groep", "en": "group share"},
    "report.no_resilience": {
        "nl": "Het veerkrachtmodel is niet geschat: te weinig buurt-jaren met overlast, instroom en corporatieaandeel (KWB).",
        "en": "The resilience model was not estimated: too few neighbourhood-years with nuisance, "
        "inflow and corporation share (KWB).",
    },
    "report.buurt_sensitivity": {
        "nl": "Gevoeligheid: aandacht in {pct}% van de modelvarianten ({label}); rang {low}–{high}.",
        "en": "Sensitivity: flagged in {pct}% of the model variants ({label}); rank {low}–{high}.",
    },
    "report.buurt_resilience": {
        "nl": "Veerkracht: {label} (overlast {observed} per 100 woningen, verwacht {expected}).",
        "en": "Resilience: {label} (nuisance {observed} per 100 dwellings, expected {expected}).",
    },
    "report.buurt_draagkracht": {
        "nl": "Draagkracht: +{pp} procentpunt kwetsbare instroom voordat de veerkrachtpunten stijgen.",
        "en": "Capacity: +{pp} percentage points of vulnerable inflow before the resilience points rise.",
    },
    "report.buurt_draagkracht_none": {
        "nl": "Draagkracht: geen, de veerkracht staat al op 3 punten.",
        "en": "Capacity: none, resilience is already at 3 points.",
    },
    "label.stable_flagged": {"nl": "stabiel met aandacht", "en": "stably flagged"},
    "label.borderline": {"nl": "op de grens", "en": "borderline"},
    "label.stable_not_flagged": {"nl": "stabiel zonder aandacht", "en": "stably not flagged"},
    "label.absorbs": {"nl": "vangt op", "en": "absorbs"},
    "label.as_expected": {"nl": "zoals verwacht", "en": "as expected"},
    "label.under_pressure": {"nl": "onder druk", "en": "under pressure"},
    "label.too_few_years": {"nl": "te weinig jaren", "en": "too few years"},
    "report.map": {"nl": "Kaart: {name}, {year}", "en": "Map: {name}, {year}"},
    "report.map_note": {
        "nl": "Buurten met aandacht staan bij naam. Gearceerd: onvolledig (een factor onbekend). "
        "Grenzen: CBS 2020, gegeneraliseerd.",
        "en": "Flagged neighbourhoods are named. Hatched: incomplete (a factor unknown). Boundaries: CBS 2020, generalised.",
    },
    "report.indicators": {"nl": "Indicatoren", "en": "Indicators"},
    "report.value": {"nl": "waarde", "en": "value"},
    "report.limits": {"nl": "grenzen", "en": "limits"},
    "report.model": {"nl": "Het scoremodel in gewone woorden", "en": "The scoring model in plain words"},
    "report.model_intro": {
        "nl": "Elke buurt krijgt per factor 1 (sterk) tot 3 (zwak) punten. De vitaliteitsscore is het product van de "
        "drie: 1, 2, 3, 4, 6, 8, 9, 12, 18 of 27. Vanaf {threshold} vraagt een buurt om een nadere blik: 2·2·2 = 8 "
        "nog niet, 3·3·1 = 9 wel. Elk punt volgt uit een meting en twee grenzen; de tabel hieronder geeft ze.",
        "en": "Each neighbourhood gets 1 (strong) to 3 (weak) points per factor. The vitality score is the product of "
        "the three: 1, 2, 3, 4, 6, 8, 9, 12, 18 or 27. From {threshold} a neighbourhood gets a closer look: 2·2·2 = 8 "
        "does not, 3·3·1 = 9 does. Every point follows from a measurement and two limits, listed below.",
    },
    "report.unknown_note": {
        "nl": "Ontbreekt een meting, dan is de factor onbekend: nooit stilzwijgend 1 of 3. De buurt heet dan onvolledig; "
        "aandacht krijgt hij alleen als de score met elke mogelijke waarde van de ontbrekende factor ≥ de drempel is.",
        "en": "A missing measurement makes the factor unknown: never silently 1 or 3. The neighbourhood is then "
        "incomplete; it is flagged only if every possible value of the missing factor gives a score ≥ the threshold.",
    },
    "report.sources": {"nl": "Bronnen", "en": "Sources"},
    "report.sources_intro": {
        "nl": "Wat in de werkruimte is ingelezen, met bestand en omvang:",
        "en": "What was imported into the workspace, with file and size:",
    },
    "report.imported": {"nl": "ingelezen", "en": "imported"},
    "report.kind": {"nl": "soort", "en": "kind"},
    "report.file": {"nl": "bestand", "en": "file"},
    "report.detail": {"nl": "inhoud", "en": "content"},
    "report.colophon": {"nl": "Colofon", "en": "Colophon"},
    "report.workspace": {"nl": "Werkruimte", "en": "Workspace"},
    "cli.score": {"nl": "score", "en": "score"},
    "cli.n_buurten": {"nl": "{n} buurten", "en": "{n} neighbourhoods"},
    "cli.one_buurt": {"nl": "1 buurt", "en": "1 neighbourhood"},
    "cli.score_caption": {
        "nl": "L = leefbaarheid, O = organisatiekracht, V = veerkracht (1–3 punten); score = L × O × V, aandacht bij ≥ 9",
        "en": "L = liveability, O = organising capacity, R = resilience (1–3 points); score = L × O × R, attention at ≥ 9",
    },
    # -- analysis tables: column headers (col.*), category values (value.*), one sentence per table (table.*) -----
    "col.name": {"nl": "buurt", "en": "neighbourhood"},
    "col.gemeente_name": {"nl": "gemeente", "en": "municipality"},
    "col.gemeente_code": {"nl": "gemeente", "en": "municipality"},
    "col.year": {"nl": "jaar", "en": "year"},
    "col.units": {"nl": "buurten", "en": "neighbourhoods"},
    "col.group_share": {"nl": "aandeel groep", "en": "group share"},
    "col.dissimilarity": {"nl": "ongelijkheid (D)", "en": "dissimilarity (D)"},
    "col.isolation": {"nl": "isolatie", "en": "isolation"},
    "col.exposure": {"nl": "blootstelling", "en": "exposure"},
    "col.entropy": {"nl": "entropie (Theil)", "en": "entropy (Theil)"},
    "col.ring": {"nl": "ring (0 = centrum)", "en": "ring (0 = centre)"},
    "col.km_from": {"nl": "van km", "en": "from km"},
    "col.km_to": {"nl": "tot km", "en": "to km"},
    "col.share": {"nl": "aandeel groep", "en": "group share"},
    "col.group": {"nl": "groep", "en": "group"},
    "col.total": {"nl": "totaal", "en": "total"},
    "col.location_quotient": {"nl": "locatiequotiënt", "en": "location quotient"},
    "col.km_from_centre": {"nl": "km van centrum", "en": "km from centre"},
    "col.vitality": {"nl": "vitaliteitsscore", "en": "vitality score"},
    "col.p_flagged": {"nl": "kans op aandacht", "en": "probability flagged"},
    "col.rank_p05": {"nl": "rang 5%", "en": "rank 5%"},
    "col.rank_p95": {"nl": "rang 95%", "en": "rank 95%"},
    "col.label": {"nl": "oordeel", "en": "verdict"},
    "col.term": {"nl": "term", "en": "term"},
    "col.estimate": {"nl": "schatting", "en": "estimate"},
    "col.ci_low": {"nl": "95%-interval van", "en": "95% interval from"},
    "col.ci_high": {"nl": "95%-interval tot", "en": "95% interval to"},
    "col.p_value": {"nl": "p-waarde", "en": "p-value"},
    "col.observed": {"nl": "waargenomen", "en": "observed"},
    "col.expected": {"nl": "verwacht", "en": "expected"},
    "col.difference": {"nl": "verschil", "en": "difference"},
    "col.difference_low": {"nl": "verschil 95% van", "en": "difference 95% from"},
    "col.difference_high": {"nl": "verschil 95% tot", "en": "difference 95% to"},
    "col.draagkracht": {"nl": "draagkracht", "en": "capacity to absorb"},
    "label.vulnerable_share": {"nl": "aandeel kwetsbare instroom", "en": "share of vulnerable inflow"},
    "label.vulnerable_share × corporation_share": {
        "nl": "kwetsbare instroom × corporatie-aandeel",
        "en": "vulnerable inflow × corporation share",
    },
    "field.groep": {"nl": "groep", "en": "group"},
    "field.gemeente": {"nl": "gemeente (code)", "en": "municipality (code)"},
    "preset.bijstand": {"nl": "bijstand onder inwoners", "en": "social assistance among inhabitants"},
    "preset.corporatie": {"nl": "corporatiewoningen onder woningen", "en": "corporation dwellings among dwellings"},
    "preset.kwetsbaar": {"nl": "kwetsbare instroom onder verhuringen", "en": "vulnerable inflow among lettings"},
    "table.segregation_indices": {
        "nl": "Per gemeente en jaar: D = het deel van de groep dat zou moeten verhuizen voor een gelijke spreiding "
        "(0 = gelijk, 1 = volledig gescheiden); isolatie = het aandeel van de groep in de buurt van een gemiddeld "
        "groepslid. Indices over buurten: een verschil binnen een buurt blijft onzichtbaar.",
        "en": "Per municipality and year: D = the share of the group that would have to move for an even spread "
        "(0 = even, 1 = fully separated); isolation = the group's share in the neighbourhood of an average member. "
        "Indices over neighbourhoods: differences within a neighbourhood stay invisible.",
    },
    "table.location_quotients": {
        "nl": "Locatiequotiënt = het aandeel van de groep in de buurt gedeeld door dat in de gemeente (1 = gemiddeld); "
        "kleine buurten schommelen sterk.",
        "en": "Location quotient = the group's share in the neighbourhood divided by that in the municipality "
        "(1 = average); small neighbourhoods vary strongly.",
    },
    "table.location_quotients_title": {"nl": "Per buurt: oververtegenwoordiging", "en": "Per neighbourhood: over-representation"},
    "table.sensitivity": {
        "nl": "{year}: {stable_flagged} buurten stabiel met aandacht, {borderline} op de grens, {stable_not_flagged} "
        "stabiel zonder aandacht",
        "en": "{year}: {stable_flagged} neighbourhoods stably flagged, {borderline} borderline, {stable_not_flagged} "
        "stably not flagged",
    },
    "table.sensitivity_note": {
        "nl": "Kans op aandacht = het deel van de trekkingen waarin de buurt ≥ de drempel scoort; de rang loopt van "
        "1 (zwakst) en het interval zegt hoe vast die plaats is. Het zegt niets over meetfouten in de data zelf.",
        "en": "Probability flagged = the share of draws in which the neighbourhood scores at or above the threshold; the "
        "rank runs from 1 (weakest) and its interval says how firm that place is. It says nothing of errors in the data.",
    },
    "table.resilience_coefficients": {
        "nl": "{n_obs} buurt-jaren, {n_buurten} buurten",
        "en": "{n_obs} neighbourhood-years, {n_buurten} neighbourhoods",
    },
    "table.resilience_significant": {
        "nl": "{term}: {estimate} (95%-interval {low} tot {high}, p = {p}) — de samenhang is te onderscheiden van nul.",
        "en": "{term}: {estimate} (95% interval {low} to {high}, p = {p}) — the association is distinguishable from zero.",
    },
    "table.resilience_not_significant": {
        "nl": "{term}: {estimate} (95%-interval {low} tot {high}, p = {p}) — niet te onderscheiden van geen samenhang; "
        "deze data kunnen die vraag niet beantwoorden.",
        "en": "{term}: {estimate} (95% interval {low} to {high}, p = {p}) — not distinguishable from no association; "
        "these data cannot answer that question.",
    },
    "table.resilience_buurten_note": {
        "nl": "Vangt op = minder overlast dan het model verwacht, over de jaren en buiten het 95%-interval; onder druk = "
        "meer. Verwacht is wat de buurt zou hebben bij zijn instroom en corporatie-aandeel.",
        "en": "Absorbs = less nuisance than the model expects, over the years and outside the 95% interval; under pressure "
        "= more. Expected is what the neighbourhood would have given its inflow and corporation share.",
    },
}


def default_lang() -> str:
    lang = os.environ.get("WIJKVITALITEIT_LANG", "nl")
    return lang if lang in LANGS else "nl"


def column_label(column: str, lang: str = "nl") -> str:
    """The header of an analysis column (``col.*``); a column without one keeps its name."""
    return t("col." + column, lang) if "col." + column in MESSAGES else column


def value_label(value: object, lang: str = "nl") -> object:
    """A category value in words (``label.*``: stable_flagged → "stabiel met aandacht"); other values unchanged."""
    return t("label." + value, lang) if isinstance(value, str) and "label." + value in MESSAGES else value


def t(key: str, lang: str = "nl", **values: object) -> str:
    text = MESSAGES[key].get(lang) or MESSAGES[key]["nl"]
    return text.format(**values) if values else text


def number(value: float | None, lang: str = "nl", digits: int = 3) -> str:
    """A number as people write it: Dutch decimal comma by default."""
    if value is None or value != value:
        return t("unknown", lang)
    if float(value).is_integer() and abs(value) < 1e12:
        text = f"{int(value):,}"
        return text.replace(",", ".") if lang == "nl" else text
    text = f"{value:.{digits}g}" if abs(value) < 1e-3 or abs(value) >= 1e4 else f"{value:.{digits}f}"
    return text.replace(".", ",") if lang == "nl" else text
