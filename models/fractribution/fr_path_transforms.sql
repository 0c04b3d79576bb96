-- name: fractribution_path_transforms
-- version: 1
-- kind: stage
-- description: The path transforms of dbt-snowplow-fractribution (macros/path_transformations/create_udfs.sql)
-- description: as DuckDB macros over a channel list (VARCHAR[]), applied one statement per transform by
-- description: common/fractribution.ts. unique_path is the identity; exposure_path collapses consecutive
-- description: repeats; first_path keeps each channel's first occurrence; frequency_path keeps the first
-- description: occurrence with its count, e.g. a(4); remove_if_not_all(c) drops every c unless only c is left;
-- description: remove_if_last_and_not_all(c) drops the trailing run of c unless that empties the path;
-- description: trim_long_path(n) keeps the last n channels (all when n = 0).
-- output: macros fr_unique_path, fr_exposure_path, fr_first_path, fr_frequency_path, fr_remove_if_not_all, fr_remove_if_last_and_not_all, fr_trim_long_path
CREATE OR REPLACE MACRO fr_unique_path(p) AS p;
CREATE OR REPLACE MACRO fr_exposure_path(p) AS list_filter(p, (x, i) -> i = 1 OR x <> p[i - 1]);
CREATE OR REPLACE MACRO fr_first_path(p) AS list_filter(p, (x, i) -> list_position(p, x) = i);
CREATE OR REPLACE MACRO fr_frequency_path(p) AS
  list_transform(list_filter(p, (x, i) -> list_position(p, x) = i),
    x -> x || '(' || CAST(len(list_filter(p, y -> y = x)) AS VARCHAR) || ')');
CREATE OR REPLACE MACRO fr_remove_if_not_all(p, c) AS
  CASE WHEN len(list_filter(p, x -> x <> c)) = 0 THEN p ELSE list_filter(p, x -> x <> c) END;
CREATE OR REPLACE MACRO fr_remove_if_last_and_not_all(p, c) AS
  CASE WHEN coalesce(list_max(list_transform(p, (x, i) -> CASE WHEN x <> c THEN i ELSE 0 END)), 0) = 0 THEN p
       ELSE p[1:list_max(list_transform(p, (x, i) -> CASE WHEN x <> c THEN i ELSE 0 END))] END;
CREATE OR REPLACE MACRO fr_trim_long_path(p, n) AS
  CASE WHEN n > 0 AND len(p) > n THEN p[len(p) - n + 1:] ELSE p END;
