-- Demo data for the `docs` database: the seed guide's document SaaS, in a shared schema (app/auth, tenant = organization_id) and in one schema per tenant; deterministic.
--
-- Loaded by deploy/local/cluster.sh into a freshly created `docs` (psql -1, ON_ERROR_STOP).
-- Standalone: psql -v ON_ERROR_STOP=1 -1 -d <new empty db> -f demo.sql
--
-- Tenants (organizations.id, name): 1 acme, 2 globex, 3 initech, 4 umbrella.
-- Every row is recognisable as its tenant's: emails <name>@<tenant>.example, folder and
-- document titles start with '<tenant>-', contents mention the tenant. Each tenant has one
-- secret document '<tenant>-secret-roadmap' whose content holds the token
-- 'SECRET-<TENANT>-ROADMAP' (e.g. SECRET-ACME-ROADMAP): a leak test can grep for it.
--
-- Ids are predictable per tenant (org = organization id):
--   users             org*100  + 1..3          (alice, bob, carol)
--   folders           org*100  + 1..5          (root, root/engineering, root/engineering/specs, root/finance, archive)
--   documents         org*1000 + 1..20         (n = 1 is the secret one; n = 20 is soft-deleted)
--   document_versions org*10000 + n*10 + v     (v = 1 .. 1 + n % 3)
-- so e.g. documents 1001-1020 are acme's and 2001-2020 globex's.
\set ON_ERROR_STOP on
SET client_min_messages = warning;

CREATE SCHEMA app;
CREATE SCHEMA auth;
COMMENT ON SCHEMA app IS 'Shared-schema layout: every tenant''s rows, told apart by organization_id';
COMMENT ON SCHEMA auth IS 'Shared-schema layout: users of every tenant';

-- Global reference data, the same for every tenant (not tenant-scoped).
CREATE TABLE public.plans (
    id            serial       CONSTRAINT pk_plans PRIMARY KEY,
    name          varchar(255) NOT NULL CONSTRAINT uq_plans_name UNIQUE,
    max_documents integer      NOT NULL
);
INSERT INTO public.plans (id, name, max_documents) VALUES
    (1, 'free', 100), (2, 'team', 10000), (3, 'enterprise', 1000000);
SELECT setval(pg_get_serial_sequence('public.plans', 'id'), 3);

-- The tables of the guide (section 4), with its naming convention, FKs and indexes, keyed by tenant:
-- foreign keys between tenant tables include organization_id (referencing UNIQUE (organization_id, id)),
-- so a row can only point at its own tenant's rows, and e-mail addresses are unique per tenant, so a
-- failed insert tells nothing of another tenant's users. The guide's single-column keys would let a
-- tenant attach rows to another tenant's folders and probe for other tenants' addresses.
-- s = schema of organizations/folders/documents/document_versions, u = schema of users.
CREATE FUNCTION pg_temp.create_docs_tables(s text, u text) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    EXECUTE format($$
        CREATE TABLE %1$I.organizations (
            id          serial       CONSTRAINT pk_organizations PRIMARY KEY,
            name        varchar(255) NOT NULL,
            created_at  timestamptz  NOT NULL DEFAULT now()
        );
        CREATE TABLE %2$I.users (
            id              serial       CONSTRAINT pk_users PRIMARY KEY,
            organization_id integer      NOT NULL
                CONSTRAINT fk_users_organization_id_organizations
                REFERENCES %1$I.organizations (id) ON DELETE CASCADE,
            email           varchar(255) NOT NULL,
            full_name       varchar(255) NOT NULL,
            created_at      timestamptz  NOT NULL DEFAULT now(),
            CONSTRAINT uq_users_organization_id_email UNIQUE (organization_id, email),
            CONSTRAINT uq_users_organization_id_id UNIQUE (organization_id, id)
        );
        CREATE INDEX ix_users_organization_id ON %2$I.users (organization_id);

        CREATE TABLE %1$I.folders (
            id              serial       CONSTRAINT pk_folders PRIMARY KEY,
            organization_id integer      NOT NULL
                CONSTRAINT fk_folders_organization_id_organizations
                REFERENCES %1$I.organizations (id) ON DELETE CASCADE,
            parent_id       integer,
            name            varchar(255) NOT NULL,
            CONSTRAINT uq_folders_organization_id_id UNIQUE (organization_id, id),
            CONSTRAINT fk_folders_parent_id_folders FOREIGN KEY (organization_id, parent_id)
                REFERENCES %1$I.folders (organization_id, id) ON DELETE CASCADE
        );
        CREATE INDEX ix_folders_organization_id ON %1$I.folders (organization_id);
        CREATE INDEX ix_folders_parent_id ON %1$I.folders (parent_id);

        CREATE TABLE %1$I.documents (
            id              serial       CONSTRAINT pk_documents PRIMARY KEY,
            organization_id integer      NOT NULL
                CONSTRAINT fk_documents_organization_id_organizations
                REFERENCES %1$I.organizations (id) ON DELETE CASCADE,
            folder_id       integer      NOT NULL,
            owner_id        integer      NOT NULL,
            title           varchar(500) NOT NULL,
            content         text,
            created_at      timestamptz  NOT NULL DEFAULT now(),
            updated_at      timestamptz  NOT NULL DEFAULT now(),
            deleted_at      timestamptz,
            CONSTRAINT uq_documents_organization_id_id UNIQUE (organization_id, id),
            CONSTRAINT fk_documents_folder_id_folders FOREIGN KEY (organization_id, folder_id)
                REFERENCES %1$I.folders (organization_id, id) ON DELETE CASCADE,
            CONSTRAINT fk_documents_owner_id_users FOREIGN KEY (organization_id, owner_id)
                REFERENCES %2$I.users (organization_id, id) ON DELETE RESTRICT
        );
        CREATE INDEX ix_documents_organization_id ON %1$I.documents (organization_id);
        CREATE INDEX ix_documents_folder_id ON %1$I.documents (folder_id);
        CREATE INDEX ix_documents_owner_id ON %1$I.documents (owner_id);
        CREATE INDEX ix_documents_org_folder ON %1$I.documents (organization_id, folder_id);
        CREATE INDEX ix_documents_active_title ON %1$I.documents (title) WHERE deleted_at IS NULL;

        -- organization_id is not in the guide's model: it is carried here so that a proxy can
        -- confine this table by tenant without a join.
        CREATE TABLE %1$I.document_versions (
            id              serial       CONSTRAINT pk_document_versions PRIMARY KEY,
            organization_id integer      NOT NULL
                CONSTRAINT fk_document_versions_organization_id_organizations
                REFERENCES %1$I.organizations (id) ON DELETE CASCADE,
            document_id     integer      NOT NULL,
            version_number  integer      NOT NULL,
            content         text         NOT NULL,
            created_at      timestamptz  NOT NULL DEFAULT now(),
            CONSTRAINT uq_document_version UNIQUE (document_id, version_number),
            CONSTRAINT fk_document_versions_document_id_documents FOREIGN KEY (organization_id, document_id)
                REFERENCES %1$I.documents (organization_id, id) ON DELETE CASCADE
        );
        CREATE INDEX ix_document_versions_organization_id ON %1$I.document_versions (organization_id);
        CREATE INDEX ix_document_versions_document_id ON %1$I.document_versions (document_id);
    $$, s, u);
END
$fn$;

-- Move every serial sequence of a layout past its highest id.
CREATE FUNCTION pg_temp.sync_sequences(s text, u text) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY[s || '.organizations', u || '.users', s || '.folders',
                             s || '.documents', s || '.document_versions'] LOOP
        EXECUTE format('SELECT setval(pg_get_serial_sequence(%L, ''id''), (SELECT max(id) FROM %s))', t, t);
    END LOOP;
END
$fn$;

CREATE TEMP TABLE tenants (org integer PRIMARY KEY, slug text NOT NULL);
INSERT INTO tenants VALUES (1, 'acme'), (2, 'globex'), (3, 'initech'), (4, 'umbrella');

CREATE TEMP TABLE topics (k integer PRIMARY KEY, topic text NOT NULL);
INSERT INTO topics VALUES
    (0, 'meeting-notes'), (1, 'design-spec'), (2, 'budget'), (3, 'onboarding-guide'),
    (4, 'release-plan'), (5, 'incident-report'), (6, 'vendor-contract'), (7, 'newsletter');

------------------------------------------------------------------------------------------
-- Layout 1: shared schema (app.*, auth.users), every tenant's rows together.
------------------------------------------------------------------------------------------
SELECT pg_temp.create_docs_tables('app', 'auth');

INSERT INTO app.organizations (id, name, created_at)
SELECT org, slug, timestamptz '2024-01-01 09:00:00+00' + (org - 1) * interval '1 day'
FROM tenants ORDER BY org;

INSERT INTO auth.users (id, organization_id, email, full_name, created_at)
SELECT org * 100 + n.i, org,
       n.first || '@' || slug || '.example',
       initcap(n.first) || ' ' || initcap(slug),
       timestamptz '2024-01-01 10:00:00+00' + (org - 1) * interval '1 day' + n.i * interval '1 minute'
FROM tenants
CROSS JOIN (VALUES (1, 'alice'), (2, 'bob'), (3, 'carol')) AS n(i, first)
ORDER BY org, n.i;

INSERT INTO app.folders (id, organization_id, parent_id, name)
SELECT org * 100 + f.i, org, CASE WHEN f.parent IS NULL THEN NULL ELSE org * 100 + f.parent END,
       slug || '-' || f.name
FROM tenants
CROSS JOIN (VALUES (1, NULL, 'root'), (2, 1, 'engineering'), (3, 2, 'engineering-specs'),
                   (4, 1, 'finance'), (5, NULL, 'archive')) AS f(i, parent, name)
ORDER BY org, f.i;

INSERT INTO app.documents (id, organization_id, folder_id, owner_id, title, content,
                           created_at, updated_at, deleted_at)
SELECT d.id, org, d.folder_id, d.owner_id, d.title, d.content, d.created_at,
       d.created_at + (n % 4) * interval '1 day',
       CASE WHEN n = 20 THEN d.created_at + interval '10 days' END
FROM tenants
CROSS JOIN generate_series(1, 20) AS n
JOIN topics ON topics.k = (n - 2 + 8) % 8
CROSS JOIN LATERAL (SELECT
    org * 1000 + n AS id,
    CASE WHEN n = 1 THEN org * 100 + 3 ELSE org * 100 + (n - 1) % 5 + 1 END AS folder_id,
    org * 100 + (n - 1) % 3 + 1 AS owner_id,
    CASE WHEN n = 1 THEN slug || '-secret-roadmap'
         ELSE slug || '-' || topic || '-' || lpad(n::text, 2, '0') END AS title,
    CASE WHEN n = 1 THEN 'SECRET-' || upper(slug) || '-ROADMAP: ' || slug
                         || '''s confidential product roadmap. Never show this outside ' || slug || '.'
         ELSE slug || ' ' || replace(topic, '-', ' ') || ' #' || n || ': internal notes of the '
              || slug || ' team.' END AS content,
    timestamptz '2024-02-01 08:00:00+00' + (org - 1) * interval '1 day' + n * interval '1 hour' AS created_at
) AS d
ORDER BY org, n;

INSERT INTO app.document_versions (id, organization_id, document_id, version_number, content, created_at)
SELECT org * 10000 + (doc.id - org * 1000) * 10 + v, org, doc.id, v,
       CASE WHEN v = 1 + (doc.id - org * 1000) % 3 THEN doc.content
            ELSE doc.title || ' draft ' || v || ' (' || slug || ')' END,
       doc.created_at + v * interval '30 minutes'
FROM tenants
JOIN app.documents AS doc ON doc.organization_id = tenants.org
CROSS JOIN LATERAL generate_series(1, 1 + (doc.id - org * 1000) % 3) AS v
ORDER BY org, doc.id, v;

SELECT pg_temp.sync_sequences('app', 'auth');

------------------------------------------------------------------------------------------
-- Layout 2: schema per tenant (tenant_<slug>.*), the same tables holding only that tenant.
------------------------------------------------------------------------------------------
DO $$
DECLARE t record; s text;
BEGIN
    FOR t IN SELECT org, slug FROM tenants ORDER BY org LOOP
        s := 'tenant_' || t.slug;
        EXECUTE format('CREATE SCHEMA %I', s);
        EXECUTE format('COMMENT ON SCHEMA %I IS %L', s, 'Schema-per-tenant layout: tenant ' || t.slug || ' only');
        PERFORM pg_temp.create_docs_tables(s, s);
        EXECUTE format('INSERT INTO %I.organizations SELECT * FROM app.organizations WHERE id = %s ORDER BY id', s, t.org);
        EXECUTE format('INSERT INTO %I.users SELECT * FROM auth.users WHERE organization_id = %s ORDER BY id', s, t.org);
        EXECUTE format('INSERT INTO %I.folders SELECT * FROM app.folders WHERE organization_id = %s ORDER BY id', s, t.org);
        EXECUTE format('INSERT INTO %I.documents SELECT * FROM app.documents WHERE organization_id = %s ORDER BY id', s, t.org);
        EXECUTE format('INSERT INTO %I.document_versions SELECT * FROM app.document_versions WHERE organization_id = %s ORDER BY id', s, t.org);
        PERFORM pg_temp.sync_sequences(s, s);
    END LOOP;
END $$;

DROP TABLE tenants;
DROP TABLE topics;
ANALYZE;

-- Defense in depth for schema-per-tenant: each tenant role may use its own schema and nothing else of the
-- demo's data, so a tenant whose server_role is set is held by PostgreSQL's privileges too.
DO $$
DECLARE s text;
BEGIN
    FOREACH s IN ARRAY ARRAY['tenant_acme', 'tenant_globex', 'tenant_initech', 'tenant_umbrella'] LOOP
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', s, s);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO %I', s, s);
        EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO %I', s, s);
    END LOOP;
END $$;
