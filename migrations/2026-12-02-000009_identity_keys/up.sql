-- Issue 11 (trust), items 3, 7 and 8.

-- Item 8: one identity per organisation name, whatever its width, case, white space or invisible
-- characters. The service computes `name_key` (src/text_rules.rs: NFKC, lower case, white space
-- and invisible characters removed, NFKC again) for every new row; this fills existing rows
-- with the same steps in SQL. Existing rows that share a key keep their names: all but the
-- oldest get the key suffixed with their id, so the index can be built and no data is lost,
-- while every new look-alike of any of them is refused.
ALTER TABLE organizations ADD COLUMN name_key TEXT;
-- The same key in SQL, for existing rows and for rows written without one (fixtures, operators'
-- SQL); the service always sends its own.
CREATE FUNCTION techmatch_name_key(name_text TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT normalize(regexp_replace(
    normalize(lower(normalize(name_text, NFKC)), NFKC),
    '[\u0009-\u000d\u0020\u0085\u00a0\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u115f-\u1160\u1680\u17b4-\u17b5\u180b-\u180f\u2000-\u200f\u2028-\u202f\u205f-\u2064\u2066-\u206f\u3000\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f\U000e0100-\U000e01ef]',
    '', 'g'), NFKC)
$$;
CREATE FUNCTION techmatch_fill_name_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.name_key IS NULL OR (TG_OP = 'UPDATE' AND NEW.name IS DISTINCT FROM OLD.name AND NEW.name_key IS NOT DISTINCT FROM OLD.name_key) THEN
        NEW.name_key := techmatch_name_key(NEW.name);
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER organizations_fill_name_key BEFORE INSERT OR UPDATE ON organizations
    FOR EACH ROW EXECUTE FUNCTION techmatch_fill_name_key();
UPDATE organizations SET name_key = techmatch_name_key(name);
UPDATE organizations o SET name_key = o.name_key || '#' || o.id
FROM (SELECT id, row_number() OVER (PARTITION BY name_key ORDER BY created_at, id) AS n FROM organizations) d
WHERE d.id = o.id AND d.n > 1;
ALTER TABLE organizations ALTER COLUMN name_key SET NOT NULL;
CREATE UNIQUE INDEX organizations_name_key_key ON organizations (name_key);

-- Item 3: a listing taken off the market because the department rejected its organisation is
-- moved to `draft` with this reason; the reason is cleared when its status next changes (the
-- owner republishing it once the organisation is restored).
ALTER TABLE supplies ADD COLUMN off_market_reason TEXT CHECK (off_market_reason IN ('organization_rejected'));
ALTER TABLE demands ADD COLUMN off_market_reason TEXT CHECK (off_market_reason IN ('organization_rejected'));

CREATE FUNCTION techmatch_clear_off_market_reason() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status IS DISTINCT FROM OLD.status AND NEW.off_market_reason IS NOT DISTINCT FROM OLD.off_market_reason THEN
        NEW.off_market_reason := NULL;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER supplies_clear_off_market_reason BEFORE UPDATE ON supplies
    FOR EACH ROW EXECUTE FUNCTION techmatch_clear_off_market_reason();
CREATE TRIGGER demands_clear_off_market_reason BEFORE UPDATE ON demands
    FOR EACH ROW EXECUTE FUNCTION techmatch_clear_off_market_reason();

-- Item 7: on a broker's connection each side accepts for itself; the connection reaches
-- `contacted` (and the broker sees contacts) once both have.
CREATE TABLE connection_acceptances (
    connection_id UUID NOT NULL REFERENCES connections (id),
    organization_id UUID NOT NULL REFERENCES organizations (id),
    accepted_by UUID NOT NULL REFERENCES users (id),
    accepted_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (connection_id, organization_id)
);

-- Item 7: every response that showed a user another organisation's contact details on a
-- connection.
CREATE TABLE contact_views (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    connection_id UUID NOT NULL REFERENCES connections (id),
    viewer_id UUID NOT NULL REFERENCES users (id),
    viewed_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX contact_views_connection_idx ON contact_views (connection_id, viewed_at);
CREATE INDEX contact_views_viewer_idx ON contact_views (viewer_id, viewed_at);
