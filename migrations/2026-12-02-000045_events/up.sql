-- Matchmaking events (对接会 / 路演, issue 15 item 2): the event with its venues, registrations
-- with the listings each organisation brings, engine-proposed pairs with both sides' interest,
-- meetings scheduled into slots without double-booking (enforced here, by unique keys), roadshow
-- slots, check-in and intent agreements that open or advance a connection attributed to the event.

CREATE TABLE events (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    title TEXT NOT NULL,
    description TEXT,
    organizer_organization_id UUID NOT NULL REFERENCES organizations (id),
    created_by UUID REFERENCES users (id),
    format TEXT NOT NULL CHECK (format IN ('onsite', 'online', 'hybrid')),
    online_url TEXT,
    starts_at TIMESTAMPTZ NOT NULL,
    ends_at TIMESTAMPTZ NOT NULL,
    registration_opens_at TIMESTAMPTZ NOT NULL,
    registration_closes_at TIMESTAMPTZ NOT NULL,
    slot_minutes INTEGER NOT NULL CHECK (slot_minutes BETWEEN 5 AND 240),
    industries TEXT[] NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN
        ('draft', 'registration_open', 'registration_closed', 'in_progress', 'finished', 'cancelled')),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT events_period_check CHECK (ends_at > starts_at),
    CONSTRAINT events_registration_check CHECK (registration_closes_at > registration_opens_at
        AND registration_closes_at <= starts_at)
);
CREATE INDEX events_starts_at_idx ON events (starts_at);
-- The scheduler's sweep: open registrations past their closing time.
CREATE INDEX events_registration_due_idx ON events (registration_closes_at) WHERE status = 'registration_open';

-- The main venue and the sub-venues (分会场), each with its meeting tables.
CREATE TABLE event_venues (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    event_id UUID NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    address TEXT,
    is_main BOOLEAN NOT NULL DEFAULT FALSE,
    tables INTEGER NOT NULL CHECK (tables BETWEEN 1 AND 500),
    position INTEGER NOT NULL,
    UNIQUE (event_id, position)
);

CREATE TABLE event_registrations (
    event_id UUID NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    organization_id UUID NOT NULL REFERENCES organizations (id),
    registered_by UUID REFERENCES users (id),
    registered_at TIMESTAMPTZ NOT NULL,
    checked_in_at TIMESTAMPTZ,
    checked_in_by UUID REFERENCES users (id),
    PRIMARY KEY (event_id, organization_id)
);

-- The listings an organisation brings (its own: checked by the service).
CREATE TABLE event_registration_listings (
    event_id UUID NOT NULL,
    organization_id UUID NOT NULL,
    listing_kind TEXT NOT NULL CHECK (listing_kind IN ('supply', 'demand')),
    listing_id UUID NOT NULL,
    PRIMARY KEY (event_id, listing_id),
    FOREIGN KEY (event_id, organization_id) REFERENCES event_registrations (event_id, organization_id) ON DELETE CASCADE
);

-- A pair the engine proposed among the registered listings, with each side's interest and, once
-- signed at the event, the intent agreement and its connection.
CREATE TABLE event_pairs (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    event_id UUID NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    demand_id UUID NOT NULL REFERENCES demands (id),
    supply_id UUID NOT NULL REFERENCES supplies (id),
    demand_organization_id UUID NOT NULL REFERENCES organizations (id),
    supply_organization_id UUID NOT NULL REFERENCES organizations (id),
    score REAL NOT NULL,
    explanation JSONB NOT NULL,
    summary_zh TEXT NOT NULL,
    demand_interest BOOLEAN,
    supply_interest BOOLEAN,
    connection_id UUID REFERENCES connections (id),
    intent_at TIMESTAMPTZ,
    intent_by UUID REFERENCES users (id),
    intent_amount_fen BIGINT CHECK (intent_amount_fen BETWEEN 0 AND 1000000000000000),
    intent_note TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (event_id, demand_id, supply_id)
);

-- A meeting of a pair with mutual interest: requested, then scheduled by the organiser into a
-- slot at a table of a venue, then held (or cancelled).
CREATE TABLE event_meetings (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    event_id UUID NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    pair_id UUID NOT NULL UNIQUE REFERENCES event_pairs (id) ON DELETE CASCADE,
    status TEXT NOT NULL DEFAULT 'requested' CHECK (status IN ('requested', 'scheduled', 'held', 'cancelled')),
    venue_id UUID REFERENCES event_venues (id),
    table_no INTEGER,
    slot_start TIMESTAMPTZ,
    scheduled_by UUID REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT event_meetings_slot_check CHECK (
        (status = 'requested') = (slot_start IS NULL) OR status = 'cancelled')
);
-- One meeting per table and slot.
CREATE UNIQUE INDEX event_meetings_table_slot_key ON event_meetings (venue_id, table_no, slot_start)
    WHERE status IN ('scheduled', 'held');

-- One row per party of a scheduled meeting: an organisation is in one meeting per slot.
CREATE TABLE event_meeting_bookings (
    event_id UUID NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    organization_id UUID NOT NULL REFERENCES organizations (id),
    slot_start TIMESTAMPTZ NOT NULL,
    meeting_id UUID NOT NULL REFERENCES event_meetings (id) ON DELETE CASCADE,
    CONSTRAINT event_meeting_bookings_party_slot_key PRIMARY KEY (event_id, organization_id, slot_start)
);
CREATE INDEX event_meeting_bookings_meeting_idx ON event_meeting_bookings (meeting_id);

-- Roadshow (路演) slots for supplies and reverse roadshows (需求发布) for demands.
CREATE TABLE event_roadshows (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    event_id UUID NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    venue_id UUID NOT NULL REFERENCES event_venues (id),
    kind TEXT NOT NULL CHECK (kind IN ('roadshow', 'reverse_roadshow')),
    listing_id UUID NOT NULL,
    organization_id UUID NOT NULL REFERENCES organizations (id),
    position INTEGER NOT NULL CHECK (position BETWEEN 1 AND 1000),
    starts_at TIMESTAMPTZ NOT NULL,
    minutes INTEGER NOT NULL CHECK (minutes BETWEEN 1 AND 240),
    created_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT event_roadshows_position_key UNIQUE (event_id, venue_id, position),
    CONSTRAINT event_roadshows_listing_key UNIQUE (event_id, kind, listing_id)
);

-- The event a connection came from (an intent agreement signed there).
ALTER TABLE connections ADD COLUMN event_id UUID REFERENCES events (id);
CREATE INDEX connections_event_idx ON connections (event_id) WHERE event_id IS NOT NULL;

INSERT INTO audit_actions (name) VALUES
    ('event_created'), ('event_status_changed'), ('event_registered'), ('event_pairs_proposed'),
    ('event_interest_marked'), ('event_meeting_scheduled'), ('event_meeting_status_changed'),
    ('event_checked_in'), ('event_intent_recorded'), ('event_roadshow_scheduled');
INSERT INTO audit_record_types (name) VALUES
    ('event'), ('event_registration'), ('event_pair'), ('event_meeting'), ('event_roadshow');
INSERT INTO notification_kinds (name) VALUES
    ('event_pair_proposed'), ('event_meeting_scheduled');
