"""The seconds histograms of the monthly rollups, in SQL.

`transparency_seconds_bucket(s)`: fixed buckets, 1 s wide below 100 s (exact), then log-scale,
each 3 % wider than the one before (bucket b >= 100 holds [100 * 1.03^(b-100),
100 * 1.03^(b-99))), the last one (645) open-ended (~31 years and more).
`transparency_bucket_seconds(b)`: the value a bucket stands for, its geometric middle, within
1.5 % of every value in the bucket (exact below 100 s).
`transparency_histogram_median(hi, lo, extra, removed)`: the median of the samples counted by
the cumulative histogram `hi` minus the cumulative histogram `lo` (element i: samples in
buckets 0..i), plus the sorted bucket numbers `extra`, minus the sorted bucket numbers
`removed` (samples counted in `hi` that are outside the period); binary searches, so a year of samples costs a
few dozen array reads per group. The two middle samples' buckets are averaged like
percentile_cont(0.5) averages the two middle samples, so the result is within 1.5 % of the
exact median (exact when it is below 100 s).
`transparency_cdf_add(before, buckets, counts)`: a cumulative array plus some samples per
bucket (the monthly rollups' build).
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION transparency_seconds_bucket(s integer) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT AS $$
    SELECT CASE WHEN s < 100 THEN greatest(s, 0)
                ELSE least(100 + floor(ln(s::float8 / 100) / ln(1.03::float8))::integer, 645)
           END
$$;

CREATE OR REPLACE FUNCTION transparency_bucket_seconds(b integer) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT AS $$
    SELECT CASE WHEN b < 100 THEN b::float8
                ELSE 100 * power(1.03::float8, b - 100 + 0.5) END
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
    -- hi[0] and extra[0] are NULL: an empty array counts 0
    total integer := coalesce(hi[n_hi], 0) - coalesce(lo[n_lo], 0) + n_x - n_r;
    r integer;
    top integer := greatest(n_hi, coalesce(extra[n_x] + 1, 0)) - 1;
    target integer;
    result double precision := 0;
    a integer; b integer; mid integer; x integer; y integer; m integer;
BEGIN
    IF total <= 0 THEN
        RETURN NULL;
    END IF;
    -- the lower and the upper middle sample (the same one when there are an odd number)
    FOREACH target IN ARRAY ARRAY[(total + 1) / 2, total / 2 + 1] LOOP
        -- the smallest bucket a with (samples in buckets 0..a) >= target; past their ends the
        -- cumulative arrays stay at their last value
        a := 0;
        b := top;
        WHILE a < b LOOP
            mid := (a + b) / 2;
            x := 0;  -- extra samples in buckets 0..mid
            IF n_x > 0 THEN
                y := n_x;
                WHILE x < y LOOP
                    m := (x + y) / 2;
                    IF extra[m + 1] <= mid THEN x := m + 1; ELSE y := m; END IF;
                END LOOP;
            END IF;
            r := 0;  -- removed samples in buckets 0..mid
            IF n_r > 0 THEN
                y := n_r;
                WHILE r < y LOOP
                    m := (r + y) / 2;
                    IF removed[m + 1] <= mid THEN r := m + 1; ELSE y := m; END IF;
                END LOOP;
            END IF;
            IF coalesce(hi[least(mid + 1, n_hi)], 0) - coalesce(lo[least(mid + 1, n_lo)], 0)
               + x - r >= target THEN
                b := mid;
            ELSE
                a := mid + 1;
            END IF;
        END LOOP;
        result := result + transparency_bucket_seconds(a) / 2;
    END LOOP;
    RETURN result;
END
$$;

CREATE OR REPLACE FUNCTION transparency_cdf_add(
    before integer[], buckets integer[], counts integer[]
) RETURNS integer[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    -- local copies: read element by element, once detoasted
    previous integer[] := coalesce(before, '{}');
    added_at integer[] := coalesce(buckets, '{}');
    added_n integer[] := coalesce(counts, '{}');
    n_before integer := cardinality(previous);
    n integer := cardinality(added_at);
    last integer := coalesce(previous[n_before], 0);
    len integer := greatest(n_before, coalesce(added_at[n] + 1, 0));
    result integer[] := '{}';
    added integer := 0;
    j integer := 1;
BEGIN
    -- The cumulative array `before` plus the samples counts[k] in buckets[k] (ascending).
    FOR i IN 0 .. len - 1 LOOP
        WHILE j <= n AND added_at[j] <= i LOOP
            added := added + added_n[j];
            j := j + 1;
        END LOOP;
        result[i + 1] := CASE WHEN i < n_before THEN previous[i + 1] ELSE last END + added;
    END LOOP;
    RETURN result;
END
$$;
"""

BACKWARD = """
DROP FUNCTION IF EXISTS transparency_cdf_add(integer[], integer[], integer[]);
DROP FUNCTION IF EXISTS transparency_histogram_median(integer[], integer[], integer[], integer[]);
DROP FUNCTION IF EXISTS transparency_bucket_seconds(integer);
DROP FUNCTION IF EXISTS transparency_seconds_bucket(integer);
"""


class Migration(migrations.Migration):
    dependencies = [("transparency", "0005_monthly_rollups")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
