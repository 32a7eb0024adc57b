"""The seconds histograms' functions of migration 0006, rewritten for speed; same buckets, same
results (the rollups are not rebuilt).

- `transparency_seconds_bucket` and `transparency_bucket_seconds` are no longer STRICT: a STRICT
  SQL function whose body is a CASE is never inlined, so every sample of the days around the
  rollup months went through the SQL-function executor (~3 µs a call, most of the year-from-a-16th
  query). Without it they are inlined into the calling query; NULL still gives NULL (no CASE
  branch matches).
- `transparency_histogram_median` counts the loose samples (`extra`, `removed`) below a bucket
  with `width_bucket` (a binary search in C) instead of two nested plpgsql searches per step,
  narrows the search with `width_bucket` over `hi` first (the answer lies between the first
  bucket where `hi` alone reaches the target less every extra sample, and the first where it
  reaches it plus everything subtracted), and looks for the upper middle sample only when it is
  not in the lower one's bucket (nearly always it is). Same answer as before, bucket for bucket.
"""

from importlib import import_module

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION transparency_seconds_bucket(s integer) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN s < 100 THEN greatest(s, 0)
                WHEN s >= 100
                THEN least(100 + floor(ln(s::float8 / 100) / ln(1.03::float8))::integer, 645)
           END
$$;

CREATE OR REPLACE FUNCTION transparency_bucket_seconds(b integer) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN b < 100 THEN b::float8
                WHEN b >= 100 THEN 100 * power(1.03::float8, b - 100 + 0.5)
           END
$$;

CREATE OR REPLACE FUNCTION transparency_histogram_median(
    hi integer[], lo integer[], extra integer[], removed integer[]
) RETURNS double precision
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    n_hi integer := coalesce(cardinality(hi), 0);
    n_lo integer := coalesce(cardinality(lo), 0);
    n_x integer := coalesce(cardinality(extra), 0);
    n_r integer := coalesce(cardinality(removed), 0);
    lo_all integer := coalesce(lo[n_lo], 0);
    -- hi[0] and extra[0] are NULL: an empty array counts 0
    total integer := coalesce(hi[n_hi], 0) - lo_all + n_x - n_r;
    top integer := greatest(n_hi, coalesce(extra[n_x] + 1, 0)) - 1;
    loose boolean := n_x > 0 OR n_r > 0;
    target integer;
    lower_bucket integer;
    a integer; b integer; mid integer; n integer;
BEGIN
    IF total <= 0 THEN
        RETURN NULL;
    END IF;
    IF loose THEN
        extra := coalesce(extra, '{}');
        removed := coalesce(removed, '{}');
    END IF;
    -- Bucket i (0-based) holds the samples counted by element i + 1 of the cumulative arrays
    -- minus those of bucket i - 1; past their ends the arrays stay at their last value. count(i)
    -- = hi[i] - lo[i] + (extra <= i) - (removed <= i); wanted: the smallest i with count(i) >=
    -- target, for the lower and the upper middle sample (the same one when there are an odd
    -- number).
    FOREACH target IN ARRAY ARRAY[(total + 1) / 2, total / 2 + 1] LOOP
        IF lower_bucket IS NOT NULL THEN
            -- the upper middle sample: nearly always in the lower one's bucket
            a := lower_bucket;
            n := coalesce(hi[least(a + 1, n_hi)], 0) - coalesce(lo[least(a + 1, n_lo)], 0);
            IF loose THEN
                n := n + width_bucket(a, extra) - width_bucket(a, removed);
            END IF;
            EXIT WHEN n >= target;
            a := a + 1;
        ELSIF n_hi > 0 THEN
            -- count(i) <= hi[i] + n_x: nothing before the first i where that reaches target
            a := width_bucket(target - 1 - n_x, hi);
        ELSE
            a := 0;
        END IF;
        b := top;
        IF n_hi > 0 THEN
            -- count(i) >= hi[i] - lo_all - n_r: from the first i where that reaches target on
            b := least(top, width_bucket(target - 1 + lo_all + n_r, hi));
        END IF;
        IF loose THEN
            WHILE a < b LOOP
                mid := (a + b) / 2;
                IF coalesce(hi[least(mid + 1, n_hi)], 0) - coalesce(lo[least(mid + 1, n_lo)], 0)
                   + width_bucket(mid, extra) - width_bucket(mid, removed) >= target THEN
                    b := mid;
                ELSE
                    a := mid + 1;
                END IF;
            END LOOP;
        ELSE
            WHILE a < b LOOP
                mid := (a + b) / 2;
                IF hi[mid + 1] - coalesce(lo[least(mid + 1, n_lo)], 0) >= target THEN
                    b := mid;
                ELSE
                    a := mid + 1;
                END IF;
            END LOOP;
        END IF;
        IF lower_bucket IS NULL THEN
            lower_bucket := a;
        END IF;
    END LOOP;
    RETURN transparency_bucket_seconds(lower_bucket) / 2 + transparency_bucket_seconds(a) / 2;
END
$$;
"""

# Back: migration 0006's definitions, all four (CREATE OR REPLACE).
BACKWARD = import_module("transparency.migrations.0006_seconds_histograms").FORWARD


class Migration(migrations.Migration):
    dependencies = [("transparency", "0006_seconds_histograms")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
