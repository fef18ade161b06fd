-- +goose Up
-- Author categories, as people describe themselves when they contribute.
CREATE TABLE author_categories (
    code     text PRIMARY KEY,
    label    text NOT NULL,
    position int NOT NULL UNIQUE
);
INSERT INTO author_categories (code, label, position) VALUES
    ('citoyen', 'Citoyen·ne', 1),
    ('elu', 'Élu·e', 2),
    ('corps-intermediaire', 'Représentant·e d''un corps intermédiaire', 3),
    ('association', 'Association', 4),
    ('collectivite', 'Collectivité', 5),
    ('mediation-numerique', 'Professionnel·le de la médiation numérique', 6),
    ('administration', 'Administration', 7),
    ('entreprise', 'Entreprise', 8),
    ('autre', 'Autre', 9);

CREATE TABLE users (
    id                bigserial PRIMARY KEY,
    email             text NOT NULL CHECK (email = btrim(email) AND position('@' IN email) > 1),
    email_verified_at timestamptz,
    display_name      text NOT NULL CHECK (char_length(display_name) BETWEEN 1 AND 80),
    -- NULL until a first OpenID sign-in has asked for what is missing
    category          text REFERENCES author_categories (code),
    departement_id    bigint REFERENCES territories (id),
    password_hash     text, -- argon2id, PHC string; NULL for OpenID-only accounts
    terms_accepted_at timestamptz,
    blocked_until     timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

-- Roles beyond "citizen", which everyone has.
CREATE TABLE user_roles (
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       text NOT NULL CHECK (role IN ('rapporteur', 'moderator', 'admin')),
    granted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, role)
);

CREATE TABLE hub_members (
    hub_id     bigint NOT NULL REFERENCES hubs (id) ON DELETE CASCADE,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (hub_id, user_id)
);
CREATE INDEX hub_members_user_idx ON hub_members (user_id);

-- Server-side sessions: the cookie holds a random id, the table its SHA-256.
CREATE TABLE sessions (
    id_hash      bytea PRIMARY KEY,
    user_id      bigint REFERENCES users (id) ON DELETE CASCADE, -- NULL: anonymous session (CSRF, pending OpenID sign-up)
    data         jsonb NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);
