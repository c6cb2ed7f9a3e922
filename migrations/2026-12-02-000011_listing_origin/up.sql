-- Listings loaded by `techmatch import` (an operator's bulk load) are marked, so that the
-- per-organisation quota on listings created per hour counts only what users create through
-- the API: a fresh import must not block its organisation's users for the next hour.
ALTER TABLE supplies ADD COLUMN imported boolean NOT NULL DEFAULT false;
ALTER TABLE demands ADD COLUMN imported boolean NOT NULL DEFAULT false;
