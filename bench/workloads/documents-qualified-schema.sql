-- Documents workload as an application without Bulkhead writes it for tenant acme: every name carries the schema.
\set n random(1, 20)
\set doc 1000 + :n
SELECT id, title, updated_at FROM tenant_acme.documents WHERE folder_id = 102 AND deleted_at IS NULL ORDER BY updated_at DESC LIMIT 10;
SELECT d.title, v.version_number, v.content FROM tenant_acme.documents d JOIN tenant_acme.document_versions v ON v.document_id = d.id WHERE d.id = :doc ORDER BY v.version_number DESC LIMIT 1;
UPDATE tenant_acme.documents SET updated_at = now() WHERE id = :doc;
