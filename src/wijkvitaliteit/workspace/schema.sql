-- wijkvitaliteit workspace, schema version 4 (store.SCHEMA_VERSION; older workspaces: migrations.py).
-- One DuckDB file; geometry as WKB in EPSG:28992.
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);

CREATE TABLE IF NOT EXISTS areas (
    code VARCHAR PRIMARY KEY,          -- BU02680736, WK026807, GM0268
    level VARCHAR NOT NULL,            -- buurt | wijk | gemeente | land (NL01, Nederland)
    name VARCHAR,
    wijk_code VARCHAR,                 -- buurten only
    gemeente_code VARCHAR,             -- buurten and wijken
    geometry BLOB                      -- WKB, EPSG:28992 (RD New); NULL where no boundary was imported
);

CREATE TABLE IF NOT EXISTS measurements (
    area_code VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    indicator VARCHAR NOT NULL,        -- catalogue id, e.g. lbm.afw, kwb.p_wcorpw, corp.nuisance_per_100
    value DOUBLE NOT NULL,
    source VARCHAR NOT NULL,           -- leefbaarometer | cbs_kwb | cbs_wijkenbuurten | corporatie
    vintage VARCHAR,                   -- e.g. 'Leefbaarometer 3.0', 'kwb-2023'
    import_id INTEGER
);

-- indicators that imports declare (StatLine and police columns), next to the bundled indicators.toml
CREATE TABLE IF NOT EXISTS indicator_catalogue (
    id VARCHAR PRIMARY KEY, label_nl VARCHAR NOT NULL, label_en VARCHAR NOT NULL, unit VARCHAR NOT NULL,
    direction VARCHAR NOT NULL, source VARCHAR NOT NULL, import_id INTEGER
);

CREATE TABLE IF NOT EXISTS import_log (
    import_id INTEGER PRIMARY KEY,
    imported_at TIMESTAMP NOT NULL,
    kind VARCHAR NOT NULL,
    path VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    rows BIGINT NOT NULL,
    detail VARCHAR
);

CREATE TABLE IF NOT EXISTS corporation (
    key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL  -- name, fictitious, imported_from
);
-- record ids are unique: the reader checks it (an index here would cost seconds per million rows)
CREATE TABLE IF NOT EXISTS corp_dwellings (
    dwelling_id VARCHAR NOT NULL, complex VARCHAR, postcode VARCHAR, buurt_code VARCHAR NOT NULL,
    dwelling_type VARCHAR, build_year INTEGER, energy_label VARCHAR, rent DOUBLE
);
CREATE TABLE IF NOT EXISTS corp_lettings (
    letting_id VARCHAR NOT NULL, dwelling_id VARCHAR NOT NULL, buurt_code VARCHAR NOT NULL,
    start_date DATE NOT NULL, household_type VARCHAR, age_band VARCHAR, income_class VARCHAR,
    uitstroom_ggz BOOLEAN, uitstroom_mo BOOLEAN, uitstroom_bw BOOLEAN, statushouder BOOLEAN,
    urgent BOOLEAN, vulnerable BOOLEAN NOT NULL, contacted_within_6_weeks BOOLEAN
);
CREATE TABLE IF NOT EXISTS corp_nuisance (
    report_id VARCHAR NOT NULL, report_date DATE NOT NULL, dwelling_id VARCHAR, buurt_code VARCHAR NOT NULL,
    category VARCHAR, severity INTEGER, status VARCHAR
);
CREATE TABLE IF NOT EXISTS corp_organisation (
    buurt_code VARCHAR NOT NULL, year INTEGER NOT NULL, wijkraad BOOLEAN, wijkregisseur BOOLEAN,
    buurtbeheerder BOOLEAN, bewonerscommissies INTEGER, clubs INTEGER, buurtfonds_aanvragen INTEGER
);

CREATE TABLE IF NOT EXISTS score_runs (
    run_id INTEGER PRIMARY KEY, model_hash VARCHAR NOT NULL, model_name VARCHAR NOT NULL,
    model_toml VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL, years VARCHAR NOT NULL,
    inputs_hash VARCHAR,               -- sha256 over the derive settings and the imports behind the measurements
    inputs VARCHAR,                    -- JSON: derive settings, imports (id, kind, file, sha256) used
    derive VARCHAR                     -- JSON: the derive settings of the corporation's measurements
);
CREATE TABLE IF NOT EXISTS scores (
    run_id INTEGER NOT NULL, area_code VARCHAR NOT NULL, year INTEGER NOT NULL,
    leefbaarheid INTEGER, organisatiekracht INTEGER, veerkracht INTEGER,
    vitality DOUBLE,                   -- NULL when a factor is unknown
    vitality_min DOUBLE, vitality_max DOUBLE,  -- bounds over the unknown factors' possible points
    category VARCHAR,                  -- hoog | gemiddeld | kwetsbaar | laag | NULL (incomplete)
    attention BOOLEAN,                 -- NULL when the unknown factors could decide it either way
    complete BOOLEAN NOT NULL,
    model_hash VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS score_factors (
    run_id INTEGER NOT NULL, area_code VARCHAR NOT NULL, year INTEGER NOT NULL, factor VARCHAR NOT NULL,
    points INTEGER, status VARCHAR NOT NULL, reason VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS score_indicators (
    run_id INTEGER NOT NULL, area_code VARCHAR NOT NULL, year INTEGER NOT NULL, factor VARCHAR NOT NULL,
    indicator VARCHAR NOT NULL, value DOUBLE, value_year INTEGER, vintage VARCHAR,
    rule VARCHAR NOT NULL, reference VARCHAR, reference_n INTEGER, direction VARCHAR NOT NULL,
    threshold_low DOUBLE, threshold_high DOUBLE, points INTEGER, status VARCHAR NOT NULL
);

-- allocation scenarios: the latest 'wijkvitaliteit allocate' comparison (each call replaces it)
CREATE TABLE IF NOT EXISTS allocation_runs (
    run_id INTEGER PRIMARY KEY, created_at TIMESTAMP NOT NULL, inputs VARCHAR NOT NULL,
    policy_name VARCHAR NOT NULL, policy_label_nl VARCHAR NOT NULL, policy_label_en VARCHAR NOT NULL,
    policy_hash VARCHAR NOT NULL, policy_toml VARCHAR NOT NULL, method VARCHAR NOT NULL,
    status VARCHAR NOT NULL,           -- optimal | feasible | infeasible (the checker found broken rules)
    objective DOUBLE NOT NULL, bound DOUBLE, seconds DOUBLE NOT NULL, year INTEGER NOT NULL,
    score_run_id INTEGER, current_year INTEGER, metrics VARCHAR NOT NULL, explanation VARCHAR NOT NULL,
    binding VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS allocation_buurten (
    run_id INTEGER NOT NULL, buurt_code VARCHAR NOT NULL, vacancies INTEGER, lettings INTEGER,
    vulnerable INTEGER, uitstroom INTEGER, cap INTEGER, quota_max INTEGER, vulnerable_share_round DOUBLE,
    vulnerable_share_window DOUBLE, veerkracht_now INTEGER, vitality_now DOUBLE, category_now VARCHAR,
    attention_now BOOLEAN,
    veerkracht INTEGER, vitality DOUBLE, vitality_min DOUBLE, vitality_max DOUBLE, category VARCHAR,
    attention BOOLEAN
);
CREATE TABLE IF NOT EXISTS allocation_violations (
    run_id INTEGER NOT NULL, rule VARCHAR NOT NULL, area VARCHAR, found VARCHAR, allowed VARCHAR, detail VARCHAR
);
CREATE TABLE IF NOT EXISTS allocation_lettings (   -- record level: corporation role only
    run_id INTEGER NOT NULL, applicant_id VARCHAR NOT NULL, vacancy_id VARCHAR NOT NULL, buurt_code VARCHAR,
    rank INTEGER, points DOUBLE, vulnerable BOOLEAN, uitstroom BOOLEAN
);
