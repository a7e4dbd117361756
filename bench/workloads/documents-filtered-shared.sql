-- Documents workload as an application without Bulkhead writes it for tenant 1: every query filters by tenant.
\set n random(1, 20)
\set doc 1000 + :n
SELECT id, title, updated_at FROM app.documents WHERE organization_id = 1 AND folder_id = 102 AND deleted_at IS NULL ORDER BY updated_at DESC LIMIT 10;
SELECT d.title, v.version_number, v.content FROM app.documents d JOIN app.document_versions v ON v.document_id = d.id AND v.organization_id = 1 WHERE d.organization_id = 1 AND d.id = :doc ORDER BY v.version_number DESC LIMIT 1;
UPDATE app.documents SET updated_at = now() WHERE organization_id = 1 AND id = :doc;
